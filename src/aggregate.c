/*
 * aggregate.c
 *		ccseg_fit(features float8[], k [, names text[]]): k-means as an
 *		aggregate, so that GROUP BY gives one model per group and parallel
 *		query (or Citus) can collect rows in several processes.
 *
 * The state is the rows seen so far; partial states are concatenated by the
 * combine function and travel between processes in a binary form.  The
 * final function sorts the rows before training, so the model does not
 * depend on the order rows arrived in: a parallel plan gives the same model
 * as a serial one.  The rows are imputed and scaled (prepare.c) and
 * trained on (pipeline.c) as ccseg_build_model's are, with ccseg_train's
 * defaults (core/defaults.h); the silhouette is left out (it is quadratic in
 * the rows of each group).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "modeltype.h"
#include "options.h"
#include "pipeline.h"
#include "prepare.h"

#include "defaults.h"
#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_fit_transition);
PG_FUNCTION_INFO_V1(ccseg_fit_combine);
PG_FUNCTION_INFO_V1(ccseg_fit_serialize);
PG_FUNCTION_INFO_V1(ccseg_fit_deserialize);
PG_FUNCTION_INFO_V1(ccseg_fit_final);

typedef struct FitState
{
	int			d;
	int			k;
	int64		n;
	int64		cap;
	double	   *x;				/* n x d, NaN for NULL */
	int			n_names;		/* 0, or d */
	char	  **names;
	ArrayType  *names_arr;		/* the first row's names array, for a quick
								 * comparison with later rows' (transition
								 * only; NULL without names) */
} FitState;

static FitState *
new_state(MemoryContext cxt, int d, int k)
{
	FitState   *st = MemoryContextAllocZero(cxt, sizeof(FitState));

	st->d = d;
	st->k = k;
	st->cap = 64;
	st->x = MemoryContextAllocHuge(cxt, sizeof(double) * st->cap * d);
	return st;
}

/* Make room for more rows, growing geometrically. */
static void
reserve(FitState *st, int64 more)
{
	int64		need = st->n + more;

	if (need <= st->cap)
		return;
	while (st->cap < need)
		st->cap *= 2;
	if ((Size) st->cap > MaxAllocHugeSize / sizeof(double) / st->d)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ccseg_fit cannot hold %lld rows of %d features",
						(long long) need, st->d)));
	st->x = repalloc_huge(st->x, sizeof(double) * st->cap * st->d);
}

/*
 * Whether names_arr (a later row's names) holds the names of st: the same
 * bytes as the first row's array, or else the same strings.
 */
static bool
same_names(FitState *st, ArrayType *names_arr)
{
	Datum	   *ne;
	bool	   *nn;
	int			nc,
				j;

	if (st->names_arr != NULL &&
		VARSIZE(st->names_arr) == VARSIZE(names_arr) &&
		memcmp(st->names_arr, names_arr, VARSIZE(names_arr)) == 0)
		return true;
	if (ARR_NDIM(names_arr) > 1)
		return false;
	deconstruct_array(names_arr, TEXTOID, -1, false, TYPALIGN_INT, &ne, &nn, &nc);
	if (nc != st->n_names)
		return false;
	for (j = 0; j < nc; j++)
	{
		text	   *t;

		if (nn[j])
			return false;
		t = DatumGetTextPP(ne[j]);
		if (VARSIZE_ANY_EXHDR(t) != strlen(st->names[j]) ||
			memcmp(VARDATA_ANY(t), st->names[j], VARSIZE_ANY_EXHDR(t)) != 0)
			return false;
	}
	return true;
}

/* Whether two states have the same names (or both none). */
static bool
same_state_names(const FitState *a, const FitState *b)
{
	int			j;

	if (a->n_names != b->n_names)
		return false;
	for (j = 0; j < a->n_names; j++)
		if (strcmp(a->names[j], b->names[j]) != 0)
			return false;
	return true;
}

