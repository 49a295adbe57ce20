/*
 * modeltype.c
 *		The ccseg_model type.  Stored as a varlena holding the core's flat
 *		form; the text form is readable JSON and the binary form is in
 *		network byte order.  Any string can be cast to ccseg_model, so both
 *		input functions validate everything before a value exists.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "ccseg.h"
#include "modeltype.h"

#include "model.h"
#include "model_io.h"
#include "preprocess.h"

PG_FUNCTION_INFO_V1(ccseg_model_in);
PG_FUNCTION_INFO_V1(ccseg_model_out);
PG_FUNCTION_INFO_V1(ccseg_model_send);
PG_FUNCTION_INFO_V1(ccseg_model_recv);
PG_FUNCTION_INFO_V1(ccseg_model_summary);

/* Wrap a model in a varlena datum allocated in the current context. */
Datum
ccseg_model_datum(const CcModel *m)
{
	const char *bad = cc_model_validate(m);
	size_t		size;
	struct varlena *v;

	if (bad != NULL)
		elog(ERROR, "invalid model built: %s", bad);
	size = cc_model_flat_size(m);
	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model is too large to store")));
	v = palloc(size + VARHDRSZ);
	SET_VARSIZE(v, size + VARHDRSZ);
	cc_model_flatten(m, VARDATA(v));
	return PointerGetDatum(v);
}

/* Read a stored model value into m, allocating in cxt. */
void
ccseg_model_parse(struct varlena *value, CcModel *m, MemoryContext cxt)
{
	struct varlena *v = pg_detoast_datum_packed(value);
	CcAllocator alloc;
	const char *bad;

	ccseg_allocator_init(&alloc, cxt);
	bad = cc_model_unflatten(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), m, &alloc);
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored ccseg_model value is corrupt: %s", bad)));
}

/* ---------- text output ---------- */

/* CcJsonOut callbacks appending to a StringInfo. */
static void
json_text(void *arg, const char *s)
{
	appendStringInfoString((StringInfo) arg, s);
}

/* A double in the shortest form that reads back to it (as float8out). */
static void
json_number(void *arg, double v)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, buf);
	appendStringInfoString((StringInfo) arg, buf);
}

static void
json_string(void *arg, const char *s)
{
	escape_json((StringInfo) arg, s);
}

/* Text form: a JSON object with every field of the model (model_io.c). */
Datum
ccseg_model_out(PG_FUNCTION_ARGS)
{
	CcModel		m;
	StringInfoData out;
	CcJsonOut	sink = {json_text, json_number, json_string, &out};

	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);
	initStringInfo(&out);
	cc_model_to_json(&m, &sink);
	PG_RETURN_CSTRING(out.data);
}

/* ---------- text input ---------- */

/* A core validation message as a detail sentence: capitalized, with a period. */
static char *
as_sentence(const char *msg)
{
	size_t		len = strlen(msg);
	char	   *s = psprintf("%s%s", msg, (len > 0 && msg[len - 1] == '.') ? "" : ".");

	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

/* Parse the JSON text form, validating every field (in the core). */
Datum
ccseg_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	CcAllocator alloc;
	CcModel		m;
	char		errbuf[256];
	const char *bad;

	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	bad = cc_model_from_json(str, strlen(str), &m, &alloc, errbuf, sizeof(errbuf));
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed ccseg_model literal"),
				 errdetail("%s", as_sentence(bad))));
	PG_RETURN_DATUM(ccseg_model_datum(&m));
}

/* ---------- binary forms ---------- */

