/*
 * catalog_write.c
 *		Changes to the model catalog, made on behalf of the caller.
 *
 * No role but the catalog table's owner holds a write privilege on
 * ccseg_model_versions: INSERT would let a role take future row ids (which
 * the scoring cache relies on never being reused), and any write privilege
 * lets a role LOCK the whole table, stalling scoring, training and pg_dump.
 * So training, activation and dropping write through these functions.  Each
 * first runs the install script's check for the write as the caller, who
 * must be allowed to make it (the checks raise the errors a refusal
 * deserves), and then makes the write as the table's owner, in a
 * security-restricted operation, with no value but the ones checked.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "ccseg.h"

PG_FUNCTION_INFO_V1(ccseg_store_version);
PG_FUNCTION_INFO_V1(ccseg_set_active);
PG_FUNCTION_INFO_V1(ccseg_delete_versions);
PG_FUNCTION_INFO_V1(ccseg_set_reader);
PG_FUNCTION_INFO_V1(ccseg_model_owner);

/* Schema-qualified name of an object of the extension's schema. */
static char *
qualified(const char *name)
{
	return quote_qualified_identifier(get_namespace_name(ccseg_extension_schema()), name);
}

/* The role that owns the catalog table. */
static Oid
catalog_owner(void)
{
	Oid			relid = get_relname_relid("ccseg_model_versions", ccseg_extension_schema());
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "ccseg model catalog not found");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* Run query with its arguments through SPI; the caller has connected. */
static void
run(const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
	int expected)
{
	int			rc = SPI_execute_with_args(query, nargs, types, values, nulls, false, 0);

	if (rc != expected)
		elog(ERROR, "ccseg catalog query failed: %s", SPI_result_code_string(rc));
}

/*
 * Become the catalog's owner, in a security-restricted operation, until
 * as_caller_again(); the caller's user and security context go to *saved.
 * An error on the way restores them too: transaction and subtransaction
 * abort reset the user and security context.
 */
