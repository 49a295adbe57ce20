/*
 * refine.c
 *		Lloyd passes over every row of a relation, for a model whose k-means
 *		ran on a sample of it because all rows would not fit in
 *		ccseg.max_train_memory.  Rows are imputed and scaled exactly as the
 *		sample was, and memory stays bounded whatever the size of the
 *		relation.
 *
 * Each pass is one query, SELECT _ccseg_lloyd_pass(model, ARRAY[features])
 * FROM relation: the aggregate (lloyd_pass.c) keeps order-independent statistics,
 * so PostgreSQL may run the pass with parallel workers (as for any query:
 * max_parallel_workers_per_gather, the table's size) and the result is the
 * same, bit for bit; on a Citus distributed table Citus runs it on every
 * shard and combines the shards' states.  A plain table that parallel
 * workers may read is passed over by the workers and the backend directly
 * (parallel_read.c), with the aggregate's steps per row and without its
 * arrays and function calls: the same result again.  Models too wide for the aggregate's statistics
 * (k * (d + 1) above CC_PASS_MAX_CELLS) take a serial pass instead, reading
 * the rows in id order batch by batch.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "ccseg.h"
#include "modeltype.h"
#include "parallel_read.h"
#include "prepare.h"
#include "reader.h"
#include "refine.h"
#include "sample.h"

#include "kmeans.h"
#include "model.h"
#include "pass.h"
#include "preprocess.h"

#define REFINE_BATCH_ROWS 4096

/* per-cluster statistics of one pass */
typedef struct RefinePass
{
	double	   *sums;			/* k x d */
	int64_t    *counts;			/* k */
	double	   *sse;			/* k */
	size_t		rows;			/* rows kept (after impute = drop) */
} RefinePass;

/* The query of one pass: the aggregate over p's features, in model order. */
static char *
pass_query(const CcsegPrepared *p)
{
	StringInfoData q;
	char	   *schema = get_namespace_name(ccseg_extension_schema());
	int			j;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s($1, ARRAY[",
					 quote_qualified_identifier(schema, "_ccseg_lloyd_pass"));
	/* the casts give the values ccseg_datum_to_double gives, bit for bit */
	for (j = 0; j < p->f.d; j++)
		appendStringInfo(&q, "%s%s::pg_catalog.float8", j > 0 ? ", " : "",
						 quote_identifier(p->f.names[j]));
	appendStringInfo(&q, "]) FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(p->relid)),
												get_rel_name(p->relid)));
	return q.data;
}

/* Whether _ccseg_lloyd_pass(ccseg_model, float8[]) is installed. */
static bool
pass_aggregate_exists(Oid model_type)
{
	Oid			argtypes[2] = {model_type, FLOAT8ARRAYOID};
	List	   *name = list_make2(makeString(get_namespace_name(ccseg_extension_schema())),
								  makeString("_ccseg_lloyd_pass"));

	return OidIsValid(LookupFuncName(name, 2, argtypes, true));
}

/* A model value carrying p's preprocessing and the given centroids. */
static Datum
pass_model(const CcsegPrepared *p, const double *centroids, int k)
{
	CcModel		m;
	CcAllocator alloc;

	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	cc_model_alloc(&m, k, p->f.d, &alloc);
	ccseg_prepared_to_model(p, &m);
	memcpy(m.centroids, centroids, sizeof(double) * k * p->f.d);
	/* no statistics yet: the pass is what measures them */
	memset(m.sizes, 0, sizeof(int64_t) * k);
	memset(m.sse, 0, sizeof(double) * k);
	m.rows = 0;
	m.inertia = 0.0;
	return ccseg_model_datum(&m);
}

/*
 * One pass as a query (parallel when PostgreSQL plans it so); on a plain
 * table that parallel workers may read, the workers and this backend run it
 * themselves (parallel_read.c), with the same result.
 */
static void
refine_pass_query(const CcsegPrepared *p, const char *query, Oid model_type,
				  const double *centroids, int k, bool direct, RefinePass *out)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg pass",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Datum		args[1];
	bool		isnull;
	Datum		result;
	CcPass		pass;

	args[0] = pass_model(p, centroids, k);
	if (direct &&
		ccseg_parallel_pass(p->relid, &p->f, (struct varlena *) DatumGetPointer(args[0]),
							&pass))
	{
		cc_pass_result(&pass, out->sums, out->counts, out->sse);
		out->rows = (size_t) pass.rows;
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		return;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, 1, &model_type, args, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not run a Lloyd pass over relation \"%s\"", p->relname);
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
	{
		/* no rows (the relation emptied since the sample was read) */
		memset(out->sums, 0, sizeof(double) * k * p->f.d);
		memset(out->counts, 0, sizeof(int64_t) * k);
		memset(out->sse, 0, sizeof(double) * k);
		out->rows = 0;
	}
	else
	{
		ccseg_pass_read(DatumGetByteaPP(result), &pass, cxt);
		if (pass.k != k || pass.d != p->f.d)
			elog(ERROR, "Lloyd pass of unexpected shape");
		cc_pass_result(&pass, out->sums, out->counts, out->sse);
		out->rows = (size_t) pass.rows;
	}
	SPI_finish();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/* One pass over every row in id order, batch by batch (wide models). */
