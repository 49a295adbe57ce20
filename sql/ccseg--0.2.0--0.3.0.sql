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

-- ---------------------------------------------------------------------------
-- Full-data Lloyd passes as an aggregate, so that they run in parallel
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._ccseg_pass_transition(internal, @extschema@.ccseg_model, VARIADIC "any")
RETURNS internal
AS 'MODULE_PATHNAME', 'ccseg_pass_transition'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION @extschema@._ccseg_pass_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ccseg_pass_combine'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION @extschema@._ccseg_pass_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_pass_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@._ccseg_pass_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ccseg_pass_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@._ccseg_pass_final(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_pass_final'
LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE @extschema@._ccseg_lloyd_pass(model @extschema@.ccseg_model, VARIADIC "values" "any") (
	SFUNC = @extschema@._ccseg_pass_transition,
	STYPE = internal,
	FINALFUNC = @extschema@._ccseg_pass_final,
	COMBINEFUNC = @extschema@._ccseg_pass_combine,
	SERIALFUNC = @extschema@._ccseg_pass_serialize,
	DESERIALFUNC = @extschema@._ccseg_pass_deserialize,
	PARALLEL = SAFE
);

COMMENT ON FUNCTION @extschema@._ccseg_pass_transition(internal, @extschema@.ccseg_model, "any") IS
'transition of _ccseg_lloyd_pass: impute and scale the row as the model says and count it towards its nearest centroid';
COMMENT ON FUNCTION @extschema@._ccseg_pass_combine(internal, internal) IS
'combine function of _ccseg_lloyd_pass: merge two partial passes (exact sums, so the order does not matter)';
COMMENT ON FUNCTION @extschema@._ccseg_pass_serialize(internal) IS
'serial function of _ccseg_lloyd_pass: a partial pass as bytes, for parallel workers';
COMMENT ON FUNCTION @extschema@._ccseg_pass_deserialize(bytea, internal) IS
'deserial function of _ccseg_lloyd_pass: a partial pass back from bytes (checked)';
COMMENT ON FUNCTION @extschema@._ccseg_pass_final(internal) IS
'final function of _ccseg_lloyd_pass: the pass as bytes (per segment: exact sums of the rows, counts, squared errors)';
COMMENT ON AGGREGATE @extschema@._ccseg_lloyd_pass(@extschema@.ccseg_model, "any") IS
'one Lloyd pass of the model''s centroids over the rows aggregated (values in the model''s feature order), as order-independent statistics; what a sampled training runs, in parallel when the plan is, for each pass over the whole table';
