/*
 * lloyd_pass.c
 *		_ccseg_lloyd_pass(model ccseg_model, features float8[]): one Lloyd
 *		pass of a model's centroids over the rows aggregated, as mergeable
 *		statistics (core pass.h), so that PostgreSQL can split a full-data
 *		pass between parallel workers and Citus between shards.  A sampled
 *		training runs it once per pass over its relation (refine.c).
 *
 * The features are the row's values in the model's order (NULL elements
 * missing); they are imputed and scaled as the model says, then counted
 * towards their nearest centroid.  The result is the pass's flat form
 * (bytea).  The sums are exact (order-independent), so a parallel or
 * distributed plan gives the same bytes as a serial one.
 *
 * The first functions below (ccseg_pass_*) are those of the aggregate of
 * 0.3.0 and 0.4.0, _ccseg_lloyd_pass(ccseg_model, VARIADIC "any") with an
 * internal state: their install scripts create them before the update to
 * 0.5.0 drops them, so the library keeps them.  The bytea-state aggregate
 * of 0.5.0 follows (ccseg_lloyd_pass_*).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "modeltype.h"
#include "reader.h"
#include "refine.h"

#include "model.h"
#include "pass.h"

PG_FUNCTION_INFO_V1(ccseg_pass_transition);
PG_FUNCTION_INFO_V1(ccseg_pass_combine);
PG_FUNCTION_INFO_V1(ccseg_pass_serialize);
PG_FUNCTION_INFO_V1(ccseg_pass_deserialize);
PG_FUNCTION_INFO_V1(ccseg_pass_final);
PG_FUNCTION_INFO_V1(ccseg_lloyd_pass_transition);
PG_FUNCTION_INFO_V1(ccseg_lloyd_pass_combine);
PG_FUNCTION_INFO_V1(ccseg_lloyd_pass_final);

#define FIRST_VALUE_ARG 2		/* transition args: state, model, values... */

typedef struct PassState
{
	CcPass		pass;
	bool		has_model;		/* false for a state read back from bytes */
	CcModel		model;
	double	   *ct;				/* d x k: the centroids transposed */
	double	   *raw;			/* d */
	double	   *z;				/* d */
	double	   *dist;			/* k */
	CcsegConv  *conv;			/* d: how each value argument becomes a double */
} PassState;

static void
check_cells(int k, int d)
{
	if ((int64) k * ((int64) d + 1) > CC_PASS_MAX_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a Lloyd pass over %d segments and %d features is too large", k, d),
				 errdetail("k * (features + 1) must be at most %d.", CC_PASS_MAX_CELLS)));
}

/* The state for the first row: the model parsed once, the pass empty. */
static PassState *
new_state(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	PassState  *st;
	MemoryContext old;
	CcAllocator alloc;
	int			nvalues = PG_NARGS() - FIRST_VALUE_ARG;
	int			j;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be null")));
	st = MemoryContextAllocZero(cxt, sizeof(PassState));
	ccseg_model_parse(PG_GETARG_VARLENA_PP(1), &st->model, cxt);
	if (nvalues != st->model.d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d values given for a model of %d features", nvalues, st->model.d)));
	check_cells(st->model.k, st->model.d);
	old = MemoryContextSwitchTo(cxt);
	st->ct = palloc(sizeof(double) * st->model.k * st->model.d);
	cc_model_transpose(&st->model, st->ct);
	st->raw = palloc(sizeof(double) * st->model.d);
	st->z = palloc(sizeof(double) * st->model.d);
	st->dist = palloc(sizeof(double) * st->model.k);
	st->conv = palloc(sizeof(CcsegConv) * st->model.d);
	MemoryContextSwitchTo(old);
	for (j = 0; j < st->model.d; j++)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, FIRST_VALUE_ARG + j);

		if (!ccseg_conv_for_type(type, &st->conv[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("value of feature \"%s\" has type %s, which is not numeric",
							st->model.features[j], format_type_be(type))));
	}
	ccseg_allocator_init(&alloc, cxt);
	cc_pass_init(&st->pass, st->model.k, st->model.d, &alloc);
	st->has_model = true;
	return st;
}

