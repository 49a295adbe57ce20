/*
 * ccseg.c
 *		Module entry point and small adapters between PostgreSQL and the core.
 */
#include "postgres.h"

#include <math.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "ccseg.h"

#include "defaults.h"
#include "kmeans.h"

PG_MODULE_MAGIC;

/*
 * The resource settings: each user setting has a superuser-only ceiling, and
 * the value in force is the lower of the two (ccseg_threads_in_force(),
 * ccseg_max_train_memory_in_force()); nothing else reads these variables.
 */

/* ccseg.threads: k-means restarts run in up to this many threads */
static int	ccseg_threads = 1;

/* ccseg.restart_rows: restarts of larger matrices run on a sample this big */
static int	ccseg_restart_rows = CC_DEFAULT_RESTART_ROWS;

/* ccseg.threads_limit: the most threads ccseg.threads puts in force */
static int	ccseg_threads_limit = CCSEG_MAX_THREADS;

/*
 * ccseg.max_train_memory, in kB: above it training works on a sample, and the
 * work that needs every row (describe, profile, silhouette, ...) refuses
 */
static int	ccseg_max_train_memory = 1024 * 1024;

/* ccseg.max_train_memory_limit, in kB: the most ccseg.max_train_memory puts in force */
static int	ccseg_max_train_memory_limit = INT_MAX;

/* ccseg.min_segment_rows: segments with fewer training rows are flagged as small */
static int	ccseg_min_segment_rows = 10;

void		_PG_init(void);

/*
 * A value set by SET, SET LOCAL, set_config() or a function's SET clause:
 * such a value above its limit is refused.  Values from lower-priority
 * sources (the configuration file, ALTER ROLE/DATABASE ... SET, the
 * connection's options) are accepted, so that they never stop the server or
 * a session from starting, and are clamped where they are used.  So are a
 * value only tested for later use (PGC_S_TEST: ALTER ROLE ... SET, CREATE
 * FUNCTION ... SET before the body is checked) and the leader's values that
 * a parallel worker takes over (the leader checked them).
 */
static bool
interactive_source(GucSource source)
{
	return source >= PGC_S_INTERACTIVE && source != PGC_S_TEST &&
		!InitializingParallelWorker;
}

/* Check hook of ccseg.threads: not above ccseg.threads_limit when set by hand. */
static bool
check_threads(int *newval, void **extra, GucSource source)
{
	if (interactive_source(source) && *newval > ccseg_threads_limit)
	{
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("ccseg.threads cannot be set above ccseg.threads_limit");
		GUC_check_errdetail("ccseg.threads_limit is %d.", ccseg_threads_limit);
		GUC_check_errhint("A superuser sets ccseg.threads_limit.");
		return false;
	}
	return true;
}

/* Check hook of ccseg.max_train_memory: not above its limit when set by hand. */
static bool
check_max_train_memory(int *newval, void **extra, GucSource source)
{
	if (interactive_source(source) && *newval > ccseg_max_train_memory_limit)
	{
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("ccseg.max_train_memory cannot be set above ccseg.max_train_memory_limit");
		GUC_check_errdetail("ccseg.max_train_memory_limit is %s.",
							ccseg_memory_text(ccseg_max_train_memory_limit));
		GUC_check_errhint("A superuser sets ccseg.max_train_memory_limit.");
		return false;
	}
	return true;
}

/*
 * Module load: define the settings, each limit before the setting it bounds,
 * so that a value set before the module loaded is checked against it.
 */
