/*
 * support.c
 *		Planner support for ccseg_predict(model, row): when the model is a
 *		constant and the row a table's whole-row reference, the call is
 *		planned as _ccseg_predict_columns(value, names, col1, col2, ...), with
 *		the model's value (its active version when planned) in place of its
 *		name: the executor reads the feature columns directly instead of
 *		forming a copy of every row (most of the cost of scoring), and the
 *		call needs no catalog where it runs, so the shard queries of a Citus
 *		distributed table score on the workers.  Planner support for
 *		ccseg_get_model(name, version) with constant arguments puts the model
 *		value in the plan too, so that it is read once, not per row.
 *
 * A plan holding a model value depends on the catalog: a trigger on
 * ccseg_model_versions invalidates such plans whenever the catalog changes
 * (training, activation, dropping), through the catalog's relcache entry
 * and, since a Citus plan drops the planner's relation dependencies,
 * through the pg_proc rows of ccseg_predict(text, record) and
 * ccseg_get_model, which the plan cache records for every statement that
 * calls them; so a prepared statement is planned again and scores with the
 * version active then.  The plan also depends on
 * the role (the catalog's row security decides what a role sees).  The
 * rewrite is skipped, and the row form kept, whenever it could change a
 * result: an outer join in the query (a whole-row reference to the
 * null-extended side is NULL, its columns are not), a relation without such
 * a column or with a non-numeric one, a model not visible.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "commands/trigger.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "ccseg.h"
#include "modeltype.h"
#include "reader.h"

#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_predict_support);
PG_FUNCTION_INFO_V1(ccseg_get_model_support);
PG_FUNCTION_INFO_V1(ccseg_catalog_changed);

/* True when the query level has an outer join anywhere in its range table. */
static bool
has_outer_join(Query *parse)
{
	ListCell   *lc;

	foreach(lc, parse->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_JOIN && rte->jointype != JOIN_INNER)
			return true;
	}
	return false;
}

/*
 * The value of a model version as the current user sees it (the catalog's
 * row security applies): the version given, else the active one, or the
 * latest when none is active, as _ccseg_model_row chooses.  Null (Datum 0)
 * when there is none or the user may not read the catalog: the call is then
 * left alone, to fail at run time with the usual error.
 */
static Datum
model_value(Datum name, bool version_null, Datum version, Oid *catalog_out)
{
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	char		nulls[2] = {' ', version_null ? 'n' : ' '};
	char	   *schema = get_namespace_name(ccseg_extension_schema());
	Oid			catalog = get_relname_relid("ccseg_model_versions", ccseg_extension_schema());
	Datum		result = (Datum) 0;

	*catalog_out = catalog;
	if (!OidIsValid(catalog) ||
		pg_class_aclcheck(catalog, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return (Datum) 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = name;
	args[1] = version;
	if (SPI_execute_with_args(psprintf("SELECT v.model FROM %s v "
									   "WHERE v.model_name OPERATOR(pg_catalog.=) $1 "
									   "AND (v.version OPERATOR(pg_catalog.=) $2 OR $2 IS NULL) "
									   "ORDER BY v.active DESC, v.version DESC LIMIT 1",
									   quote_qualified_identifier(schema, "ccseg_model_versions")),
							  2, argtypes, args, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ccseg model catalog");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		/* copied out of SPI's memory, detoasted */
		if (!isnull)
			result = SPI_datumTransfer(PointerGetDatum(PG_DETOAST_DATUM_COPY(v)), false, -1);
	}
	SPI_finish();
	return result;
}

/*
 * Record that the plan being made holds a value read from the catalog as
 * the current role: the plan cache plans again when the catalog changes
 * (the trigger below) or the role does.
 */
static void
depend_on_catalog(PlannerInfo *root, Oid catalog)
{
	root->glob->relationOids = lappend_oid(root->glob->relationOids, catalog);
	root->glob->dependsOnRole = true;
}

/*
 * Trigger on ccseg_model_versions, after every statement that changes it:
 * invalidate the plans that hold a model value read from it.
 */
Datum
ccseg_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	Oid			schema = ccseg_extension_schema();
	Oid			predict_args[2] = {TEXTOID, RECORDOID};
	Oid			get_model_args[2] = {TEXTOID, INT4OID};
	Oid			fns[2];
	Relation	pg_proc;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "_ccseg_catalog_changed: not called by trigger manager");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));

	/*
	 * A Citus plan does not keep the planner's relation dependencies, but
	 * the plan cache also remembers the functions a statement calls: an
	 * invalidation of these functions' pg_proc rows makes every statement
	 * calling them (whose plan may hold a model value) planned again.
	 */
	fns[0] = LookupFuncName(list_make2(makeString(get_namespace_name(schema)),
									   makeString("ccseg_predict")), 2, predict_args, true);
	fns[1] = LookupFuncName(list_make2(makeString(get_namespace_name(schema)),
									   makeString("ccseg_get_model")), 2, get_model_args, true);
	pg_proc = table_open(ProcedureRelationId, AccessShareLock);
	for (i = 0; i < (int) lengthof(fns); i++)
	{
		HeapTuple	tup;

		if (!OidIsValid(fns[i]))
			continue;
		tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fns[i]));
		if (!HeapTupleIsValid(tup))
			continue;
		CacheInvalidateHeapTuple(pg_proc, tup, NULL);
		ReleaseSysCache(tup);
	}
	table_close(pg_proc, AccessShareLock);
	PG_RETURN_POINTER(NULL);
}

