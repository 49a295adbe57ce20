/*
 * modeltype.c
 *		The ccseg_model type.  Stored as a varlena holding the core's flat
 *		form; the text form is readable JSON and the binary form is in
 *		network byte order.  Any string can be cast to ccseg_model, so both
 *		input functions validate everything before a value exists.
 */
#include "ccseg.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

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

static const char *const model_keys[] = {
	"format", "k", "features", "impute", "impute_values", "scale",
	"scale_center", "scale_scale", "centroids", "sizes", "sse", "inertia", "iterations", "rows",
	"silhouette", "silhouette_rows", "segment_silhouette", "calinski_harabasz",
	"davies_bouldin", "feature_mean", "feature_std", "pca_ratio",
	"pca_components", "changed_share", "segment_drift"
};

#define NUM_MODEL_KEYS lengthof(model_keys)

/* A core validation message as a detail sentence: capitalized, with a period. */
static char *
as_sentence(const char *msg)
{
	char	   *s = psprintf("%s.", msg);

	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

static void
malformed(const char *detail, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed ccseg_model literal"),
			 errdetail(detail, arg)));
}

static JsonbValue *
get_key(Jsonb *jb, const char *key)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key),
												 NULL);

	if (v == NULL)
		malformed("Key \"%s\" is missing.", key);
	return v;
}

/* A JSON number as a double; out-of-range numbers become infinite (and fail validation). */
static double
json_double(JsonbValue *v, const char *what, bool allow_null)
{
	if (v->type == jbvNull && allow_null)
		return NAN;
	if (v->type != jbvNumeric)
		malformed("\"%s\" must hold numbers.", what);
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											  NumericGetDatum(v->val.numeric)));
}

/* A JSON number that must be a whole number within int64. */
static int64
json_int64(JsonbValue *v, const char *what)
{
	double		d;

	if (v->type != jbvNumeric)
		malformed("\"%s\" must be an integer.", what);
	d = json_double(v, what, false);
	if (!(d == floor(d)) || fabs(d) > 9007199254740992.0)
		malformed("\"%s\" must be a whole number within range.", what);
	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 NumericGetDatum(v->val.numeric)));
}

static int
json_int32(JsonbValue *v, const char *what)
{
	int64		i = json_int64(v, what);

	if (i < PG_INT32_MIN || i > PG_INT32_MAX)
		malformed("\"%s\" is out of range.", what);
	return (int) i;
}

static char *
json_string(JsonbValue *v, const char *what)
{
	if (v->type != jbvString)
		malformed("\"%s\" must be a string.", what);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The array container of v. */
static JsonbContainer *
json_any_array(JsonbValue *v, const char *what)
{
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		malformed("\"%s\" must be an array.", what);
	return v->val.binary.data;
}

/* The array container of v, which must have exactly n elements. */
static JsonbContainer *
json_array(JsonbValue *v, int n, const char *what)
{
	JsonbContainer *c = json_any_array(v, what);

	if ((int) JsonContainerSize(c) != n)
		malformed("\"%s\" has the wrong number of elements.", what);
	return c;
}

static void
json_doubles(JsonbValue *v, double *out, int n, const char *what,
			 bool allow_null)
{
	JsonbContainer *c = json_array(v, n, what);
	int			i;

	for (i = 0; i < n; i++)
		out[i] = json_double(getIthJsonbValueFromContainer(c, i), what,
							 allow_null);
}

/* Parse text as jsonb, reporting bad JSON as a malformed ccseg_model. */
static Jsonb *
parse_json(char *str)
{
	MemoryContext cxt = CurrentMemoryContext;
	Jsonb	   *jb = NULL;

	PG_TRY();
	{
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(str)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		/* the transaction is aborted by the error below, as it would have been */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed ccseg_model literal"),
				 errdetail("The value is not valid JSON: %s",
						   edata->detail ? edata->detail : edata->message)));
	}
	PG_END_TRY();
	return jb;
}

