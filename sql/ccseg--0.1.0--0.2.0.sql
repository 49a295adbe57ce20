/* ccseg 0.1.0 -> 0.2.0: model lifecycle.  Every training adds a version and
 * makes it active; ccseg_activate rolls back or forward; retraining keeps
 * segment numbers stable by matching centroids to the active version;
 * ccseg_retrain reruns a model's training with its stored parameters. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The catalog: an active version per model, and what a version was aligned to
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.ccseg_model_versions
	ADD COLUMN active boolean NOT NULL DEFAULT false,
	ADD COLUMN aligned_to integer;

COMMENT ON COLUMN @extschema@.ccseg_model_versions.active IS
'whether this is the version that scoring uses; one per model';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.aligned_to IS
'the version whose segment numbers this one took over (null when not aligned)';

-- derived columns only change with the model value (activation updates rows)
DROP TRIGGER ccseg_derive_columns ON @extschema@.ccseg_model_versions;
CREATE TRIGGER ccseg_derive_columns
	BEFORE INSERT OR UPDATE OF model ON @extschema@.ccseg_model_versions
	FOR EACH ROW EXECUTE FUNCTION @extschema@._ccseg_derive_columns();

-- 0.1.0 served the latest version of each model: it becomes the active one
UPDATE @extschema@.ccseg_model_versions v SET active = true
WHERE v.version = (SELECT max(o.version) FROM @extschema@.ccseg_model_versions o
				   WHERE o.model_name = v.model_name);

CREATE UNIQUE INDEX ccseg_model_versions_active
	ON @extschema@.ccseg_model_versions (model_name) WHERE active;

-- members of a model's owner role may switch its active version
CREATE POLICY ccseg_activate ON @extschema@.ccseg_model_versions
	FOR UPDATE USING (@extschema@._ccseg_may_manage(owner))
	WITH CHECK (@extschema@._ccseg_may_manage(owner));
GRANT UPDATE (active) ON @extschema@.ccseg_model_versions TO PUBLIC;

-- "current" now means active
CREATE OR REPLACE FUNCTION @extschema@._ccseg_model_row(model text, version integer DEFAULT NULL)
RETURNS @extschema@.ccseg_model_versions
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_row @extschema@.ccseg_model_versions;
BEGIN
	IF _ccseg_model_row.model IS NULL THEN
		RETURN NULL;
	END IF;
	-- the version asked for; else the active one, or the latest when a
	-- version was inserted directly and none is active
	SELECT v.* INTO found_row
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = _ccseg_model_row.model
	  AND (v.version = _ccseg_model_row.version OR _ccseg_model_row.version IS NULL)
	ORDER BY v.active DESC, v.version DESC LIMIT 1;
	IF NOT FOUND THEN
		IF _ccseg_model_row.version IS NULL
		   OR NOT EXISTS (SELECT 1 FROM @extschema@.ccseg_model_versions v
						  WHERE v.model_name = _ccseg_model_row.model) THEN
			RAISE EXCEPTION 'model "%" does not exist', _ccseg_model_row.model
				USING ERRCODE = 'undefined_object',
					  HINT = 'The ccseg_models view lists the trained models.';
		END IF;
		RAISE EXCEPTION 'model "%" has no version %', _ccseg_model_row.model,
			_ccseg_model_row.version
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN found_row;
END
$$;

-- replaced in place (columns only added at the end), so that user views on
-- ccseg_models do not block the update
CREATE OR REPLACE VIEW @extschema@.ccseg_models AS
SELECT
	v.model_name AS model,
	v.version,
	v.k,
	v.features,
	v.rows,
	v.inertia,
	v.silhouette,
	v.iterations,
	v.impute,
	v.scale,
	v.source,
	v.parameters,
	v.owner,
	v.created_at,
	(SELECT count(*) FROM @extschema@.ccseg_model_versions o
	 WHERE o.model_name = v.model_name) AS versions,
	v.aligned_to,
	v.changed_share
FROM @extschema@.ccseg_model_versions v
WHERE v.active;

COMMENT ON VIEW @extschema@.ccseg_models IS
'one row per model: its active version with k, features, rows, quality, parameters and how much it changed from the version before';
GRANT SELECT ON @extschema@.ccseg_models TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Training aligns with the active version
-- ---------------------------------------------------------------------------

DROP FUNCTION @extschema@.ccseg_build_model(regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, boolean);
CREATE FUNCTION @extschema@.ccseg_build_model(
	source regclass,
	k integer,
	features text[] DEFAULT NULL,
	id_column text DEFAULT NULL,
	impute text DEFAULT 'median',
	scale text DEFAULT 'standard',
	init text DEFAULT 'k-means++',
	init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT 10,
	max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4,
	seed bigint DEFAULT 0,
	algorithm text DEFAULT 'auto',
	silhouette_sample bigint DEFAULT NULL,
	verbose boolean DEFAULT false,
	previous @extschema@.ccseg_model DEFAULT NULL)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_build_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_build_model(regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, boolean, @extschema@.ccseg_model) IS
'train a k-means model on a table or view and return it as a ccseg_model value, without storing it; with previous, segment numbers follow that model''s';

DROP FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, integer, integer, boolean);
CREATE FUNCTION @extschema@.ccseg_train(
	model text,
	source regclass,
	k integer DEFAULT NULL,
	features text[] DEFAULT NULL,
	id_column text DEFAULT NULL,
	impute text DEFAULT 'median',
	scale text DEFAULT 'standard',
	init text DEFAULT 'k-means++',
	init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT 10,
	max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4,
	seed bigint DEFAULT 0,
	algorithm text DEFAULT 'auto',
	silhouette_sample bigint DEFAULT NULL,
	k_min integer DEFAULT 2,
	k_max integer DEFAULT 10,
	verbose boolean DEFAULT false,
	align boolean DEFAULT true)
RETURNS @extschema@.ccseg_train_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	built @extschema@.ccseg_model;
	s record;
	use_k integer := ccseg_train.k;
	elbow jsonb;
	next_version integer;
	model_owner name;
	previous_model @extschema@.ccseg_model;
	previous_version integer;
	source_name text;
	took float8;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(ccseg_train.model);

	-- one training of a given model at a time; the lock goes with the transaction
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(ccseg_train.model));
	SELECT v.owner, v.model, v.version INTO model_owner, previous_model, previous_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model AND v.active;
	IF NOT FOUND THEN
		SELECT v.owner INTO model_owner
		FROM @extschema@.ccseg_model_versions v
		WHERE v.model_name = ccseg_train.model LIMIT 1;
		model_owner := coalesce(model_owner, current_user);
	END IF;
	IF NOT @extschema@._ccseg_may_manage(model_owner) THEN
		RAISE EXCEPTION 'must be a member of role "%" to retrain model "%"',
			model_owner, ccseg_train.model
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	IF use_k IS NULL THEN
		IF init_centroids IS NOT NULL THEN
			RAISE EXCEPTION 'k must be given with init_centroids'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- choose k by the elbow rule; keep the curve with the model
		SELECT jsonb_agg(to_jsonb(e) ORDER BY e.k), max(e.k) FILTER (WHERE e.recommended)
		INTO elbow, use_k
		FROM @extschema@.ccseg_elbow(source, k_min, k_max, features, id_column,
			impute, scale, init, n_init, max_iter, tol, seed, algorithm,
			silhouette_sample) e;
	END IF;

	IF NOT align THEN
		previous_model := NULL;
	END IF;
	built := @extschema@.ccseg_build_model(source, use_k, features,
		id_column, impute, scale, init, init_centroids, n_init, max_iter, tol,
		seed, algorithm, silhouette_sample, ccseg_train.verbose, previous_model);
	s := @extschema@.ccseg_model_summary(built);

	SELECT format('%I.%I', n.nspname, c.relname) INTO source_name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = source;

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	took := extract(epoch FROM clock_timestamp() - started);
	BEGIN
		UPDATE @extschema@.ccseg_model_versions v SET active = false
		WHERE v.model_name = ccseg_train.model AND v.active;
		INSERT INTO @extschema@.ccseg_model_versions
			(model_name, version, owner, source, parameters, seconds, model,
			 active, aligned_to)
		VALUES
			(ccseg_train.model, next_version, model_owner, source_name,
			 jsonb_build_object(
				'k', use_k, 'features', s.features, 'id_column', id_column,
				'impute', impute, 'scale', scale,
				'init', CASE WHEN init_centroids IS NULL THEN init ELSE 'given' END,
				'init_centroids', init_centroids,
				'n_init', CASE WHEN init_centroids IS NULL THEN n_init ELSE 1 END,
				'max_iter', max_iter, 'tol', tol, 'seed', seed,
				'algorithm', algorithm, 'silhouette_sample', silhouette_sample,
				'align', align)
			 || CASE WHEN elbow IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('k_chosen_by', 'elbow', 'k_min', k_min,
										'k_max', k_max, 'elbow', elbow) END,
			 took, built, true,
			 CASE WHEN previous_model IS NOT NULL AND s.changed_share IS NOT NULL
				  THEN previous_version END);
	EXCEPTION WHEN unique_violation THEN
		-- only under REPEATABLE READ or SERIALIZABLE: our snapshot predates
		-- a training of the same model that committed while we waited
		RAISE EXCEPTION 'model "%" was trained by another transaction at the same time',
			ccseg_train.model
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;

	RETURN ROW(ccseg_train.model, next_version, s.k, s.rows, s.iterations,
			   s.inertia, took)::@extschema@.ccseg_train_result;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, integer, integer, boolean, boolean) IS
'train a k-means segmentation model and store it as a new, active version; segment numbers follow the previous active version unless align is false; without k, k is chosen by the elbow rule in k_min..k_max';

-- ---------------------------------------------------------------------------
-- Retraining, activation, history
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.ccseg_retrain_result AS (
	model text,
	version integer,
	k integer,
	rows bigint,
	iterations integer,
	inertia float8,
	seconds float8,
	aligned_to integer,
	changed_share float8
);

COMMENT ON TYPE @extschema@.ccseg_retrain_result IS
'summary of a retraining: that of ccseg_train, plus the version it was aligned to and the share of training rows that changed segment';

CREATE FUNCTION @extschema@.ccseg_retrain(model text, seed bigint DEFAULT NULL,
	align boolean DEFAULT true)
RETURNS @extschema@.ccseg_retrain_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
	p jsonb;
	t @extschema@.ccseg_train_result;
	result @extschema@.ccseg_retrain_result;
BEGIN
	r := @extschema@._ccseg_model_row(ccseg_retrain.model);
	IF r.model_name IS NULL THEN
		RETURN NULL;
	END IF;
	p := r.parameters;
	t := @extschema@.ccseg_train(
		r.model_name, r.source::regclass,
		k => (p ->> 'k')::integer,
		features => ARRAY(SELECT jsonb_array_elements_text(p -> 'features')),
		id_column => p ->> 'id_column',
		impute => p ->> 'impute',
		scale => p ->> 'scale',
		init => CASE WHEN p ->> 'init' = 'given' THEN 'k-means++' ELSE p ->> 'init' END,
		init_centroids => CASE WHEN jsonb_typeof(p -> 'init_centroids') = 'array'
							   THEN translate(p ->> 'init_centroids', '[]', '{}')::float8[] END,
		n_init => (p ->> 'n_init')::integer,
		max_iter => (p ->> 'max_iter')::integer,
		tol => (p ->> 'tol')::float8,
		seed => coalesce(ccseg_retrain.seed, (p ->> 'seed')::bigint),
		algorithm => coalesce(p ->> 'algorithm', 'auto'),
		silhouette_sample => (p ->> 'silhouette_sample')::bigint,
		align => ccseg_retrain.align);
	SELECT t.model, t.version, t.k, t.rows, t.iterations, t.inertia, t.seconds,
		   v.aligned_to, v.changed_share
	INTO result
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = t.model AND v.version = t.version;
	RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_retrain(text, bigint, boolean) IS
'train a model again on its source with its stored parameters (another seed if given), keeping segment numbers stable; for scheduled retraining';

CREATE FUNCTION @extschema@.ccseg_activate(model text, version integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
	previous integer;
BEGIN
	r := @extschema@._ccseg_model_row(ccseg_activate.model, ccseg_activate.version);
	IF NOT @extschema@._ccseg_may_manage(r.owner) THEN
		RAISE EXCEPTION 'must be a member of role "%" to activate a version of model "%"',
			r.owner, r.model_name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(r.model_name));
	SELECT v.version INTO previous FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = r.model_name AND v.active;
	UPDATE @extschema@.ccseg_model_versions v SET active = false
	WHERE v.model_name = r.model_name AND v.active AND v.version <> r.version;
	UPDATE @extschema@.ccseg_model_versions v SET active = true
	WHERE v.model_name = r.model_name AND v.version = r.version AND NOT v.active;
	RETURN previous;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_activate(text, integer) IS
'make a version of a model the one scoring uses (roll back or forward); returns the version that was active';

CREATE FUNCTION @extschema@.ccseg_versions(model text)
RETURNS TABLE (version integer, active boolean, created_at timestamptz, owner name,
			   k integer, rows bigint, inertia float8, silhouette float8,
			   aligned_to integer, changed_share float8, seconds float8)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT v.version, v.active, v.created_at, v.owner, v.k, v.rows, v.inertia,
		   v.silhouette, v.aligned_to, v.changed_share, v.seconds
	FROM @extschema@.ccseg_model_versions v,
		 @extschema@._ccseg_model_row(ccseg_versions.model) known
	WHERE v.model_name = ccseg_versions.model
	ORDER BY v.version
$$;

COMMENT ON FUNCTION @extschema@.ccseg_versions(text) IS
'the history of a model: every version with when and by whom it was trained, its quality, and how much it changed from the version it was aligned to';

-- ---------------------------------------------------------------------------
-- Synthetic customers
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ccseg_generate_customers(n bigint, seed bigint DEFAULT 0)
RETURNS TABLE (cust_id text, balance float8, balance_frequency float8,
			   purchases float8, oneoff_purchases float8,
			   installments_purchases float8, cash_advance float8,
			   purchases_frequency float8, oneoff_purchases_frequency float8,
			   purchases_installments_frequency float8,
			   cash_advance_frequency float8, cash_advance_trx integer,
			   purchases_trx integer, credit_limit float8, payments float8,
			   minimum_payments float8, prc_full_payment float8, tenure integer)
AS 'MODULE_PATHNAME', 'ccseg_generate_customers'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000000;

COMMENT ON FUNCTION @extschema@.ccseg_generate_customers(bigint, bigint) IS
'n synthetic card holders with the 17 behaviour columns of the credit-card data set (latent customer types, skewed money columns, correlated frequencies, a few missing values); the same seed gives the same rows';

-- ---------------------------------------------------------------------------
-- k-means as an aggregate: one model per group, parallel and distributed
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer)
RETURNS internal AS 'MODULE_PATHNAME', 'ccseg_fit_transition'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer, text[])
RETURNS internal AS 'MODULE_PATHNAME', 'ccseg_fit_transition'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._ccseg_fit_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ccseg_fit_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._ccseg_fit_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ccseg_fit_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._ccseg_fit_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ccseg_fit_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._ccseg_fit_final(internal)
RETURNS @extschema@.ccseg_model AS 'MODULE_PATHNAME', 'ccseg_fit_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer) IS 'internal: ccseg_fit state transition';
COMMENT ON FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer, text[]) IS 'internal: ccseg_fit state transition with feature names';
COMMENT ON FUNCTION @extschema@._ccseg_fit_combine(internal, internal) IS 'internal: combine two ccseg_fit states';
COMMENT ON FUNCTION @extschema@._ccseg_fit_serialize(internal) IS 'internal: ccseg_fit state to bytes';
COMMENT ON FUNCTION @extschema@._ccseg_fit_deserialize(bytea, internal) IS 'internal: ccseg_fit state from bytes';
COMMENT ON FUNCTION @extschema@._ccseg_fit_final(internal) IS 'internal: train the model of a ccseg_fit state';

CREATE AGGREGATE @extschema@.ccseg_fit(features float8[], k integer) (
	SFUNC = @extschema@._ccseg_fit_transition,
	STYPE = internal,
	FINALFUNC = @extschema@._ccseg_fit_final,
	COMBINEFUNC = @extschema@._ccseg_fit_combine,
	SERIALFUNC = @extschema@._ccseg_fit_serialize,
	DESERIALFUNC = @extschema@._ccseg_fit_deserialize,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.ccseg_fit(features float8[], k integer, names text[]) (
	SFUNC = @extschema@._ccseg_fit_transition,
	STYPE = internal,
	FINALFUNC = @extschema@._ccseg_fit_final,
	COMBINEFUNC = @extschema@._ccseg_fit_combine,
	SERIALFUNC = @extschema@._ccseg_fit_serialize,
	DESERIALFUNC = @extschema@._ccseg_fit_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.ccseg_fit(float8[], integer) IS
'k-means over the feature arrays of the rows aggregated (one model per group with GROUP BY), with ccseg_train''s defaults; features named f1, f2, ...; parallel safe and combinable';
COMMENT ON AGGREGATE @extschema@.ccseg_fit(float8[], integer, text[]) IS
'k-means over the feature arrays of the rows aggregated, features named by names (so that ccseg_predict can read rows by column name); parallel safe and combinable';