/* Transition: count one row towards its nearest centroid. */
Datum
ccseg_pass_transition(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "_ccseg_pass_transition");
	PassState  *st = PG_ARGISNULL(0) ? new_state(fcinfo, cxt) :
		(PassState *) PG_GETARG_POINTER(0);
	int			d = st->model.d;
	int			j;

	if (!st->has_model)
		elog(ERROR, "_ccseg_pass_transition called on a merged state");
	for (j = 0; j < d; j++)
	{
		int			a = FIRST_VALUE_ARG + j;

		if (PG_ARGISNULL(a))
			st->raw[j] = NAN;
		else
		{
			st->raw[j] = ccseg_datum_to_double(PG_GETARG_DATUM(a), st->conv[j]);
			if (!isfinite(st->raw[j]))
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("feature \"%s\" is NaN or infinity", st->model.features[j]),
						 errhint("Set such values to NULL to have them imputed, or leave those rows out with a view.")));
		}
	}
	/* a row impute = drop leaves out does not count */
	if (!ccseg_model_transform_row(&st->model, st->raw, st->z, "the model"))
		PG_RETURN_POINTER(st);
	for (j = 0; j < d; j++)
		if (fabs(st->z[j]) > 1e150)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("feature \"%s\" has values too large to compute distances with",
							st->model.features[j]),
					 errdetail("A scaled value exceeds 1e150, so squared distances would overflow."),
					 errhint("Use scale => 'standard', or divide the column by a power of ten in a view.")));
	cc_pass_add(&st->pass, st->z, st->ct, st->dist);
	PG_RETURN_POINTER(st);
}

/* A copy of a state's pass in cxt, with no model (fit only for merging). */
static PassState *
copy_pass(MemoryContext cxt, const CcPass *from)
{
	PassState  *st = MemoryContextAllocZero(cxt, sizeof(PassState));
	CcAllocator alloc;

	ccseg_allocator_init(&alloc, cxt);
	cc_pass_init(&st->pass, from->k, from->d, &alloc);
	cc_pass_merge(&st->pass, from);
	return st;
}

/* Combine: merge two partial passes (of the same model). */
Datum
ccseg_pass_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "_ccseg_pass_combine");
	PassState  *a = PG_ARGISNULL(0) ? NULL : (PassState *) PG_GETARG_POINTER(0);
	PassState  *b = PG_ARGISNULL(1) ? NULL : (PassState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		PG_RETURN_POINTER(copy_pass(cxt, &b->pass));
	if (a->pass.k != b->pass.k || a->pass.d != b->pass.d)
		elog(ERROR, "cannot merge Lloyd passes of different shapes");
	cc_pass_merge(&a->pass, &b->pass);
	PG_RETURN_POINTER(a);
}

static bytea *
pass_bytes(const CcPass *p)
{
	Size		len = cc_pass_flat_size(p->k, p->d);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	cc_pass_flatten(p, VARDATA(out));
	return out;
}

Datum
ccseg_pass_serialize(PG_FUNCTION_ARGS)
{
	PassState  *st = (PassState *) PG_GETARG_POINTER(0);

	(void) ccseg_agg_context(fcinfo, "_ccseg_pass_serialize");
	PG_RETURN_BYTEA_P(pass_bytes(&st->pass));
}

/* Read a pass's flat form into p, allocating in cxt; errors when it is damaged. */
void
ccseg_pass_read(bytea *bytes, CcPass *p, MemoryContext cxt)
{
	CcAllocator alloc;
	const char *bad;

	ccseg_allocator_init(&alloc, cxt);
	bad = cc_pass_unflatten(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes), p, &alloc);
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("Lloyd pass statistics are corrupt: %s", bad)));
}

Datum
ccseg_pass_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "_ccseg_pass_deserialize");
	PassState  *st = MemoryContextAllocZero(cxt, sizeof(PassState));

	ccseg_pass_read(PG_GETARG_BYTEA_PP(0), &st->pass, cxt);
	PG_RETURN_POINTER(st);
}

