/*
 * sample.c
 *		Which rows training reads: all of them when they fit, else a sample
 *		chosen by a seeded hash of each row's feature values, drawn where the
 *		rows are (on the workers of a Citus distributed table).
 *
 * The sample is the max_rows rows with the smallest keys, where a row's key
 * is a 63-bit hash of the seed and of its feature values as float8 (a null
 * as one fixed NaN).  It depends neither on the physical order of the rows
 * nor on how they are split between shards, so a distributed table and a
 * local copy of it give the same sample, in the same order (by key), and so
 * the same model.  The relation is counted first; a query then returns only
 * the rows whose key is below a threshold chosen to keep a little more than
 * max_rows of them (each shard filters its own rows), and this backend keeps
 * the max_rows smallest in a heap, so memory stays within the sample.
 *
 * A Citus distributed table of more than CCSEG_DISTRIBUTED_SAMPLE_ROWS rows
 * is sampled even when all its rows would fit in ccseg.max_train_memory:
 * reading them all would pull every row to the coordinator, where the
 * sample and Lloyd passes on the workers (refine.c, lloyd_pass.c) move only
 * the sample and O(k x d) numbers per shard and pass.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "parallel_read.h"
#include "reader.h"
#include "sample.h"

PG_FUNCTION_INFO_V1(ccseg_sample_key);

/* the bits that stand for a null value in a row's key */
#define NULL_BITS	UINT64CONST(0x7ff8dead0000beef)

/*
 * The sample key of a row of d values (NaN for null): a 63-bit hash of the
 * seed and of the values' bits.
 */
static int64
row_key(uint64 seed, const double *v, const bool *isnull, int d)
{
	uint64		buf[64] = {0};
	uint64	   *b = d <= 64 ? buf : palloc(sizeof(uint64) * d);
	uint64		h;
	int			j;

	for (j = 0; j < d; j++)
	{
		if (isnull[j])
			b[j] = NULL_BITS;
		else
			memcpy(&b[j], &v[j], sizeof(uint64));
	}
	h = DatumGetUInt64(hash_any_extended((const unsigned char *) b,
										 (int) (sizeof(uint64) * d), seed));
	if (b != buf)
		pfree(b);
	return (int64) (h >> 1);
}

/*
 * _ccseg_sample_key(seed bigint, features float8[]): the key by which
 * training chooses its sample; what each shard filters its rows with.
 */
Datum
ccseg_sample_key(PG_FUNCTION_ARGS)
{
	int64		seed = PG_GETARG_INT64(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	double	   *v;
	int			n,
				j;
	int64		key;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature values must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	v = palloc(sizeof(double) * Max(n, 1));
	for (j = 0; j < n; j++)
		v[j] = nulls[j] ? NAN : DatumGetFloat8(elems[j]);
	key = row_key((uint64) seed, v, nulls, n);
	PG_RETURN_INT64(key);
}

/*
 * Whether relid is a Citus table whose rows are split between nodes (hash,
 * range or append distributed): not a reference table, a Citus local table
 * or a plain one.
 */
bool
ccseg_citus_distributed(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	bool		result = false;

	if (!OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(relid);
	if (SPI_execute_with_args("SELECT 1 FROM pg_catalog.pg_dist_partition "
							  "WHERE logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass "
							  "AND partmethod OPERATOR(pg_catalog.<>) 'n'",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_dist_partition");
	result = SPI_processed > 0;
	SPI_finish();
	return result;
}

/* The number of rows of relid. */
static uint64
count_rows(Oid relid)
{
	uint64		n;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s",
							 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
														get_rel_name(relid))),
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count the rows of relation \"%s\"", get_rel_name(relid));
	n = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
											 1, &isnull));
	SPI_finish();
	return n;
}

#define SLOT_DONE	SIZE_MAX