void
_PG_init(void)
{
	long		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int			boot = (int) Max(1, Min(cpus, 8));

	DefineCustomIntVariable("ccseg.threads_limit",
							"Most threads ccseg.threads puts in force.",
							"A larger ccseg.threads is refused when set with SET, and otherwise lowered to this limit.",
							&ccseg_threads_limit,
							CCSEG_MAX_THREADS, 1, CCSEG_MAX_THREADS,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ccseg.threads",
							"Threads that run k-means restarts in parallel.",
							"Each thread holds its own working copy of the per-row state (about (k + 6) x 8 bytes per training row); 1 runs everything in the backend process itself. At most ccseg.threads_limit are in force.",
							&ccseg_threads,
							boot, 1, CCSEG_MAX_THREADS,
							PGC_USERSET, 0,
							check_threads, NULL, NULL);
	DefineCustomIntVariable("ccseg.max_train_memory_limit",
							"Most memory ccseg.max_train_memory puts in force.",
							"A larger ccseg.max_train_memory is refused when set with SET, and otherwise lowered to this limit.",
							&ccseg_max_train_memory_limit,
							INT_MAX, 64, INT_MAX,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ccseg.max_train_memory",
							"Memory for the rows a training holds; above it, a sample.",
							"When the rows of a training would need more, k-means runs on a uniform sample that fits, and full passes over every row then refine the centroids. Describe, correlation, histogram, profile and silhouette refuse a relation whose rows need more. At most ccseg.max_train_memory_limit is in force.",
							&ccseg_max_train_memory,
							1024 * 1024, 64, INT_MAX,
							PGC_USERSET, GUC_UNIT_KB,
							check_max_train_memory, NULL, NULL);
	DefineCustomIntVariable("ccseg.restart_rows",
							"Rows of the sample on which the k-means restarts of a larger training run.",
							"With more training rows than this and n_init > 1, every restart runs on the same seeded uniform sample of this many rows, and the best of them then runs on every row to convergence. 0 runs every restart on every row.",
							&ccseg_restart_rows,
							CC_DEFAULT_RESTART_ROWS, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ccseg.min_segment_rows",
							"Segments with fewer training rows are flagged as small.",
							"ccseg_segments flags them and ccseg_grant_read warns about them: the centroid of a small segment may be close to individual customers' values, which every reader of the model sees.",
							&ccseg_min_segment_rows,
							10, 1, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("ccseg");
}

/* The number of threads in force: ccseg.threads, at most ccseg.threads_limit. */
int
ccseg_threads_in_force(void)
{
	return Min(ccseg_threads, ccseg_threads_limit);
}

/*
 * The memory for a training's rows in force, in kB: ccseg.max_train_memory,
 * at most ccseg.max_train_memory_limit.
 */
int
ccseg_max_train_memory_in_force(void)
{
	return Min(ccseg_max_train_memory, ccseg_max_train_memory_limit);
}

/* Whether ccseg.max_train_memory_limit, not ccseg.max_train_memory, is in force. */
bool
ccseg_max_train_memory_limited(void)
{
	return ccseg_max_train_memory_limit < ccseg_max_train_memory;
}

/* A size in kB as SHOW displays it: in the largest unit that divides it. */
char *
ccseg_memory_text(int kb)
{
	if (kb % (1024 * 1024 * 1024) == 0)
		return psprintf("%dTB", kb / (1024 * 1024 * 1024));
	if (kb % (1024 * 1024) == 0)
		return psprintf("%dGB", kb / (1024 * 1024));
	if (kb % 1024 == 0)
		return psprintf("%dMB", kb / 1024);
	return psprintf("%dkB", kb);
}

/* The memory in force (ccseg_max_train_memory_in_force()), in bytes. */
double
ccseg_memory_budget(void)
{
	return (double) ccseg_max_train_memory_in_force() * 1024.0;
}

/* A size in bytes for a message, rounded up: "3MB", "120kB". */
char *
ccseg_bytes_text(double bytes)
{
	double		kb = ceil(bytes / 1024.0);

	if (kb < 10.0 * 1024.0)
		return psprintf("%.0fkB", kb);
	if (kb < 10.0 * 1024.0 * 1024.0)
		return psprintf("%.0fMB", ceil(kb / 1024.0));
	return psprintf("%.0fGB", ceil(kb / (1024.0 * 1024.0)));
}

/*
 * The memory in force and the setting it comes from, for the DETAIL of an
 * error for want of memory: "64kB (ccseg.max_train_memory)".
 */
char *
ccseg_memory_in_force_text(void)
{
	char	   *size = ccseg_memory_text(ccseg_max_train_memory_in_force());

	if (ccseg_max_train_memory_limited())
		return psprintf("%s (ccseg.max_train_memory_limit, lower than ccseg.max_train_memory)",
						size);
	return psprintf("%s (ccseg.max_train_memory)", size);
}

/*
 * The HINT of an error for want of memory, inside ereport(): raise the
 * setting in force, or do what instead says.
 */
int
ccseg_errhint_memory(const char *instead)
{
	if (ccseg_max_train_memory_limited())
		return errhint("A superuser can raise ccseg.max_train_memory_limit, or %s.",
					   instead);
	return errhint("Raise ccseg.max_train_memory, or %s.", instead);
}

static void *
context_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size ? size : 1);
}

