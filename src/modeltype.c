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

static void
append_double(StringInfo out, double v)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isnan(v))
		appendStringInfoString(out, "null");
	else
	{
		double_to_shortest_decimal_buf(v, buf);
		appendStringInfoString(out, buf);
	}
}

static void
append_doubles(StringInfo out, const double *v, int n)
{
	int			i;

	appendStringInfoChar(out, '[');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(out, ", ");
		append_double(out, v[i]);
	}
	appendStringInfoChar(out, ']');
}

/* Text form: a JSON object with every field of the model. */
Datum
ccseg_model_out(PG_FUNCTION_ARGS)
{
	CcModel		m;
	StringInfoData out;
	int			j,
				c;

	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);
	initStringInfo(&out);
	appendStringInfo(&out, "{\"format\": %d, \"k\": %d, \"features\": [",
					 CC_MODEL_FORMAT, m.k);
	for (j = 0; j < m.d; j++)
	{
		if (j > 0)
			appendStringInfoString(&out, ", ");
		escape_json(&out, m.features[j]);
	}
	appendStringInfo(&out, "], \"impute\": \"%s\", \"impute_values\": ",
					 cc_impute_name(m.impute));
	append_doubles(&out, m.impute_values, m.d);
	appendStringInfo(&out, ", \"scale\": \"%s\", \"scale_center\": ",
					 cc_scale_name(m.scale));
	append_doubles(&out, m.center, m.d);
	appendStringInfoString(&out, ", \"scale_scale\": ");
	append_doubles(&out, m.scale_values, m.d);
	appendStringInfoString(&out, ", \"centroids\": [");
	for (c = 0; c < m.k; c++)
	{
		if (c > 0)
			appendStringInfoString(&out, ", ");
		append_doubles(&out, m.centroids + (size_t) c * m.d, m.d);
	}
	appendStringInfoString(&out, "], \"sizes\": [");
	for (c = 0; c < m.k; c++)
		appendStringInfo(&out, "%s" INT64_FORMAT, c > 0 ? ", " : "",
						 (int64) m.sizes[c]);
	appendStringInfoString(&out, "], \"sse\": ");
	append_doubles(&out, m.sse, m.k);
	appendStringInfoString(&out, ", \"inertia\": ");
	append_double(&out, m.inertia);
	appendStringInfo(&out, ", \"iterations\": %d, \"rows\": " INT64_FORMAT,
					 m.iterations, (int64) m.rows);
	appendStringInfoString(&out, ", \"silhouette\": ");
	append_double(&out, m.silhouette);
	appendStringInfo(&out, ", \"silhouette_rows\": " INT64_FORMAT
					 ", \"segment_silhouette\": ", (int64) m.silhouette_rows);
	append_doubles(&out, m.segment_silhouette, m.k);
	appendStringInfoString(&out, ", \"calinski_harabasz\": ");
	append_double(&out, m.calinski_harabasz);
	appendStringInfoString(&out, ", \"davies_bouldin\": ");
	append_double(&out, m.davies_bouldin);
	appendStringInfoString(&out, ", \"changed_share\": ");
	append_double(&out, m.changed_share);
	appendStringInfoString(&out, ", \"segment_drift\": ");
	append_doubles(&out, m.segment_drift, m.k);
	appendStringInfoString(&out, ", \"feature_mean\": ");
	append_doubles(&out, m.feature_mean, m.d);
	appendStringInfoString(&out, ", \"feature_std\": ");
	append_doubles(&out, m.feature_std, m.d);
	appendStringInfoString(&out, ", \"pca_ratio\": ");
	append_doubles(&out, m.pca_ratio, m.d);
	appendStringInfoString(&out, ", \"pca_components\": [");
	for (c = 0; c < CC_PCA_COMPONENTS; c++)
	{
		if (c > 0)
			appendStringInfoString(&out, ", ");
		append_doubles(&out, m.pca_components + (size_t) c * m.d, m.d);
	}
	appendStringInfoString(&out, "]}");
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
		m.features[j] = pg_server_to_client(m.features[j], strlen(m.features[j]));
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
			m.features[j] = pg_client_to_server(m.features[j], strlen(m.features[j]));
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

