/* ccseg 0.1.0: k-means customer segmentation inside PostgreSQL */

\echo Use "CREATE EXTENSION ccseg" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The model value type
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.ccseg_model;

CREATE FUNCTION @extschema@.ccseg_model_in(cstring)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_model_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ccseg_model_out(@extschema@.ccseg_model)
RETURNS cstring
AS 'MODULE_PATHNAME', 'ccseg_model_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ccseg_model_recv(internal)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_model_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ccseg_model_send(@extschema@.ccseg_model)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_model_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.ccseg_model (
	INPUT = @extschema@.ccseg_model_in,
	OUTPUT = @extschema@.ccseg_model_out,
	RECEIVE = @extschema@.ccseg_model_recv,
	SEND = @extschema@.ccseg_model_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

COMMENT ON TYPE @extschema@.ccseg_model IS
'a trained k-means segmentation model: features, imputation, scaling, centroids and summary; text form is JSON';

CREATE FUNCTION @extschema@.ccseg_model_summary(
	model @extschema@.ccseg_model,
	OUT k integer,
	OUT features text[],
	OUT impute text,
	OUT impute_values float8[],
	OUT scale text,
	OUT scale_center float8[],
	OUT scale_scale float8[],
	OUT centroids float8[],
	OUT centroids_original float8[],
	OUT sizes bigint[],
	OUT sse float8[],
	OUT inertia float8,
	OUT iterations integer,
	OUT rows bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ccseg_model_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_model_summary(@extschema@.ccseg_model) IS
'every field of a model value as columns: features, preprocessing, centroids (scaled and original units), sizes, inertia';

-- ---------------------------------------------------------------------------
-- Training without storing
-- ---------------------------------------------------------------------------

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
	verbose boolean DEFAULT false)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_build_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_build_model(regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, boolean) IS
'train a k-means model on a table or view and return it as a ccseg_model value, without storing it in the catalog';

-- ---------------------------------------------------------------------------
-- The model catalog
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.ccseg_model_versions (
	id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	model_name text NOT NULL
		CHECK (model_name <> '' AND octet_length(model_name) <= 63),
	version integer NOT NULL CHECK (version >= 1),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	owner name NOT NULL DEFAULT CURRENT_USER,
	source text NOT NULL,
	features text[] NOT NULL,
	parameters jsonb NOT NULL,
	k integer NOT NULL,
	n_rows bigint NOT NULL,
	impute text NOT NULL,
	impute_values float8[],
	scale text NOT NULL,
	scale_center float8[] NOT NULL,
	scale_scale float8[] NOT NULL,
	centroids float8[] NOT NULL,
	centroids_original float8[] NOT NULL,
	sizes bigint[] NOT NULL,
	inertia float8 NOT NULL,
	iterations integer NOT NULL,
	seconds float8 NOT NULL,
	model @extschema@.ccseg_model NOT NULL,
	PRIMARY KEY (model_name, version)
);

COMMENT ON TABLE @extschema@.ccseg_model_versions IS
'ccseg model catalog: one row per trained version of each model';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions_id_seq', '');

-- Everyone may read models; a model's versions are written only by members of its owner role.
ALTER TABLE @extschema@.ccseg_model_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY ccseg_read ON @extschema@.ccseg_model_versions
	FOR SELECT USING (true);
CREATE POLICY ccseg_write ON @extschema@.ccseg_model_versions
	FOR ALL USING (pg_catalog.pg_has_role(CURRENT_USER, owner, 'MEMBER'))
	WITH CHECK (pg_catalog.pg_has_role(CURRENT_USER, owner, 'MEMBER'));
GRANT SELECT, INSERT, DELETE ON @extschema@.ccseg_model_versions TO PUBLIC;

CREATE VIEW @extschema@.ccseg_models AS
SELECT DISTINCT ON (v.model_name)
	v.model_name AS model,
	v.version,
	v.k,
	v.features,
	v.n_rows AS rows,
	v.inertia,
	v.iterations,
	v.impute,
	v.scale,
	v.source,
	v.parameters,
	v.owner,
	v.created_at
FROM @extschema@.ccseg_model_versions v
ORDER BY v.model_name, v.version DESC;

COMMENT ON VIEW @extschema@.ccseg_models IS
'one row per model: its current (latest) version with k, features, rows, inertia and parameters';
GRANT SELECT ON @extschema@.ccseg_models TO PUBLIC;

