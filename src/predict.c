/*
 * predict.c
 *		Scoring: ccseg_predict() and ccseg_distances() for a whole-row
 *		reference, a float8[] of feature values, or a model value.
 *
 * Per query (fn_extra) the model is loaded once, and for row input the
 * mapping from the model's features to the row's columns is built once per
 * row type; per row only the values are read, imputed, scaled and compared
 * with the centroids.  The scorer (scorer.h) also serves row_insight.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "catalog.h"
#include "ccseg.h"
#include "modeltype.h"
#include "reader.h"
#include "scorer.h"

#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_predict_row);
PG_FUNCTION_INFO_V1(ccseg_predict_array);
PG_FUNCTION_INFO_V1(ccseg_predict_model);
PG_FUNCTION_INFO_V1(ccseg_predict_columns);
PG_FUNCTION_INFO_V1(ccseg_predict_columns_value);
PG_FUNCTION_INFO_V1(ccseg_distances_row);
PG_FUNCTION_INFO_V1(ccseg_distances_array);
PG_FUNCTION_INFO_V1(ccseg_distances_model);

/* The scorer kept in fn_extra for this call site, made on first use. */
CcsegScorer *
ccseg_scorer(FunctionCallInfo fcinfo)
{
	CcsegScorer *st = fcinfo->flinfo->fn_extra;

	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CcsegScorer));
		st->model_cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
											  "ccseg predict",
											  ALLOCSET_SMALL_SIZES);
		st->name_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 0);
		fcinfo->flinfo->fn_extra = st;
	}
	return st;
}

/* Buffers sized for the model just loaded; forget any row mapping. */
static void
after_load(CcsegScorer *st)
{
	st->raw = MemoryContextAlloc(st->model_cxt, sizeof(double) * st->model.d);
	st->z = MemoryContextAlloc(st->model_cxt, sizeof(double) * st->model.d);
	st->dist = MemoryContextAlloc(st->model_cxt, sizeof(double) * st->model.k);
	st->ct = MemoryContextAlloc(st->model_cxt, sizeof(double) * st->model.k * st->model.d);
	cc_model_transpose(&st->model, st->ct);
	st->rowtype = InvalidOid;
	st->argpos = NULL;
	st->loaded = true;
}

/* Make sure the named model is loaded (once per query and name). */
void
ccseg_scorer_load_name(CcsegScorer *st, text *name_text)
{
	char	   *name;

	/* a constant name: loaded once; otherwise compare the bytes per row */
	if (st->loaded && st->name != NULL && st->name_stable)
		return;
	if (st->loaded && st->name != NULL &&
		VARSIZE_ANY_EXHDR(name_text) == st->name_len &&
		memcmp(VARDATA_ANY(name_text), st->name, VARSIZE_ANY_EXHDR(name_text)) == 0)
		return;
	name = text_to_cstring(name_text);
	MemoryContextReset(st->model_cxt);
	st->loaded = false;
	st->value = NULL;
	ccseg_lookup_model(name, &st->model, st->model_cxt);
	st->name = MemoryContextStrdup(st->model_cxt, name);
	st->name_len = strlen(name);
	after_load(st);
}

/* Make sure the given model value is loaded (parsed again only if it changes). */
void
ccseg_scorer_load_value(CcsegScorer *st, struct varlena *value)
{
	Size		len = VARSIZE_ANY(value);

	/* a constant value (as the planner support functions put in): loaded once */
	if (st->loaded && st->value != NULL && st->name_stable)
		return;
	if (st->loaded && st->value != NULL && VARSIZE_ANY(st->value) == len &&
		memcmp(st->value, value, len) == 0)
		return;
	MemoryContextReset(st->model_cxt);
	st->loaded = false;
	st->name = NULL;
	ccseg_model_parse(value, &st->model, st->model_cxt);
	st->value = MemoryContextAlloc(st->model_cxt, len);
	memcpy(st->value, value, len);
	after_load(st);
}

/* How messages name the model: by its name, or as the value it was given as. */
const char *
ccseg_scorer_label(CcsegScorer *st)
{
	return st->name ?
		psprintf("model \"%s\"", ccseg_name_for_message(st->name)) :
		"the model value";
}

static void
check_finite(CcsegScorer *st, double v, int j)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is NaN or infinity", st->model.features[j]),
				 errhint("Use NULL for a missing value; the model imputes it.")));
}

