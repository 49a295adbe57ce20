/*
 * reader.c
 *		Resolve the feature columns of a relation and read them, in one pass,
 *		into a contiguous row-major matrix of doubles (NULL becomes NaN).
 *
 * The relation is read through SPI, so the caller's privileges, row-level
 * security and view definitions apply exactly as to a plain SELECT.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#include "ccseg.h"
#include "parallel_read.h"
#include "reader.h"

#include "decimal.h"
#include "model.h"
#include "rng.h"

#define FETCH_ROWS	10000

static void report_categories(Oid relid, const CcsegFeatures *f, int j);

/* Set *conv for a numeric type (or a domain over one); false for other types. */
bool
ccseg_conv_for_type(Oid type, CcsegConv *conv)
{
	switch (getBaseType(type))
	{
		case FLOAT8OID:
			*conv = CCSEG_CONV_FLOAT8;
			return true;
		case FLOAT4OID:
			*conv = CCSEG_CONV_FLOAT4;
			return true;
		case INT2OID:
			*conv = CCSEG_CONV_INT2;
			return true;
		case INT4OID:
			*conv = CCSEG_CONV_INT4;
			return true;
		case INT8OID:
			*conv = CCSEG_CONV_INT8;
			return true;
		case NUMERICOID:
			*conv = CCSEG_CONV_NUMERIC;
			return true;
		default:
			return false;
	}
}

/*
 * Convert a non-null numeric datum to double, giving what numeric::float8
 * gives.  The built-in cast prints the number and parses the text; here the
 * digits are read from the stored form (the on-disk layout pg_upgrade keeps
 * stable) and converted exactly by the core when they fit its fast path,
 * which covers amounts with up to 15 significant digits.  NaN, infinities
 * and longer numbers take the built-in cast.
 *
 * The stored form after the varlena header: a uint16 header word; its top
 * two bits say positive long form (00), negative long form (01), short form
 * (10) or special value (11).  The long form has an int16 weight next, the
 * short form packs the sign (0x2000) and a 7-bit signed weight (0x007F) into
 * the header word.  Then come base-10000 digits, int16 each, most
 * significant first, the first one multiplying 10000^weight.
 */
#define CCSEG_NUMERIC_FORM_MASK		0xC000
#define CCSEG_NUMERIC_NEG			0x4000
#define CCSEG_NUMERIC_SHORT			0x8000
#define CCSEG_NUMERIC_SPECIAL		0xC000
#define CCSEG_NUMERIC_SHORT_NEG		0x2000
#define CCSEG_NUMERIC_SHORT_WSIGN	0x0040
#define CCSEG_NUMERIC_SHORT_WEIGHT	0x003F

double
ccseg_numeric_to_double(Datum value)
{
	struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
	const char *data = VARDATA_ANY(v);
	Size		len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int16		weight;
	bool		negative;
	const char *digits;
	Size		digits_len;
	double		result;

	if (len < sizeof(uint16))
		goto fallback;
	memcpy(&header, data, sizeof(header));
	switch (header & CCSEG_NUMERIC_FORM_MASK)
	{
		case CCSEG_NUMERIC_SPECIAL:
			goto fallback;
		case CCSEG_NUMERIC_SHORT:
			negative = (header & CCSEG_NUMERIC_SHORT_NEG) != 0;
			weight = (int16) (header & CCSEG_NUMERIC_SHORT_WEIGHT);
			if (header & CCSEG_NUMERIC_SHORT_WSIGN)
				weight = (int16) (weight | ~CCSEG_NUMERIC_SHORT_WEIGHT);
			digits = data + sizeof(uint16);
			digits_len = len - sizeof(uint16);
			break;
		default:
			if (len < sizeof(uint16) + sizeof(int16))
				goto fallback;
			negative = (header & CCSEG_NUMERIC_FORM_MASK) == CCSEG_NUMERIC_NEG;
			memcpy(&weight, data + sizeof(uint16), sizeof(weight));
			digits = data + sizeof(uint16) + sizeof(int16);
			digits_len = len - sizeof(uint16) - sizeof(int16);
			break;
	}
	if (digits_len % sizeof(int16) == 0 &&
		cc_decimal_to_double(negative, weight, digits, (int) (digits_len / sizeof(int16)),
							 &result))
	{
		if ((Pointer) v != DatumGetPointer(value))
			pfree(v);
		return result;
	}

fallback:
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, value));
}

/*
 * The code of the value of categorical feature j of f (one of its last
 * ncat): the index of its text form in the column's dictionary, added to
 * it while training reads; CC_CATEGORY_UNKNOWN for a value that is not a
 * category of a frozen dictionary; -2 for a value the dictionary cannot
 * take (see cc_category_code).
 */
double
ccseg_category_code(const CcsegFeatures *f, int j, Datum value)
{
	CcsegCategorical *cat = &f->cat[j - (f->d - f->ncat)];
	MemoryContext old = MemoryContextSwitchTo(cat->tmp);
	char	   *text = OutputFunctionCall(&cat->out, value);
	double		code;

	MemoryContextSwitchTo(old);
	code = cc_category_code(&cat->dict, text, strlen(text));
	/* what an output function allocates besides its result goes too */
	if (++cat->calls % 1024 == 0)
		MemoryContextReset(cat->tmp);
	return code;
}

