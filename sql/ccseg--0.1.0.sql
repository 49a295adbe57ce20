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
	OUT rows bigint,
	OUT silhouette float8,
	OUT silhouette_rows bigint,
	OUT segment_silhouette float8[],
	OUT calinski_harabasz float8,
	OUT davies_bouldin float8,
	OUT feature_mean float8[],
	OUT feature_std float8[],
	OUT pca_ratio float8[],
	OUT pca_components float8[])
RETURNS record
AS 'MODULE_PATHNAME', 'ccseg_model_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_model_summary(@extschema@.ccseg_model) IS
'every field of a model value as columns: features, preprocessing, centroids (scaled and original units), sizes, inertia, quality measures';

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
	silhouette_sample bigint DEFAULT NULL,
	verbose boolean DEFAULT false)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_build_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_build_model(regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, boolean) IS
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
	parameters jsonb NOT NULL,
	seconds float8 NOT NULL,
	model @extschema@.ccseg_model NOT NULL,
	-- the rest is derived from model by a trigger, so it cannot disagree with it
	features text[] NOT NULL,
	k integer NOT NULL,
	rows bigint NOT NULL,
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
	silhouette float8,
	silhouette_rows bigint NOT NULL,
	segment_silhouette float8[] NOT NULL,
	calinski_harabasz float8,
	davies_bouldin float8,
	feature_mean float8[] NOT NULL,
	feature_std float8[] NOT NULL,
	pca_ratio float8[],
	PRIMARY KEY (model_name, version)
);

COMMENT ON TABLE @extschema@.ccseg_model_versions IS
'ccseg model catalog: one row per trained version of each model';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.id IS 'row identity, never reused (the scoring cache keys on it)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.model_name IS 'model name, 1 to 63 bytes';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.version IS 'version number, 1 for the first training of a name';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.created_at IS 'when the version was stored';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.owner IS 'role that owns the model; every version of a model has the same owner';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source IS 'schema-qualified relation the model was trained on';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.parameters IS 'effective training parameters, features resolved';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.seconds IS 'training time in seconds, reading the data included';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.model IS 'the model value that scoring uses; the columns after it are derived from it';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.features IS 'feature columns, in model order';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.k IS 'number of segments';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.rows IS 'training rows used (after impute = drop)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.impute IS 'imputation method: median, mean, zero or drop';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.impute_values IS 'value filled in for a missing feature, per feature; null for drop';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale IS 'scaling method: standard, minmax, robust or none';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale_center IS 'scaled value = (value - scale_center) / scale_scale, per feature';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale_scale IS 'scaled value = (value - scale_center) / scale_scale, per feature';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.centroids IS 'k x d centroids in the scaled space';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.centroids_original IS 'k x d centroids in the units of the source columns';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.sizes IS 'training rows per segment';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.inertia IS 'sum of squared distances of the training rows to their centroids, scaled space';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.iterations IS 'Lloyd iterations of the best restart';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.silhouette IS 'mean silhouette of the training rows (null for k = 1 or when not computed)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.silhouette_rows IS 'rows the silhouette was computed on: all rows when exact, a stratified sample otherwise';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.segment_silhouette IS 'mean silhouette of each segment';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.calinski_harabasz IS 'Calinski-Harabasz index of the training partition (higher is better)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.davies_bouldin IS 'Davies-Bouldin index of the training partition (lower is better)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.feature_mean IS 'mean of each feature over the training rows, original units, after imputation';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.feature_std IS 'population standard deviation of each feature over the training rows, original units';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.pca_ratio IS 'explained variance ratio of each principal axis of the scaled training rows (null above 256 features)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions_id_seq', '');