/* Binary output: the core's network-order form, names in the client encoding. */
Datum
ccseg_model_send(PG_FUNCTION_ARGS)
{
	CcModel		m;
	bytea	   *out;
	size_t		size;
	int			j;

	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);
	for (j = 0; j < m.d; j++)
	{
		m.features[j] = pg_server_to_client(m.features[j], strlen(m.features[j]));
		if (m.category_column[j] != NULL)
			m.category_column[j] = pg_server_to_client(m.category_column[j],
													   strlen(m.category_column[j]));
		if (m.category[j] != NULL)
			m.category[j] = pg_server_to_client(m.category[j], strlen(m.category[j]));
	}
	size = cc_model_wire_size(&m);
	out = palloc(size + VARHDRSZ);
	SET_VARSIZE(out, size + VARHDRSZ);
	cc_model_to_wire(&m, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/* Binary input: the reverse of ccseg_model_send, validating everything. */
Datum
ccseg_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CcAllocator alloc;
	CcModel		m;
	const char *bad;
	int			j;

	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	bad = cc_model_from_wire((const unsigned char *) buf->data + buf->cursor,
							 (size_t) (buf->len - buf->cursor), &m, &alloc);
	if (bad == NULL)
	{
		/* names arrive in the client encoding */
		for (j = 0; j < m.d; j++)
		{
			m.features[j] = pg_client_to_server(m.features[j], strlen(m.features[j]));
			if (m.category_column[j] != NULL)
				m.category_column[j] = pg_client_to_server(m.category_column[j],
														   strlen(m.category_column[j]));
			if (m.category[j] != NULL)
				m.category[j] = pg_client_to_server(m.category[j], strlen(m.category[j]));
		}
		bad = cc_model_validate(&m);
	}
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid ccseg_model binary value"),
				 errdetail("%s", as_sentence(bad))));
	buf->cursor = buf->len;
	PG_RETURN_DATUM(ccseg_model_datum(&m));
}

/* ---------- inspection ---------- */

/*
 * One model field as a SQL value of ccseg_model_summary: arrays of k or d
 * values one-dimensional, k x d and CC_PCA_COMPONENTS x d matrices
 * two-dimensional (the principal axes cut to the d that exist), NaN as
 * NULL for scalars and for fields with null_elements, and the whole
 * column NULL when the field named by absent_with has no first value.
 */