/* Column number (0-based) of a live column of desc called name, or -1. */
int
ccseg_find_column(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

/* How many close column names a hint lists at most. */
#define HINT_NAMES	3
/* How many columns a hint lists when none has a close name. */
#define HINT_ALL_COLUMNS	10
/* The longest string varstr_levenshtein accepts (MAX_LEVENSHTEIN_STRLEN). */
#define HINT_MAX_LEN	255

/* A copy of s with ASCII letters in lower case (other bytes kept). */
static char *
ascii_lower(const char *s)
{
	char	   *t = pstrdup(s);
	char	   *c;

	for (c = t; *c; c++)
		*c = pg_ascii_tolower((unsigned char) *c);
	return t;
}

/*
 * A hint for a column name that relation relname (described by desc) lacks:
 * the live columns (but column skip) whose name is closest to name, or the
 * columns themselves when the relation has few and none is close; NULL when
 * there is nothing to say.  A name equal but for case comes first, then
 * names within an edit distance of half the length of the name (or that
 * contain it), nearest first, then in column order.  Names are compared
 * with ASCII case folded, so that "Income" finds income at distance 0.
 */
char *
ccseg_column_hint(TupleDesc desc, const char *name, int skip, const char *relname)
{
	int			len = strlen(name);
	char	   *lname = ascii_lower(name);
	int			best[HINT_NAMES];
	int			best_d[HINT_NAMES];
	int			found = 0;
	int			live = 0;
	int			i;
	StringInfoData buf;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *col = NameStr(att->attname);
		int			clen = strlen(col);
		char	   *lcol;
		int			d;
		int			j;

		if (att->attisdropped || i == skip)
			continue;
		live++;
		/* varstr_levenshtein refuses longer strings; no column is that close */
		if (len > HINT_MAX_LEN)
			continue;
		lcol = ascii_lower(col);
		if (strcmp(lname, lcol) == 0)
			d = 0;
		else
		{
			int			max_d = Max(len / 2, 1);

			d = varstr_levenshtein(lname, len, lcol, clen, 1, 1, 1, true);
			/* a name contained in a longer column name is close too */
			if (d > max_d && !(len >= 3 && strstr(lcol, lname) != NULL))
				d = -1;
			else
				d = Max(d, 1);
		}
		pfree(lcol);
		if (d < 0)
			continue;
		/* insert in order of distance, keeping column order on ties */
		if (found == HINT_NAMES && best_d[HINT_NAMES - 1] <= d)
			continue;
		j = found < HINT_NAMES ? found++ : HINT_NAMES - 1;
		for (; j > 0 && best_d[j - 1] > d; j--)
		{
			best[j] = best[j - 1];
			best_d[j] = best_d[j - 1];
		}
		best[j] = i;
		best_d[j] = d;
	}
	pfree(lname);

	initStringInfo(&buf);
	if (found == 1)
		appendStringInfo(&buf, "Perhaps you meant column \"%s\".",
						 NameStr(TupleDescAttr(desc, best[0])->attname));
	else if (found > 1)
	{
		appendStringInfoString(&buf, "Perhaps you meant one of the columns");
		for (i = 0; i < found; i++)
			appendStringInfo(&buf, "%s \"%s\"", i == 0 ? "" : ",",
							 NameStr(TupleDescAttr(desc, best[i])->attname));
		appendStringInfoChar(&buf, '.');
	}
	else if (live > 0 && live <= HINT_ALL_COLUMNS)
	{
		int			n = 0;

		appendStringInfo(&buf, "Relation \"%s\" has %s", relname,
						 live == 1 ? "one column:" : "the columns");
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped || i == skip)
				continue;
			appendStringInfo(&buf, "%s \"%s\"", n++ == 0 ? "" : ",",
							 NameStr(att->attname));
		}
		appendStringInfoChar(&buf, '.');
	}
	else
	{
		pfree(buf.data);
		return NULL;
	}
	return buf.data;
}

/* errhint with ccseg_column_hint's text, if any (for use inside ereport). */
static int
column_hint(TupleDesc desc, const char *name, int skip, const char *relname)
{
	char	   *hint = ccseg_column_hint(desc, name, skip, relname);

	return hint ? errhint("%s", hint) : 0;
}

/* Set up categorical column c of out, of type type, to read into a new dictionary. */
static void
init_categorical(CcsegFeatures *out, int c, Oid type, int max)
{
	CcsegCategorical *cat = &out->cat[c];
	Oid			outfn;
	bool		varlena;
	CcsegConv	conv;

	memset(cat, 0, sizeof(*cat));
	ccseg_allocator_init(&cat->alloc, CurrentMemoryContext);
	cc_category_init(&cat->dict, max, &cat->alloc);
	cat->tmp = AllocSetContextCreate(CurrentMemoryContext, "ccseg category text",
									 ALLOCSET_SMALL_SIZES);
	getTypeOutputInfo(type, &outfn, &varlena);
	fmgr_info(outfn, &cat->out);
	cat->type = type;
	cat->numeric = ccseg_conv_for_type(type, &conv);
}