-- Fill the derived columns from the model value.
CREATE FUNCTION @extschema@._ccseg_derive_columns()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record;
BEGIN
	s := @extschema@.ccseg_model_summary(NEW.model);
	NEW.features := s.features;
	NEW.k := s.k;
	NEW.rows := s.rows;
	NEW.impute := s.impute;
	NEW.impute_values := s.impute_values;
	NEW.scale := s.scale;
	NEW.scale_center := s.scale_center;
	NEW.scale_scale := s.scale_scale;
	NEW.centroids := s.centroids;
	NEW.centroids_original := s.centroids_original;
	NEW.sizes := s.sizes;
	NEW.inertia := s.inertia;
	NEW.iterations := s.iterations;
	NEW.silhouette := s.silhouette;
	NEW.silhouette_rows := s.silhouette_rows;
	NEW.segment_silhouette := s.segment_silhouette;
	NEW.calinski_harabasz := s.calinski_harabasz;
	NEW.davies_bouldin := s.davies_bouldin;
	NEW.feature_mean := s.feature_mean;
	NEW.feature_std := s.feature_std;
	NEW.pca_ratio := s.pca_ratio;
	RETURN NEW;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_derive_columns() IS
'internal: trigger filling the catalog columns that are derived from the model value';

CREATE TRIGGER ccseg_derive_columns
	BEFORE INSERT OR UPDATE ON @extschema@.ccseg_model_versions
	FOR EACH ROW EXECUTE FUNCTION @extschema@._ccseg_derive_columns();

-- Everyone may read models.  A version may be added only by a member of the
-- model's owner role, and every version of a model has the same owner; only
-- members of the owner role may delete versions.
ALTER TABLE @extschema@.ccseg_model_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY ccseg_read ON @extschema@.ccseg_model_versions
	FOR SELECT USING (true);
CREATE POLICY ccseg_add ON @extschema@.ccseg_model_versions
	FOR INSERT WITH CHECK (
		pg_catalog.pg_has_role(CURRENT_USER, owner, 'MEMBER')
		AND NOT EXISTS (
			SELECT 1 FROM @extschema@.ccseg_model_versions o
			WHERE o.model_name OPERATOR(pg_catalog.=) ccseg_model_versions.model_name
			  AND o.owner OPERATOR(pg_catalog.<>) ccseg_model_versions.owner));
CREATE POLICY ccseg_remove ON @extschema@.ccseg_model_versions
	FOR DELETE USING (pg_catalog.pg_has_role(CURRENT_USER, owner, 'MEMBER'));
GRANT SELECT, INSERT, DELETE ON @extschema@.ccseg_model_versions TO PUBLIC;

CREATE VIEW @extschema@.ccseg_models AS
SELECT DISTINCT ON (v.model_name)
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
	v.created_at
FROM @extschema@.ccseg_model_versions v
ORDER BY v.model_name, v.version DESC;

COMMENT ON VIEW @extschema@.ccseg_models IS
'one row per model: its current (latest) version with k, features, rows, inertia, silhouette and parameters';
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

-- The catalog row of a model's current version, or of a given version.
CREATE FUNCTION @extschema@._ccseg_model_row(model text, version integer DEFAULT NULL)
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
	SELECT v.* INTO found_row
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = _ccseg_model_row.model
	  AND (_ccseg_model_row.version IS NULL OR v.version = _ccseg_model_row.version)
	ORDER BY v.version DESC LIMIT 1;
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