/* Transition: append one row of feature values. */
Datum
ccseg_fit_transition(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "ccseg_fit_transition");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				j;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);	/* a NULL row is skipped, like NULL in avg() */
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature values must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (st == NULL)
	{
		int			k;

		ccseg_require_arg(fcinfo, 2, "k");
		k = PG_GETARG_INT32(2);
		if (n < 1 || n > CC_MAX_FEATURES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature arrays must have between 1 and %d elements",
							CC_MAX_FEATURES)));
		if (k < 1 || k > CC_MAX_K)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k must be between 1 and %d", CC_MAX_K)));
		st = new_state(cxt, n, k);
		if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		{
			ArrayType  *na = PG_GETARG_ARRAYTYPE_P(3);
			Datum	   *ne;
			bool	   *nn;
			int			nc;

			if (ARR_NDIM(na) > 1)
				ereport(ERROR,
						(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						 errmsg("names must be a one-dimensional array")));
			deconstruct_array(na, TEXTOID, -1, false, TYPALIGN_INT, &ne, &nn, &nc);
			if (nc != n)
				ereport(ERROR,
						(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						 errmsg("names has %d elements, but the feature arrays have %d", nc, n)));
			st->names = MemoryContextAlloc(cxt, sizeof(char *) * n);
			for (j = 0; j < n; j++)
			{
				char	   *name;
				size_t		len;
				int			j2;

				if (nn[j])
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("names must not contain null elements")));
				name = TextDatumGetCString(ne[j]);
				len = strlen(name);
				if (len == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_NAME),
							 errmsg("names must not contain empty elements")));
				if (len > CC_MAX_NAME_BYTES)
					ereport(ERROR,
							(errcode(ERRCODE_NAME_TOO_LONG),
							 errmsg("feature name \"%s\" is too long",
									ccseg_name_for_message(name)),
							 errdetail("The name is %zu bytes long; at most %d bytes are allowed.",
									   len, CC_MAX_NAME_BYTES)));
				for (j2 = 0; j2 < j; j2++)
					if (strcmp(st->names[j2], name) == 0)
						ereport(ERROR,
								(errcode(ERRCODE_DUPLICATE_COLUMN),
								 errmsg("feature name \"%s\" appears more than once in names",
										name)));
				st->names[j] = MemoryContextStrdup(cxt, name);
			}
			st->n_names = n;
			st->names_arr = (ArrayType *) MemoryContextAlloc(cxt, VARSIZE(na));
			memcpy(st->names_arr, na, VARSIZE(na));
		}
	}
	else
	{
		bool		has_names = PG_NARGS() > 3 && !PG_ARGISNULL(3);

		if (n != st->d)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("feature arrays must all have %d elements, got one with %d",
							st->d, n)));
		/* k and names are the first row's: the same in every row */
		if (PG_ARGISNULL(2) || PG_GETARG_INT32(2) != st->k)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k must be the same in every row of ccseg_fit"),
					 errdetail("The first row gave k = %d, a later one %s.", st->k,
							   PG_ARGISNULL(2) ? "NULL" :
							   psprintf("k = %d", PG_GETARG_INT32(2))),
					 errhint("Pass k as a constant, or use GROUP BY for one model per k.")));
		if (has_names != (st->n_names > 0) ||
			(has_names && !same_names(st, PG_GETARG_ARRAYTYPE_P(3))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("names must be the same in every row of ccseg_fit"),
					 errhint("Pass names as a constant array.")));
	}
	reserve(st, 1);
	for (j = 0; j < n; j++)
	{
		double		v = nulls[j] ? NAN : DatumGetFloat8(elems[j]);

		if (!nulls[j] && !isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature values must not be NaN or infinity"),
					 errhint("Use NULL for a missing value; it is imputed.")));
		st->x[st->n * st->d + j] = v;
	}
	st->n++;
	PG_RETURN_POINTER(st);
}

/* Combine: the rows of one partial state appended to the other's. */
Datum
ccseg_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "ccseg_fit_combine");
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);
	FitState   *out = NULL;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		/* copy b into the aggregate's context */
		out = new_state(cxt, b->d, b->k);
		a = out;
	}
	if (a->d != b->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature arrays must all have %d elements, got some with %d",
						a->d, b->d)));
	if (out != NULL && b->n_names > 0)
	{
		int			j;

		a->names = MemoryContextAlloc(cxt, sizeof(char *) * b->d);
		for (j = 0; j < b->d; j++)
			a->names[j] = MemoryContextStrdup(cxt, b->names[j]);
		a->n_names = b->d;
	}
	if (a->k != b->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be the same in every row of ccseg_fit"),
				 errdetail("Some rows gave k = %d, others k = %d.", a->k, b->k),
				 errhint("Pass k as a constant, or use GROUP BY for one model per k.")));
	if (!same_state_names(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names must be the same in every row of ccseg_fit"),
				 errhint("Pass names as a constant array.")));
	reserve(a, b->n);
	memcpy(a->x + a->n * a->d, b->x, sizeof(double) * b->n * b->d);
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