/*
 * The categorical parameter (text[]): the columns of desc it names, checked
 * (present, once each, not the id column), as column numbers into *cols;
 * returns how many.
 */
static int
resolve_categorical(TupleDesc desc, ArrayType *categorical, int id_col,
					const char *relname, int **cols)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i,
				i2;

	if (ARR_NDIM(categorical) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("categorical must be a one-dimensional array")));
	deconstruct_array(categorical, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("categorical must not be empty"),
				 errhint("Pass NULL (or leave it out) when no column is categorical.")));
	*cols = palloc(sizeof(int) * n);
	for (i = 0; i < n; i++)
	{
		char	   *name;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("categorical must not contain null elements")));
		name = TextDatumGetCString(elems[i]);
		(*cols)[i] = ccseg_find_column(desc, name);
		if ((*cols)[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("categorical column \"%s\" of relation \"%s\" does not exist",
							ccseg_name_for_message(name), relname),
					 column_hint(desc, name, id_col, relname)));
		if ((*cols)[i] == id_col)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("id column \"%s\" cannot also be a categorical column", name)));
		for (i2 = 0; i2 < i; i2++)
			if ((*cols)[i2] == (*cols)[i])
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("categorical column \"%s\" is listed more than once",
								ccseg_name_for_message(name))));
	}
	return n;
}

/*
 * Resolve the features of a training source: the columns named in features,
 * or every numeric column but id_column when features is NULL; then the
 * columns named in categorical (which may be named in features too, and are
 * left out of the automatic choice), read as category codes.
 */
void
ccseg_resolve_features(Oid relid, ArrayType *features, const char *id_column,
					   ArrayType *categorical, CcsegFeatures *out)
{
	int		   *cat_cols = NULL;
	int			ncat = 0;
	int			c;
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	char	   *relname = RelationGetRelationName(rel);
	char		kind = rel->rd_rel->relkind;
	int			id_col = -1;
	int			i;

	if (kind != RELKIND_RELATION && kind != RELKIND_VIEW &&
		kind != RELKIND_MATVIEW && kind != RELKIND_PARTITIONED_TABLE &&
		kind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table, view or materialized view",
						relname)));

	if (id_column != NULL)
	{
		id_col = ccseg_find_column(desc, id_column);
		if (id_col < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("id column \"%s\" of relation \"%s\" does not exist",
							ccseg_name_for_message(id_column), relname),
					 column_hint(desc, id_column, -1, relname)));
	}

	out->d = 0;
	out->ncat = 0;
	out->cat = NULL;
	out->names = palloc(sizeof(char *) * Max(desc->natts, 1));
	out->conv = palloc(sizeof(CcsegConv) * Max(desc->natts, 1));
	if (categorical != NULL)
		ncat = resolve_categorical(desc, categorical, id_col, relname, &cat_cols);

	if (features == NULL)
	{
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped || i == id_col)
				continue;
			for (c = 0; c < ncat; c++)
				if (cat_cols[c] == i)
					break;
			if (c < ncat)
				continue;
			if (ccseg_conv_for_type(att->atttypid, &out->conv[out->d]))
				out->names[out->d++] = pstrdup(NameStr(att->attname));
		}
		if (out->d == 0 && ncat == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relation \"%s\" has no numeric column to use as a feature",
							relname),
					 errhint("Features must be smallint, integer, bigint, real, double precision or numeric columns.")));
	}
	else
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		if (ARR_NDIM(features) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("features must be a one-dimensional array")));
		deconstruct_array(features, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("features must not be empty")));
		if (n > CC_MAX_FEATURES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many features: %d", n),
					 errdetail("At most %d features are supported.", CC_MAX_FEATURES)));
		out->names = repalloc(out->names, sizeof(char *) * (n + ncat));
		out->conv = repalloc(out->conv, sizeof(CcsegConv) * (n + ncat));
		for (i = 0; i < n; i++)
		{
			char	   *name;
			int			col;
			int			j;
			Form_pg_attribute att;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("features must not contain null elements")));
			name = TextDatumGetCString(elems[i]);
			for (j = 0; j < out->d; j++)
				if (strcmp(out->names[j], name) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("feature \"%s\" is listed more than once",
									ccseg_name_for_message(name))));
			col = ccseg_find_column(desc, name);
			if (col < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of relation \"%s\" does not exist",
								ccseg_name_for_message(name), relname),
						 column_hint(desc, name, id_col, relname)));
			if (col == id_col)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("id column \"%s\" cannot also be a feature", name)));
			/* a categorical column named here too is encoded, after the others */
			for (c = 0; c < ncat; c++)
				if (cat_cols[c] == col)
					break;
			if (c < ncat)
				continue;
			att = TupleDescAttr(desc, col);
			if (!ccseg_conv_for_type(att->atttypid, &out->conv[out->d]))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of relation \"%s\" has type %s, which is not numeric",
								name, relname, format_type_be(att->atttypid)),
						 errhint("Features must be smallint, integer, bigint, real, double precision or numeric columns; name a column of another type in categorical to one-hot encode it.")));
			out->names[out->d++] = name;
		}
	}
	if (out->d + ncat > CC_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many features: %d", out->d + ncat),
				 errdetail("At most %d features are supported.", CC_MAX_FEATURES)));
	if (ncat > 0)
	{
		out->names = repalloc(out->names, sizeof(char *) * (out->d + ncat));
		out->conv = repalloc(out->conv, sizeof(CcsegConv) * (out->d + ncat));
		out->cat = palloc(sizeof(CcsegCategorical) * ncat);
		for (c = 0; c < ncat; c++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, cat_cols[c]);

			init_categorical(out, c, att->atttypid, CC_MAX_CATEGORIES);
			out->names[out->d] = pstrdup(NameStr(att->attname));
			out->conv[out->d++] = CCSEG_CONV_CATEGORY;
		}
		out->ncat = ncat;
	}
	/* keep the lock until the end of the transaction */
	relation_close(rel, NoLock);
}