COMMENT ON FUNCTION @extschema@._ccseg_model_row(text, integer) IS
'internal: the catalog row of a model version (null for a null name), with the error an unknown model or version deserves';

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
	verbose boolean DEFAULT false)
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
	source_name text;
	took float8;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(ccseg_train.model);

	-- one training of a given model at a time; the lock goes with the transaction
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(ccseg_train.model));
	SELECT v.owner INTO model_owner
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model
	ORDER BY v.version DESC LIMIT 1;
	IF NOT FOUND THEN
		model_owner := current_user;
	ELSIF NOT pg_has_role(current_user, model_owner, 'MEMBER') THEN
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

	built := @extschema@.ccseg_build_model(source, use_k, features,
		id_column, impute, scale, init, init_centroids, n_init, max_iter, tol,
		seed, algorithm, silhouette_sample, ccseg_train.verbose);
	s := @extschema@.ccseg_model_summary(built);

	SELECT format('%I.%I', n.nspname, c.relname) INTO source_name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = source;

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	took := extract(epoch FROM clock_timestamp() - started);
	BEGIN
		INSERT INTO @extschema@.ccseg_model_versions
			(model_name, version, owner, source, parameters, seconds, model)
		VALUES
			(ccseg_train.model, next_version, model_owner, source_name,
			 jsonb_build_object(
				'k', use_k, 'features', s.features, 'id_column', id_column,
				'impute', impute, 'scale', scale,
				'init', CASE WHEN init_centroids IS NULL THEN init ELSE 'given' END,
				'init_centroids', init_centroids,
				'n_init', CASE WHEN init_centroids IS NULL THEN n_init ELSE 1 END,
				'max_iter', max_iter, 'tol', tol, 'seed', seed,
				'algorithm', algorithm, 'silhouette_sample', silhouette_sample)
			 || CASE WHEN elbow IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('k_chosen_by', 'elbow', 'k_min', k_min,
										'k_max', k_max, 'elbow', elbow) END,
			 took, built);
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

COMMENT ON FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, integer, integer, boolean) IS
'train a k-means segmentation model on a table or view and store it as a new version in the catalog; without k, k is chosen by the elbow rule in k_min..k_max';

-- The current version of a model, or a given version.
CREATE FUNCTION @extschema@.ccseg_get_model(model text, version integer DEFAULT NULL)
RETURNS @extschema@.ccseg_model
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (@extschema@._ccseg_model_row(model, version)).model
$$;

COMMENT ON FUNCTION @extschema@.ccseg_get_model(text, integer) IS
'a stored model as a ccseg_model value: the current version, or the version given';