/* Every field of a model as a record, for the catalog and for users. */
Datum
ccseg_model_summary(PG_FUNCTION_ARGS)
{
	CcModel		m;
	TupleDesc	desc;
	Datum		values[25];
	bool		nulls[25];
	Datum	   *segsil;
	bool	   *segsil_null;
	int			dims[1];
	int			lbs[1] = {1};
	Datum	   *names;
	double	   *orig;
	Datum	   *sizes;
	int			j,
				c;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);

	names = palloc(sizeof(Datum) * m.d);
	for (j = 0; j < m.d; j++)
		names[j] = CStringGetTextDatum(m.features[j]);
	orig = palloc(sizeof(double) * m.k * m.d);
	for (c = 0; c < m.k; c++)
		cc_model_centroid_original(&m, c, orig + (size_t) c * m.d);
	sizes = palloc(sizeof(Datum) * m.k);
	for (c = 0; c < m.k; c++)
		sizes[c] = Int64GetDatum(m.sizes[c]);

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(m.k);
	values[1] = PointerGetDatum(construct_array(names, m.d, TEXTOID, -1, false,
												TYPALIGN_INT));
	values[2] = CStringGetTextDatum(cc_impute_name(m.impute));
	if (m.impute == CC_IMPUTE_DROP)
		nulls[3] = true;
	else
		values[3] = PointerGetDatum(ccseg_float8_array(m.impute_values, m.d));
	values[4] = CStringGetTextDatum(cc_scale_name(m.scale));
	values[5] = PointerGetDatum(ccseg_float8_array(m.center, m.d));
	values[6] = PointerGetDatum(ccseg_float8_array(m.scale_values, m.d));
	values[7] = PointerGetDatum(ccseg_float8_matrix(m.centroids, m.k, m.d));
	values[8] = PointerGetDatum(ccseg_float8_matrix(orig, m.k, m.d));
	values[9] = PointerGetDatum(construct_array(sizes, m.k, INT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[10] = PointerGetDatum(ccseg_float8_array(m.sse, m.k));
	values[11] = Float8GetDatum(m.inertia);
	values[12] = Int32GetDatum(m.iterations);
	values[13] = Int64GetDatum(m.rows);
	values[14] = Float8GetDatum(m.silhouette);
	nulls[14] = isnan(m.silhouette);
	values[15] = Int64GetDatum(m.silhouette_rows);
	segsil = palloc(sizeof(Datum) * m.k);
	segsil_null = palloc(sizeof(bool) * m.k);
	for (c = 0; c < m.k; c++)
	{
		segsil[c] = Float8GetDatum(m.segment_silhouette[c]);
		segsil_null[c] = isnan(m.segment_silhouette[c]);
	}
	dims[0] = m.k;
	values[16] = PointerGetDatum(construct_md_array(segsil, segsil_null, 1, dims,
													lbs, FLOAT8OID, sizeof(float8),
													FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
	values[17] = Float8GetDatum(m.calinski_harabasz);
	nulls[17] = isnan(m.calinski_harabasz);
	values[18] = Float8GetDatum(m.davies_bouldin);
	nulls[18] = isnan(m.davies_bouldin);
	values[19] = PointerGetDatum(ccseg_float8_array(m.feature_mean, m.d));
	values[20] = PointerGetDatum(ccseg_float8_array(m.feature_std, m.d));
	if (isnan(m.pca_ratio[0]))
		nulls[21] = nulls[22] = true;
	else
	{
		int			keep = Min(m.d, CC_PCA_COMPONENTS);

		values[21] = PointerGetDatum(ccseg_float8_array(m.pca_ratio, m.d));
		values[22] = PointerGetDatum(ccseg_float8_matrix(m.pca_components, keep, m.d));
	}
	values[23] = Float8GetDatum(m.changed_share);
	nulls[23] = isnan(m.changed_share);
	for (c = 0; c < m.k; c++)
	{
		segsil[c] = Float8GetDatum(m.segment_drift[c]);
		segsil_null[c] = isnan(m.segment_drift[c]);
	}
	values[24] = PointerGetDatum(construct_md_array(segsil, segsil_null, 1, dims,
													lbs, FLOAT8OID, sizeof(float8),
													FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
