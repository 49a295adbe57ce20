/*
 * lloyd_pass.c
 *		_ccseg_lloyd_pass(model ccseg_model, VARIADIC "any"): one Lloyd pass
 *		of a model's centroids over the rows aggregated, as mergeable
 *		statistics (core pass.h), so that PostgreSQL can split a full-data
 *		pass between parallel workers.  A sampled training runs it once per
 *		pass over its relation (refine.c).
 *
 * The values after the model are the row's features in the model's order,
 * of any numeric type; they are imputed and scaled as the model says, then
 * counted towards their nearest centroid.  The result is the pass's flat
 * form (bytea).  The sums are exact (order-independent), so a parallel plan
 * gives the same bytes as a serial one.
 */
#include "postgres.h"

#include <math.h>

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
	if (!cc_model_transform(&st->model, st->raw, st->z))
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