/* A text[] of a model's feature names, to resolve them in a relation. */
ArrayType *
ccseg_model_feature_array(const CcModel *m)
{
	Datum	   *names = palloc(sizeof(Datum) * m->d);
	int			j;

	for (j = 0; j < m->d; j++)
		names[j] = CStringGetTextDatum(m->features[j]);
	return construct_array(names, m->d, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The columns of relid to read for model m: its numeric features, then one
 * categorical column per group of indicators, read into a dictionary frozen
 * to the model's categories (in the model's order, so that a code is the
 * indicator's place in its group; a value that is not one is unknown).
 */
void
ccseg_resolve_model_features(Oid relid, const CcModel *m, const char *order_by,
							 CcsegFeatures *out)
{
	int			n_num = 0,
				ncat = 0,
				j,
				c;
	Datum	   *names = palloc(sizeof(Datum) * m->d);

	for (j = 0; j < m->d; j++)
	{
		if (!cc_model_is_indicator(m, j))
			names[n_num++] = CStringGetTextDatum(m->features[j]);
		else if (j == 0 || !cc_model_is_indicator(m, j - 1) ||
				 strcmp(m->category_column[j - 1], m->category_column[j]) != 0)
			ncat++;
	}
	if (ncat == 0)
	{
		ccseg_resolve_features(relid, ccseg_model_feature_array(m), order_by,
							   NULL, out);
		return;
	}
	j = n_num;
	for (c = 0; c < ncat; c++)
	{
		names[n_num + c] = CStringGetTextDatum(m->category_column[j]);
		j += cc_model_category_count(m, j);
	}
	/* the categorical columns in features too: then features is never empty */
	ccseg_resolve_features(relid,
						   construct_array(names, n_num + ncat, TEXTOID, -1, false, TYPALIGN_INT),
						   order_by,
						   construct_array(names + n_num, ncat, TEXTOID, -1, false, TYPALIGN_INT),
						   out);
	/* freeze each dictionary to the model's categories, in its order */
	j = n_num;
	for (c = 0; c < ncat; c++)
	{
		CcsegCategorical *cat = &out->cat[c];
		int			count = cc_model_category_count(m, j),
					i;

		cc_category_free(&cat->dict);
		cc_category_init(&cat->dict, CC_MAX_CATEGORIES, &cat->alloc);
		cat->has_null = false;
		for (i = j; i < j + count; i++)
		{
			if (m->category[i] == NULL)
				cat->has_null = true;
			else
				cc_category_code(&cat->dict, m->category[i], strlen(m->category[i]));
		}
		cat->dict.frozen = true;
		j += count;
	}
}

/*
 * After training read its rows: put each categorical column's categories in
 * their order (numeric for the types of numeric features, else bytewise),
 * renumber the codes of x (n rows of f->d) to it, and note whether NULL is
 * a category; an error when NULL makes a column's categories more than
 * CC_MAX_CATEGORIES.
 */
void
ccseg_categories_finish(Oid relid, const CcsegFeatures *f, double *x, size_t n)
{
	int			c;

	for (c = 0; c < f->ncat; c++)
	{
		CcsegCategorical *cat = &f->cat[c];
		int			col = f->d - f->ncat + c;
		int		   *remap = palloc(sizeof(int) * Max(cat->dict.n, 1));

		cc_category_sort(&cat->dict, cat->numeric, remap);
		cat->has_null = cc_category_remap(x, n, f->d, col, remap);
		pfree(remap);
		if (cat->dict.n + (cat->has_null ? 1 : 0) > CC_MAX_CATEGORIES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("categorical column \"%s\" of relation \"%s\" has more than %d categories",
							f->names[col], get_rel_name(relid), CC_MAX_CATEGORIES),
					 errdetail("Its %d distinct values and NULL are each a category.", cat->dict.n),
					 errhint("Group rare values into one in a view, or leave the column out of categorical.")));
		cat->dict.frozen = true;
	}
}

/*
 * The one-hot form of x (n rows of f's columns, categorical ones as codes):
 * the numeric columns, then each categorical column's indicators, one per
 * category of its dictionary and one for NULL when it is a category; *d_out
 * gets the number of columns.
 */
double *
ccseg_expand_categories(const CcsegFeatures *f, const double *x, size_t n,
						MemoryContext cxt, int *d_out)
{
	int			n_num = f->d - f->ncat;
	int		   *nvalues = palloc(sizeof(int) * Max(f->ncat, 1));
	bool	   *has_null = palloc(sizeof(bool) * Max(f->ncat, 1));
	int			c;
	double	   *out;

	for (c = 0; c < f->ncat; c++)
	{
		nvalues[c] = f->cat[c].dict.n;
		has_null[c] = f->cat[c].has_null;
	}
	*d_out = cc_onehot_width(n_num, f->ncat, nvalues, has_null);
	if (n > 0 && (size_t) *d_out > MaxAllocHugeSize / sizeof(double) / n)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training data of %zu rows and %d features is too large",
						n, *d_out)));
	out = MemoryContextAllocHuge(cxt, sizeof(double) * Max(n, 1) * *d_out);
	cc_onehot_expand(x, n, n_num, f->ncat, nvalues, has_null, out);
	pfree(nvalues);
	pfree(has_null);
	return out;
}