Datum
ccseg_pass_final(PG_FUNCTION_ARGS)
{
	PassState  *st;

	(void) ccseg_agg_context(fcinfo, "_ccseg_pass_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (PassState *) PG_GETARG_POINTER(0);
	PG_RETURN_BYTEA_P(pass_bytes(&st->pass));
}


/*
 * _ccseg_lloyd_pass(model ccseg_model, features float8[]) keeps its state in
 * a bytea: a PassStateData header, the k counts, then the k x d sums and the
 * k squared errors as CcXsum cells, updated in place row after row.  Unlike
 * an internal state, a bytea state has a text form (hex) that reads back to
 * the same bytes, and the argument types are fixed, which is what Citus
 * needs to run the transition on every shard (worker_partial_agg) and
 * combine the shards' states on the coordinator (coord_combine_agg): a pass
 * then moves O(k x d) numbers per shard, not the rows.  The sums are exact,
 * so the pass is the same, bit for bit, however the rows were split.
 *
 * The model's parsed form is cached for the backend, keyed by a hash of the
 * model's bytes that the state records, so a row costs no model parsing and
 * a state is never merged with another model's.
 */
#define LLOYD_STATE_MAGIC	0x63634c53	/* "ccLS" */

typedef struct PassStateData
{
	int32		vl_len_;		/* varlena header (4 bytes: never packed) */
	int32		magic;
	int32		k;
	int32		d;
	uint64		model_hash;		/* hash of the model's bytes */
	int64		rows;
	/* int64 counts[k]; CcXsum sums[k * d]; CcXsum sse[k]; all 8-aligned */
} PassStateData;

/* The parsed model of the last model value seen, per call site. */
typedef struct PassModelCache
{
	MemoryContext cxt;			/* holds everything below */
	uint64		hash;
	Size		len;
	char	   *bytes;			/* the model's bytes (without header) */
	CcModel		model;
	double	   *ct;				/* d x k: the centroids transposed */
	double	   *raw;			/* d */
	double	   *z;				/* d */
	double	   *dist;			/* k */
} PassModelCache;

static Size
lloyd_state_size(int k, int d)
{
	return sizeof(PassStateData) + sizeof(int64) * (Size) k +
		sizeof(CcXsum) * ((Size) k * d + k);
}

/*
 * Check a state's header and length (O(1): the transition calls it for
 * every row) and point p's arrays into it.
 */
static PassStateData *
lloyd_state_view(bytea *raw, CcPass *p)
{
	PassStateData *s = (PassStateData *) raw;
	char	   *b;

	if (VARATT_IS_SHORT(raw) || VARATT_IS_EXTENDED(raw) ||
		VARSIZE(raw) < sizeof(PassStateData) ||
		s->magic != LLOYD_STATE_MAGIC ||
		s->k < 1 || s->d < 1 ||
		(int64) s->k * ((int64) s->d + 1) > CC_PASS_MAX_CELLS ||
		VARSIZE(raw) != lloyd_state_size(s->k, s->d) ||
		s->rows < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("Lloyd pass state is corrupt")));
	b = (char *) raw + sizeof(PassStateData);
	p->k = s->k;
	p->d = s->d;
	p->rows = s->rows;
	p->counts = (int64_t *) b;
	p->sums = (CcXsum *) (b + sizeof(int64) * s->k);
	p->sse = p->sums + (Size) s->k * s->d;
	return s;
}

/*
 * A state from outside this backend's transitions (the second input of the
 * combine function, a state read from its text form): detoasted, 8-aligned,
 * its header checked and every cell within the bounds additions keep.
 */
static PassStateData *
lloyd_state_checked(Datum value, CcPass *p, bool copy, MemoryContext cxt)
{
	bytea	   *raw = (bytea *) PG_DETOAST_DATUM(value);
	PassStateData *s;
	int64		total = 0;
	Size		i,
				n;

	if (copy || VARATT_IS_SHORT(raw) || ((uintptr_t) raw % MAXIMUM_ALIGNOF) != 0)
	{
		/* a 4-byte-header, aligned copy */
		Size		data = VARSIZE_ANY_EXHDR(raw);
		bytea	   *c = MemoryContextAlloc(cxt, VARHDRSZ + data);

		SET_VARSIZE(c, VARHDRSZ + data);
		memcpy(VARDATA(c), VARDATA_ANY(raw), data);
		raw = c;
	}
	s = lloyd_state_view(raw, p);
	for (i = 0; i < (Size) s->k; i++)
	{
		if (p->counts[i] < 0 || p->counts[i] > PG_INT64_MAX - total)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("Lloyd pass state is corrupt")));
		total += p->counts[i];
	}
	if (total != s->rows)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("Lloyd pass state is corrupt")));
	n = (Size) s->k * s->d + s->k;
	for (i = 0; i < n; i++)
	{
		const CcXsum *x = &p->sums[i];
		int64		bound;
		int			l;

		/* each addition since the last carry adds less than 2^33 to a limb */
		if (x->adds < 0 || x->adds >= CC_XSUM_CARRY_EVERY)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("Lloyd pass state is corrupt")));
		bound = ((int64) 1 << 40) + (int64) x->adds * ((int64) 1 << 33);
		for (l = 0; l < CC_XSUM_LIMBS; l++)
			if (x->limb[l] > bound || x->limb[l] < -bound)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("Lloyd pass state is corrupt")));
	}
	return s;
}