static Datum
field_datum(const CcModelField *f, const CcModel *m, bool *isnull)
{
	const void *values = cc_model_field_values(f, m);
	int			n = (int) cc_model_field_count(f, m);
	int			rows = f->shape == CC_SHAPE_KD ? m->k :
		f->shape == CC_SHAPE_PD ? Min(m->d, CC_PCA_COMPONENTS) : 0;
	Datum	   *elems;
	bool	   *elem_nulls = NULL;
	int			i;

	*isnull = false;
	if (f->absent_with != NULL &&
		isnan(*(const double *) cc_model_field_values(cc_model_field_find(f->absent_with), m)))
	{
		*isnull = true;
		return (Datum) 0;
	}
	switch (f->kind)
	{
		case CC_FIELD_IMPUTE:
			return CStringGetTextDatum(cc_impute_name(m->impute));
		case CC_FIELD_SCALE:
			return CStringGetTextDatum(cc_scale_name(m->scale));
		case CC_FIELD_INT:
			return Int32GetDatum(*(const int *) values);
		case CC_FIELD_TRANSFORM:
			elems = palloc(sizeof(Datum) * n);
			for (i = 0; i < n; i++)
				elems[i] = CStringGetTextDatum(cc_transforms[((const int *) values)[i]].name);
			return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
												   TYPALIGN_INT));
		case CC_FIELD_INT64:
			if (f->shape == CC_SHAPE_SCALAR)
				return Int64GetDatum(*(const int64_t *) values);
			elems = palloc(sizeof(Datum) * n);
			for (i = 0; i < n; i++)
				elems[i] = Int64GetDatum(((const int64_t *) values)[i]);
			return PointerGetDatum(construct_array(elems, n, INT8OID, 8,
												   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		case CC_FIELD_NAMES:
			elems = palloc(sizeof(Datum) * n);
			for (i = 0; i < n; i++)
				elems[i] = CStringGetTextDatum(((char *const *) values)[i]);
			return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
												   TYPALIGN_INT));
		case CC_FIELD_TEXTS:
			{
				int			dims[1] = {n};
				int			lbs[1] = {1};

				elems = palloc(sizeof(Datum) * n);
				elem_nulls = palloc(sizeof(bool) * n);
				for (i = 0; i < n; i++)
				{
					const char *t = ((char *const *) values)[i];

					elem_nulls[i] = t == NULL;
					elems[i] = t == NULL ? (Datum) 0 : CStringGetTextDatum(t);
				}
				return PointerGetDatum(construct_md_array(elems, elem_nulls, 1, dims, lbs,
														  TEXTOID, -1, false, TYPALIGN_INT));
			}
		case CC_FIELD_DOUBLE:
			break;
	}
	if (f->shape == CC_SHAPE_SCALAR)
	{
		*isnull = isnan(*(const double *) values);
		return Float8GetDatum(*(const double *) values);
	}
	if (rows > 0)
		return PointerGetDatum(ccseg_float8_matrix(values, rows, m->d));
	if (!f->null_elements)
		return PointerGetDatum(ccseg_float8_array(values, n));
	{
		int			dims[1] = {n};
		int			lbs[1] = {1};

		elems = palloc(sizeof(Datum) * n);
		elem_nulls = palloc(sizeof(bool) * n);
		for (i = 0; i < n; i++)
		{
			elems[i] = Float8GetDatum(((const double *) values)[i]);
			elem_nulls[i] = isnan(((const double *) values)[i]);
		}
		return PointerGetDatum(construct_md_array(elems, elem_nulls, 1, dims, lbs,
												  FLOAT8OID, sizeof(float8),
												  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
}

/*
 * Every field of a model as a record, for the catalog and for users.  The
 * result's columns are named as the fields (cc_model_fields), in the order
 * the SQL declaration gives them, plus k and centroids_original (the
 * centroids in original units).
 */
Datum
ccseg_model_summary(PG_FUNCTION_ARGS)
{
	CcModel		m;
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);

	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc0(sizeof(bool) * desc->natts);
	while (i < desc->natts)
	{
		const char *column = NameStr(TupleDescAttr(desc, i)->attname);
		const CcModelField *f = cc_model_field_find(column);

		if (f != NULL)
		{
			values[i] = field_datum(f, &m, &nulls[i]);
			i++;
		}
		else if (strcmp(column, "k") == 0)
			values[i++] = Int32GetDatum(m.k);
		else if (strcmp(column, "centroids_original") == 0)
		{
			double	   *orig = palloc(sizeof(double) * m.k * m.d);
			int			c;

			for (c = 0; c < m.k; c++)
				cc_model_centroid_original(&m, c, orig + (size_t) c * m.d);
			values[i++] = PointerGetDatum(ccseg_float8_matrix(orig, m.k, m.d));
		}
		else
			elog(ERROR, "ccseg_model_summary has no field \"%s\"", column);
	}
	Assert(i == desc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* The value of feature j of raw outside its transform's domain: an error. */
void
ccseg_domain_error(const CcModel *m, const double *raw, int j, const char *what)
{
	const CcTransformOps *op = &cc_transforms[m->transform[j]];
	double		v = isnan(raw[j]) ? m->impute_values[j] : raw[j];

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
			 errmsg("feature \"%s\" has the value %g, outside the domain of transform %s of %s",
					m->features[j], v, op->name, what),
			 errdetail("Transform %s takes values greater than %g.", op->name,
					   op->domain_lo),
			 errhint("Score rows of the kind the model was trained on, or train it with '%s:none' in transform.",
					 m->features[j])));
}

/*
 * Impute, transform and scale raw into z as the model does; false when a
 * value is missing and the model drops such rows, an error for a value
 * outside a transform's domain.
 */
bool
ccseg_model_transform_row(const CcModel *m, const double *raw, double *z,
						  const char *what)
{
	switch (cc_model_transform_checked(m, raw, z, INFINITY))
	{
		case CC_ROW_OK:
		case CC_ROW_TOO_LARGE:
			return true;
		case CC_ROW_MISSING:
			return false;
		case CC_ROW_DOMAIN:
			ccseg_domain_error(m, raw, cc_model_domain_error(m, raw), what);
	}
	return false;
}