/* At most this many distinct values make an integer feature look categorical. */
#define FEW_VALUES	5

/*
 * A NOTICE naming the integer features (smallint, integer, bigint) of f
 * among the first n rows of x with at most FEW_VALUES distinct values:
 * codes of categories, likely, which k-means would take as amounts.  A
 * column's walk stops at its (FEW_VALUES + 1)-th distinct value.
 */
void
ccseg_notice_few_values(Oid relid, const CcsegFeatures *f, const double *x,
						size_t n)
{
	StringInfoData names;
	int			found = 0,
				j;

	initStringInfo(&names);
	for (j = 0; j < f->d - f->ncat; j++)
	{
		double		seen[FEW_VALUES];
		int			nseen = 0,
					s;
		size_t		i;

		if (f->conv[j] != CCSEG_CONV_INT2 && f->conv[j] != CCSEG_CONV_INT4 &&
			f->conv[j] != CCSEG_CONV_INT8)
			continue;
		for (i = 0; i < n && nseen <= FEW_VALUES; i++)
		{
			double		v = x[i * f->d + j];

			if (isnan(v))
				continue;
			for (s = 0; s < nseen; s++)
				if (seen[s] == v)
					break;
			if (s < nseen)
				continue;
			if (nseen == FEW_VALUES)
			{
				nseen++;
				break;
			}
			seen[nseen++] = v;
		}
		if (nseen > FEW_VALUES || nseen == 0)
			continue;
		appendStringInfo(&names, "%s\"%s\" (%d)", found > 0 ? ", " : "",
						 f->names[j], nseen);
		found++;
	}
	if (found > 0)
		ereport(NOTICE,
				(errmsg("integer %s of relation \"%s\" with at most %d distinct values: %s",
						found == 1 ? "feature" : "features", get_rel_name(relid),
						FEW_VALUES, names.data),
				 errdetail("Features chosen automatically are taken as amounts; codes of categories (such as a channel or a region) would weigh in the distances by their numbers."),
				 errhint("Pass such columns in categorical to one-hot encode them, or list the features to use in features.")));
	pfree(names.data);
}

/*
 * The query reading the features of relid, in id order when there is an id.
 * The id comes first in the select list and the sort is by position: the
 * executor then finds the sort key at the start of each row, instead of
 * walking past every feature column to a hidden sort column at the end
 * (which costs a pass over the row when a column has variable width).
 */
