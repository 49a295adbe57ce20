/*
 * support.c
 *		Planner support for ccseg_predict(model, row): when the model is a
 *		constant and the row a table's whole-row reference, the call is
 *		planned as _ccseg_predict_columns(model, names, col1, col2, ...), which
 *		reads the model's feature columns directly instead of having the
 *		executor form a copy of every row (most of the cost of scoring).
 *
 * The columns passed are every feature of any version of the model at
 * planning time, so activating another version needs no new plan; a version
 * trained later with a new feature makes the old plan error out with a hint
 * (predict.c).  The rewrite is skipped, and the row form kept, whenever it
 * could change a result: an outer join in the query (a whole-row reference
 * to the null-extended side is NULL, its columns are not), a relation
 * without such a column or with a non-numeric one, a model not visible.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ccseg.h"
#include "reader.h"

PG_FUNCTION_INFO_V1(ccseg_predict_support);

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
 * Every feature of any version of the model, as visible to the current user
 * (the catalog's row security applies); NIL when there is none or the user
 * may not read the catalog.
 */
static List *
model_features(const char *model)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *schema = get_namespace_name(ccseg_extension_schema());
	Oid			catalog = get_relname_relid("ccseg_model_versions", ccseg_extension_schema());
	List	   *result = NIL;
	MemoryContext caller = CurrentMemoryContext;
	uint64		i;

	/* a user who may not read the catalog gets the row form, and its errors */
	if (!OidIsValid(catalog) ||
		pg_class_aclcheck(catalog, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return NIL;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = CStringGetTextDatum(model);
	if (SPI_execute_with_args(psprintf("SELECT DISTINCT f FROM %s v, pg_catalog.unnest(v.features) f "
									   "WHERE v.model_name OPERATOR(pg_catalog.=) $1 ORDER BY 1",
									   quote_qualified_identifier(schema, "ccseg_model_versions")),
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ccseg model catalog");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		f = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			/* in the caller's context: SPI_finish frees its own */
			MemoryContext spi = MemoryContextSwitchTo(caller);

			result = lappend(result, TextDatumGetCString(f));
			MemoryContextSwitchTo(spi);
		}
	}
	SPI_finish();
	return result;
}

/* OID of _ccseg_predict_columns(text, text[], VARIADIC "any") beside fn. */
static Oid
columns_function(Oid fn)
{
	Oid			argtypes[3] = {TEXTOID, TEXTARRAYOID, ANYOID};
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
	List	   *features;
	List	   *args;
	Datum	   *names;
	ListCell   *lc;
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
	target = columns_function(call->funcid);
	if (!OidIsValid(target))
		PG_RETURN_POINTER(NULL);

	features = model_features(TextDatumGetCString(model->constvalue));
	if (features == NIL)
		PG_RETURN_POINTER(NULL);

	/* a Var for each feature column; give up if one is missing or not numeric */
	args = list_make2(copyObject(model), NULL);
	names = palloc(sizeof(Datum) * list_length(features));
	i = 0;
	foreach(lc, features)
	{
		const char *f = lfirst(lc);
		AttrNumber	attno = get_attnum(rte->relid, f);
		Oid			type;
		int32		typmod;
		Oid			collation;
		CcsegConv	conv;

		if (attno <= 0)
			PG_RETURN_POINTER(NULL);
		get_atttypetypmodcoll(rte->relid, attno, &type, &typmod, &collation);
		if (!ccseg_conv_for_type(type, &conv))
			PG_RETURN_POINTER(NULL);
		args = lappend(args, makeVar(row->varno, attno, type, typmod, collation, 0));
		names[i++] = CStringGetTextDatum(f);
	}
	lsecond(args) = makeConst(TEXTARRAYOID, -1, InvalidOid, -1,
							  PointerGetDatum(construct_array(names, i, TEXTOID, -1, false,
															  TYPALIGN_INT)),
							  false, false);

	result = makeFuncExpr(target, INT4OID, args, InvalidOid, call->inputcollid,
						  COERCE_EXPLICIT_CALL);
	result->location = call->location;
	PG_RETURN_POINTER(result);
}