static void
refine_pass(const CcsegPrepared *p, const double *centroids, int k,
			double *batch, RefinePass *out)
{
	int			d = p->f.d;
	CcsegScan	scan;
	size_t		got;

	memset(out->sums, 0, sizeof(double) * k * d);
	memset(out->counts, 0, sizeof(int64_t) * k);
	memset(out->sse, 0, sizeof(double) * k);
	out->rows = 0;
	ccseg_scan_begin(&scan, p->relid, &p->f, p->order_by);
	while ((got = ccseg_scan_next(&scan, batch, REFINE_BATCH_ROWS)) > 0)
	{
		size_t		kept = cc_impute_apply(batch, got, d, p->impute,
										   p->impute_values);

		if (p->transform != NULL)
			ccseg_transform_rows(p, batch, kept);
		cc_scale_apply(batch, kept, d, p->center, p->scale_values);
		ccseg_weight_rows(p, batch, kept);
		ccseg_check_scaled(p, batch, kept);
		cc_kmeans_accumulate(batch, kept, d, centroids, k, out->sums,
							 out->counts, out->sse, NULL);
		out->rows += kept;
	}
	ccseg_scan_end(&scan);
}

/* Refine the centroids of kr over every row of p's relation; see refine.h. */
void
ccseg_refine_full(const CcsegPrepared *p, CcKmeansResult *kr, int k,
				  double tol, double gain_tol, int max_iter, size_t *rows,
				  int *passes_run)
{
	int			d = p->f.d;
	bool		use_query = (int64) k * ((int64) d + 1) <= CC_PASS_MAX_CELLS;
	double	   *batch = NULL;
	char	   *query = NULL;
	Oid			model_type = InvalidOid;
	RefinePass	pass;
	int			passes = 0;
	int			queries = 0;
	bool		done = (max_iter <= 0);
	double	   *before = palloc(sizeof(double) * k * d);
	double		last_inertia = INFINITY;
	bool		direct = false;

	if (use_query)
	{
		model_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									 CStringGetDatum("ccseg_model"),
									 ObjectIdGetDatum(ccseg_extension_schema()));
		if (!OidIsValid(model_type))
			elog(ERROR, "type ccseg_model not found in the extension's schema");
		/* an install still on the SQL objects of an older version lacks it */
		use_query = pass_aggregate_exists(model_type);
	}
	if (use_query)
	{
		query = pass_query(p);
		/* a Citus table's rows are on its workers: the query reaches them */
		direct = !ccseg_citus_distributed(p->relid);
	}
	else
		batch = palloc(sizeof(double) * REFINE_BATCH_ROWS * d);

	pass.sums = palloc(sizeof(double) * k * d);
	pass.counts = palloc(sizeof(int64_t) * k);
	pass.sse = palloc(sizeof(double) * k);
	kr->converged = false;

	/* each pass measures the current centroids; the last one is kept */
	for (;;)
	{
		double		shift;
		double		inertia = 0.0;
		int			c;

		if (use_query)
			refine_pass_query(p, query, model_type, kr->centroids, k, direct,
							  &pass);
		else
			refine_pass(p, kr->centroids, k, batch, &pass);
		queries++;
		for (c = 0; c < k; c++)
			inertia += pass.sse[c];

		/*
		 * A pass that lowered the inertia over every row by at most gain_tol
		 * of it: the centroids it measured are kept, as further passes would
		 * move them by about as little.  k-means on a sample of a few
		 * hundred thousand rows or more leaves the passes little to gain
		 * (on 3 M of 10 M generated customers, the passes after the second
		 * lower the inertia by 0.002% together).
		 */
		if (gain_tol > 0.0 && last_inertia - inertia <= gain_tol * inertia)
		{
			kr->converged = true;
			break;
		}
		last_inertia = inertia;
		if (done)
			break;
		memcpy(before, kr->centroids, sizeof(double) * k * d);
		shift = cc_kmeans_lloyd_update(kr->centroids, k, d, pass.sums,
									   pass.counts);
		passes++;
		if (shift <= tol)
			kr->converged = true;
		/*
		 * Centroids that kept every bit: the pass just run measured them
		 * already, and another one would give the same bytes.
		 */
		if (memcmp(before, kr->centroids, sizeof(double) * k * d) == 0)
		{
			kr->converged = true;
			break;
		}
		done = kr->converged || passes >= max_iter;
	}

	cc_kmeans_take_pass(kr, k, pass.counts, pass.sse);
	kr->iterations += passes;
	*rows = pass.rows;
	if (passes_run)
		*passes_run = queries;
	pfree(before);
	if (batch)
		pfree(batch);
	pfree(pass.sums);
	pfree(pass.counts);
	pfree(pass.sse);
}