static char *
build_query(Oid relid, const CcsegFeatures *f, const char *order_by)
{
	StringInfoData q;
	int			j;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	if (order_by != NULL)
		appendStringInfo(&q, "%s, ", quote_identifier(order_by));
	for (j = 0; j < f->d; j++)
	{
		if (j > 0)
			appendStringInfoString(&q, ", ");
		appendStringInfoString(&q, quote_identifier(f->names[j]));
	}
	appendStringInfo(&q, " FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	if (order_by != NULL)
		appendStringInfoString(&q, " ORDER BY 1");
	return q.data;
}

/*
 * Let the sort of a read in id order keep its rows in memory: work_mem
 * rises, for the read only, to the part of the memory ccseg.max_train_memory
 * grants that the matrix cannot take (matrix_bytes at most: the rest is
 * for the per-row state of the work that follows, unused while reading),
 * and is never lowered.  So the read stays within the setting, and at the
 * default work_mem a sort of a million rows of 17 features no longer goes
 * to temporary files (which made the read three times as long as the scan).
 * Returns the GUC nest level for AtEOXact_GUC, which puts work_mem back; an
 * error on the way does so with the transaction or subtransaction.
 */
static int
sort_in_memory_begin(double matrix_bytes)
{
	int			nest = NewGUCNestLevel();
	double		kb = (ccseg_memory_budget() - matrix_bytes) / 1024.0;
	char		value[32];

	if (kb > (double) work_mem)
	{
		snprintf(value, sizeof(value), "%d",
				 (int) Min(kb, (double) MAX_KILOBYTES));
		(void) set_config_option("work_mem", value, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
	}
	return nest;
}

/* Start reading the features of relid, in order_by order when given. */
void
ccseg_scan_begin(CcsegScan *scan, Oid relid, const CcsegFeatures *f,
				 const char *order_by)
{
	SPIPlanPtr	plan;
	char	   *query = build_query(relid, f, order_by);

	scan->relid = relid;
	scan->f = f;
	scan->batch = NULL;
	scan->batch_rows = 0;
	scan->batch_pos = 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* in SPI's context: freed with it by ccseg_scan_end */
	scan->skip = (order_by != NULL) ? 1 : 0;
	scan->values = palloc(sizeof(Datum) * (f->d + scan->skip));
	scan->nulls = palloc(sizeof(bool) * (f->d + scan->skip));
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query,
			 SPI_result_code_string(SPI_result));
	scan->portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
}

/*
 * Read up to max rows into out (row-major, NULL as NaN); returns how many,
 * 0 at the end.  NaN and infinite values are errors: they would poison
 * every mean.
 */
size_t
ccseg_scan_next(CcsegScan *scan, double *out, size_t max)
{
	const CcsegFeatures *f = scan->f;
	int			d = f->d;
	size_t		n = 0;

	while (n < max)
	{
		HeapTuple	tup;
		int			j;

		if (scan->batch_pos >= scan->batch_rows)
		{
			if (scan->batch != NULL)
				SPI_freetuptable(scan->batch);
			CHECK_FOR_INTERRUPTS();
			SPI_cursor_fetch(scan->portal, true, FETCH_ROWS);
			scan->batch = SPI_tuptable;
			scan->batch_rows = SPI_processed;
			scan->batch_pos = 0;
			if (scan->batch_rows == 0)
				break;
		}
		tup = scan->batch->vals[scan->batch_pos++];
		/* all columns in one walk: fetching them one by one is quadratic
		 * in the columns once one has a variable width (numeric) */
		heap_deform_tuple(tup, scan->batch->tupdesc, scan->values, scan->nulls);
		for (j = 0; j < d; j++)
		{
			double	   *cell = out + n * d + j;

			if (scan->nulls[scan->skip + j])
				*cell = NAN;
			else if (f->conv[j] == CCSEG_CONV_CATEGORY)
			{
				*cell = ccseg_category_code(f, j, scan->values[scan->skip + j]);
				if (*cell < CC_CATEGORY_UNKNOWN)
					report_categories(scan->relid, f, j);
			}
			else
			{
				*cell = ccseg_datum_to_double(scan->values[scan->skip + j], f->conv[j]);
				if (!isfinite(*cell))
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("column \"%s\" of relation \"%s\" contains NaN or infinity",
									f->names[j], get_rel_name(scan->relid)),
							 errhint("Set such values to NULL to have them imputed, or leave those rows out with a view.")));
			}
		}
		n++;
	}
	return n;
}

/* Finish a scan. */
void
ccseg_scan_end(CcsegScan *scan)
{
	if (scan->batch != NULL)
		SPI_freetuptable(scan->batch);
	SPI_cursor_close(scan->portal);
	SPI_finish();
}

/*
 * Report a value of categorical feature j that its dictionary cannot take:
 * one category too many, or too long a text form.
 */
static void
report_categories(Oid relid, const CcsegFeatures *f, int j)
{
	const CcCategoryDict *dict = &f->cat[j - (f->d - f->ncat)].dict;

	if (dict->n >= dict->max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("categorical column \"%s\" of relation \"%s\" has more than %d categories",
						f->names[j], get_rel_name(relid), CC_MAX_CATEGORIES),
				 errhint("Group rare values into one in a view, or leave the column out of categorical.")));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("categorical column \"%s\" of relation \"%s\" has a value longer than %d bytes",
					f->names[j], get_rel_name(relid), CC_MAX_CATEGORY_BYTES),
			 errhint("Map the values to shorter codes in a view.")));
}

/*
 * The receiver of read_rows: the executor hands it each row of the query
 * as a slot, and it converts the features straight into the matrix, with
 * no copy of the row in between (a cursor's fetch copies every row into a
 * tuple table first).
 */
/*
 * Why the receiver stopped the query early.  It reports the error after
 * the query, so that the message does not come with the text of a query
 * that the user did not write as its context.
 */
typedef enum ReadStop
{
	READ_STOP_NONE,
	READ_STOP_NOT_FINITE,		/* a NaN or infinite value */
	READ_STOP_REFUSE,			/* a row beyond max_rows, refuse set */
	READ_STOP_TOO_LARGE,		/* the matrix would exceed MaxAllocHugeSize */
	READ_STOP_CATEGORIES		/* a categorical column's value its dictionary
								 * cannot take */
} ReadStop;

typedef struct ReadReceiver
{
	DestReceiver pub;
	Oid			relid;
	const CcsegFeatures *f;
	int			skip;			/* columns before the features (the id) */
	size_t		max_rows;		/* 0: no limit */
	const char *refuse;			/* see read_rows */
	MemoryContext cxt;			/* of the matrix */
	CcRng		rng;
	double	   *x;				/* cap x d */
	size_t		cap;
	size_t		n;				/* rows kept */
	size_t		seen;			/* rows received */
	double	   *row;			/* d: the current row, converted */
	ReadStop	stop;			/* why the receiver stopped the query */
	int			stop_column;	/* the feature, for READ_STOP_NOT_FINITE */
	size_t		stop_rows;		/* the rows, for READ_STOP_TOO_LARGE */
} ReadReceiver;

/* Report a NaN or infinite value: it would poison every mean. */
static void
report_not_finite(Oid relid, const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("column \"%s\" of relation \"%s\" contains NaN or infinity",
					name, get_rel_name(relid)),
			 errhint("Set such values to NULL to have them imputed, or leave those rows out with a view.")));
}

