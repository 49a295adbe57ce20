/* ccseg 0.4.0 -> 0.5.0.  Each change below is made identically in
 * ccseg--0.5.0.sql, the complete script of this version;
 * test/integration/upgrade.sh compares the two paths object by object. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Citus scale-out (issue 14): the Lloyd pass aggregate takes float8[] and
-- keeps a bytea state, so that Citus runs it on the workers
-- ---------------------------------------------------------------------------

DROP AGGREGATE @extschema@._ccseg_lloyd_pass(@extschema@.ccseg_model, "any");
DROP FUNCTION @extschema@._ccseg_pass_transition(internal, @extschema@.ccseg_model, "any");
DROP FUNCTION @extschema@._ccseg_pass_combine(internal, internal);
DROP FUNCTION @extschema@._ccseg_pass_serialize(internal);
DROP FUNCTION @extschema@._ccseg_pass_deserialize(bytea, internal);
DROP FUNCTION @extschema@._ccseg_pass_final(internal);

CREATE FUNCTION @extschema@._ccseg_lloyd_pass_transition(bytea, @extschema@.ccseg_model, float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_lloyd_pass_transition'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._ccseg_lloyd_pass_transition(bytea, @extschema@.ccseg_model, float8[]) IS
'transition of _ccseg_lloyd_pass: impute and scale the row as the model says and count it towards its nearest centroid (in place)';

CREATE FUNCTION @extschema@._ccseg_lloyd_pass_combine(bytea, bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_lloyd_pass_combine'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._ccseg_lloyd_pass_combine(bytea, bytea) IS
'combine function of _ccseg_lloyd_pass: merge two partial passes of the same model (exact sums, so the order does not matter; states from outside are checked)';

CREATE FUNCTION @extschema@._ccseg_lloyd_pass_final(bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_lloyd_pass_final'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._ccseg_lloyd_pass_final(bytea) IS
'final function of _ccseg_lloyd_pass: the pass as bytes (per segment: exact sums of the rows, counts, squared errors)';

CREATE AGGREGATE @extschema@._ccseg_lloyd_pass(model @extschema@.ccseg_model, features float8[]) (
	SFUNC = @extschema@._ccseg_lloyd_pass_transition,
	STYPE = bytea,
	FINALFUNC = @extschema@._ccseg_lloyd_pass_final,
	COMBINEFUNC = @extschema@._ccseg_lloyd_pass_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._ccseg_lloyd_pass(@extschema@.ccseg_model, float8[]) IS
'one Lloyd pass of the model''s centroids over the rows aggregated (features in the model''s order), as order-independent statistics; what a sampled training runs for each pass over the whole table, in parallel when the plan is, on the shards of a Citus distributed table';

-- ---------------------------------------------------------------------------
-- Model values in plans (issue 14): ccseg_predict(name, row) is planned with
-- the model's value, and ccseg_get_model(constants) is read when planned, so
-- that no catalog is read per row nor on the workers of a Citus cluster; a
-- trigger invalidates such plans whenever the catalog changes
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._ccseg_predict_columns(model @extschema@.ccseg_model, names text[], VARIADIC "values" "any")
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_predict_columns_value'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_predict_columns(@extschema@.ccseg_model, text[], "any") IS
'segment (1..k) of the values that follow, named by names (a constant), for a model value; what the planner makes of ccseg_predict(model, row) for a table row; NULL values are imputed';

COMMENT ON FUNCTION @extschema@._ccseg_predict_support(internal) IS
'planner support for ccseg_predict(text, record): rewrites a call on a table''s whole-row reference into _ccseg_predict_columns over the feature columns, with the model''s value (its active version when planned)';

CREATE FUNCTION @extschema@._ccseg_get_model_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ccseg_get_model_support'
LANGUAGE C STRICT;

COMMENT ON FUNCTION @extschema@._ccseg_get_model_support(internal) IS
'planner support for ccseg_get_model: with constant arguments, the model value is read once when the query is planned';

ALTER FUNCTION @extschema@.ccseg_get_model(text, integer)
	SUPPORT @extschema@._ccseg_get_model_support;

CREATE FUNCTION @extschema@._ccseg_catalog_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ccseg_catalog_changed'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@._ccseg_catalog_changed() IS
'internal: trigger invalidating the plans that hold a model value read from the catalog';

CREATE TRIGGER ccseg_invalidate_plans
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.ccseg_model_versions
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._ccseg_catalog_changed();

-- ---------------------------------------------------------------------------
-- Sampling by key (issue 14): a sampled training keeps the rows with the
-- smallest seeded hash of their values, which each shard filters on its own
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._ccseg_sample_key(seed bigint, features float8[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'ccseg_sample_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_sample_key(bigint, float8[]) IS
'internal: the key (a seeded 63-bit hash of the feature values) by which a sampled training chooses its rows, the smallest first';