/* An empty state for a model of k segments and d features, in cxt. */
static PassStateData *
lloyd_state_new(MemoryContext cxt, int k, int d, uint64 hash)
{
	Size		len = lloyd_state_size(k, d);
	PassStateData *s = MemoryContextAllocZero(cxt, len);

	SET_VARSIZE(s, len);
	s->magic = LLOYD_STATE_MAGIC;
	s->k = k;
	s->d = d;
	s->model_hash = hash;
	s->rows = 0;
	/* all-zero cells are empty CcXsum sums (cc_xsum_init) */
	return s;
}

/*
 * Parsed models, kept for the backend: Citus's worker_partial_agg calls the
 * transition with a new FmgrInfo for every row, so fn_extra does not
 * last; this cache does, keyed by the hash a state records.
 */
#define LLOYD_MODEL_CACHE 4
static PassModelCache *lloyd_models[LLOYD_MODEL_CACHE];
static int	lloyd_models_next;

/* The cached model whose bytes hash to hash, or NULL. */
static PassModelCache *
lloyd_model_by_hash(uint64 hash)
{
	int			i;

	for (i = 0; i < LLOYD_MODEL_CACHE; i++)
		if (lloyd_models[i] != NULL && lloyd_models[i]->len > 0 &&
			lloyd_models[i]->hash == hash)
			return lloyd_models[i];
	return NULL;
}

/* The parsed form of the model value m, parsed once for the backend. */
static PassModelCache *
lloyd_model(struct varlena *m)
{
	Size		len = VARSIZE_ANY_EXHDR(m);
	uint64		hash = DatumGetUInt64(hash_any_extended((const unsigned char *) VARDATA_ANY(m),
														(int) len, 0));
	PassModelCache *c = lloyd_model_by_hash(hash);
	MemoryContext old;

	if (c != NULL && c->len == len && memcmp(c->bytes, VARDATA_ANY(m), len) == 0)
		return c;
	/* replace the oldest entry */
	c = lloyd_models[lloyd_models_next];
	if (c == NULL)
	{
		c = MemoryContextAllocZero(TopMemoryContext, sizeof(PassModelCache));
		c->cxt = AllocSetContextCreate(TopMemoryContext, "ccseg Lloyd pass model",
									   ALLOCSET_SMALL_SIZES);
		lloyd_models[lloyd_models_next] = c;
	}
	else
		MemoryContextReset(c->cxt);
	lloyd_models_next = (lloyd_models_next + 1) % LLOYD_MODEL_CACHE;
	c->len = 0;					/* not usable until parsed */
	c->hash = 0;
	ccseg_model_parse(m, &c->model, c->cxt);
	check_cells(c->model.k, c->model.d);
	old = MemoryContextSwitchTo(c->cxt);
	c->ct = palloc(sizeof(double) * c->model.k * c->model.d);
	cc_model_transpose(&c->model, c->ct);
	c->raw = palloc(sizeof(double) * c->model.d);
	c->z = palloc(sizeof(double) * c->model.d);
	c->dist = palloc(sizeof(double) * c->model.k);
	c->bytes = palloc(Max(len, 1));
	memcpy(c->bytes, VARDATA_ANY(m), len);
	MemoryContextSwitchTo(old);
	c->len = len;
	c->hash = hash;
	return c;
}