/* Parse the JSON text form, validating every field. */
Datum
ccseg_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Jsonb	   *jb = parse_json(str);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	CcModel		m;
	CcAllocator alloc;
	JsonbContainer *c;
	int			k,
				d,
				i,
				how;
	char	   *word;
	const char *bad;

	if (!JB_ROOT_IS_OBJECT(jb))
		malformed("A %s value must be a JSON object.", "ccseg_model");
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			bool		known = false;

			for (i = 0; i < (int) NUM_MODEL_KEYS; i++)
				if (strlen(model_keys[i]) == (size_t) v.val.string.len &&
					memcmp(model_keys[i], v.val.string.val, v.val.string.len) == 0)
					known = true;
			if (!known)
				malformed("Unknown key \"%s\".",
						  pnstrdup(v.val.string.val, v.val.string.len));
		}
	}

	if (json_int32(get_key(jb, "format"), "format") != CC_MODEL_FORMAT)
		malformed("Unsupported format version; this build reads format %s.",
				  CppAsString2(CC_MODEL_FORMAT));
	k = json_int32(get_key(jb, "k"), "k");
	if (k < 1 || k > CC_MAX_K)
		malformed("\"%s\" is out of range.", "k");
	c = json_any_array(get_key(jb, "features"), "features");
	d = (int) JsonContainerSize(c);
	if (d < 1 || d > CC_MAX_FEATURES)
		malformed("\"%s\" has the wrong number of elements.", "features");

	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	cc_model_alloc(&m, k, d, &alloc);
	for (i = 0; i < d; i++)
		m.features[i] = json_string(getIthJsonbValueFromContainer(c, i),
									"features");

	word = json_string(get_key(jb, "impute"), "impute");
	if ((how = cc_impute_parse(word)) < 0)
		malformed("Unknown imputation method \"%s\".", word);
	m.impute = (CcImpute) how;
	word = json_string(get_key(jb, "scale"), "scale");
	if ((how = cc_scale_parse(word)) < 0)
		malformed("Unknown scaling method \"%s\".", word);
	m.scale = (CcScale) how;

	json_doubles(get_key(jb, "impute_values"), m.impute_values, d,
				 "impute_values", true);
	json_doubles(get_key(jb, "scale_center"), m.center, d, "scale_center",
				 false);
	json_doubles(get_key(jb, "scale_scale"), m.scale_values, d, "scale_scale",
				 false);
	c = json_array(get_key(jb, "centroids"), k, "centroids");
	for (i = 0; i < k; i++)
		json_doubles(getIthJsonbValueFromContainer(c, i),
					 m.centroids + (size_t) i * d, d, "centroids", false);
	c = json_array(get_key(jb, "sizes"), k, "sizes");
	for (i = 0; i < k; i++)
		m.sizes[i] = json_int64(getIthJsonbValueFromContainer(c, i), "sizes");
	json_doubles(get_key(jb, "sse"), m.sse, k, "sse", false);
	m.inertia = json_double(get_key(jb, "inertia"), "inertia", false);
	m.iterations = json_int32(get_key(jb, "iterations"), "iterations");
	m.rows = json_int64(get_key(jb, "rows"), "rows");
	m.silhouette = json_double(get_key(jb, "silhouette"), "silhouette", true);
	m.silhouette_rows = json_int64(get_key(jb, "silhouette_rows"), "silhouette_rows");
	json_doubles(get_key(jb, "segment_silhouette"), m.segment_silhouette, k,
				 "segment_silhouette", true);
	m.calinski_harabasz = json_double(get_key(jb, "calinski_harabasz"),
									  "calinski_harabasz", true);
	m.davies_bouldin = json_double(get_key(jb, "davies_bouldin"),
								   "davies_bouldin", true);
	m.changed_share = json_double(get_key(jb, "changed_share"), "changed_share",
								  true);
	json_doubles(get_key(jb, "segment_drift"), m.segment_drift, k,
				 "segment_drift", true);
	json_doubles(get_key(jb, "feature_mean"), m.feature_mean, d, "feature_mean",
				 false);
	json_doubles(get_key(jb, "feature_std"), m.feature_std, d, "feature_std",
				 false);
	json_doubles(get_key(jb, "pca_ratio"), m.pca_ratio, d, "pca_ratio", true);
	c = json_array(get_key(jb, "pca_components"), CC_PCA_COMPONENTS,
				   "pca_components");
	for (i = 0; i < CC_PCA_COMPONENTS; i++)
		json_doubles(getIthJsonbValueFromContainer(c, i),
					 m.pca_components + (size_t) i * d, d, "pca_components", true);

	if ((bad = cc_model_validate(&m)) != NULL)
		malformed("%s", as_sentence(bad));
	PG_RETURN_DATUM(ccseg_model_datum(&m));
}

/* ---------- binary forms ---------- */

