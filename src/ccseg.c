/*
 * ccseg.c
 *		Module entry point and small adapters between PostgreSQL and the core.
 */
#include "ccseg.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

PG_MODULE_MAGIC;

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