CREATE FUNCTION @extschema@.ccseg_centroids(model text, version integer DEFAULT NULL)
RETURNS TABLE (segment integer, feature text, value float8, scaled_value float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.seg, f.name, r.centroids_original[s.seg][f.j], r.centroids[s.seg][f.j]
	FROM @extschema@._ccseg_model_row(model, version) r,
		 generate_series(1, r.k) AS s(seg),
		 unnest(r.features) WITH ORDINALITY AS f(name, j)
	ORDER BY s.seg, f.j
$$;

COMMENT ON FUNCTION @extschema@.ccseg_centroids(text, integer) IS
'centroids of a model (current version unless one is given), one row per segment and feature, in original units and scaled';

CREATE FUNCTION @extschema@.ccseg_drop_model(model text)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	model_owner name;
	dropped integer;
BEGIN
	model_owner := (@extschema@._ccseg_model_row(ccseg_drop_model.model)).owner;
	IF NOT pg_has_role(current_user, model_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role "%" to drop model "%"',
			model_owner, ccseg_drop_model.model
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
-- Choosing k and judging models
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ccseg_elbow(
	source regclass,
	k_min integer DEFAULT 2,
	k_max integer DEFAULT 10,
	features text[] DEFAULT NULL,
	id_column text DEFAULT NULL,
	impute text DEFAULT 'median',
	scale text DEFAULT 'standard',
	init text DEFAULT 'k-means++',
	n_init integer DEFAULT 10,
	max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4,
	seed bigint DEFAULT 0,
	algorithm text DEFAULT 'auto',
	silhouette_sample bigint DEFAULT NULL)
RETURNS TABLE (k integer, inertia float8, silhouette float8,
			   calinski_harabasz float8, davies_bouldin float8,
			   iterations integer, seconds float8, recommended boolean)
AS 'MODULE_PATHNAME', 'ccseg_elbow'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_elbow(regclass, integer, integer, text[], text, text, text, text, integer, integer, float8, bigint, text, bigint) IS
'train k-means for every k in k_min..k_max on data read and preprocessed once; inertia, silhouette, Calinski-Harabasz, Davies-Bouldin per k and the recommended k';

CREATE FUNCTION @extschema@.ccseg_evaluate(model text, version integer DEFAULT NULL)
RETURNS TABLE (inertia float8, silhouette float8, silhouette_rows bigint,
			   calinski_harabasz float8, davies_bouldin float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.inertia, r.silhouette, r.silhouette_rows, r.calinski_harabasz,
		   r.davies_bouldin
	FROM @extschema@._ccseg_model_row(model, version) r
	WHERE r.model_name IS NOT NULL
$$;

COMMENT ON FUNCTION @extschema@.ccseg_evaluate(text, integer) IS
'quality of a model measured on its training rows at training time: inertia, silhouette, Calinski-Harabasz, Davies-Bouldin';

CREATE FUNCTION @extschema@._ccseg_model_silhouette(source regclass,
	model @extschema@.ccseg_model, sample_size bigint, seed bigint)
RETURNS TABLE (segment integer, silhouette float8, rows bigint, sample_rows bigint)
AS 'MODULE_PATHNAME', 'ccseg_model_silhouette'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_model_silhouette(regclass, @extschema@.ccseg_model, bigint, bigint) IS
'internal: silhouette of a model value on the rows of a relation';

CREATE FUNCTION @extschema@.ccseg_silhouette(model text, sample_size bigint DEFAULT NULL,
	seed bigint DEFAULT 0)
RETURNS TABLE (segment integer, silhouette float8, rows bigint, sample_rows bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
BEGIN
	r := @extschema@._ccseg_model_row(ccseg_silhouette.model);
	IF r.model_name IS NULL THEN
		RETURN;
	END IF;
	RETURN QUERY
		SELECT * FROM @extschema@._ccseg_model_silhouette(r.source::regclass,
			r.model, sample_size, ccseg_silhouette.seed);
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_silhouette(text, bigint, bigint) IS
'silhouette of a model on the current rows of its source, overall (segment null) and per segment; exact up to 10000 rows or sample_size, else a stratified sample';

-- ---------------------------------------------------------------------------
-- Exploring
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ccseg_describe(source regclass, features text[] DEFAULT NULL)
RETURNS TABLE (feature text, count bigint, missing bigint, mean float8,
			   std float8, min float8, p25 float8, median float8, p75 float8,
			   max float8, skewness float8, outliers bigint, "position" integer)
AS 'MODULE_PATHNAME', 'ccseg_describe'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_describe(regclass, text[]) IS
'per numeric column: count, missing, mean, sample std, min, quartiles, max, skewness and the number of values beyond 1.5 IQR from the quartiles';

CREATE FUNCTION @extschema@.ccseg_correlation(source regclass, features text[] DEFAULT NULL)
RETURNS TABLE (a text, b text, r float8, pairs bigint)
AS 'MODULE_PATHNAME', 'ccseg_correlation'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_correlation(regclass, text[]) IS
'Pearson correlation of every ordered pair of numeric columns, over the rows where both are present';

CREATE FUNCTION @extschema@.ccseg_histogram(source regclass, feature text, bins integer DEFAULT 20)
RETURNS TABLE (bucket integer, lower float8, upper float8, count bigint)
AS 'MODULE_PATHNAME', 'ccseg_histogram'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_histogram(regclass, text, integer) IS
'equal-width histogram of a numeric column from its minimum to its maximum: bucket, bounds, count (the last bucket includes the maximum)';

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

CREATE FUNCTION @extschema@.ccseg_distances(model @extschema@.ccseg_model, features float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ccseg_distances_model'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_distances(@extschema@.ccseg_model, float8[]) IS
'Euclidean distance, in the scaled space, from feature values to every centroid of a model value';