static void
context_release(void *ctx, void *ptr)
{
	pfree(ptr);
}

/* The memory context of the aggregate calling fn; an error outside one. */
MemoryContext
ccseg_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return cxt;
}

/* Make an allocator that places core allocations in cxt. */
void
ccseg_allocator_init(CcAllocator *a, MemoryContext cxt)
{
	a->alloc = context_alloc;
	a->release = context_release;
	a->ctx = cxt;
}

/* Core callback: honour query cancel and statement_timeout. */
void
ccseg_check_interrupts(void *arg)
{
	CHECK_FOR_INTERRUPTS();
}

/* Core poll while threads run: is the query being cancelled or the backend ending? */
bool
ccseg_stop_requested(void *arg)
{
	return QueryCancelPending || ProcDiePending;
}

/* Threads stopped for an interrupt: raise it (or say so if it went away). */
void
ccseg_interrupted(const char *what)
{
	CHECK_FOR_INTERRUPTS();
	ereport(ERROR,
			(errcode(ERRCODE_QUERY_CANCELED),
			 errmsg("%s was interrupted", what)));
}

/* Run k-means with the threads in force; errors out if it was interrupted. */
void
ccseg_kmeans(const double *x, size_t n, int d, CcKmeansParams *kp,
			 CcKmeansResult *kr, const CcAllocator *alloc)
{
	kp->threads = ccseg_threads_in_force();
	kp->restart_rows = (size_t) ccseg_restart_rows;
	kp->stop = ccseg_stop_requested;
	cc_kmeans(x, n, d, kp, kr, alloc);
	if (kr->stopped)
		ccseg_interrupted("k-means");
}

/*
 * A name given by the user, for a message: whole up to NAMEDATALEN - 1
 * bytes (the longest name of a model, column or relation), else its first
 * 60 bytes, cut at a character boundary, and "...".
 */
const char *
ccseg_name_for_message(const char *name)
{
	int			len = strlen(name);

	if (len < NAMEDATALEN)
		return name;
	return psprintf("%.*s...", pg_mbcliplen(name, len, 60), name);
}

/* Fetch a text argument as a C string, with an error naming it when NULL. */
char *
ccseg_text_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* Schema of the installed ccseg extension (PostgreSQL 15 has no helper for it). */
Oid
ccseg_extension_schema(void)
{
	Oid			ext = get_extension_oid("ccseg", true);
	Oid			schema = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	if (!OidIsValid(ext))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"ccseg\" is not installed in this database")));
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		schema = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(schema))
		elog(ERROR, "could not find the schema of extension \"ccseg\"");
	return schema;
}

/* Build a one-dimensional float8[] from n doubles. */
ArrayType *
ccseg_float8_array(const double *values, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = Float8GetDatum(values[i]);
	return construct_array(elems, n, FLOAT8OID, sizeof(float8),
						   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* Build a two-dimensional rows x cols float8[] from a row-major matrix. */
ArrayType *
ccseg_float8_matrix(const double *values, int rows, int cols)
{
	Datum	   *elems = palloc(sizeof(Datum) * (size_t) rows * cols);
	int			dims[2] = {rows, cols};
	int			lbs[2] = {1, 1};
	size_t		i;

	for (i = 0; i < (size_t) rows * cols; i++)
		elems[i] = Float8GetDatum(values[i]);
	return construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID,
							  sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}