/*
 * The model's groups of indicators, one per categorical column, with the
 * column or argument position of each from pos_of (a column name to a
 * position, or -1) and its type from type_of; an error names a column that
 * is missing.  Made in st->model_cxt.
 */
static void
map_groups(CcsegScorer *st, int (*pos_of) (void *arg, const char *name),
		   Oid (*type_of) (void *arg, int pos), void *arg, bool args)
{
	const CcModel *m = &st->model;
	int			j,
				g = 0;

	st->ngroups = 0;
	st->groups = MemoryContextAllocZero(st->model_cxt,
										sizeof(CcsegCatGroup) * Max(m->d, 1));
	for (j = 0; j < m->d; j += cc_model_is_indicator(m, j) ? cc_model_category_count(m, j) : 1)
	{
		CcsegCatGroup *grp;
		Oid			outfn;
		bool		varlena;

		if (!cc_model_is_indicator(m, j))
			continue;
		grp = &st->groups[g];
		grp->first = j;
		grp->count = cc_model_category_count(m, j);
		grp->pos = pos_of(arg, m->category_column[j]);
		if (grp->pos < 0 && args)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("categorical column \"%s\" of %s was not a column of the model when this statement was planned",
							m->category_column[j], ccseg_scorer_label(st)),
					 errhint("The model was retrained with other features; plan the statement again (for example, prepare it again).")));
		if (grp->pos < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("row has no column \"%s\", a categorical column of %s",
							m->category_column[j], ccseg_scorer_label(st)),
					 errhint("Pass a row that has every feature of the model, for example by selecting from the table it was trained on.")));
		grp->type = type_of(arg, grp->pos);
		getTypeOutputInfo(grp->type, &outfn, &varlena);
		fmgr_info_cxt(outfn, &grp->out, st->model_cxt);
		g++;
	}
	st->ngroups = g;
}

/*
 * Set the indicators of each group from its value: from values and isnull
 * by column, or from args by argument when args is not NULL.
 */
static void
read_groups(CcsegScorer *st, const Datum *values, const bool *isnull,
			const NullableDatum *args)
{
	int			g;

	for (g = 0; g < st->ngroups; g++)
	{
		CcsegCatGroup *grp = &st->groups[g];
		const char *text = NULL;
		bool		null = args ? args[grp->pos].isnull : isnull[grp->pos];

		if (!null)
			text = OutputFunctionCall(&grp->out,
									  args ? args[grp->pos].value : values[grp->pos]);
		cc_onehot_fill(st->model.category + grp->first, grp->count, text,
					   st->raw + grp->first);
		if (text != NULL)
			pfree((char *) text);
	}
}

static int
row_pos_of(void *arg, const char *name)
{
	return ccseg_find_column((TupleDesc) arg, name);
}

static Oid
row_type_of(void *arg, int pos)
{
	return TupleDescAttr((TupleDesc) arg, pos)->atttypid;
}

/* Map the model's features to the columns of the row's type. */
static void
map_row_type(CcsegScorer *st, HeapTupleHeader rec)
{
	Oid			type = HeapTupleHeaderGetTypeId(rec);
	int32		typmod = HeapTupleHeaderGetTypMod(rec);
	TupleDesc	desc;
	MemoryContext old;
	int			j;

	if (st->rowtype == type && st->rowtypmod == typmod && OidIsValid(type))
		return;
	desc = lookup_rowtype_tupdesc(type, typmod);
	old = MemoryContextSwitchTo(st->model_cxt);
	st->desc = CreateTupleDescCopy(desc);
	ReleaseTupleDesc(desc);
	st->column = palloc(sizeof(int) * st->model.d);
	st->conv = palloc(sizeof(CcsegConv) * st->model.d);
	st->values = palloc(sizeof(Datum) * Max(st->desc->natts, 1));
	st->nulls = palloc(sizeof(bool) * Max(st->desc->natts, 1));
	MemoryContextSwitchTo(old);

	for (j = 0; j < st->model.d; j++)
	{
		const char *f = st->model.features[j];

		if (cc_model_is_indicator(&st->model, j))
		{
			st->column[j] = -1;
			continue;
		}
		st->column[j] = ccseg_find_column(st->desc, f);
		if (st->column[j] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("row has no column \"%s\", a feature of %s",
							f, ccseg_scorer_label(st)),
					 errhint("Pass a row that has every feature of the model, for example by selecting from the table it was trained on.")));
		if (!ccseg_conv_for_type(TupleDescAttr(st->desc, st->column[j])->atttypid,
								 &st->conv[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the row has type %s, which is not numeric",
							f, format_type_be(TupleDescAttr(st->desc, st->column[j])->atttypid))));
	}
	map_groups(st, row_pos_of, row_type_of, st->desc, false);
	st->rowtype = type;
	st->rowtypmod = typmod;
}