/* Transition: count one row (its features as float8[]) towards its nearest centroid. */
Datum
ccseg_lloyd_pass_transition(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "_ccseg_lloyd_pass_transition");
	PassModelCache *mc = NULL;
	PassStateData *s = NULL;
	CcPass		p;
	ArrayType  *arr;
	double	   *raw;
	bits8	   *nulls;
	const double *vals;
	int			d,
				j;

	/*
	 * The model of a group's first row counts for the whole group: later
	 * rows find it by the hash their state records, without reading their
	 * own model argument.
	 */
	if (!PG_ARGISNULL(0))
	{
		s = lloyd_state_view((bytea *) PG_GETARG_POINTER(0), &p);
		mc = lloyd_model_by_hash(s->model_hash);
	}
	if (mc == NULL)
	{
		if (PG_ARGISNULL(1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("model must not be null")));
		mc = lloyd_model(PG_GETARG_VARLENA_PP(1));
	}
	if (s == NULL)
		s = lloyd_state_new(cxt, mc->model.k, mc->model.d, mc->hash);
	else if (s->model_hash != mc->hash)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a Lloyd pass takes the same model for every row")));
	lloyd_state_view((bytea *) s, &p);
	d = mc->model.d;
	if (p.k != mc->model.k || p.d != d)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("Lloyd pass state is corrupt")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not be null"),
				 errhint("Give null elements for missing values, to have them imputed.")));
	arr = PG_GETARG_ARRAYTYPE_P(2);
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "_ccseg_lloyd_pass_transition takes float8[]");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature values must be a one-dimensional array")));
	if ((ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0]) != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d values given for a model of %d features",
						ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0], d)));
	raw = mc->raw;
	nulls = ARR_NULLBITMAP(arr);
	/* float8 elements back to back, aligned, nulls left out: read in place */
	vals = (const double *) ((const char *) arr +
							 (ARR_HASNULL(arr) ? (Size) arr->dataoffset :
							  ARR_OVERHEAD_NONULLS(ARR_NDIM(arr))));
	for (j = 0; j < d; j++)
	{
		if (nulls != NULL && !(nulls[j / 8] & (1 << (j % 8))))
			raw[j] = NAN;
		else
		{
			raw[j] = *vals++;
			if (!isfinite(raw[j]))
				ccseg_pass_bad_value(&mc->model, j);
		}
	}
	ccseg_pass_add_row(&p, &mc->model, mc->ct, raw, mc->z, mc->dist);
	s->rows = p.rows;
	PG_RETURN_POINTER(s);
}

/* The error for a NaN or an infinite value of feature j in a pass; see refine.h. */
void
ccseg_pass_bad_value(const CcModel *m, int j)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("feature \"%s\" is NaN or infinity", m->features[j]),
			 errhint("Set such values to NULL to have them imputed, or leave those rows out with a view.")));
}

/* Add one row to a pass as the aggregate does; see refine.h. */
bool
ccseg_pass_add_row(CcPass *p, const CcModel *m, const double *ct,
				   const double *raw, double *z, double *dist)
{
	int			j;

	/* a row impute = drop leaves out does not count */
	if (!ccseg_model_transform_row(m, raw, z, "the model"))
		return false;
	for (j = 0; j < m->d; j++)
		if (fabs(z[j]) > 1e150)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("feature \"%s\" has values too large to compute distances with",
							m->features[j]),
					 errdetail("A scaled value exceeds 1e150, so squared distances would overflow."),
					 errhint("Use scale => 'standard', or divide the column by a power of ten in a view.")));
	cc_pass_add(p, z, ct, dist);
	return true;
}

/*
 * Combine: merge the second state into the first (in place); both come
 * checked, since either may come from a state's text form.
 */
Datum
ccseg_lloyd_pass_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = ccseg_agg_context(fcinfo, "_ccseg_lloyd_pass_combine");
	PassStateData *a;
	PassStateData *b;
	CcPass		pa,
				pb;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		/* a checked copy of b in the aggregate's context becomes the state */
		b = lloyd_state_checked(PG_GETARG_DATUM(1), &pb, true, cxt);
		PG_RETURN_POINTER(b);
	}
	a = lloyd_state_checked(PG_GETARG_DATUM(0), &pa, false, cxt);
	b = lloyd_state_checked(PG_GETARG_DATUM(1), &pb, false, CurrentMemoryContext);
	if (a->k != b->k || a->d != b->d || a->model_hash != b->model_hash)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge Lloyd passes of different models")));
	cc_pass_merge(&pa, &pb);
	a->rows = pa.rows;
	PG_RETURN_POINTER(a);
}

/* Final: the pass in its flat form (the bytes ccseg_pass_read reads). */
Datum
ccseg_lloyd_pass_final(PG_FUNCTION_ARGS)
{
	CcPass		p;

	(void) ccseg_agg_context(fcinfo, "_ccseg_lloyd_pass_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	lloyd_state_checked(PG_GETARG_DATUM(0), &p, false, CurrentMemoryContext);
	PG_RETURN_BYTEA_P(pass_bytes(&p));
}