/*
 * Keep a converted row (d doubles, NULL as NaN) at the end of the matrix,
 * or in the reservoir; see read_rows.  Returns false, with the reason in
 * r->stop, on a row that read_rows reports.
 */
static bool
read_keep(ReadReceiver *r, const double *row)
{
	int			d = r->f->d;

	r->seen++;
	if (r->max_rows > 0 && r->n == r->max_rows)
	{
		uint64		k;

		if (r->refuse != NULL)
		{
			r->stop = READ_STOP_REFUSE;
			return false;
		}
		/* reservoir full: keep this row with probability max_rows / seen */
		k = cc_rng_below(&r->rng, r->seen);
		if (k < r->max_rows)
			memcpy(r->x + k * d, row, sizeof(double) * d);
		return true;
	}
	if (r->n == r->cap)
	{
		size_t		newcap = r->cap * 2;

		if (r->max_rows > 0 && newcap > r->max_rows)
			newcap = r->max_rows;
		if (newcap > MaxAllocHugeSize / sizeof(double) / d)
		{
			r->stop = READ_STOP_TOO_LARGE;
			r->stop_rows = newcap;
			return false;
		}
		r->x = repalloc_huge(r->x, sizeof(double) * newcap * d);
		r->cap = newcap;
	}
	memcpy(r->x + r->n * d, row, sizeof(double) * d);
	r->n++;
	return true;
}


/*
 * Take one row: convert its features (NULL as NaN), then keep it at the
 * end of the matrix, or in the reservoir; see read_rows.  Returns false,
 * which ends the query, on a value or a row that read_rows reports.
 */
static bool
read_receive(TupleTableSlot *slot, DestReceiver *self)
{
	ReadReceiver *r = (ReadReceiver *) self;
	const CcsegFeatures *f = r->f;
	int			d = f->d;
	double	   *row = r->row;
	int			j;

	slot_getsomeattrs(slot, r->skip + d);
	for (j = 0; j < d; j++)
	{
		if (slot->tts_isnull[r->skip + j])
			row[j] = NAN;
		else if (f->conv[j] == CCSEG_CONV_CATEGORY)
		{
			row[j] = ccseg_category_code(f, j, slot->tts_values[r->skip + j]);
			if (row[j] < CC_CATEGORY_UNKNOWN)
			{
				r->stop = READ_STOP_CATEGORIES;
				r->stop_column = j;
				return false;
			}
		}
		else
		{
			row[j] = ccseg_datum_to_double(slot->tts_values[r->skip + j], f->conv[j]);
			if (!isfinite(row[j]))
			{
				r->stop = READ_STOP_NOT_FINITE;
				r->stop_column = j;
				return false;
			}
		}
	}
	return read_keep(r, row);
}

/* The row function of the parallel read: keep a row, see read_keep. */
static bool
read_parallel_row(void *arg, const double *row)
{
	return read_keep((ReadReceiver *) arg, row);
}

/* The bad-value function of the parallel read: stop on a NaN or infinity. */
static void
read_parallel_bad(void *arg, int column)
{
	ReadReceiver *r = (ReadReceiver *) arg;

	r->stop = READ_STOP_NOT_FINITE;
	r->stop_column = column;
}

/* Report why the receiver r stopped the query, if it did. */
static void
read_report_stop(const ReadReceiver *r)
{
	int			d = r->f->d;

	switch (r->stop)
	{
		case READ_STOP_NONE:
			break;
		case READ_STOP_NOT_FINITE:
			report_not_finite(r->relid, r->f->names[r->stop_column]);
			break;
		case READ_STOP_CATEGORIES:
			report_categories(r->relid, r->f, r->stop_column);
			break;
		case READ_STOP_REFUSE:
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("relation \"%s\" has too many rows for %s within ccseg.max_train_memory",
							get_rel_name(r->relid), r->refuse),
					 errdetail("%s holds every row in memory: more than %zu rows of %d features need more than %s.",
							   r->refuse, r->max_rows, d, ccseg_memory_in_force_text()),
					 ccseg_errhint_memory(psprintf("run %s on a view with fewer rows",
												   r->refuse))));
			break;
		case READ_STOP_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("training data of %zu rows and %d features is too large",
							r->stop_rows, d),
					 errhint("Lower ccseg.max_train_memory to train on a sample.")));
			break;
	}
}

static void
read_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
read_shutdown(DestReceiver *self)
{
}

static void
read_destroy(DestReceiver *self)
{
}

/*
 * Read the features of every row of relid into a row-major matrix allocated
 * in cxt (NULL as NaN), in order_by order when given, which makes training
 * independent of the physical row order.  With max_rows > 0, keep at most
 * that many: a uniform sample of the rows (reservoir sampling, J. S.
 * Vitter's Algorithm R, seeded) when refuse is NULL, and count them all in
 * *total; or, when refuse names the work that needs every row, an error as
 * soon as a row beyond max_rows arrives.
 *
 * Without order_by, a plain table is read by parallel workers when it is
 * large enough and one may read it so (parallel_read.c): the rows arrive in
 * the order of a serial scan, so the sample and the model are the same.
 * Otherwise the query runs through SPI, so privileges, row-level security
 * and views apply as to a plain SELECT, with a receiver that fills the
 * matrix from each row the executor produces.  The plan is prepared
 * without the option of parallel workers: a Gather would hand the rows
 * over in an order that changes from run to run, and with it the sample
 * and the model.  The executor checks for interrupts at every row.
 */