/* Read the features of a row into st->raw (NaN for NULL). */
void
ccseg_scorer_read_row(CcsegScorer *st, HeapTupleHeader rec)
{
	HeapTupleData tuple;
	int			j;

	map_row_type(st, rec);
	tuple.t_len = HeapTupleHeaderGetDatumLength(rec);
	ItemPointerSetInvalid(&(tuple.t_self));
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = rec;
	heap_deform_tuple(&tuple, st->desc, st->values, st->nulls);
	for (j = 0; j < st->model.d; j++)
	{
		int			col = st->column[j];

		if (col < 0)
			continue;			/* an indicator: read_groups */
		if (st->nulls[col])
			st->raw[j] = NAN;
		else
		{
			st->raw[j] = ccseg_datum_to_double(st->values[col], st->conv[j]);
			check_finite(st, st->raw[j], j);
		}
	}
	read_groups(st, st->values, st->nulls, NULL);
}

/* Read a float8[] of feature values into st->raw (NULL elements as NaN). */
void
ccseg_scorer_read_array(CcsegScorer *st, ArrayType *arr)
{
	int			n;
	int			j;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature values must be a one-dimensional array")));
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (n != st->model.d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature array length %d does not match the %d features of %s",
						n, st->model.d, ccseg_scorer_label(st)),
				 st->name ?
				 errhint("Give the values in the order of the model's features, as listed by the ccseg_models view.") :
				 errhint("Give the values in the order of the model's features, as listed by ccseg_model_summary().")));
	if (!ARR_HASNULL(arr))
	{
		/* float8 elements are stored back to back, aligned: read them in place */
		const float8 *v = (const float8 *) ((const char *) arr +
										   ARR_OVERHEAD_NONULLS(ARR_NDIM(arr)));

		for (j = 0; j < n; j++)
		{
			st->raw[j] = v[j];
			check_finite(st, st->raw[j], j);
		}
	}
	else
	{
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &elems, &nulls, &n);
		for (j = 0; j < n; j++)
		{
			if (nulls[j])
				st->raw[j] = NAN;
			else
			{
				st->raw[j] = DatumGetFloat8(elems[j]);
				check_finite(st, st->raw[j], j);
			}
		}
		pfree(elems);
		pfree(nulls);
	}
}

/* The names of _ccseg_predict_columns's values, for map_groups. */
typedef struct ArgNames
{
	Datum	   *names;
	bool	   *nulls;
	int			n;
	FunctionCallInfo fcinfo;
} ArgNames;

static int
arg_pos_of(void *arg, const char *name)
{
	ArgNames   *an = arg;
	int			i;

	for (i = 0; i < an->n; i++)
		if (!an->nulls[i] && strcmp(TextDatumGetCString(an->names[i]), name) == 0)
			return i + 2;
	return -1;
}

static Oid
arg_type_of(void *arg, int pos)
{
	ArgNames   *an = arg;

	return get_fn_expr_argtype(an->fcinfo->flinfo, pos);
}

/*
 * Map the model's features to the arguments of _ccseg_predict_columns(model,
 * names, VARIADIC values): argument 0 is the model, 1 the names of the
 * values that follow, in order.  The planner writes such calls in place of
 * ccseg_predict(model, row) (support.c), naming every feature any version of
 * the model had then; a feature added by a later version is not among them.
 */
