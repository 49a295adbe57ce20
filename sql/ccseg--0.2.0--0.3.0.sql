/* ccseg 0.2.0 -> 0.3.0: faster scoring.  ccseg_predict(model, row) gets a
 * planner support function that, for a constant model name and a table's
 * whole-row reference, plans the call as _ccseg_predict_columns over the
 * feature columns, so that the executor no longer forms a copy of each row. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.3.0'" to load this file. \quit

CREATE FUNCTION @extschema@._ccseg_predict_columns(model text, names text[], VARIADIC "values" "any")
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_predict_columns'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_predict_columns(text, text[], "any") IS
'segment (1..k) of the values that follow, named by names (a constant); what the planner makes of ccseg_predict(model, row) for a table row; NULL values are imputed';

CREATE FUNCTION @extschema@._ccseg_predict_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ccseg_predict_support'
LANGUAGE C STRICT;

COMMENT ON FUNCTION @extschema@._ccseg_predict_support(internal) IS
'planner support for ccseg_predict(text, record): rewrites a call on a table''s whole-row reference into _ccseg_predict_columns over the feature columns';

ALTER FUNCTION @extschema@.ccseg_predict(text, record)
	SUPPORT @extschema@._ccseg_predict_support;
