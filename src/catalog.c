/*
 * catalog.c
 *		Find the current version of a stored model and parse it, reading the
 *		catalog once per call and the model value only when this backend has
 *		not seen that version before.
 *
 * Which version is current is the install script's business: the lookup
 * asks _ccseg_model_row(), so the same library serves every version of the
 * SQL objects.  The cache maps a model name to the catalog row id of the
 * version last loaded and a copy of its flat form.  Row ids come from an
 * identity column and are never reused, so a model that is dropped and
 * trained again under the same name cannot be mistaken for the cached one.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "catalog.h"
#include "ccseg.h"

#include "model.h"

typedef struct ModelCacheEntry
{
	char		name[NAMEDATALEN];	/* hash key */
	int64		row_id;			/* catalog row of the cached version, or 0 */
	int			version;
	char	   *flat;			/* in model_cache_cxt */
	Size		len;
} ModelCacheEntry;

static HTAB *model_cache = NULL;
static MemoryContext model_cache_cxt = NULL;

static void
init_cache(void)
{
	HASHCTL		ctl;

	model_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
											"ccseg model cache",
											ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(ModelCacheEntry);
	ctl.hcxt = model_cache_cxt;
	model_cache = hash_create("ccseg models", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

static void
no_such_model(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%s\" does not exist", ccseg_name_for_message(name)),
			 errhint("The ccseg_models view lists the trained models.")));
}

/*
 * Load the current version of the named model into m (allocated in cxt) and
 * return its version number.  Errors if there is no such model.
 */
int
ccseg_lookup_model(const char *name, CcModel *m, MemoryContext cxt)
{
	char	   *schema;
	char	   *table;
	Oid			argtypes[2] = {TEXTOID, INT8OID};
	Datum		args[2];
	bool		isnull;
	int64		row_id;
	int			version;
	ModelCacheEntry *entry;
	bool		found;
	CcAllocator alloc;
	const char *bad;

	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN)
		no_such_model(name);
	if (model_cache == NULL)
		init_cache();

	schema = get_namespace_name(ccseg_extension_schema());
	table = quote_qualified_identifier(schema, "ccseg_model_versions");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = CStringGetTextDatum(name);
	/* errors out itself when there is no such model */
	if (SPI_execute_with_args(psprintf("SELECT r.id, r.version FROM %s($1) r",
									   quote_qualified_identifier(schema, "_ccseg_model_row")),
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ccseg model catalog");
	if (SPI_processed == 0)
		no_such_model(name);
	row_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
	version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 2, &isnull));

	entry = hash_search(model_cache, name, HASH_ENTER, &found);
	if (!found)
	{
		entry->row_id = 0;
		entry->flat = NULL;
		entry->len = 0;
	}
	if (entry->row_id != row_id)
	{
		struct varlena *value;
		char	   *copy;

		args[1] = Int64GetDatum(row_id);
		if (SPI_execute_with_args(psprintf("SELECT model FROM %s WHERE id OPERATOR(pg_catalog.=) $2 "
										   "AND model_name OPERATOR(pg_catalog.=) $1", table),
								  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "could not read model \"%s\" from the catalog",
				 ccseg_name_for_message(name));
		value = (struct varlena *) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0],
																 SPI_tuptable->tupdesc,
																 1, &isnull));
		value = pg_detoast_datum_packed(value);
		copy = MemoryContextAlloc(model_cache_cxt, VARSIZE_ANY_EXHDR(value));
		memcpy(copy, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
		if (entry->flat != NULL)
			pfree(entry->flat);
		entry->flat = copy;
		entry->len = VARSIZE_ANY_EXHDR(value);
		entry->row_id = row_id;
		entry->version = version;
	}
	SPI_finish();

	ccseg_allocator_init(&alloc, cxt);
	bad = cc_model_unflatten(entry->flat, entry->len, m, &alloc);
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored model \"%s\" is corrupt: %s",
						ccseg_name_for_message(name), bad)));
	return version;
}