/* A kept row: its key, then its values (NaN for null) in a separate array. */
typedef struct SampleHeap
{
	int			d;
	size_t		n;				/* rows held */
	size_t		cap;			/* max_rows */
	int64	   *key;			/* n */
	double	   *x;				/* n x d */
	size_t	   *slot;			/* heap order: indexes into key and x */
} SampleHeap;

/* Whether row a sorts after row b: by key, then by the values' bits. */
static bool
row_after(const SampleHeap *h, size_t a, size_t b)
{
	if (h->key[a] != h->key[b])
		return h->key[a] > h->key[b];
	return memcmp(h->x + a * h->d, h->x + b * h->d, sizeof(double) * h->d) > 0;
}

static void
sift_down(SampleHeap *h, size_t i, size_t n)
{
	for (;;)
	{
		size_t		l = 2 * i + 1,
					r = l + 1,
					top = i,
					t;

		if (l < n && row_after(h, h->slot[l], h->slot[top]))
			top = l;
		if (r < n && row_after(h, h->slot[r], h->slot[top]))
			top = r;
		if (top == i)
			return;
		t = h->slot[i];
		h->slot[i] = h->slot[top];
		h->slot[top] = t;
		i = top;
	}
}

static void
sift_up(SampleHeap *h, size_t i)
{
	while (i > 0)
	{
		size_t		parent = (i - 1) / 2,
					t;

		if (!row_after(h, h->slot[i], h->slot[parent]))
			return;
		t = h->slot[i];
		h->slot[i] = h->slot[parent];
		h->slot[parent] = t;
		i = parent;
	}
}

/* Offer one row (values in row, NaN for null) to the heap of the smallest. */
static void
heap_offer(SampleHeap *h, int64 key, const double *row)
{
	size_t		s;

	if (h->n < h->cap)
	{
		s = h->n;
		h->key[s] = key;
		memcpy(h->x + s * h->d, row, sizeof(double) * h->d);
		h->slot[h->n] = s;
		h->n++;
		sift_up(h, h->n - 1);
		return;
	}
	/* full: replace the largest if this row sorts before it */
	s = h->slot[0];
	if (key > h->key[s] ||
		(key == h->key[s] && memcmp(row, h->x + s * h->d, sizeof(double) * h->d) >= 0))
		return;
	h->key[s] = key;
	memcpy(h->x + s * h->d, row, sizeof(double) * h->d);
	sift_down(h, 0, h->n);
}

/*
 * The query returning the features (as float8[]) of the rows whose key is
 * below $2, for seed $1.
 */
static char *
sample_query(Oid relid, const CcsegFeatures *f)
{
	StringInfoData a;
	char	   *schema = get_namespace_name(ccseg_extension_schema());
	int			j;

	initStringInfo(&a);
	appendStringInfoString(&a, "ARRAY[");
	/* the casts give the values ccseg_datum_to_double gives, bit for bit */
	for (j = 0; j < f->d; j++)
		appendStringInfo(&a, "%s%s::pg_catalog.float8", j > 0 ? ", " : "",
						 quote_identifier(f->names[j]));
	appendStringInfoString(&a, "]");
	return psprintf("SELECT %s FROM %s WHERE %s($1, %s) OPERATOR(pg_catalog.<) $2",
					a.data,
					quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											   get_rel_name(relid)),
					quote_qualified_identifier(schema, "_ccseg_sample_key"),
					a.data);
}

/* A pass of the sample read by parallel workers (parallel_read.c). */
typedef struct SampleRead
{
	Oid			relid;
	const CcsegFeatures *f;
	uint64		seed;
	int64		threshold;
	SampleHeap *h;
	bool	   *isnull;			/* d */
	uint64		got;			/* rows below the threshold */
} SampleRead;

/* The error for a NaN or an infinite value in column j, as both paths give it. */
static void
sample_bad_value(Oid relid, const CcsegFeatures *f, int j)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("column \"%s\" of relation \"%s\" contains NaN or infinity",
					f->names[j], get_rel_name(relid)),
			 errhint("Set such values to NULL to have them imputed, or leave those rows out with a view.")));
}