static void
map_args(CcsegScorer *st, FunctionCallInfo fcinfo)
{
	ArrayType  *names_arr;
	Datum	   *names;
	bool	   *nulls;
	int			nnames;
	int			j,
				i;
	Oid			type;

	/* the mapping is made once per model load: the names must not vary */
	if (!get_fn_expr_arg_stable(fcinfo->flinfo, 1))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("feature names must be a constant")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature names must not be null")));
	names_arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(names_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature names must be a one-dimensional array")));
	deconstruct_array(names_arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &names, &nulls, &nnames);
	if (nnames != PG_NARGS() - 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d feature names given for %d values", nnames, PG_NARGS() - 2)));

	st->argpos = MemoryContextAlloc(st->model_cxt, sizeof(int) * st->model.d);
	st->argconv = MemoryContextAlloc(st->model_cxt, sizeof(CcsegConv) * st->model.d);
	for (j = 0; j < st->model.d; j++)
	{
		const char *f = st->model.features[j];

		st->argpos[j] = -1;
		st->argconv[j] = CCSEG_CONV_CATEGORY;
		if (cc_model_is_indicator(&st->model, j))
			continue;
		for (i = 0; i < nnames; i++)
			if (!nulls[i] && strcmp(TextDatumGetCString(names[i]), f) == 0)
			{
				st->argpos[j] = i + 2;
				break;
			}
		if (st->argpos[j] < 0)
		{
			st->argpos = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature \"%s\" of %s was not a feature of the model when this statement was planned",
							f, ccseg_scorer_label(st)),
					 errhint("The model was retrained with other features; plan the statement again (for example, prepare it again).")));
		}
		type = get_fn_expr_argtype(fcinfo->flinfo, st->argpos[j]);
		if (!ccseg_conv_for_type(type, &st->argconv[j]))
		{
			st->argpos = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("value of feature \"%s\" has type %s, which is not numeric",
							f, format_type_be(type))));
		}
	}
	/* group the features by type: float8 first, then integer, then the rest */
	st->by_type = MemoryContextAlloc(st->model_cxt, sizeof(int) * st->model.d);
	i = 0;
	for (j = 0; j < st->model.d; j++)
		if (st->argconv[j] == CCSEG_CONV_FLOAT8)
			st->by_type[i++] = j;
	st->n_float8 = i;
	for (j = 0; j < st->model.d; j++)
		if (st->argconv[j] == CCSEG_CONV_INT4)
			st->by_type[i++] = j;
	st->n_int4 = i - st->n_float8;
	for (j = 0; j < st->model.d; j++)
		if (st->argconv[j] != CCSEG_CONV_FLOAT8 && st->argconv[j] != CCSEG_CONV_INT4 &&
			st->argconv[j] != CCSEG_CONV_CATEGORY)
			st->by_type[i++] = j;
	st->n_by_type = i;
	{
		ArgNames	an = {names, nulls, nnames, fcinfo};

		map_groups(st, arg_pos_of, arg_type_of, &an, true);
	}
}

/*
 * Read the feature values passed as arguments 2.. (see map_args), a type
 * at a time.  The float8 ones go through one branch-free loop that sums
 * v - v over the non-null values: NaN exactly when one of them is NaN or
 * infinite, and only then are they checked one by one, to name the
 * feature.  Integers are always finite.
 */
void
ccseg_scorer_read_args(CcsegScorer *st, FunctionCallInfo fcinfo)
{
	const NullableDatum *args = fcinfo->args;
	const int  *pos;
	const int  *feat;
	double	   *raw = st->raw;
	double		bad = 0.0;
	int			t;
	int			j;

	if (st->argpos == NULL)
		map_args(st, fcinfo);
	pos = st->argpos;
	feat = st->by_type;
	for (t = 0; t < st->n_float8; t++)
	{
		const NullableDatum *arg = &args[pos[feat[t]]];

		/* a null's Datum is not a float8: never use it as one */
		double		v = arg->isnull ? 0.0 : DatumGetFloat8(arg->value);

		bad += v - v;
		raw[feat[t]] = arg->isnull ? NAN : v;
	}
	if (isnan(bad))
		for (t = 0; t < st->n_float8; t++)
			check_finite(st, raw[feat[t]], feat[t]);
	for (t = st->n_float8; t < st->n_float8 + st->n_int4; t++)
	{
		const NullableDatum *arg = &args[pos[feat[t]]];

		raw[feat[t]] = arg->isnull ? NAN : (double) DatumGetInt32(arg->value);
	}
	for (; t < st->n_by_type; t++)
	{
		const NullableDatum *arg = &args[pos[feat[t]]];

		j = feat[t];
		if (arg->isnull)
			raw[j] = NAN;
		else
		{
			raw[j] = ccseg_datum_to_double(arg->value, st->argconv[j]);
			check_finite(st, raw[j], j);
		}
	}
	read_groups(st, NULL, NULL, args);
}