static double *
read_rows(Oid relid, const CcsegFeatures *f, const char *order_by,
		  size_t max_rows, const char *refuse, uint64 seed, MemoryContext cxt,
		  size_t *n_out, size_t *total)
{
	int			d = f->d;
	ReadReceiver r;
	SPIExecuteOptions opts;
	SPIPlanPtr	plan;
	char	   *query = build_query(relid, f, order_by);
	int			rc;
	int			nest = 0;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = read_receive;
	r.pub.rStartup = read_startup;
	r.pub.rShutdown = read_shutdown;
	r.pub.rDestroy = read_destroy;
	r.pub.mydest = DestNone;
	r.relid = relid;
	r.f = f;
	r.skip = (order_by != NULL) ? 1 : 0;
	r.max_rows = max_rows;
	r.refuse = refuse;
	r.cxt = cxt;
	cc_rng_seed(&r.rng, seed, 0x5a3f1e);
	r.cap = 1024;
	if (max_rows > 0 && r.cap > max_rows)
		r.cap = max_rows;
	r.x = MemoryContextAllocHuge(cxt, sizeof(double) * r.cap * d);
	r.row = MemoryContextAlloc(cxt, sizeof(double) * d);

	/*
	 * A plain table, in scan order or stored in id order: with parallel
	 * workers when it can.  A table not stored in id order is read again,
	 * sorted, from the start.
	 */
	if (f->ncat == 0)
	{
		CcsegParallelRead got = ccseg_parallel_read(relid, f, order_by,
													read_parallel_row,
													read_parallel_bad, &r);

		if (got == CCSEG_PR_READ)
		{
			read_report_stop(&r);
			pfree(r.row);
			*n_out = r.n;
			if (total)
				*total = r.seen;
			return r.x;
		}
		if (got == CCSEG_PR_NOT_IN_ORDER)
		{
			r.n = 0;
			r.seen = 0;
			r.stop = READ_STOP_NONE;
			cc_rng_seed(&r.rng, seed, 0x5a3f1e);
		}
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (order_by != NULL)
		nest = sort_in_memory_begin(max_rows > 0 ?
									8.0 * d * (double) max_rows :
									ccseg_memory_budget());
	/* SPI_prepare: cursor options 0, so no parallel plan */
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query,
			 SPI_result_code_string(SPI_result));
	memset(&opts, 0, sizeof(opts));
	opts.read_only = true;
	opts.dest = &r.pub;
	rc = SPI_execute_plan_extended(plan, &opts);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan_extended failed for \"%s\": %s", query,
			 SPI_result_code_string(rc));
	SPI_finish();
	if (order_by != NULL)
		AtEOXact_GUC(true, nest);
	read_report_stop(&r);
	pfree(r.row);
	*n_out = r.n;
	if (total)
		*total = r.seen;
	return r.x;
}

/* Read every row, or a sample of max_rows of them; see read_rows. */
double *
ccseg_read_matrix_sample(Oid relid, const CcsegFeatures *f, const char *order_by,
						 size_t max_rows, uint64 seed, MemoryContext cxt,
						 size_t *n_out, size_t *total)
{
	return read_rows(relid, f, order_by, max_rows, NULL, seed, cxt, n_out,
					 total);
}

/*
 * Read every row for work that holds them all (what names it in messages),
 * which needs the matrix and extra_per_row bytes more for each row: an
 * error naming ccseg.max_train_memory as soon as the rows need more than
 * the memory in force.
 */
double *
ccseg_read_matrix_within(Oid relid, const CcsegFeatures *f, const char *order_by,
						 double extra_per_row, const char *what,
						 MemoryContext cxt, size_t *n_out)
{
	double		per_row = 8.0 * f->d + extra_per_row;
	double		fit = floor(ccseg_memory_budget() / per_row);

	return read_rows(relid, f, order_by, (size_t) Max(fit, 1.0), what, 0, cxt,
					 n_out, NULL);
}

/*
 * Read every row of relid for model m, for work that holds them all (see
 * ccseg_read_matrix_within), as m's features: numeric columns as they are,
 * categorical columns as the model's indicators.
 */
double *
ccseg_read_model_rows_within(Oid relid, const CcModel *m, const char *order_by,
							 double extra_per_row, const char *what,
							 MemoryContext cxt, size_t *n_out)
{
	CcsegFeatures f;
	double	   *x;
	double	   *wide;
	int			d;

	ccseg_resolve_model_features(relid, m, order_by, &f);
	x = ccseg_read_matrix_within(relid, &f, order_by,
								 extra_per_row + 8.0 * (m->d - f.d), what, cxt,
								 n_out);
	if (f.ncat == 0)
		return x;
	wide = ccseg_expand_categories(&f, x, *n_out, cxt, &d);
	Assert(d == m->d);
	pfree(x);
	return wide;
}