/* parallel_read.c's row function: the row's key, and the heap if below */
static bool
sample_scan_row(void *arg, const double *row)
{
	SampleRead *s = arg;
	int			d = s->f->d;
	int64		key;
	int			j;

	/* the reader gives a null as NaN, and never a NaN of the table's own */
	for (j = 0; j < d; j++)
		s->isnull[j] = isnan(row[j]);
	key = row_key(s->seed, row, s->isnull, d);
	if (key < s->threshold)
	{
		heap_offer(s->h, key, row);
		s->got++;
	}
	return true;
}

static void
sample_scan_bad(void *arg, int column)
{
	SampleRead *s = arg;

	sample_bad_value(s->relid, s->f, column);
}

/*
 * Keep in h the rows with the smallest keys among those whose key is below
 * threshold; returns how many rows are below it.  A plain table is read by
 * parallel workers when it can be (the keys, and so the sample, do not
 * depend on the order in which the rows come); otherwise the query filters
 * the rows, on the Citus workers for a distributed table.
 */
static uint64
sample_pass(Oid relid, const CcsegFeatures *f, const char *query, uint64 seed,
			int64 threshold, SampleHeap *h)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		args[2];
	SPIPlanPtr	plan;
	Portal		portal;
	uint64		got = 0;
	int			d = f->d;
	double	   *row = palloc(sizeof(double) * d);
	bool	   *isnull = palloc(sizeof(bool) * d);
	SampleRead	scan;

	h->n = 0;
	scan.relid = relid;
	scan.f = f;
	scan.seed = seed;
	scan.threshold = threshold;
	scan.h = h;
	scan.isnull = isnull;
	scan.got = 0;
	if (!ccseg_citus_distributed(relid) &&
		ccseg_parallel_read(relid, f, NULL, sample_scan_row, sample_scan_bad,
							&scan) == CCSEG_PR_READ)
	{
		pfree(row);
		pfree(isnull);
		return scan.got;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query,
			 SPI_result_code_string(SPI_result));
	args[0] = Int64GetDatum((int64) seed);
	args[1] = Int64GetDatum(threshold);
	portal = SPI_cursor_open(NULL, plan, args, NULL, true);
	for (;;)
	{
		uint64		i;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			bool		anull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
											  1, &anull);
			ArrayType  *arr;
			Datum	   *elems;
			bool	   *nulls;
			int			n,
						j;

			if (anull)
				elog(ERROR, "sample query returned a null row");
			arr = DatumGetArrayTypeP(value);
			deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
							  TYPALIGN_DOUBLE, &elems, &nulls, &n);
			if (n != d)
				elog(ERROR, "sample query returned %d values for %d features", n, d);
			for (j = 0; j < d; j++)
			{
				isnull[j] = nulls[j];
				row[j] = nulls[j] ? NAN : DatumGetFloat8(elems[j]);
				if (!nulls[j] && !isfinite(row[j]))
					sample_bad_value(relid, f, j);
			}
			heap_offer(h, row_key(seed, row, isnull, d), row);
			pfree(elems);
			pfree(nulls);
			if ((Pointer) arr != DatumGetPointer(value))
				pfree(arr);
			got++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	pfree(row);
	pfree(isnull);
	return got;
}

/* A kept row's key and slot, to sort the sample by. */
typedef struct SampleOrder
{
	int64		key;
	size_t		slot;
} SampleOrder;

/* qsort_arg's comparison: by key, then by the values' bits (row_after) */
static int
sample_order_cmp(const void *a, const void *b, void *arg)
{
	const SampleOrder *ra = a;
	const SampleOrder *rb = b;
	const SampleHeap *h = arg;

	if (ra->key != rb->key)
		return ra->key < rb->key ? -1 : 1;
	return memcmp(h->x + ra->slot * h->d, h->x + rb->slot * h->d,
				  sizeof(double) * h->d);
}

/*
 * The hashed sample of max_rows of the total rows of relid, as a row-major
 * matrix in cxt (NaN for null), in key order.
 */