/* Serialize a partial state for another process. */
Datum
ccseg_fit_serialize(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int64		i;
	int			j;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, st->d);
	pq_sendint32(&buf, st->k);
	pq_sendint32(&buf, st->n_names);
	pq_sendint64(&buf, st->n);
	/* names as raw bytes in the server encoding: no client encoding involved */
	for (j = 0; j < st->n_names; j++)
	{
		int			len = strlen(st->names[j]);

		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, st->names[j], len);
	}
	for (i = 0; i < st->n * st->d; i++)
		pq_sendfloat8(&buf, st->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Read a serialized partial state back. */
Datum
ccseg_fit_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "ccseg_fit_deserialize");
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	FitState   *st;
	int			d,
				k,
				n_names,
				j;
	int64		n,
				i;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));
	d = pq_getmsgint(&buf, 4);
	k = pq_getmsgint(&buf, 4);
	n_names = pq_getmsgint(&buf, 4);
	n = pq_getmsgint64(&buf);
	if (d < 1 || d > CC_MAX_FEATURES || k < 1 || k > CC_MAX_K || n < 0 ||
		(n_names != 0 && n_names != d))
		elog(ERROR, "invalid serialized ccseg_fit state");
	st = new_state(cxt, d, k);
	if (n_names > 0)
	{
		st->names = MemoryContextAlloc(cxt, sizeof(char *) * d);
		for (j = 0; j < d; j++)
		{
			int			len = pq_getmsgint(&buf, 4);
			const char *bytes;

			if (len < 1 || len > CC_MAX_NAME_BYTES)
				elog(ERROR, "invalid serialized ccseg_fit state");
			bytes = pq_getmsgbytes(&buf, len);
			if (memchr(bytes, '\0', len) != NULL ||
				!pg_verifymbstr(bytes, len, true))
				elog(ERROR, "invalid serialized ccseg_fit state");
			st->names[j] = MemoryContextAlloc(cxt, len + 1);
			memcpy(st->names[j], bytes, len);
			st->names[j][len] = '\0';
		}
		st->n_names = d;
	}
	reserve(st, n);
	for (i = 0; i < n * d; i++)
		st->x[i] = pq_getmsgfloat8(&buf);
	st->n = n;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

static int	sort_d;

/* Lexicographic order of rows, NaN (missing) last in each position. */
static int
row_cmp(const void *pa, const void *pb)
{
	const double *a = pa,
			   *b = pb;
	int			j;

	for (j = 0; j < sort_d; j++)
	{
		bool		na = isnan(a[j]),
					nb = isnan(b[j]);

		if (na != nb)
			return na ? 1 : -1;
		if (!na && a[j] != b[j])
			return a[j] < b[j] ? -1 : 1;
	}
	return 0;
}

/*
 * Final: train the model on the collected rows, with the defaults of
 * ccseg_train (core/defaults.h) and no silhouette.
 */
Datum
ccseg_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	CcsegPrepared prep;
	CcsegTrainOptions o;
	CcsegTrained t;
	CcModel		m;
	CcAllocator alloc;
	MemoryContext cxt;
	MemoryContext old;
	int			d,
				j;
	Datum		result;

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	d = st->d;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg fit",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	old = MemoryContextSwitchTo(cxt);

	/* a private, sorted copy: the order rows arrived in must not matter */
	memset(&prep, 0, sizeof(prep));
	prep.x = MemoryContextAllocHuge(cxt, sizeof(double) * st->n * d);
	memcpy(prep.x, st->x, sizeof(double) * st->n * d);
	sort_d = d;
	qsort(prep.x, st->n, sizeof(double) * d, row_cmp);
	prep.n_read = prep.n_source = (size_t) st->n;
	prep.f.d = d;
	prep.f.names = palloc(sizeof(char *) * d);
	for (j = 0; j < d; j++)
		prep.f.names[j] = st->n_names ? st->names[j] : psprintf("f%d", j + 1);
	prep.impute = CC_DEFAULT_IMPUTE;
	prep.scale = CC_DEFAULT_SCALE;
	ccseg_prepare_matrix(&prep, cxt);
	if ((size_t) st->k > prep.n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k (%d) is greater than the number of rows (%zu)",
						st->k, prep.n)));

	o = (CcsegTrainOptions) CCSEG_TRAIN_OPTIONS_DEFAULT(st->k);
	o.silhouette_sample = CC_SILHOUETTE_NONE;
	ccseg_train_prepared(&prep, &o, &t, &m, &alloc);

	MemoryContextSwitchTo(old);
	result = ccseg_model_datum(&m);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}