static void
as_catalog_owner(Oid *saved_user, int *saved_context)
{
	GetUserIdAndSecContext(saved_user, saved_context);
	SetUserIdAndSecContext(catalog_owner(),
						   *saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

static void
as_caller_again(Oid saved_user, int saved_context)
{
	SetUserIdAndSecContext(saved_user, saved_context);
}

/*
 * _ccseg_store_version(model, version, owner, source, parameters, seconds,
 * value, aligned_to): add a version, active, and make the model's other
 * versions inactive; returns the new row's id.
 */
Datum
ccseg_store_version(PG_FUNCTION_ARGS)
{
	Oid			types[8] = {TEXTOID, INT4OID, NAMEOID, REGCLASSOID, JSONBOID,
		FLOAT8OID, InvalidOid, INT4OID};
	Datum		values[8];
	char		nulls[8];
	char	   *versions = qualified("ccseg_model_versions");
	bool		isnull;
	int64		id;
	int			i;
	Oid			save_user;
	int			save_context;

	for (i = 0; i < 8; i++)
	{
		if (i != 7 && PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of _ccseg_store_version must not be null", i + 1)));
		values[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	types[6] = get_fn_expr_argtype(fcinfo->flinfo, 6);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the caller: may it add this version? */
	run(psprintf("SELECT %s($1, $2, $3, $4, $5, $6, $8)", qualified("_ccseg_check_store")),
		8, types, values, nulls, SPI_OK_SELECT);
	as_catalog_owner(&save_user, &save_context);
	run(psprintf("UPDATE %s v SET active = false "
				 "WHERE v.model_name OPERATOR(pg_catalog.=) $1 AND v.active", versions),
		1, types, values, nulls, SPI_OK_UPDATE);
	run(psprintf("INSERT INTO %s (model_name, version, owner, source, source_relid, "
				 "parameters, seconds, model, active, aligned_to) "
				 "VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, true, $8) RETURNING id", versions),
		8, types, values, nulls, SPI_OK_INSERT_RETURNING);
	as_caller_again(save_user, save_context);
	if (SPI_processed != 1)
		elog(ERROR, "ccseg catalog insert stored " UINT64_FORMAT " rows", SPI_processed);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									 1, &isnull));
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * _ccseg_set_active(model, version): make a version the active one; returns
 * the version that was active (null when none was).
 */
Datum
ccseg_set_active(PG_FUNCTION_ARGS)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	char	   *versions = qualified("ccseg_model_versions");
	Datum		previous;
	bool		isnull;
	Oid			save_user;
	int			save_context;

	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the caller: may it activate this version?  Which one is active? */
	run(psprintf("SELECT %s($1, $2, 'activate a version of')", qualified("_ccseg_check_manage")),
		2, types, values, NULL, SPI_OK_SELECT);
	run(psprintf("SELECT v.version FROM %s v WHERE v.model_name OPERATOR(pg_catalog.=) $1 "
				 "AND v.active", versions),
		1, types, values, NULL, SPI_OK_SELECT);
	isnull = (SPI_processed == 0);
	previous = isnull ? (Datum) 0 :
		SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	as_catalog_owner(&save_user, &save_context);
	run(psprintf("UPDATE %s v SET active = false WHERE v.model_name OPERATOR(pg_catalog.=) $1 "
				 "AND v.active AND v.version OPERATOR(pg_catalog.<>) $2", versions),
		2, types, values, NULL, SPI_OK_UPDATE);
	run(psprintf("UPDATE %s v SET active = true WHERE v.model_name OPERATOR(pg_catalog.=) $1 "
				 "AND v.version OPERATOR(pg_catalog.=) $2 AND NOT v.active", versions),
		2, types, values, NULL, SPI_OK_UPDATE);
	as_caller_again(save_user, save_context);
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(previous);
}

/*
 * _ccseg_delete_versions(model, version): delete one version (not the
 * active one), or every version when version is null; returns how many.
 */
Datum
ccseg_delete_versions(PG_FUNCTION_ARGS)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	uint64		deleted;
	Oid			save_user;
	int			save_context;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	if (PG_ARGISNULL(1))
		nulls[1] = 'n';
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the caller: may it drop these versions? */
	run(psprintf("SELECT %s($1, $2, 'drop')", qualified("_ccseg_check_manage")),
		2, types, values, nulls, SPI_OK_SELECT);
	as_catalog_owner(&save_user, &save_context);
	run(psprintf("DELETE FROM %s v WHERE v.model_name OPERATOR(pg_catalog.=) $1 "
				 "AND ($2 IS NULL OR v.version OPERATOR(pg_catalog.=) $2)",
				 qualified("ccseg_model_versions")),
		2, types, values, nulls, SPI_OK_DELETE);
	deleted = SPI_processed;
	/* a dropped model takes its readers with it */
	if (PG_ARGISNULL(1))
		run(psprintf("DELETE FROM %s g WHERE g.model_name OPERATOR(pg_catalog.=) $1",
					 qualified("ccseg_model_readers")),
			1, types, values, nulls, SPI_OK_DELETE);
	as_caller_again(save_user, save_context);
	SPI_finish();
	PG_RETURN_INT32((int32) deleted);
}

/*
 * _ccseg_set_reader(model, reader, allow): let reader (a role name, or
 * public) read the model, or no longer; returns whether anything changed.
 */
Datum
ccseg_set_reader(PG_FUNCTION_ARGS)
{
	Oid			types[3] = {TEXTOID, NAMEOID, BOOLOID};
	Datum		values[3];
	char	   *readers = qualified("ccseg_model_readers");
	bool		allow = PG_GETARG_BOOL(2);
	uint64		changed;
	Oid			save_user;
	int			save_context;

	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = BoolGetDatum(allow);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* as the caller: may it decide who reads this model? */
	run(psprintf("SELECT %s($1, NULL, 'grant or revoke access to')", qualified("_ccseg_check_manage")),
		1, types, values, NULL, SPI_OK_SELECT);
	as_catalog_owner(&save_user, &save_context);
	if (allow)
		run(psprintf("INSERT INTO %s (model_name, reader) VALUES ($1, $2) "
					 "ON CONFLICT DO NOTHING", readers),
			2, types, values, NULL, SPI_OK_INSERT);
	else
		run(psprintf("DELETE FROM %s g WHERE g.model_name OPERATOR(pg_catalog.=) $1 "
					 "AND g.reader OPERATOR(pg_catalog.=) $2", readers),
			2, types, values, NULL, SPI_OK_DELETE);
	changed = SPI_processed;
	as_caller_again(save_user, save_context);
	SPI_finish();
	PG_RETURN_BOOL(changed > 0);
}

/*
 * _ccseg_model_owner(model): the owner of a model, read as the catalog's
 * owner so that a model the caller may not read counts too; null when there
 * is no such model.
 */
Datum
ccseg_model_owner(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	Datum		owner = (Datum) 0;
	bool		isnull = true;
	Oid			save_user;
	int			save_context;

	values[0] = PG_GETARG_DATUM(0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	as_catalog_owner(&save_user, &save_context);
	run(psprintf("SELECT v.owner FROM %s v WHERE v.model_name OPERATOR(pg_catalog.=) $1 LIMIT 1",
				 qualified("ccseg_model_versions")),
		1, types, values, NULL, SPI_OK_SELECT);
	as_caller_again(save_user, save_context);
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  1, &isnull);

		if (!isnull)
		{
			/* copied out of SPI's memory, which SPI_finish releases */
			Name		copy = (Name) SPI_palloc(NAMEDATALEN);

			memcpy(copy, DatumGetName(d), NAMEDATALEN);
			owner = NameGetDatum(copy);
		}
	}
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(owner);
}