static double *
read_hashed_sample(Oid relid, const CcsegFeatures *f, size_t max_rows,
				   uint64 total, uint64 seed, MemoryContext cxt, size_t *n_out)
{
	SampleHeap	h;
	char	   *query = sample_query(relid, f);
	double		share;
	double	   *x;
	double	   *tmp;
	SampleOrder *order;
	size_t		i;

	h.d = f->d;
	h.cap = max_rows;
	h.n = 0;
	h.key = MemoryContextAllocHuge(cxt, sizeof(int64) * max_rows);
	h.x = MemoryContextAllocHuge(cxt, sizeof(double) * max_rows * f->d);
	h.slot = MemoryContextAllocHuge(cxt, sizeof(size_t) * max_rows);

	/*
	 * A share of the key range that holds a little more than max_rows rows
	 * (about ten standard deviations more), so that one query almost always
	 * does; if rows went missing since the count, the share doubles.
	 */
	share = ((double) max_rows * 1.02 + 10.0 * sqrt((double) max_rows) + 100.0) /
		(double) Max(total, 1);
	for (;;)
	{
		int64		threshold = share >= 1.0 ? PG_INT64_MAX :
			(int64) ldexp(share, 63);
		uint64		got = sample_pass(relid, f, query, seed, threshold, &h);

		if (h.n == max_rows || share >= 1.0)
			break;
		(void) got;
		share *= 2.0;
	}

	/*
	 * In key order, so that the sample's row order depends only on its
	 * rows: a sort of (key, slot) pairs side by side in memory, much faster
	 * than taking the heap apart, whose every step jumps through the slots.
	 */
	order = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(SampleOrder) * Max(h.n, 1));
	for (i = 0; i < h.n; i++)
	{
		order[i].key = h.key[i];
		order[i].slot = i;
	}
	qsort_arg(order, h.n, sizeof(SampleOrder), sample_order_cmp, &h);
	for (i = 0; i < h.n; i++)
		h.slot[i] = order[i].slot;
	pfree(order);
	/*
	 * Put row slot[i] at position i, in place (following the permutation's
	 * cycles), so that memory never holds two copies of the sample.
	 */
	x = h.x;
	tmp = palloc(sizeof(double) * f->d);
	for (i = 0; i < h.n; i++)
	{
		size_t		j = i;

		if (h.slot[i] == SLOT_DONE)
			continue;
		memcpy(tmp, x + i * f->d, sizeof(double) * f->d);
		for (;;)
		{
			size_t		from = h.slot[j];

			h.slot[j] = SLOT_DONE;
			if (from == i)
			{
				memcpy(x + j * f->d, tmp, sizeof(double) * f->d);
				break;
			}
			memcpy(x + j * f->d, x + from * f->d, sizeof(double) * f->d);
			j = from;
		}
	}
	pfree(tmp);
	pfree(h.key);
	pfree(h.slot);
	*n_out = h.n;
	return x;
}

/* Read the rows training works on; see sample.h. */
double *
ccseg_read_training_rows(Oid relid, const CcsegFeatures *f, const char *order_by,
						 size_t max_rows, uint64 seed, MemoryContext cxt,
						 size_t *n_out, size_t *total, bool *distributed)
{
	uint64		rows = count_rows(relid);
	size_t		sample_rows = max_rows;

	*distributed = ccseg_citus_distributed(relid);
	if (*distributed && sample_rows > CCSEG_DISTRIBUTED_SAMPLE_ROWS)
		sample_rows = CCSEG_DISTRIBUTED_SAMPLE_ROWS;
	if (rows <= sample_rows)
	{
		/* every row (the reservoir only matters if rows arrived since the count) */
		return ccseg_read_matrix_sample(relid, f, order_by, max_rows, seed, cxt,
										n_out, total);
	}
	*total = (size_t) rows;
	return read_hashed_sample(relid, f, sample_rows, rows, seed, cxt, n_out);
}