/*
 * Impute and scale st->raw into st->z; false when it has a missing value the
 * model cannot impute.  Values so far out that distances would overflow are
 * an error.
 */
bool
ccseg_scorer_transform(CcsegScorer *st)
{
	int			j;

	switch (cc_model_transform_checked(&st->model, st->raw, st->z, 1e150))
	{
		case CC_ROW_OK:
			return true;
		case CC_ROW_MISSING:
			return false;
		case CC_ROW_DOMAIN:
			ccseg_domain_error(&st->model, st->raw,
							   cc_model_domain_error(&st->model, st->raw),
							   ccseg_scorer_label(st));
		case CC_ROW_TOO_LARGE:
			break;
	}
	for (j = 0; j < st->model.d; j++)
		if (fabs(st->z[j]) > 1e150)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("feature \"%s\" is too far outside the range of %s to score",
							st->model.features[j], ccseg_scorer_label(st)),
					 errdetail("Scaled, the value exceeds 1e150, so squared distances would overflow.")));
	return true;
}

/* Segment (1-based) of st->raw, or 0 when it has a value the model cannot impute. */
static int
score(CcsegScorer *st)
{
	if (!ccseg_scorer_transform(st))
		return 0;
	return cc_model_assign_t(&st->model, st->ct, st->z, st->dist) + 1;
}

static Datum
distances_result(CcsegScorer *st)
{
	int			c;

	for (c = 0; c < st->model.k; c++)
		st->dist[c] = sqrt(st->dist[c]);
	return PointerGetDatum(ccseg_float8_array(st->dist, st->model.k));
}

/* ccseg_predict(model text, row record): the row's segment. */
Datum
ccseg_predict_row(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);
	int			seg;

	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_row(st, PG_GETARG_HEAPTUPLEHEADER(1));
	if ((seg = score(st)) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(seg);
}

/* ccseg_predict(model text, features float8[]): the segment of these values. */
Datum
ccseg_predict_array(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);
	int			seg;

	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_array(st, PG_GETARG_ARRAYTYPE_P(1));
	if ((seg = score(st)) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(seg);
}

/*
 * _ccseg_predict_columns(model text, names text[], VARIADIC values "any"):
 * what ccseg_predict(model, row) becomes when the planner can name the
 * row's columns (support.c); the same segment, without forming the row.
 */
Datum
ccseg_predict_columns(PG_FUNCTION_ARGS)
{
	CcsegScorer *st;
	int			seg;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = ccseg_scorer(fcinfo);
	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_args(st, fcinfo);
	if ((seg = score(st)) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(seg);
}

/*
 * _ccseg_predict_columns(model ccseg_model, names text[], VARIADIC "any"):
 * what the planner makes of ccseg_predict(name, row) (support.c), with the
 * model's value in the call, so that no catalog is read where it runs (the
 * workers of a Citus cluster have none).
 */
Datum
ccseg_predict_columns_value(PG_FUNCTION_ARGS)
{
	CcsegScorer *st;
	int			seg;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = ccseg_scorer(fcinfo);
	ccseg_scorer_load_value(st, PG_GETARG_VARLENA_PP(0));
	ccseg_scorer_read_args(st, fcinfo);
	if ((seg = score(st)) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(seg);
}

/* ccseg_predict(model ccseg_model, features float8[]): no catalog involved. */
Datum
ccseg_predict_model(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);
	int			seg;

	ccseg_scorer_load_value(st, PG_GETARG_VARLENA_PP(0));
	ccseg_scorer_read_array(st, PG_GETARG_ARRAYTYPE_P(1));
	if ((seg = score(st)) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(seg);
}

/* ccseg_distances(model text, row record): Euclidean distance to every centroid. */
Datum
ccseg_distances_row(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);

	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_row(st, PG_GETARG_HEAPTUPLEHEADER(1));
	if (score(st) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(distances_result(st));
}

/* ccseg_distances(model text, features float8[]). */
Datum
ccseg_distances_array(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);

	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_array(st, PG_GETARG_ARRAYTYPE_P(1));
	if (score(st) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(distances_result(st));
}

/* ccseg_distances(model ccseg_model, features float8[]). */
Datum
ccseg_distances_model(PG_FUNCTION_ARGS)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);

	ccseg_scorer_load_value(st, PG_GETARG_VARLENA_PP(0));
	ccseg_scorer_read_array(st, PG_GETARG_ARRAYTYPE_P(1));
	if (score(st) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(distances_result(st));
}