/* Binary output: network byte order, names as counted text. */
Datum
ccseg_model_send(PG_FUNCTION_ARGS)
{
	CcModel		m;
	StringInfoData buf;
	size_t		i;
	int			j;

	ccseg_model_parse(PG_GETARG_VARLENA_P(0), &m, CurrentMemoryContext);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, CC_MODEL_FORMAT);
	pq_sendint32(&buf, m.k);
	pq_sendint32(&buf, m.d);
	pq_sendint32(&buf, (int32) m.impute);
	pq_sendint32(&buf, (int32) m.scale);
	pq_sendint32(&buf, m.iterations);
	pq_sendint64(&buf, m.rows);
	pq_sendfloat8(&buf, m.inertia);
	for (j = 0; j < m.d; j++)
		pq_sendcountedtext(&buf, m.features[j], strlen(m.features[j]), false);
	for (j = 0; j < m.d; j++)
	{
		pq_sendfloat8(&buf, m.impute_values[j]);
		pq_sendfloat8(&buf, m.center[j]);
		pq_sendfloat8(&buf, m.scale_values[j]);
	}
	for (i = 0; i < (size_t) m.k * m.d; i++)
		pq_sendfloat8(&buf, m.centroids[i]);
	for (j = 0; j < m.k; j++)
	{
		pq_sendint64(&buf, m.sizes[j]);
		pq_sendfloat8(&buf, m.sse[j]);
		pq_sendfloat8(&buf, m.segment_silhouette[j]);
		pq_sendfloat8(&buf, m.segment_drift[j]);
	}
	pq_sendfloat8(&buf, m.changed_share);
	pq_sendfloat8(&buf, m.silhouette);
	pq_sendint64(&buf, m.silhouette_rows);
	pq_sendfloat8(&buf, m.calinski_harabasz);
	pq_sendfloat8(&buf, m.davies_bouldin);
	for (j = 0; j < m.d; j++)
	{
		pq_sendfloat8(&buf, m.feature_mean[j]);
		pq_sendfloat8(&buf, m.feature_std[j]);
		pq_sendfloat8(&buf, m.pca_ratio[j]);
	}
	for (i = 0; i < (size_t) CC_PCA_COMPONENTS * m.d; i++)
		pq_sendfloat8(&buf, m.pca_components[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Binary input: the reverse of ccseg_model_send, validating everything. */
Datum
ccseg_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CcAllocator alloc;
	CcModel		m;
	int			format,
				k,
				d,
				impute,
				scale,
				iterations;
	int64		rows;
	double		inertia;
	size_t		i;
	int			j;
	const char *bad;

	format = pq_getmsgint(buf, 4);
	k = pq_getmsgint(buf, 4);
	d = pq_getmsgint(buf, 4);
	impute = pq_getmsgint(buf, 4);
	scale = pq_getmsgint(buf, 4);
	iterations = pq_getmsgint(buf, 4);
	rows = pq_getmsgint64(buf);
	inertia = pq_getmsgfloat8(buf);
	if (format != CC_MODEL_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported ccseg_model binary format %d", format)));
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES ||
		impute < CC_IMPUTE_MEDIAN || impute > CC_IMPUTE_DROP ||
		scale < CC_SCALE_STANDARD || scale > CC_SCALE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid ccseg_model binary value"),
				 errdetail("k, the number of features or a method is out of range.")));
	/* the message must hold at least the fixed-size part */
	if ((size_t) (buf->len - buf->cursor) <
		(size_t) d * (4 + 48 + 8 * CC_PCA_COMPONENTS) + (size_t) k * d * 8 +
		(size_t) k * 32 + 40)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid ccseg_model binary value"),
				 errdetail("The value is truncated.")));

	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	cc_model_alloc(&m, k, d, &alloc);
	m.impute = (CcImpute) impute;
	m.scale = (CcScale) scale;
	m.iterations = iterations;
	m.rows = rows;
	m.inertia = inertia;
	for (j = 0; j < d; j++)
	{
		int			len = pq_getmsgint(buf, 4);
		int			nbytes;

		if (len < 0 || len > buf->len - buf->cursor)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid ccseg_model binary value"),
					 errdetail("A feature name has an invalid length.")));
		m.features[j] = pq_getmsgtext(buf, len, &nbytes);
	}
	for (j = 0; j < d; j++)
	{
		m.impute_values[j] = pq_getmsgfloat8(buf);
		m.center[j] = pq_getmsgfloat8(buf);
		m.scale_values[j] = pq_getmsgfloat8(buf);
	}
	for (i = 0; i < (size_t) k * d; i++)
		m.centroids[i] = pq_getmsgfloat8(buf);
	for (j = 0; j < k; j++)
	{
		m.sizes[j] = pq_getmsgint64(buf);
		m.sse[j] = pq_getmsgfloat8(buf);
		m.segment_silhouette[j] = pq_getmsgfloat8(buf);
		m.segment_drift[j] = pq_getmsgfloat8(buf);
	}
	m.changed_share = pq_getmsgfloat8(buf);
	m.silhouette = pq_getmsgfloat8(buf);
	m.silhouette_rows = pq_getmsgint64(buf);
	m.calinski_harabasz = pq_getmsgfloat8(buf);
	m.davies_bouldin = pq_getmsgfloat8(buf);
	for (j = 0; j < d; j++)
	{
		m.feature_mean[j] = pq_getmsgfloat8(buf);
		m.feature_std[j] = pq_getmsgfloat8(buf);
		m.pca_ratio[j] = pq_getmsgfloat8(buf);
	}
	for (i = 0; i < (size_t) CC_PCA_COMPONENTS * d; i++)
		m.pca_components[i] = pq_getmsgfloat8(buf);
	if ((bad = cc_model_validate(&m)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid ccseg_model binary value"),
				 errdetail("%s", as_sentence(bad))));
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