/* The ccseg_model type beside fn. */
static Oid
model_type(Oid fn)
{
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("ccseg_model"),
						   ObjectIdGetDatum(get_func_namespace(fn)));
}

/*
 * ccseg_get_model(name, version) with constant arguments: the model value
 * itself, read once when the query is planned, instead of a catalog read
 * for every row where the call is evaluated (and on Citus workers, where
 * there is no catalog to read).
 */
Datum
ccseg_get_model_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;
	FuncExpr   *call;
	Const	   *name;
	Const	   *version;
	Oid			type;
	Oid			catalog;
	Datum		value;

	if (!IsA(rawreq, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) rawreq;
	call = req->fcall;
	if (req->root == NULL || list_length(call->args) != 2)
		PG_RETURN_POINTER(NULL);
	name = linitial(call->args);
	version = lsecond(call->args);
	if (!IsA(name, Const) || name->constisnull || name->consttype != TEXTOID ||
		!IsA(version, Const) || version->consttype != INT4OID)
		PG_RETURN_POINTER(NULL);
	type = model_type(call->funcid);
	if (!OidIsValid(type) || type != call->funcresulttype)
		PG_RETURN_POINTER(NULL);
	value = model_value(name->constvalue, version->constisnull, version->constvalue,
						&catalog);
	if (value == (Datum) 0)
		PG_RETURN_POINTER(NULL);
	depend_on_catalog(req->root, catalog);
	PG_RETURN_POINTER(makeConst(type, -1, InvalidOid, -1, value, false, false));
}

/* OID of _ccseg_predict_columns(ccseg_model, text[], VARIADIC "any") beside fn. */
static Oid
columns_function(Oid fn, Oid type)
{
	Oid			argtypes[3] = {type, TEXTARRAYOID, ANYOID};
	List	   *name = list_make2(makeString(get_namespace_name(get_func_namespace(fn))),
								  makeString("_ccseg_predict_columns"));

	return LookupFuncName(name, 3, argtypes, true);
}

Datum
ccseg_predict_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;
	FuncExpr   *call;
	Const	   *model;
	Var		   *row;
	RangeTblEntry *rte;
	List	   *args;
	Datum	   *names;
	int			nnames;
	Oid			type;
	Oid			catalog;
	Datum		value;
	CcModel		m;
	Oid			target;
	int			i;
	FuncExpr   *result;

	if (!IsA(rawreq, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) rawreq;
	call = req->fcall;
	if (req->root == NULL || list_length(call->args) != 2)
		PG_RETURN_POINTER(NULL);
	model = linitial(call->args);
	row = lsecond(call->args);
	if (!IsA(model, Const) || model->constisnull || model->consttype != TEXTOID ||
		!IsA(row, Var) || row->varattno != InvalidAttrNumber || row->varlevelsup != 0 ||
		row->varno < 1 || row->varno > list_length(req->root->parse->rtable))
		PG_RETURN_POINTER(NULL);
	rte = rt_fetch(row->varno, req->root->parse->rtable);
	if (rte->rtekind != RTE_RELATION || has_outer_join(req->root->parse))
		PG_RETURN_POINTER(NULL);
	type = model_type(call->funcid);
	if (!OidIsValid(type))
		PG_RETURN_POINTER(NULL);
	target = columns_function(call->funcid, type);
	if (!OidIsValid(target))
		PG_RETURN_POINTER(NULL);

	value = model_value(model->constvalue, true, (Datum) 0, &catalog);
	if (value == (Datum) 0)
		PG_RETURN_POINTER(NULL);
	ccseg_model_parse((struct varlena *) DatumGetPointer(value), &m, CurrentMemoryContext);

	/*
	 * A Var for each feature column, and one for each categorical column (of
	 * any type) of the model's indicators; give up if one is missing or a
	 * numeric feature's is not numeric
	 */
	args = list_make2(makeConst(type, -1, InvalidOid, -1, value, false, false), NULL);
	names = palloc(sizeof(Datum) * m.d);
	nnames = 0;
	for (i = 0; i < m.d; i++)
	{
		bool		indicator = cc_model_is_indicator(&m, i);
		const char *f = indicator ? m.category_column[i] : m.features[i];
		AttrNumber	attno;
		Oid			coltype;
		int32		typmod;
		Oid			collation;
		CcsegConv	conv;

		if (indicator && i > 0 && cc_model_is_indicator(&m, i - 1) &&
			strcmp(m.category_column[i - 1], f) == 0)
			continue;			/* the column of the indicators before */
		attno = get_attnum(rte->relid, f);
		if (attno <= 0)
			PG_RETURN_POINTER(NULL);
		get_atttypetypmodcoll(rte->relid, attno, &coltype, &typmod, &collation);
		if (!indicator && !ccseg_conv_for_type(coltype, &conv))
			PG_RETURN_POINTER(NULL);
		args = lappend(args, makeVar(row->varno, attno, coltype, typmod, collation, 0));
		names[nnames++] = CStringGetTextDatum(f);
	}
	lsecond(args) = makeConst(TEXTARRAYOID, -1, InvalidOid, -1,
							  PointerGetDatum(construct_array(names, nnames, TEXTOID, -1, false,
															  TYPALIGN_INT)),
							  false, false);

	result = makeFuncExpr(target, INT4OID, args, InvalidOid, call->inputcollid,
						  COERCE_EXPLICIT_CALL);
	result->location = call->location;
	depend_on_catalog(req->root, catalog);
	PG_RETURN_POINTER(result);
}