-- Check a model name given by a user; raise the error a bad one deserves.
CREATE FUNCTION @extschema@._ccseg_check_model_name(model text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF model IS NULL OR model = '' THEN
		RAISE EXCEPTION 'model name must not be empty'
			USING ERRCODE = 'invalid_name';
	END IF;
	IF octet_length(model) > 63 THEN
		RAISE EXCEPTION 'model name "%" is too long', model
			USING ERRCODE = 'name_too_long',
				  DETAIL = format('The name is %s bytes long; at most 63 bytes are allowed.', octet_length(model));
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_model_name(text) IS
'internal: raise an error for an empty or over-long model name';

-- The summary row returned by ccseg_train.
CREATE TYPE @extschema@.ccseg_train_result AS (
	model text,
	version integer,
	k integer,
	rows bigint,
	iterations integer,
	inertia float8,
	seconds float8
);

COMMENT ON TYPE @extschema@.ccseg_train_result IS
'summary of one training: model, version, k, rows used, iterations, inertia, seconds';

CREATE FUNCTION @extschema@.ccseg_train(
	model text,
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
	verbose boolean DEFAULT false)
RETURNS @extschema@.ccseg_train_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	built @extschema@.ccseg_model;
	s record;
	next_version integer;
	owner_of name;
	source_name text;
	result @extschema@.ccseg_train_result;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(ccseg_train.model);

	-- one training of a given model at a time; the lock goes with the transaction
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(ccseg_train.model));
	SELECT v.owner INTO owner_of
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model
	ORDER BY v.version DESC LIMIT 1;
	IF FOUND AND NOT pg_has_role(current_user, owner_of, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role "%" to retrain model "%"',
			owner_of, ccseg_train.model
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	built := @extschema@.ccseg_build_model(source, ccseg_train.k, features,
		id_column, impute, scale, init, init_centroids, n_init, max_iter, tol,
		seed, algorithm, ccseg_train.verbose);
	s := @extschema@.ccseg_model_summary(built);

	SELECT format('%I.%I', n.nspname, c.relname) INTO source_name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = source;

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	INSERT INTO @extschema@.ccseg_model_versions
		(model_name, version, source, features, parameters, k, n_rows,
		 impute, impute_values, scale, scale_center, scale_scale,
		 centroids, centroids_original, sizes, inertia, iterations, seconds,
		 model)
	VALUES
		(ccseg_train.model, next_version, source_name, s.features,
		 jsonb_build_object(
			'k', ccseg_train.k, 'features', features, 'id_column', id_column,
			'impute', impute, 'scale', scale,
			'init', CASE WHEN init_centroids IS NULL THEN init ELSE 'given' END,
			'init_centroids', init_centroids,
			'n_init', CASE WHEN init_centroids IS NULL THEN n_init ELSE 1 END,
			'max_iter', max_iter, 'tol', tol, 'seed', seed,
			'algorithm', algorithm),
		 s.k, s.rows, s.impute, s.impute_values, s.scale, s.scale_center,
		 s.scale_scale, s.centroids, s.centroids_original, s.sizes, s.inertia,
		 s.iterations,
		 extract(epoch FROM clock_timestamp() - started)::float8,
		 built);

	result := ROW(ccseg_train.model, next_version, s.k, s.rows, s.iterations,
				  s.inertia,
				  extract(epoch FROM clock_timestamp() - started)::float8);
	RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, boolean) IS
'train a k-means segmentation model on a table or view and store it as a new version in the catalog';

-- The current version of a model, or a given version.
CREATE FUNCTION @extschema@.ccseg_get_model(model text, version integer DEFAULT NULL)
RETURNS @extschema@.ccseg_model
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model @extschema@.ccseg_model;
BEGIN
	SELECT v.model INTO found_model
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_get_model.model
	  AND (ccseg_get_model.version IS NULL OR v.version = ccseg_get_model.version)
	ORDER BY v.version DESC LIMIT 1;
	IF NOT FOUND THEN
		IF ccseg_get_model.version IS NULL THEN
			RAISE EXCEPTION 'model "%" does not exist', ccseg_get_model.model
				USING ERRCODE = 'undefined_object',
					  HINT = 'The ccseg_models view lists the trained models.';
		END IF;
		RAISE EXCEPTION 'model "%" has no version %', ccseg_get_model.model,
			ccseg_get_model.version
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN found_model;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_get_model(text, integer) IS
'a stored model as a ccseg_model value: the current version, or the version given';

CREATE FUNCTION @extschema@.ccseg_centroids(model text)
RETURNS TABLE (segment integer, feature text, value float8, scaled_value float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cur record;
BEGIN
	SELECT v.k, v.features, v.centroids, v.centroids_original INTO cur
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_centroids.model
	ORDER BY v.version DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', ccseg_centroids.model
			USING ERRCODE = 'undefined_object',
				  HINT = 'The ccseg_models view lists the trained models.';
	END IF;
	RETURN QUERY
		SELECT s.seg, f.name, cur.centroids_original[s.seg][f.j],
			   cur.centroids[s.seg][f.j]
		FROM generate_series(1, cur.k) AS s(seg),
			 unnest(cur.features) WITH ORDINALITY AS f(name, j)
		ORDER BY s.seg, f.j;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_centroids(text) IS
'centroids of the current version of a model, one row per segment and feature, in original units and scaled';

CREATE FUNCTION @extschema@.ccseg_drop_model(model text)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner_of name;
	dropped integer;
BEGIN
	SELECT v.owner INTO owner_of
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_drop_model.model
	ORDER BY v.version DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', ccseg_drop_model.model
			USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT pg_has_role(current_user, owner_of, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role "%" to drop model "%"',
			owner_of, ccseg_drop_model.model
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_drop_model.model;
	GET DIAGNOSTICS dropped = ROW_COUNT;
	RETURN dropped;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_drop_model(text) IS
'delete every version of a model from the catalog; returns the number of versions deleted';

-- ---------------------------------------------------------------------------
-- Scoring
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ccseg_predict(model text, "row" record)
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_predict_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_predict(text, record) IS
'segment (1..k) of a row under the current version of a model; the row''s columns are matched to the model''s features by name';

CREATE FUNCTION @extschema@.ccseg_predict(model text, features float8[])
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_predict_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_predict(text, float8[]) IS
'segment (1..k) of feature values given in the model''s feature order; NULL elements are imputed';

CREATE FUNCTION @extschema@.ccseg_predict(model @extschema@.ccseg_model, features float8[])
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_predict_model'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_predict(@extschema@.ccseg_model, float8[]) IS
'segment (1..k) of feature values under a model value, without reading the catalog';

CREATE FUNCTION @extschema@.ccseg_distances(model text, "row" record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ccseg_distances_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_distances(text, record) IS
'Euclidean distance, in the scaled space, from a row to every centroid of a model (element i is segment i)';

CREATE FUNCTION @extschema@.ccseg_distances(model text, features float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ccseg_distances_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_distances(text, float8[]) IS
'Euclidean distance, in the scaled space, from feature values to every centroid of a model';
