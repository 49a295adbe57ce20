/* ccseg 0.5.0: k-means customer segmentation inside PostgreSQL.
 *
 * The complete install script of the current version: CREATE EXTENSION runs
 * this file alone.  The scripts of earlier releases and the update scripts
 * between them (ccseg--0.1.0.sql, ccseg--A--B.sql) bring an older install to
 * the same objects; test/integration/upgrade.sh checks that both paths agree. */

\echo Use "CREATE EXTENSION ccseg" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The model value type
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.ccseg_model;

CREATE FUNCTION @extschema@.ccseg_model_in(cstring)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_model_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_model_in(cstring) IS 'text input of ccseg_model: the JSON form, fully validated';

CREATE FUNCTION @extschema@.ccseg_model_out(@extschema@.ccseg_model)
RETURNS cstring
AS 'MODULE_PATHNAME', 'ccseg_model_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ccseg_model_out(@extschema@.ccseg_model) IS 'text output of ccseg_model: the JSON form';

CREATE FUNCTION @extschema@.ccseg_model_recv(internal)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_model_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ccseg_model_recv(internal) IS 'binary input of ccseg_model, fully validated';

CREATE FUNCTION @extschema@.ccseg_model_send(@extschema@.ccseg_model)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ccseg_model_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ccseg_model_send(@extschema@.ccseg_model) IS 'binary output of ccseg_model (network byte order)';

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
	OUT pca_components float8[],
	OUT changed_share float8,
	OUT segment_drift float8[],
	OUT transform text[],
	OUT transform_a float8[],
	OUT transform_b float8[],
	OUT transform_mean float8[],
	OUT weights float8[],
	OUT category_column text[],
	OUT category text[])
RETURNS record
AS 'MODULE_PATHNAME', 'ccseg_model_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_model_summary(@extschema@.ccseg_model) IS
'every field of a model value as columns: features, preprocessing (imputation, per-feature transforms, scaling, weights, the categorical column and category of each one-hot indicator), centroids (scaled and original units), sizes, inertia, quality measures, feature means and deviations, PCA, and the alignment with the version before';

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
	verbose boolean DEFAULT false,
	previous @extschema@.ccseg_model DEFAULT NULL,
	transform text[] DEFAULT NULL,
	weights float8[] DEFAULT NULL,
	categorical text[] DEFAULT NULL)
RETURNS @extschema@.ccseg_model
AS 'MODULE_PATHNAME', 'ccseg_build_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_build_model(regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, boolean, @extschema@.ccseg_model, text[], float8[], text[]) IS
'train a k-means model on a table or view and return it as a ccseg_model value, without storing it; with previous, segment numbers follow that model''s; transform names per-feature transforms (log1p, clip) applied before scaling, weights multiply the scaled features, categorical names columns one-hot encoded into 0/1 indicators';

CREATE FUNCTION @extschema@._ccseg_train_defaults(
	OUT impute text,
	OUT scale text,
	OUT init text,
	OUT n_init integer,
	OUT max_iter integer,
	OUT tol float8,
	OUT seed bigint,
	OUT algorithm text,
	OUT silhouette_sample bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ccseg_train_defaults'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_train_defaults() IS
'internal: the training defaults compiled into the C code, which ccseg_fit trains with; the parameters of ccseg_train, ccseg_build_model and ccseg_elbow default to the same values';

-- ---------------------------------------------------------------------------
-- The model catalog: one row per version, the roles that may read each
-- model, row-level security that shows a role the models it may read
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
	changed_share float8,
	segment_drift float8[] NOT NULL,
	active boolean NOT NULL DEFAULT false,
	aligned_to integer,
	source_relid regclass,
	source_owner name,
	PRIMARY KEY (model_name, version)
);

COMMENT ON TABLE @extschema@.ccseg_model_versions IS
'ccseg model catalog: one row per trained version of each model';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.id IS 'row identity, never reused (the scoring cache keys on it)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.model_name IS 'model name, 1 to 63 bytes';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.version IS 'version number, 1 for the first training of a name';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.created_at IS 'when the version was stored';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.owner IS 'role that owns the model; every version of a model has the same owner';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source IS
'schema-qualified name of the relation the model was trained on, as it was named then';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.parameters IS 'effective training parameters, features resolved';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.seconds IS 'training time in seconds, reading the data included';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.model IS 'the model value that scoring uses; the columns after it are derived from it';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.features IS 'feature columns, in model order';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.k IS 'number of segments';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.rows IS 'training rows used (after impute = drop)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.impute IS 'imputation method: median, mean, zero or drop';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.impute_values IS 'value filled in for a missing feature, per feature; null for drop';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale IS 'scaling method: standard, minmax, robust or none';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale_center IS 'scaled value = (transformed value - scale_center) / scale_scale * weight, per feature (the transform and weight are in the model value: ccseg_model_summary)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.scale_scale IS 'scaled value = (transformed value - scale_center) / scale_scale * weight, per feature (the transform and weight are in the model value: ccseg_model_summary)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.centroids IS 'k x d centroids in the scaled (and weighted) space';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.centroids_original IS 'k x d centroids in the units of the source columns (weight, scaling and transform undone)';
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
COMMENT ON COLUMN @extschema@.ccseg_model_versions.changed_share IS 'share of the training rows whose segment differs from the version this one was aligned to (null when not aligned)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.segment_drift IS 'per segment: distance between its centroid and the aligned previous centroid, scaled space (null when unmatched)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.pca_ratio IS 'explained variance ratio of each principal axis of the scaled training rows (null above 256 features)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_versions_id_seq', '');
COMMENT ON SEQUENCE @extschema@.ccseg_model_versions_id_seq IS 'row identities of ccseg_model_versions';

COMMENT ON COLUMN @extschema@.ccseg_model_versions.active IS
'whether this is the version that scoring uses; one per model';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.aligned_to IS
'the version whose segment numbers this one took over (null when not aligned)';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source_relid IS
'the relation the model was trained on (by OID; null when the stored name did not name an existing relation); retraining reads this relation and no other';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source_owner IS
'owner of the source relation when the version was stored; retraining refuses a new owner the model''s owner is not a member of';

CREATE UNIQUE INDEX ccseg_model_versions_active
	ON @extschema@.ccseg_model_versions (model_name) WHERE active;

CREATE TABLE @extschema@.ccseg_model_readers (
	model_name text NOT NULL,
	reader name NOT NULL,
	granted_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	PRIMARY KEY (model_name, reader)
);

COMMENT ON TABLE @extschema@.ccseg_model_readers IS
'roles that may read a model besides the members of its owner role: its versions, centroids, sizes and scores; written by ccseg_grant_read and ccseg_revoke_read';
COMMENT ON COLUMN @extschema@.ccseg_model_readers.model_name IS 'the model';
COMMENT ON COLUMN @extschema@.ccseg_model_readers.reader IS 'a role whose members may read the model, by name (as the catalog''s owner column), or public for everyone';
COMMENT ON COLUMN @extschema@.ccseg_model_readers.granted_at IS 'when the access was granted';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_model_readers', '');
GRANT SELECT ON @extschema@.ccseg_model_readers TO PUBLIC;

-- Whether the current user may change a model owned by role owner: a
-- member of that role, or a superuser (also when the role is gone).
CREATE FUNCTION @extschema@._ccseg_may_manage(owner name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = owner)
				THEN pg_has_role(current_user, owner, 'MEMBER')
				ELSE coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false)
		   END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_may_manage(name) IS
'internal: whether the current user may add versions to, activate or drop a model owned by this role';

-- Whether the current user may read a model owned by role owner: a member
-- of that role (or a superuser when it is gone), or a member of a role the
-- model was granted to, or anyone when it was granted to PUBLIC.
CREATE FUNCTION @extschema@._ccseg_may_read(model text, owner name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT @extschema@._ccseg_may_manage(owner)
		OR EXISTS (SELECT 1 FROM @extschema@.ccseg_model_readers g
				   WHERE g.model_name = model
					 AND (g.reader = 'public'
						  OR (EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = g.reader)
							  AND pg_has_role(current_user, g.reader, 'MEMBER'))))
$$;

COMMENT ON FUNCTION @extschema@._ccseg_may_read(text, name) IS
'internal: whether the current user may read a model: a member of its owner role, or of a role it was granted to, or anyone when granted to PUBLIC';

-- A relation named by text, or null when no relation has that name; an
-- error for text that is not a relation name at all.
CREATE FUNCTION @extschema@._ccseg_parse_relation(name text)
RETURNS regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN pg_catalog.to_regclass(name);
EXCEPTION WHEN OTHERS THEN
	-- to_regclass raises for text it cannot parse (invalid_name, syntax_error,
	-- name_too_long, a cross-database reference, ...); cancellation is not
	-- caught by OTHERS
	RAISE EXCEPTION 'source "%" is not a relation name',
		CASE WHEN length(name) > 80 THEN left(name, 77) || '...' ELSE name END
		USING ERRCODE = 'invalid_name',
			  HINT = 'Give the schema-qualified name of a table or view, such as public.customers.';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_parse_relation(text) IS
'internal: the relation a schema-qualified name denotes (null when none), or an error for text that is not a relation name';

-- Whether a number from the parameters JSON is finite in double precision
-- (and, when whole is true, a whole number in the integer range).
CREATE FUNCTION @extschema@._ccseg_json_number_ok(v jsonb, whole boolean)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	x numeric;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN true;
	END IF;
	IF jsonb_typeof(v) <> 'number' THEN
		RETURN false;
	END IF;
	x := (v #>> '{}')::numeric;
	IF whole THEN
		RETURN x = trunc(x) AND x BETWEEN -9223372036854775808 AND 9223372036854775807;
	END IF;
	RETURN abs(x) <= 1.7976931348623157e308;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_json_number_ok(jsonb, boolean) IS
'internal: whether a JSON value is null or a number that double precision (or, for whole, bigint) holds';

-- Check the parameters of a stored version: a JSON object whose known keys
-- hold what ccseg_train writes there, so that retraining and the report can
-- trust their types and ranges.
CREATE FUNCTION @extschema@._ccseg_check_parameters(p jsonb)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	key text;
	e jsonb;
	i integer := 0;
	bad text;
BEGIN
	IF jsonb_typeof(p) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'parameters must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH key IN ARRAY ARRAY['k', 'n_init', 'max_iter', 'seed', 'silhouette_sample', 'k_min', 'k_max'] LOOP
		IF NOT @extschema@._ccseg_json_number_ok(p -> key, true) THEN
			bad := format('"%s" must be a whole number or null', key);
		END IF;
	END LOOP;
	IF NOT @extschema@._ccseg_json_number_ok(p -> 'tol', false) THEN
		bad := '"tol" must be a number or null';
	END IF;
	FOREACH key IN ARRAY ARRAY['id_column', 'impute', 'scale', 'init', 'algorithm', 'k_chosen_by'] LOOP
		IF jsonb_typeof(p -> key) NOT IN ('string', 'null') THEN
			bad := format('"%s" must be a string or null', key);
		END IF;
	END LOOP;
	IF jsonb_typeof(p -> 'align') NOT IN ('boolean', 'null') THEN
		bad := '"align" must be true, false or null';
	END IF;
	IF jsonb_typeof(p -> 'features') NOT IN ('array', 'null')
	   OR (jsonb_typeof(p -> 'features') = 'array'
		   AND EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'features') f
					   WHERE jsonb_typeof(f) <> 'string')) THEN
		bad := '"features" must be an array of strings or null';
	END IF;
	IF jsonb_typeof(p -> 'transform') NOT IN ('array', 'null')
	   OR (jsonb_typeof(p -> 'transform') = 'array'
		   AND EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'transform') t
					   WHERE jsonb_typeof(t) <> 'string')) THEN
		bad := '"transform" must be an array of strings or null';
	END IF;
	IF jsonb_typeof(p -> 'categorical') NOT IN ('array', 'null')
	   OR (jsonb_typeof(p -> 'categorical') = 'array'
		   AND EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'categorical') c
					   WHERE jsonb_typeof(c) <> 'string')) THEN
		bad := '"categorical" must be an array of strings or null';
	END IF;
	IF jsonb_typeof(p -> 'weights') NOT IN ('array', 'null')
	   OR (jsonb_typeof(p -> 'weights') = 'array'
		   AND EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'weights') w
					   WHERE CASE WHEN jsonb_typeof(w) = 'number'
								   AND @extschema@._ccseg_json_number_ok(w, false)
							  THEN NOT (w::text::float8 > 0) ELSE true END)) THEN
		bad := '"weights" must be an array of positive numbers or null';
	END IF;
	IF jsonb_typeof(p -> 'init_centroids') NOT IN ('array', 'null')
	   OR (jsonb_typeof(p -> 'init_centroids') = 'array'
		   AND EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'init_centroids') c
					   WHERE jsonb_typeof(c) <> 'array'
						  OR EXISTS (SELECT 1 FROM jsonb_array_elements(c) x
									 WHERE jsonb_typeof(x) <> 'number'
										OR NOT @extschema@._ccseg_json_number_ok(x, false)))) THEN
		bad := '"init_centroids" must be an array of arrays of numbers or null';
	END IF;
	IF jsonb_typeof(p -> 'elbow') NOT IN ('array', 'null') THEN
		bad := '"elbow" must be an array or null';
	ELSIF jsonb_typeof(p -> 'elbow') = 'array' THEN
		FOR e IN SELECT x FROM jsonb_array_elements(p -> 'elbow') x LOOP
			i := i + 1;
			IF jsonb_typeof(e) <> 'object' THEN
				bad := format('element %s of "elbow" must be an object', i);
			ELSIF jsonb_typeof(e -> 'k') IS DISTINCT FROM 'number'
				  OR NOT @extschema@._ccseg_json_number_ok(e -> 'k', true)
				  OR NOT @extschema@._ccseg_json_number_ok(e -> 'iterations', true) THEN
				bad := format('element %s of "elbow" must have a whole number "k" and "iterations"', i);
			ELSIF jsonb_typeof(e -> 'recommended') NOT IN ('boolean', 'null') THEN
				bad := format('"recommended" of element %s of "elbow" must be true, false or null', i);
			ELSE
				FOREACH key IN ARRAY ARRAY['inertia', 'silhouette', 'calinski_harabasz', 'davies_bouldin', 'seconds'] LOOP
					IF NOT @extschema@._ccseg_json_number_ok(e -> key, false) THEN
						bad := format('"%s" of element %s of "elbow" must be a number or null', key, i);
					END IF;
				END LOOP;
			END IF;
		END LOOP;
	END IF;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'invalid model parameters: %', bad
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The parameters column holds what ccseg_train stores there; docs/reference.md describes its keys.';
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_parameters(jsonb) IS
'internal: raise an error unless the parameters of a stored version are a JSON object whose known keys have the types and ranges ccseg_train writes';

-- Fill the derived columns from the model value; on insert, check the owner,
-- the parameters and the source relation.
CREATE FUNCTION @extschema@._ccseg_derive_columns()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record;
	other name;
	named regclass;
	rel record;
	is_super boolean;
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- every version of a model has one owner; the lock orders concurrent inserts
		PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(NEW.model_name));
		SELECT v.owner INTO other FROM @extschema@.ccseg_model_versions v
		WHERE v.model_name = NEW.model_name AND v.owner <> NEW.owner LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'model "%" belongs to role "%"', NEW.model_name, other
				USING ERRCODE = 'insufficient_privilege',
					  HINT = 'Every version of a model has the same owner.';
		END IF;

		-- a superuser's direct insert (a restore) keeps a version stored
		-- before parameters and sources were checked, with a warning, so that
		-- a restore never loses models; every other insert comes through
		-- _ccseg_store_version, which has checked both as its caller
		is_super := coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false);
		BEGIN
			PERFORM @extschema@._ccseg_check_parameters(NEW.parameters);
		EXCEPTION WHEN invalid_parameter_value THEN
			IF NOT is_super THEN
				RAISE;
			END IF;
			RAISE WARNING 'parameters of model "%" version % do not have the documented shape',
				NEW.model_name, NEW.version
				USING DETAIL = upper(left(SQLERRM, 1)) || substr(SQLERRM, 2) || '.';
		END;

		-- the source: a relation that exists and that the inserting role may
		-- read; given by OID (source_relid), by name (source), or both alike
		BEGIN
			named := @extschema@._ccseg_parse_relation(NEW.source);
		EXCEPTION WHEN invalid_name THEN
			IF NOT is_super THEN
				RAISE;
			END IF;
			named := NULL;
			NEW.source_relid := NULL;
		END;
		IF NEW.source_relid IS NULL THEN
			NEW.source_relid := named;
		END IF;
		SELECT format('%I.%I', n.nspname, c.relname) AS name,
			   c.relowner::regrole::name AS owner
		INTO rel
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = NEW.source_relid;
		-- given both ways, name and OID must agree (a restored dump gives both:
		-- a source dropped or renamed since is kept by neither)
		IF NOT FOUND OR (NEW.source IS NOT NULL AND named IS DISTINCT FROM NEW.source_relid) THEN
			IF NOT is_super AND FOUND THEN
				RAISE EXCEPTION 'source "%" and source_relid % name different relations',
					CASE WHEN length(NEW.source) > 80 THEN left(NEW.source, 77) || '...' ELSE NEW.source END,
					rel.name
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Give the relation by name (source) or by OID (source_relid), or both alike.';
			END IF;
			IF NOT is_super THEN
				RAISE EXCEPTION 'source "%" does not name an existing relation',
					CASE WHEN length(NEW.source) > 80 THEN left(NEW.source, 77) || '...'
						 ELSE coalesce(NEW.source, NEW.source_relid::text) END
					USING ERRCODE = 'undefined_table',
						  HINT = 'Give the schema-qualified name of the table or view the model was trained on.';
			END IF;
			-- a superuser restoring a dump whose source was dropped or renamed
			-- before it: the version is kept for scoring, and retraining refuses it
			IF FOUND THEN
				RAISE WARNING 'source "%" and source_relid % of model "%" version % name different relations',
					NEW.source, rel.name, NEW.model_name, NEW.version
					USING DETAIL = 'The version is stored without a source relation: it scores rows, and ccseg_retrain refuses it.';
			ELSE
				RAISE WARNING 'source "%" of model "%" version % does not name an existing relation',
					coalesce(NEW.source, NEW.source_relid::text), NEW.model_name, NEW.version
					USING DETAIL = 'The version is stored without a source relation: it scores rows, and ccseg_retrain refuses it.';
			END IF;
			NEW.source := coalesce(NEW.source, NEW.source_relid::text);
			NEW.source_relid := NULL;
			NEW.source_owner := NULL;
		ELSE
			PERFORM @extschema@._ccseg_check_source(NEW.source_relid);
			NEW.source := rel.name;
			NEW.source_owner := rel.owner;
		END IF;
	END IF;
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
	NEW.changed_share := s.changed_share;
	NEW.segment_drift := s.segment_drift;
	RETURN NEW;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_derive_columns() IS
'internal: trigger filling the catalog columns that are derived from the model value';

CREATE TRIGGER ccseg_derive_columns
	BEFORE INSERT OR UPDATE OF model ON @extschema@.ccseg_model_versions
	FOR EACH ROW EXECUTE FUNCTION @extschema@._ccseg_derive_columns();

-- Row-level security: a role sees the versions of the models it may read
-- (_ccseg_may_read).  PUBLIC holds SELECT only; every write goes through the
-- functions under "Writes go through functions" below.
ALTER TABLE @extschema@.ccseg_model_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY ccseg_read ON @extschema@.ccseg_model_versions
	FOR SELECT USING (@extschema@._ccseg_may_read(model_name, owner));
GRANT SELECT ON @extschema@.ccseg_model_versions TO PUBLIC;

-- One row per model the caller may read: its active version.  The view reads
-- the catalog as its caller, so the caller's visibility applies.
CREATE VIEW @extschema@.ccseg_models WITH (security_invoker = true) AS
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
	v.changed_share,
	ARRAY(SELECT CASE WHEN g.reader = 'public' THEN 'PUBLIC' ELSE g.reader::text END
		  FROM @extschema@.ccseg_model_readers g
		  WHERE g.model_name = v.model_name ORDER BY 1) AS readers
FROM @extschema@.ccseg_model_versions v
WHERE v.active;

COMMENT ON VIEW @extschema@.ccseg_models IS
'one row per model the caller may read: its active version with k, features, rows, quality, parameters, how much it changed from the version before, and the roles it was granted to besides its owner role';
GRANT SELECT ON @extschema@.ccseg_models TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Finding a model, and the relation it was trained on
-- ---------------------------------------------------------------------------

-- Check a model name given by a user; raise the error a bad one deserves.
-- A name as an error message shows it: whole up to 63 bytes, else its first
-- 60 characters and "...", so that a 10,000-character name does not flood a log.
CREATE FUNCTION @extschema@._ccseg_name_for_message(name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN octet_length(name) <= 63 THEN name ELSE left(name, 60) || '...' END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_name_for_message(text) IS
'internal: a name as error messages show it (cut to 60 characters and "..." beyond 63 bytes)';

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
		RAISE EXCEPTION 'model name "%" is too long', @extschema@._ccseg_name_for_message(model)
			USING ERRCODE = 'name_too_long',
				  DETAIL = format('The name is %s bytes long; at most 63 bytes are allowed.', octet_length(model));
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_model_name(text) IS
'internal: raise an error for an empty or over-long model name';

-- The catalog row of a model's active version, or of the version given.
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
			RAISE EXCEPTION 'model "%" does not exist',
				@extschema@._ccseg_name_for_message(_ccseg_model_row.model)
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

-- The role whose code reading rel would run with the current user's
-- privileges, or null when reading it runs no code of a role the current
-- user does not trust.  A view runs its owner's functions as the reader, and
-- row security policies run as the reader unless the reader bypasses them;
-- a plain table, materialized view or foreign table without policies runs
-- nothing.  The current user trusts itself and superusers.  Members of the
-- owner role are not trusted either: any other member could have written
-- the code.
CREATE FUNCTION @extschema@._ccseg_source_code_owner(rel regclass)
RETURNS name
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.rolname
	FROM pg_class c
	JOIN pg_roles o ON o.oid = c.relowner
	LEFT JOIN pg_roles me ON me.rolname = current_user
	WHERE c.oid = rel
	  AND o.rolname <> current_user
	  AND NOT o.rolsuper
	  AND NOT (c.relkind IN ('r', 'p', 'm', 'f')
			   AND (NOT c.relrowsecurity OR coalesce(me.rolsuper OR me.rolbypassrls, false)))
$$;

COMMENT ON FUNCTION @extschema@._ccseg_source_code_owner(regclass) IS
'internal: the role whose code (a view''s functions, row security policies) reading a relation would run as the current user, or null when it runs none of an untrusted role';

-- The relation a stored version was trained on, for reading it again; an
-- error when it is not known, no longer exists, or would run code of a role
-- the current user does not trust (_ccseg_source_code_owner).  hint, when
-- given, says what else the caller can do (e.g. pass another relation).
CREATE FUNCTION @extschema@._ccseg_stored_source(r @extschema@.ccseg_model_versions, hint text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	code_owner name;
BEGIN
	IF r.source_relid IS NULL THEN
		RAISE EXCEPTION 'the source relation of model "%" version % is not known', r.model_name, r.version
			USING ERRCODE = 'undefined_table',
				  DETAIL = format('The version records the source %s, which named no existing relation when it was stored.', r.source),
				  HINT = coalesce(hint, 'Train the model again with ccseg_train, naming the relation to read.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = r.source_relid) THEN
		RAISE EXCEPTION 'source relation % of model "%" no longer exists', r.source, r.model_name
			USING ERRCODE = 'undefined_table',
				  DETAIL = 'A model reads the relation it was trained on, never another relation that took its name.',
				  HINT = coalesce(hint, format('To train on a relation of that name, run ccseg_train(%L, %L, ...).',
											   r.model_name, r.source));
	END IF;
	code_owner := @extschema@._ccseg_source_code_owner(r.source_relid);
	IF code_owner IS NOT NULL THEN
		RAISE EXCEPTION 'reading source relation % of model "%" would run code of role "%"',
			r.source_relid, r.model_name, code_owner
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('The relation is a view or has row security policies, owned by role "%s"; its functions would run with the privileges of role "%s".',
								  code_owner, current_user),
				  HINT = format('Run it as role "%s" (SET ROLE), whose code it is.', code_owner) || coalesce(' ' || hint, '');
	END IF;
	RETURN r.source_relid;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_stored_source(@extschema@.ccseg_model_versions, text) IS
'internal: the source relation of a stored version (by OID), or the error a missing, unknown or untrusted one deserves';

-- ---------------------------------------------------------------------------
-- Writes go through functions: no role but the table's owner holds a write
-- privilege on the catalog (INSERT would let a role choose future row ids,
-- and any write privilege lets it LOCK the table)
-- ---------------------------------------------------------------------------

-- The source relation a version may name, as the caller: one that exists,
-- is a table or view, and that the caller may read.
CREATE FUNCTION @extschema@._ccseg_check_source(source regclass)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kind "char";
BEGIN
	SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', source::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF kind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
		RAISE EXCEPTION '"%" is not a table or view', source
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF NOT has_any_column_privilege(source, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for relation %', source
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'A version may only name a source relation that the role storing it may read.';
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_source(regclass) IS
'internal: raise an error unless a relation exists, is a table or view, and the current user may read it';

-- Whether the caller may add this version (run as the caller by
-- _ccseg_store_version before it writes): a valid name, the next version
-- number, the model's one owner, which the caller manages, a training time,
-- an existing version to be aligned to, well-formed parameters and a source
-- the caller may read.
CREATE FUNCTION @extschema@._ccseg_check_store(model text, version integer, owner name,
	source regclass, parameters jsonb, seconds float8, aligned_to integer)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	other name;
	last_version integer;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(model);
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(model));
	SELECT v.owner, max(v.version) OVER () INTO other, last_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = _ccseg_check_store.model LIMIT 1;
	IF FOUND AND other <> _ccseg_check_store.owner THEN
		RAISE EXCEPTION 'model "%" belongs to role "%"', model, other
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Every version of a model has the same owner.';
	END IF;
	IF NOT @extschema@._ccseg_may_manage(_ccseg_check_store.owner) THEN
		RAISE EXCEPTION 'must be a member of role "%" to retrain model "%"',
			_ccseg_check_store.owner, model
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF _ccseg_check_store.version IS DISTINCT FROM coalesce(last_version, 0) + 1 THEN
		RAISE EXCEPTION 'version % of model "%" is not the next version', _ccseg_check_store.version, model
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The next version is %s.', coalesce(last_version, 0) + 1);
	END IF;
	IF NOT (seconds >= 0 AND seconds < 'Infinity'::float8) THEN
		RAISE EXCEPTION 'seconds must be a finite number of at least 0'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF aligned_to IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM @extschema@.ccseg_model_versions v
		WHERE v.model_name = _ccseg_check_store.model AND v.version = _ccseg_check_store.aligned_to) THEN
		RAISE EXCEPTION 'model "%" has no version % to align to', model, aligned_to
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM @extschema@._ccseg_check_parameters(parameters);
	PERFORM @extschema@._ccseg_check_source(source);
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_store(text, integer, name, regclass, jsonb, float8, integer) IS
'internal: raise an error unless the current user may store this version of a model (run by _ccseg_store_version before it writes)';

-- Whether the caller may change a model (activate a version, drop versions):
-- the model (and the version, when given) exists and the caller manages it.
-- Takes the model's lock, so that a training of it in progress finishes first.
CREATE FUNCTION @extschema@._ccseg_check_manage(model text, version integer, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(model);
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(model));
	r := @extschema@._ccseg_model_row(model, version);
	IF NOT @extschema@._ccseg_may_manage(r.owner) THEN
		RAISE EXCEPTION 'must be a member of role "%" to % model "%"', r.owner, action, model
			USING ERRCODE = 'insufficient_privilege';
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_check_manage(text, integer, text) IS
'internal: raise an error unless the model (and version) exists and the current user may change it; takes the model''s lock';

CREATE FUNCTION @extschema@._ccseg_store_version(model text, version integer, owner name,
	source regclass, parameters jsonb, seconds float8, value @extschema@.ccseg_model,
	aligned_to integer)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ccseg_store_version'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_store_version(text, integer, name, regclass, jsonb, float8, @extschema@.ccseg_model, integer) IS
'internal: add a version to the catalog as the active one, after checking as the caller that it may (_ccseg_check_store); returns the row id';

CREATE FUNCTION @extschema@._ccseg_set_active(model text, version integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_set_active'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_set_active(text, integer) IS
'internal: make a version the active one, after checking as the caller that it may; returns the version that was active';

CREATE FUNCTION @extschema@._ccseg_delete_versions(model text, version integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'ccseg_delete_versions'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_delete_versions(text, integer) IS
'internal: delete a version of a model, or every version when version is null, after checking as the caller that it may; returns how many';

CREATE FUNCTION @extschema@._ccseg_model_owner(model text)
RETURNS name
AS 'MODULE_PATHNAME', 'ccseg_model_owner'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION @extschema@._ccseg_model_owner(text) IS
'internal: the owner role of a model, whether or not the caller may read it (null when there is no such model); a model''s name and owner are not secret, its values are';

CREATE FUNCTION @extschema@._ccseg_set_reader(model text, reader name, allow boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ccseg_set_reader'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_set_reader(text, name, boolean) IS
'internal: grant (allow) or revoke read access to a model for a role (public for PUBLIC), after checking as the caller that it manages the model';

-- The reader a grant or revoke names: public for PUBLIC (in any case; no
-- role can be called public), else the role name, which must exist when
-- must_exist (a grant; a revoke may name a role dropped since).
CREATE FUNCTION @extschema@._ccseg_reader_role(role text, must_exist boolean)
RETURNS name
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF lower(role) = 'public' THEN
		RETURN 'public';
	END IF;
	IF must_exist AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role) THEN
		RAISE EXCEPTION 'role "%" does not exist', @extschema@._ccseg_name_for_message(role)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Give a role name as it is spelled in pg_roles, or PUBLIC.';
	END IF;
	RETURN role;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_reader_role(text, boolean) IS
'internal: the reader a grant or revoke names (public for PUBLIC), or an error for a role that does not exist when it must';

-- ---------------------------------------------------------------------------
-- Training
-- ---------------------------------------------------------------------------

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
	verbose boolean DEFAULT false,
	align boolean DEFAULT true,
	transform text[] DEFAULT NULL,
	weights float8[] DEFAULT NULL,
	categorical text[] DEFAULT NULL)
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
	took float8;
	message text;
	usable text;
	small_list text;
	small_count integer;
	input_columns text[];
	categorical_columns text[];
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(ccseg_train.model);

	-- one training of a given model at a time; the lock goes with the transaction
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(ccseg_train.model));
	SELECT v.owner, v.model, v.version INTO model_owner, previous_model, previous_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model AND v.active;
	IF NOT FOUND THEN
		-- also the owner of a model the caller may not read, so that it
		-- learns before training, not after, that the name is taken
		model_owner := coalesce(@extschema@._ccseg_model_owner(ccseg_train.model), current_user);
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
		BEGIN
			SELECT jsonb_agg(to_jsonb(e) ORDER BY e.k), max(e.k) FILTER (WHERE e.recommended)
			INTO elbow, use_k
			FROM @extschema@.ccseg_elbow(source, k_min, k_max, features, id_column,
				impute, scale, init, n_init, max_iter, tol, seed, algorithm,
				silhouette_sample, ccseg_train.transform, ccseg_train.weights,
				ccseg_train.categorical) e;
		EXCEPTION WHEN invalid_parameter_value THEN
			-- a table with fewer rows than k_max (10 unless given): say
			-- that training without k tries every k up to k_max
			GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
			usable := substring(message FROM '^k_max \([0-9]+\) is greater than the number of (?:usable )?rows \(([0-9]+)\)$');
			IF usable IS NULL THEN
				RAISE;
			END IF;
			RAISE EXCEPTION '%', message
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = format('Without k, ccseg_train tries every k from k_min (%s) to k_max (%s) and keeps the one the elbow rule recommends: pass k_max => %s%s, or pass k.',
									k_min, k_max, usable,
									CASE WHEN usable::integer < k_min
										 THEN format(' and k_min => %s', usable) ELSE ' or less' END);
		END;
	END IF;

	IF NOT align THEN
		previous_model := NULL;
	END IF;
	built := @extschema@.ccseg_build_model(source, use_k, features,
		id_column, impute, scale, init, init_centroids, n_init, max_iter, tol,
		seed, algorithm, silhouette_sample, ccseg_train.verbose, previous_model,
		ccseg_train.transform, ccseg_train.weights, ccseg_train.categorical);
	s := @extschema@.ccseg_model_summary(built);
	-- the columns trained on: the numeric features, then the categorical
	-- columns (whose indicators are the other features), for retraining
	categorical_columns := ARRAY(SELECT u.c FROM unnest(s.category_column) WITH ORDINALITY AS u(c, j)
								 WHERE u.c IS NOT NULL GROUP BY u.c ORDER BY min(u.j));
	input_columns := ARRAY(SELECT u.f FROM unnest(s.features, s.category_column) WITH ORDINALITY AS u(f, c, j)
						   WHERE u.c IS NULL ORDER BY u.j) || categorical_columns;

	-- segments too small to stand for a group of customers (the first five)
	SELECT string_agg(format('%s (%s %s)', t.i, t.n, CASE WHEN t.n = 1 THEN 'row' ELSE 'rows' END), ', '
					  ORDER BY t.i) FILTER (WHERE t.nth <= 5),
		   count(*)
	INTO small_list, small_count
	FROM (SELECT u.n, u.i, row_number() OVER (ORDER BY u.i) AS nth
		  FROM unnest(s.sizes) WITH ORDINALITY AS u(n, i)
		  WHERE u.n < @extschema@._ccseg_min_segment_rows()) t;
	IF small_count > 0 THEN
		RAISE NOTICE 'model "%" at k = % has % with fewer than % training rows: %',
			ccseg_train.model, use_k,
			CASE WHEN small_count = 1 THEN '1 segment' ELSE small_count || ' segments' END,
			@extschema@._ccseg_min_segment_rows(),
			CASE WHEN small_count = 1 THEN 'segment ' ELSE 'segments ' END || small_list
			|| CASE WHEN small_count > 5 THEN format(' and %s more', small_count - 5) ELSE '' END
			USING DETAIL = 'A segment this small describes a few customers rather than a group, and its centroid may be close to their values; ccseg_segments and the report mark it.',
				  HINT = CASE WHEN elbow IS NULL
							  THEN 'Train with a smaller k, or set ccseg.min_segment_rows to the size under which a segment is too small.'
							  ELSE format('k = %s was chosen by the elbow rule: pass a smaller k, or set ccseg.min_segment_rows to the size under which a segment is too small.', use_k) END;
	END IF;

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	took := extract(epoch FROM clock_timestamp() - started);
	BEGIN
		PERFORM @extschema@._ccseg_store_version(ccseg_train.model, next_version,
			model_owner, source,
			jsonb_build_object(
				'k', use_k, 'features', input_columns, 'id_column', id_column,
				'impute', impute, 'scale', scale,
				'init', CASE WHEN init_centroids IS NULL THEN init ELSE 'given' END,
				'init_centroids', init_centroids,
				'n_init', CASE WHEN init_centroids IS NULL THEN n_init ELSE 1 END,
				'max_iter', max_iter, 'tol', tol, 'seed', seed,
				'algorithm', algorithm, 'silhouette_sample', silhouette_sample,
				'align', align)
			|| CASE WHEN elbow IS NULL THEN '{}'::jsonb
			   ELSE jsonb_build_object('k_chosen_by', 'elbow', 'k_min', k_min,
									   'k_max', k_max, 'elbow', elbow) END
			|| CASE WHEN ccseg_train.transform IS NULL THEN '{}'::jsonb
			   ELSE jsonb_build_object('transform', ccseg_train.transform) END
			|| CASE WHEN ccseg_train.weights IS NULL THEN '{}'::jsonb
			   ELSE jsonb_build_object('weights', ccseg_train.weights) END
			|| CASE WHEN ccseg_train.categorical IS NULL THEN '{}'::jsonb
			   ELSE jsonb_build_object('categorical', categorical_columns) END,
			took, built,
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

COMMENT ON FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, integer, integer, boolean, boolean, text[], float8[], text[]) IS
'train a k-means segmentation model and store it as a new, active version; segment numbers follow the previous active version unless align is false; without k, k is chosen by the elbow rule in k_min..k_max; transform names per-feature transforms (log1p, clip), weights multiply the scaled features and categorical names columns one-hot encoded into 0/1 indicators, all stored with the model and applied when scoring';

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

-- ---------------------------------------------------------------------------
-- Retraining, activation, history, dropping, sharing
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

-- The relation to retrain a version on: the one it was trained on, by OID,
-- and only while its owner is the one recorded or a role that the model's
-- owner is a member of (retraining runs the relation's code, such as a
-- view's functions, as the role that retrains).
CREATE FUNCTION @extschema@._ccseg_retrain_source(r @extschema@.ccseg_model_versions)
RETURNS regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rel regclass := @extschema@._ccseg_stored_source(r);
	now_owner name;
	now_name text;
BEGIN
	SELECT c.relowner::regrole::name, format('%I.%I', n.nspname, c.relname)
	INTO now_owner, now_name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = rel;
	IF now_owner IS DISTINCT FROM r.source_owner
	   AND NOT (EXISTS (SELECT 1 FROM pg_roles o WHERE o.rolname = r.owner)
				AND pg_has_role(r.owner, now_owner, 'MEMBER')) THEN
		RAISE EXCEPTION 'owner of source relation % of model "%" changed from "%" to "%"',
			now_name, r.model_name, coalesce(r.source_owner, '?'), now_owner
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Retraining runs the code of its source relation as the role that retrains; it does so only for the owner recorded at training or a role that the model''s owner "%s" is a member of.', r.owner),
				  HINT = format('If the new owner is trusted, train the model on it again: ccseg_train(%L, %L, ...).',
								r.model_name, now_name);
	END IF;
	RETURN rel;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_retrain_source(@extschema@.ccseg_model_versions) IS
'internal: the source relation a version is retrained on (by OID), or an error when it is gone, unknown or owned by a role the model''s owner does not trust';

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
		r.model_name, @extschema@._ccseg_retrain_source(r),
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
		align => ccseg_retrain.align,
		transform => CASE WHEN jsonb_typeof(p -> 'transform') = 'array'
						  THEN ARRAY(SELECT jsonb_array_elements_text(p -> 'transform')) END,
		weights => CASE WHEN jsonb_typeof(p -> 'weights') = 'array'
						THEN ARRAY(SELECT w::float8 FROM jsonb_array_elements_text(p -> 'weights') w) END,
		categorical => CASE WHEN jsonb_typeof(p -> 'categorical') = 'array'
							THEN ARRAY(SELECT jsonb_array_elements_text(p -> 'categorical')) END);
	SELECT t.model, t.version, t.k, t.rows, t.iterations, t.inertia, t.seconds,
		   v.aligned_to, v.changed_share
	INTO result
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = t.model AND v.version = t.version;
	RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_retrain(text, bigint, boolean) IS
'train a model again on the relation it was trained on (the same relation, not a new one of the same name) with its stored parameters (another seed if given), keeping segment numbers stable; for scheduled retraining';

CREATE FUNCTION @extschema@.ccseg_activate(model text, version integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN @extschema@._ccseg_set_active(ccseg_activate.model, ccseg_activate.version);
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

CREATE FUNCTION @extschema@.ccseg_drop_version(model text, version integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
BEGIN
	PERFORM @extschema@._ccseg_check_manage(ccseg_drop_version.model, ccseg_drop_version.version, 'drop a version of');
	r := @extschema@._ccseg_model_row(ccseg_drop_version.model, ccseg_drop_version.version);
	IF r.active THEN
		RAISE EXCEPTION 'version % of model "%" is the active one', r.version, r.model_name
			USING ERRCODE = 'object_in_use',
				  HINT = 'Activate another version first with ccseg_activate, or drop the whole model with ccseg_drop_model.';
	END IF;
	RETURN @extschema@._ccseg_delete_versions(r.model_name, r.version);
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_drop_version(text, integer) IS
'delete one version of a model from the catalog (not the active one); returns 1; versions aligned to it keep their aligned_to number';

CREATE FUNCTION @extschema@.ccseg_drop_model(model text)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- takes the lock a training of this model holds: the versions it adds
	-- are committed (and dropped here) or not started yet
	RETURN @extschema@._ccseg_delete_versions(ccseg_drop_model.model, NULL);
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_drop_model(text) IS
'delete every version of a model from the catalog; returns the number of versions deleted';

CREATE FUNCTION @extschema@.ccseg_grant_read(model text, role text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	granted boolean;
	r @extschema@.ccseg_model_versions;
	small integer;
BEGIN
	granted := @extschema@._ccseg_set_reader(model, @extschema@._ccseg_reader_role(role, true), true);
	r := @extschema@._ccseg_model_row(model);
	SELECT count(*) INTO small FROM unnest(r.sizes) n WHERE n < @extschema@._ccseg_min_segment_rows();
	IF small > 0 THEN
		RAISE WARNING 'model "%" has % segment(s) of fewer than % customers', model, small,
			@extschema@._ccseg_min_segment_rows()
			USING DETAIL = 'Readers of a model see its centroids, which for a small segment may be close to individual customers'' values, including values row security or grants on the source hide from them.',
				  HINT = 'Train with a smaller k, or revoke with ccseg_revoke_read.';
	END IF;
	RETURN granted;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_grant_read(text, text) IS
'let the members of a role (or everyone, with PUBLIC) read a model: see it in ccseg_models, score with it, read its centroids, segments and report; for members of the model''s owner role; returns false when they already could';

CREATE FUNCTION @extschema@.ccseg_revoke_read(model text, role text)
RETURNS boolean
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT @extschema@._ccseg_set_reader(model, @extschema@._ccseg_reader_role(role, false), false)
$$;

COMMENT ON FUNCTION @extschema@.ccseg_revoke_read(text, text) IS
'undo ccseg_grant_read for a role (or PUBLIC); returns false when there was no such grant; members of the model''s owner role keep their access';

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
	silhouette_sample bigint DEFAULT NULL,
	transform text[] DEFAULT NULL,
	weights float8[] DEFAULT NULL,
	categorical text[] DEFAULT NULL)
RETURNS TABLE (k integer, inertia float8, silhouette float8,
			   calinski_harabasz float8, davies_bouldin float8,
			   iterations integer, seconds float8, recommended boolean)
AS 'MODULE_PATHNAME', 'ccseg_elbow'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.ccseg_elbow(regclass, integer, integer, text[], text, text, text, text, integer, integer, float8, bigint, text, bigint, text[], float8[], text[]) IS
'train k-means for every k in k_min..k_max on data read and preprocessed once (transform, weights and categorical as for ccseg_train); inertia, silhouette, Calinski-Harabasz, Davies-Bouldin per k and the recommended k';

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
	model @extschema@.ccseg_model, sample_size bigint, seed bigint,
	order_by text DEFAULT NULL)
RETURNS TABLE (segment integer, silhouette float8, rows bigint, sample_rows bigint)
AS 'MODULE_PATHNAME', 'ccseg_model_silhouette'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@._ccseg_model_silhouette(regclass, @extschema@.ccseg_model, bigint, bigint, text) IS
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
		SELECT * FROM @extschema@._ccseg_model_silhouette(@extschema@._ccseg_stored_source(r),
			r.model, sample_size, ccseg_silhouette.seed, r.parameters ->> 'id_column');
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_silhouette(text, bigint, bigint) IS
'silhouette of a model on the current rows of its source, overall (segment null) and per segment; exact up to 10000 rows or sample_size, else a stratified sample';

-- ---------------------------------------------------------------------------
-- Understanding segments: profiles, descriptions, explanations, pictures
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.ccseg_rules (
	rule text PRIMARY KEY,
	feature_pattern text NOT NULL,
	direction text NOT NULL CHECK (direction IN ('high', 'low')),
	min_z float8 NOT NULL DEFAULT 0.5 CHECK (min_z >= 0),
	priority integer NOT NULL DEFAULT 100,
	segment_name text NOT NULL,
	recommendation text NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	model text
);

COMMENT ON TABLE @extschema@.ccseg_rules IS
'business rules that name segments and recommend an action: a segment whose feature matching feature_pattern (ILIKE, so in any case) is high or low by at least min_z standard deviations gets the rule''s name and recommendation; a rule with a model applies to that model only';
COMMENT ON COLUMN @extschema@.ccseg_rules.rule IS 'rule name';
COMMENT ON COLUMN @extschema@.ccseg_rules.feature_pattern IS 'ILIKE pattern on feature (column) names: LIKE, but in any case';
COMMENT ON COLUMN @extschema@.ccseg_rules.direction IS 'high or low: above or below the mean of all customers';
COMMENT ON COLUMN @extschema@.ccseg_rules.min_z IS 'how many standard deviations from the mean the segment''s centroid must be';
COMMENT ON COLUMN @extschema@.ccseg_rules.priority IS 'smaller wins between rules matching equally distinctive features';
COMMENT ON COLUMN @extschema@.ccseg_rules.segment_name IS 'short business name given to a matching segment';
COMMENT ON COLUMN @extschema@.ccseg_rules.recommendation IS 'action recommended for a matching segment';
COMMENT ON COLUMN @extschema@.ccseg_rules.builtin IS 'shipped with the extension (not dumped); rows users add are dumped by pg_dump';
COMMENT ON COLUMN @extschema@.ccseg_rules.model IS 'the model the rule applies to, or null for every model; on the same feature a rule for the model wins over one for every model';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ccseg_rules', 'WHERE NOT builtin');
GRANT SELECT ON @extschema@.ccseg_rules TO PUBLIC;

INSERT INTO @extschema@.ccseg_rules
	(rule, feature_pattern, direction, min_z, priority, segment_name, recommendation, builtin)
VALUES
	('cash advance', 'cash_advance%', 'high', 0.5, 10, 'Cash-advance users',
	 'Offer a lower-rate instalment loan in place of repeated cash advances, and watch their credit risk.', true),
	('full payers', 'prc_full_payment', 'high', 0.5, 20, 'Full payers',
	 'Reward them with cashback or points: they pay in full, so interchange, not interest, is what they bring.', true),
	('instalment buyers', '%installment%', 'high', 0.5, 30, 'Instalment buyers',
	 'Promote 0% instalment plans with partner merchants.', true),
	('big one-off purchases', 'oneoff_purchases%', 'high', 0.5, 40, 'Big-ticket spenders',
	 'Offer travel and premium-purchase benefits, and higher limits for those who pay well.', true),
	('frequent spenders', 'purchases_trx', 'high', 0.5, 50, 'Frequent spenders',
	 'Keep them engaged with a loyalty programme and cross-sell a premium card.', true),
	('dormant', 'purchases_frequency', 'low', 0.5, 60, 'Dormant cards',
	 'Run a reactivation campaign with a spending incentive.', true),
	('revolvers', 'balance', 'high', 0.5, 70, 'Revolvers',
	 'Offer balance-transfer or debt-consolidation products.', true),
	('new customers', 'tenure', 'low', 0.5, 80, 'New customers',
	 'Onboard them: welcome offers and help with the card''s features.', true),
	('minimum payers', 'minimum_payments', 'high', 0.5, 90, 'Minimum payers',
	 'Monitor their risk and offer a repayment plan.', true),
	('high limits', 'credit_limit', 'high', 0.5, 100, 'High-limit customers',
	 'Offer premium services and a relationship manager.', true);

-- Feature name as words, for labels, names and descriptions: underscores
-- and camel case become spaces, words are in lower case unless they are
-- acronyms, and a unit in parentheses at the end is left out, so that
-- balance_frequency, Detergents_Paper and "Annual Income (k$)" read
-- balance frequency, detergents paper and annual income.  A name with no
-- word left is kept as it is.
CREATE FUNCTION @extschema@._ccseg_words(feature text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(string_agg(CASE WHEN t.w ~ '^[[:upper:][:digit:]]+$' AND t.w ~ '[[:upper:]].*[[:upper:]]'
									THEN t.w ELSE lower(t.w) END, ' ' ORDER BY t.i),
					feature)
	FROM regexp_split_to_table(
			btrim(regexp_replace(
				regexp_replace(
					regexp_replace(feature, '^(.*[^[:space:]].*?)\s*\([^()]*\)\s*$', '\1'),
					'([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'),
				'[[:space:]_]+', ' ', 'g')),
			' ') WITH ORDINALITY AS t(w, i)
	WHERE t.w <> ''
$$;

COMMENT ON FUNCTION @extschema@._ccseg_words(text) IS 'internal: a feature name written as words (no underscores or camel case, lower case but for acronyms, without a final unit in parentheses)';

-- Standardized centroids: how far each segment's centroid lies from the
-- training mean, in standard deviations of the training rows.
CREATE FUNCTION @extschema@._ccseg_centroid_z(model text)
RETURNS TABLE (segment integer, feature text, "position" integer, value float8, z float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.seg, f.name, f.j::integer, r.centroids_original[s.seg][f.j],
		   CASE WHEN r.feature_std[f.j] > 0
				THEN (r.centroids_original[s.seg][f.j] - r.feature_mean[f.j]) / r.feature_std[f.j]
				ELSE 0 END
	FROM @extschema@._ccseg_model_row(model) r,
		 generate_series(1, r.k) AS s(seg),
		 unnest(r.features) WITH ORDINALITY AS f(name, j)
	WHERE r.model_name IS NOT NULL
$$;

COMMENT ON FUNCTION @extschema@._ccseg_centroid_z(text) IS
'internal: each centroid in original units and in standard deviations from the training mean';

-- Segments with fewer training rows than this are small (ccseg.min_segment_rows).
CREATE FUNCTION @extschema@._ccseg_min_segment_rows()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(nullif(current_setting('ccseg.min_segment_rows', true), '')::integer, 10)
$$;

COMMENT ON FUNCTION @extschema@._ccseg_min_segment_rows() IS
'internal: the number of training rows under which a segment is flagged as small (the setting ccseg.min_segment_rows)';

CREATE FUNCTION @extschema@.ccseg_segments(model text)
RETURNS TABLE (segment integer, size bigint, share float8, radius float8,
			   silhouette float8, label text, name text, description text,
			   recommendation text, rule text, small boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (SELECT * FROM @extschema@._ccseg_model_row(model) WHERE model_name IS NOT NULL),
	z AS (SELECT * FROM @extschema@._ccseg_centroid_z(model)),
	cat AS (SELECT q.category_column FROM r CROSS JOIN LATERAL @extschema@.ccseg_model_summary(r.model) q),
	marked AS (
		-- features that set a segment apart: at least half a standard deviation
		-- off; a category indicator, above only, says the segment's share of
		-- the category (a low share of one is a high share of others)
		SELECT z.segment, z.feature, z.z,
			   CASE WHEN c.category_column[z."position"] IS NOT NULL
					THEN to_char(100 * z.value, 'FM990') || '% ' || z.feature
					WHEN z.z > 0 THEN 'high ' || @extschema@._ccseg_words(z.feature)
					ELSE 'low ' || @extschema@._ccseg_words(z.feature) END AS trait,
			   row_number() OVER (PARTITION BY z.segment ORDER BY abs(z.z) DESC, z."position") AS rank
		FROM z CROSS JOIN cat c
		WHERE abs(z.z) >= 0.5 AND (z.z > 0 OR c.category_column[z."position"] IS NULL)),
	words AS (
		SELECT m.segment,
			   string_agg(m.trait, ', ' ORDER BY m.rank) FILTER (WHERE m.rank <= 2) AS label,
			   string_agg(m.trait || format(' (%s%s SD)', CASE WHEN m.z > 0 THEN '+' ELSE '-' END,
											to_char(abs(m.z), 'FM990.0')), ', ' ORDER BY m.rank)
				   FILTER (WHERE m.rank <= 4) AS traits
		FROM marked m GROUP BY m.segment),
	matched AS (
		-- the most distinctive feature a rule matches decides; on the same
		-- feature a rule for this model, then priority, then the rule name
		SELECT DISTINCT ON (m.segment) m.segment, m.feature, m.z, u.rule, u.segment_name, u.recommendation
		FROM marked m
		JOIN @extschema@.ccseg_rules u
		  ON m.feature ILIKE u.feature_pattern
		 AND abs(m.z) >= u.min_z
		 AND (u.direction = 'high') = (m.z > 0)
		 AND (u.model IS NULL OR u.model = ccseg_segments.model)
		ORDER BY m.segment, abs(m.z) DESC, u.model IS NULL, u.priority, u.rule),
	base AS (
		-- the rule's name, else the label; strength (the |z| the name rests
		-- on) and other (the next trait the name does not say) tell apart
		-- segments that get the same name
		SELECT s.seg, mt.rule, mt.recommendation,
			   coalesce(mt.segment_name, upper(left(w.label, 1)) || substr(w.label, 2),
						'Average profile') AS name,
			   coalesce(abs(mt.z), (SELECT abs(m.z) FROM marked m WHERE m.segment = s.seg AND m.rank = 1), 0)
				   AS strength,
			   (SELECT m.trait FROM marked m
				WHERE m.segment = s.seg
				  AND CASE WHEN mt.rule IS NOT NULL THEN m.feature <> mt.feature ELSE m.rank > 2 END
				ORDER BY m.rank LIMIT 1) AS other
		FROM r
		CROSS JOIN generate_series(1, r.k) AS s(seg)
		LEFT JOIN words w ON w.segment = s.seg
		LEFT JOIN matched mt ON mt.segment = s.seg),
	ranked AS (
		SELECT b.*, row_number() OVER (PARTITION BY lower(b.name) ORDER BY b.strength DESC, b.seg) AS nth
		FROM base b),
	qualified AS (
		-- the strongest keeps the name, the others add their next trait
		SELECT q.seg, q.rule, q.recommendation, q.nth,
			   CASE WHEN q.nth = 1 OR q.other IS NULL THEN q.name
					ELSE format('%s (%s)', q.name, q.other) END AS name
		FROM ranked q),
	named AS (
		-- any name still taken gets the segment number
		SELECT q.seg, q.rule, q.recommendation,
			   CASE WHEN row_number() OVER (PARTITION BY lower(q.name) ORDER BY q.nth, q.seg) = 1 THEN q.name
					ELSE format('%s (segment %s)', q.name, q.seg) END AS name
		FROM qualified q)
	SELECT s.seg,
		   r.sizes[s.seg],
		   r.sizes[s.seg]::float8 / r.rows,
		   CASE WHEN r.sizes[s.seg] > 0 THEN sqrt(q.sse[s.seg] / r.sizes[s.seg]) END,
		   r.segment_silhouette[s.seg],
		   coalesce(upper(left(w.label, 1)) || substr(w.label, 2), 'Average profile'),
		   n.name,
		   format('%s %s (%s%%): %s.%s', to_char(r.sizes[s.seg], 'FM999,999,999,990'),
				  CASE WHEN r.sizes[s.seg] = 1 THEN 'customer' ELSE 'customers' END,
				  to_char(100.0 * r.sizes[s.seg] / r.rows, 'FM990.0'),
				  coalesce(w.traits || ' compared with all customers',
						   'close to the average on every feature (all within half a standard deviation)'),
				  CASE WHEN r.sizes[s.seg] < @extschema@._ccseg_min_segment_rows()
					   THEN format(' Small segment (fewer than %s customers): its centroid may be close to individual customers'' values.',
								   @extschema@._ccseg_min_segment_rows())
					   ELSE '' END),
		   coalesce(n.recommendation,
					CASE WHEN w.label IS NULL
						 THEN 'No rule matches this segment, which is close to the average on every feature: reach it with the offers made to all customers, or add a rule to ccseg_rules.'
						 ELSE format('No rule matches this segment: build the offer on what sets it apart (%s), and add a rule to ccseg_rules to record the action.',
									 w.label) END),
		   n.rule,
		   r.sizes[s.seg] < @extschema@._ccseg_min_segment_rows()
	FROM r
	CROSS JOIN LATERAL @extschema@.ccseg_model_summary(r.model) q
	CROSS JOIN generate_series(1, r.k) AS s(seg)
	LEFT JOIN words w ON w.segment = s.seg
	JOIN named n ON n.seg = s.seg
	ORDER BY s.seg
$$;

COMMENT ON FUNCTION @extschema@.ccseg_segments(text) IS
'one row per segment: size, share, radius (RMS distance to the centroid), silhouette, a generated label and description (which flags a segment smaller than ccseg.min_segment_rows), a name (that of the best matching rule in ccseg_rules, else the label; never the same for two segments), a recommendation, the rule that matched, and whether the segment is small';

CREATE FUNCTION @extschema@._ccseg_model_profile(source regclass, model @extschema@.ccseg_model,
	order_by text DEFAULT NULL)
RETURNS TABLE (segment integer, feature text, rows bigint, mean float8, median float8,
			   overall_mean float8, lift float8, z float8, "position" integer)
AS 'MODULE_PATHNAME', 'ccseg_model_profile'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_model_profile(regclass, @extschema@.ccseg_model, text) IS
'internal: profile of a model value on the rows of a relation';

CREATE FUNCTION @extschema@.ccseg_profile(model text, source regclass DEFAULT NULL)
RETURNS TABLE (segment integer, feature text, rows bigint, mean float8, median float8,
			   overall_mean float8, lift float8, z float8, "position" integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
BEGIN
	r := @extschema@._ccseg_model_row(ccseg_profile.model);
	IF r.model_name IS NULL THEN
		RETURN;
	END IF;
	-- in id order on the model's own source, so sums do not depend on physical order
	RETURN QUERY SELECT * FROM @extschema@._ccseg_model_profile(
		coalesce(ccseg_profile.source,
				 @extschema@._ccseg_stored_source(r, 'Pass the relation to profile as source.')),
		r.model,
		CASE WHEN ccseg_profile.source IS NULL THEN r.parameters ->> 'id_column' END);
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_profile(text, regclass) IS
'per segment and feature: rows, mean and median in original units, overall mean, lift and z-score; on the model''s source, or on another relation with the same feature columns';

CREATE FUNCTION @extschema@.ccseg_explain(model text, "row" record, top integer DEFAULT 3)
RETURNS TABLE ("rank" integer, feature text, value float8, segment_value float8,
			   contribution float8, share float8, segment integer, versus integer)
AS 'MODULE_PATHNAME', 'ccseg_explain_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_explain(text, record, integer) IS
'the features that most make a row belong to its segment rather than the next nearest one (versus), with their contribution to the difference in squared distance';

CREATE FUNCTION @extschema@.ccseg_anomaly_score(model text, "row" record)
RETURNS float8
AS 'MODULE_PATHNAME', 'ccseg_anomaly_score_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_anomaly_score(text, record) IS
'distance of a row to its segment''s centroid divided by the segment''s radius: about 1 is typical, well above 1 fits the segment poorly';

CREATE FUNCTION @extschema@.ccseg_pca(model text)
RETURNS TABLE (component integer, explained_variance_ratio float8,
			   cumulative_ratio float8, loadings float8[])
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.i::integer, c.ratio,
		   sum(c.ratio) OVER (ORDER BY c.i),
		   CASE WHEN c.i <= array_length(q.pca_components, 1)
				THEN ARRAY(SELECT q.pca_components[c.i][j]
						   FROM generate_series(1, array_length(q.pca_components, 2)) j)
		   END
	FROM @extschema@._ccseg_model_row(model) r
	CROSS JOIN LATERAL @extschema@.ccseg_model_summary(r.model) q
	CROSS JOIN LATERAL unnest(q.pca_ratio) WITH ORDINALITY AS c(ratio, i)
	WHERE r.model_name IS NOT NULL
	ORDER BY c.i
$$;

COMMENT ON FUNCTION @extschema@.ccseg_pca(text) IS
'principal components of the scaled training rows: explained variance ratio of every axis and the loadings of the first three';

CREATE FUNCTION @extschema@.ccseg_project(model text, "row" record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ccseg_project_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_project(text, record) IS
'coordinates of a row on the first two principal axes of the model''s training rows, for scatter plots';

-- ---------------------------------------------------------------------------
-- The report: one self-contained HTML page with inline SVG charts, with
-- finite axes whatever numbers the catalog holds
-- ---------------------------------------------------------------------------

-- Escape text for HTML.
CREATE FUNCTION @extschema@._ccseg_html(t text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
$$;

COMMENT ON FUNCTION @extschema@._ccseg_html(text) IS 'internal: text escaped for HTML';

-- Colour of segment i: the Okabe-Ito palette, safe for colour-blind readers,
-- then Paul Tol's muted palette beyond eight segments.
CREATE FUNCTION @extschema@._ccseg_colour(i integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (ARRAY['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00',
				  '#F0E442', '#000000', '#332288', '#88CCEE', '#44AA99', '#117733',
				  '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499', '#DDDDDD'])[1 + (i - 1) % 18]
$$;

COMMENT ON FUNCTION @extschema@._ccseg_colour(integer) IS 'internal: colour-blind-safe colour of segment i';

-- Whether v is a finite number (not null, NaN or infinite).
CREATE FUNCTION @extschema@._ccseg_finite(v float8)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT v IS NOT NULL AND abs(v) < 'Infinity'::float8
$$;

COMMENT ON FUNCTION @extschema@._ccseg_finite(float8) IS 'internal: whether a number is finite (NaN, infinities and null are not)';

CREATE FUNCTION @extschema@._ccseg_heat(z float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN NOT @extschema@._ccseg_finite(z) THEN '#eeeeee' ELSE
		format('rgb(%s,%s,%s)',
			   round(255 + (CASE WHEN t < 0 THEN 33 ELSE 230 END - 255) * abs(t))::int,
			   round(255 + (CASE WHEN t < 0 THEN 102 ELSE 97 END - 255) * abs(t))::int,
			   round(255 + (CASE WHEN t < 0 THEN 172 ELSE 1 END - 255) * abs(t))::int)
	END
	FROM (SELECT greatest(-1, least(1, z / 3)) AS t) c
$$;

COMMENT ON FUNCTION @extschema@._ccseg_heat(float8) IS 'internal: diverging blue-white-orange colour of a z-score clipped to +-3 (grey when not finite)';

-- Round numbers for an axis from lo to hi: steps of 1, 2 or 5 times a power
-- of ten, at most 4 * target + 2 of them.  Empty when lo or hi is not finite;
-- lo alone when the span is empty or too small to step through in double
-- precision.
CREATE FUNCTION @extschema@._ccseg_ticks(lo float8, hi float8, target integer DEFAULT 5)
RETURNS float8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	span float8;
	raw float8;
	mag float8;
	step float8;
	first_i float8;
	last_i float8;
	out float8[] := '{}';
	i float8;
	v float8;
BEGIN
	IF NOT @extschema@._ccseg_finite(lo) OR NOT @extschema@._ccseg_finite(hi) THEN
		RETURN '{}';
	END IF;
	-- halves first: hi - lo itself may overflow
	IF NOT (hi / 2 - lo / 2 BETWEEN 1e-300 AND 1e307) THEN
		RETURN ARRAY[lo];
	END IF;
	span := hi - lo;
	target := least(greatest(coalesce(target, 5), 1), 100);
	raw := span / target;
	mag := power(10::float8, floor(log(raw)));
	step := CASE WHEN raw / mag < 1.5 THEN 1 WHEN raw / mag < 3 THEN 2
				 WHEN raw / mag < 7 THEN 5 ELSE 10 END * mag;
	-- tick i is i * step: computed from its index, never by repeated
	-- addition, so that a step below the resolution of lo cannot stall
	first_i := ceil(lo / step);
	last_i := floor(hi / step + 1e-9);
	IF NOT (abs(first_i) < 2^52 AND abs(last_i) < 2^52) OR last_i - first_i > 4 * target + 1 THEN
		RETURN ARRAY[lo];
	END IF;
	i := first_i;
	WHILE i <= last_i LOOP
		v := (round(i::numeric) * step::numeric)::float8;
		IF cardinality(out) = 0 OR v > out[cardinality(out)] THEN
			out := out || v;
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_ticks(float8, float8, integer) IS
'internal: round axis tick values between lo and hi (at most 4 * target + 2; none when lo or hi is not finite)';

-- A number for an axis label or a table: thousands separated, few decimals;
-- powers of ten beyond a trillion, and a dash for what is not a finite number.
CREATE FUNCTION @extschema@._ccseg_num(v float8, digits integer DEFAULT 2)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN NOT @extschema@._ccseg_finite(v) THEN '–'
		WHEN abs(v) >= 1e12 THEN btrim(to_char(v, '9.99EEEE'))
		WHEN abs(v) >= 1e6 THEN to_char(v / 1e6, 'FM999,990.0') || ' M'
		WHEN abs(v) >= 1000 THEN to_char(round(v::numeric), 'FM999,999,990')
		WHEN v = round(v::numeric) THEN to_char(v, 'FM999,990')
		ELSE rtrim(rtrim(to_char(round(v::numeric, digits), 'FM999,990.' || repeat('0', digits)), '0'), '.')
	END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_num(float8, integer) IS 'internal: a number formatted for the report (a dash when not finite)';

-- The layout of the charts is computed from what they hold: the widths of
-- their labels, the number of features and of segments.  Text widths are
-- estimated from the characters (sans-serif metrics, rounded up), so that a
-- chart leaves room for its longest label instead of cutting it.

-- The estimated width, in pixels, of t set in a sans-serif font of size px.
CREATE FUNCTION @extschema@._ccseg_text_width(t text, size float8)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(sum(CASE
		WHEN c = ' ' THEN 0.32
		WHEN c IN ('i', 'j', 'l', 'I', '.', ',', ':', ';', '!', '|', '''') THEN 0.3
		WHEN c IN ('f', 't', 'r', '(', ')', '[', ']', '/', '-') THEN 0.4
		WHEN c IN ('m', 'w', 'M', 'W', '@', '%') THEN 1.0
		WHEN c BETWEEN 'A' AND 'Z' THEN 0.74
		WHEN c BETWEEN 'a' AND 'z' OR c BETWEEN '0' AND '9' THEN 0.62
		ELSE 0.8 END), 0) * size
	FROM regexp_split_to_table(t, '') c
	WHERE c <> ''
$$;

COMMENT ON FUNCTION @extschema@._ccseg_text_width(text, float8) IS
'internal: the estimated width in pixels of a text in a sans-serif font of a size (rounded up, for the report''s layout)';

-- t cut into lines at spaces, each at most width pixels wide at size px
-- when its words allow (a longer word is a line of its own, never cut).
CREATE FUNCTION @extschema@._ccseg_wrap(t text, size float8, width float8)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lines text[] := '{}';
	line text := '';
	w text;
BEGIN
	FOREACH w IN ARRAY regexp_split_to_array(btrim(t), '\s+') LOOP
		IF line = '' THEN
			line := w;
		ELSIF @extschema@._ccseg_text_width(line || ' ' || w, size) <= width THEN
			line := line || ' ' || w;
		ELSE
			lines := lines || line;
			line := w;
		END IF;
	END LOOP;
	RETURN lines || line;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_wrap(text, float8, float8) IS
'internal: a text cut into lines at spaces, each at most a width in pixels when its words allow';

-- The estimated width of the widest of some lines.
CREATE FUNCTION @extschema@._ccseg_lines_width(lines text[], size float8)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(max(@extschema@._ccseg_text_width(l, size)), 0) FROM unnest(lines) l
$$;

COMMENT ON FUNCTION @extschema@._ccseg_lines_width(text[], float8) IS
'internal: the estimated width in pixels of the widest of some lines of text';

-- Lines as one SVG <text> element: the first baseline at y, the next ones
-- 1.25 x size lower; attrs are more attributes of the element.
CREATE FUNCTION @extschema@._ccseg_svg_text(x float8, y float8, lines text[], size float8, attrs text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<text x="%s" y="%s" font-size="%s"%s>', round(x::numeric, 1), round(y::numeric, 1), size,
				  coalesce(' ' || nullif(attrs, ''), ''))
		|| string_agg(format('<tspan x="%s" y="%s">%s</tspan>', round(x::numeric, 1),
							 round((y + (i - 1) * size * 1.25)::numeric, 1), @extschema@._ccseg_html(l)), ' ' ORDER BY i)
		|| '</text>'
	FROM unnest(lines) WITH ORDINALITY u(l, i)
$$;

COMMENT ON FUNCTION @extschema@._ccseg_svg_text(float8, float8, text[], float8, text) IS
'internal: lines of text as one svg text element, a tspan per line';

-- The opening tag of a chart: its viewBox is w x h, and it is drawn at that
-- size in pixels, smaller only when the page is narrower.
CREATE FUNCTION @extschema@._ccseg_svg_open(w float8, h float8, label text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<svg viewBox="0 0 %1$s %2$s" width="%1$s" height="%2$s" role="img" aria-label="%3$s">',
				  ceil(w)::bigint, ceil(h)::bigint, @extschema@._ccseg_html(label))
$$;

COMMENT ON FUNCTION @extschema@._ccseg_svg_open(float8, float8, text) IS
'internal: the opening tag of a chart of w x h pixels (smaller only on a narrower page)';

-- The start of a page of the report or of the exploration report: doctype,
-- title and style sheet, up to <main>.
CREATE FUNCTION @extschema@._ccseg_page_head(title text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
		|| format('<title>%s</title>', @extschema@._ccseg_html(title))
		|| '<style>'
		|| 'body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}'
		|| 'main{max-width:1100px;margin:0 auto;padding:28px 32px 48px;background:#fff}'
		|| 'h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;border-bottom:2px solid #e3e6ea;padding-bottom:6px}'
		|| '.sub{color:#666;margin:0 0 18px}.kpis{display:flex;gap:14px;flex-wrap:wrap}'
		|| '.kpi{background:#f3f5f8;border-radius:8px;padding:10px 16px;min-width:120px}'
		|| '.kpi b{display:block;font-size:20px}.kpi span{color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.04em}'
		|| 'table{border-collapse:collapse;width:100%;font-size:13.5px}th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #e6e8eb;vertical-align:top}'
		|| 'th{background:#f3f5f8;font-weight:600}td.n{text-align:right;white-space:nowrap}'
		|| '.sw{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}'
		|| '.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:24px}figure{margin:0}figcaption{color:#555;font-size:13px;margin-top:4px}'
		|| 'svg{display:block;max-width:100%;height:auto}'
		|| 'svg text{font-family:"Segoe UI",Helvetica,Arial,sans-serif}.note{color:#666;font-size:13px}'
		|| '</style></head><body><main>'
$$;

COMMENT ON FUNCTION @extschema@._ccseg_page_head(text) IS
'internal: the start of a report page (doctype, title, style sheet)';

-- The sections of ccseg_report, each a piece of the page for one stored
-- version r; ccseg_report joins them in this order.

-- The start of the page: doctype, title and style sheet, up to <main>.
CREATE FUNCTION @extschema@._ccseg_report_head(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN @extschema@._ccseg_page_head(format('Segments of model %s', r.model_name));
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_head(@extschema@.ccseg_model_versions) IS
'internal: the start of the report page (doctype, title, style sheet)';

-- The title, the line under it and the key figures.
CREATE FUNCTION @extschema@._ccseg_report_title(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN format('<h1>Customer segments: model “%s”</h1>', @extschema@._ccseg_html(r.model_name))
		|| format('<p class="sub">Version %s, trained %s by %s on %s: %s rows, %s features, %s segments.</p>',
				  r.version, to_char(r.created_at, 'YYYY-MM-DD HH24:MI TZ'),
				  @extschema@._ccseg_html(r.owner::text), @extschema@._ccseg_html(r.source),
				  to_char(r.rows, 'FM999,999,999,990'), array_length(r.features, 1), r.k)
		|| '<div class="kpis">'
		|| format('<div class="kpi"><span>Segments</span><b>%s</b></div>', r.k)
		|| format('<div class="kpi"><span>Silhouette</span><b>%s</b></div>', @extschema@._ccseg_num(r.silhouette, 3))
		|| format('<div class="kpi"><span>Calinski-Harabasz</span><b>%s</b></div>', @extschema@._ccseg_num(r.calinski_harabasz, 1))
		|| format('<div class="kpi"><span>Davies-Bouldin</span><b>%s</b></div>', @extschema@._ccseg_num(r.davies_bouldin, 3))
		|| format('<div class="kpi"><span>Inertia</span><b>%s</b></div>', @extschema@._ccseg_num(r.inertia, 0))
		|| format('<div class="kpi"><span>Training time</span><b>%s s</b></div>', @extschema@._ccseg_num(r.seconds, 2))
		|| '</div>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_title(@extschema@.ccseg_model_versions) IS
'internal: the title, subtitle and key figures of the report';

-- The segments table: a row per segment of ccseg_segments.
CREATE FUNCTION @extschema@._ccseg_report_segments(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	seg record;
	html text;
BEGIN
	html := '<h2>Segments</h2><table><tr><th>Segment</th><th>Customers</th><th>Description</th><th>Recommendation</th></tr>';
	FOR seg IN SELECT * FROM @extschema@.ccseg_segments(r.model_name) LOOP
		html := html || format('<tr><td><span class="sw" style="background:%s"></span><b>%s</b> %s<br><span class="note">%s</span></td>'
							   || '<td class="n">%s<br><span class="note">%s%%</span></td><td>%s</td><td>%s</td></tr>',
							   @extschema@._ccseg_colour(seg.segment), seg.segment,
							   @extschema@._ccseg_html(coalesce(seg.name, '')),
							   @extschema@._ccseg_html(seg.label),
							   to_char(seg.size, 'FM999,999,999,990'), to_char(100 * seg.share, 'FM990.0'),
							   @extschema@._ccseg_html(seg.description),
							   @extschema@._ccseg_html(seg.recommendation));
	END LOOP;
	RETURN html || '</table>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_segments(@extschema@.ccseg_model_versions) IS
'internal: the segments table of the report';

-- The bar chart of the segment sizes (an <svg> element), 500 pixels wide
-- unless a label needs more: each segment's number and name (or label),
-- cut into lines of at most 190 pixels, beside its bar.
CREATE FUNCTION @extschema@._ccseg_report_sizes(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fs constant float8 := 12.5;
	lh constant float8 := 12.5 * 1.25;
	labels text[];
	values_ text[];
	sizes bigint[];
	lines text[];
	label_w float8 := 0;
	value_w float8 := 0;
	w float8 := 500;
	bar_x float8;
	bar_max float8;
	max_size float8;
	y float8 := 0;
	row_h float8;
	bar_w float8;
	body text := '';
	i integer;
BEGIN
	SELECT array_agg(s.segment || ' ' || coalesce(s.name, s.label) ORDER BY s.segment),
		   array_agg(to_char(s.size, 'FM999,999,990') || ' (' || to_char(100 * s.share, 'FM990.0') || '%)' ORDER BY s.segment),
		   array_agg(s.size ORDER BY s.segment)
	INTO labels, values_, sizes
	FROM @extschema@.ccseg_segments(r.model_name) s;
	FOR i IN 1 .. coalesce(array_length(labels, 1), 0) LOOP
		label_w := greatest(label_w, @extschema@._ccseg_lines_width(@extschema@._ccseg_wrap(labels[i], fs, 190), fs));
		value_w := greatest(value_w, @extschema@._ccseg_text_width(values_[i], fs));
	END LOOP;
	SELECT max(v) INTO max_size FROM unnest(sizes) v;
	bar_x := label_w + 10;
	w := greatest(w, bar_x + 80 + 6 + value_w);
	bar_max := w - bar_x - 6 - value_w;
	FOR i IN 1 .. coalesce(array_length(labels, 1), 0) LOOP
		lines := @extschema@._ccseg_wrap(labels[i], fs, 190);
		row_h := greatest(24, cardinality(lines) * lh) + 10;
		bar_w := greatest(1, round(bar_max * sizes[i] / greatest(max_size, 1)));
		body := body
			|| @extschema@._ccseg_svg_text(0, y + row_h / 2 - (cardinality(lines) - 1) * lh / 2 + 0.35 * fs, lines, fs)
			|| format('<rect x="%s" y="%s" width="%s" height="24" rx="3" fill="%s"/>',
					  round(bar_x::numeric, 1), round((y + row_h / 2 - 12)::numeric, 1), bar_w,
					  @extschema@._ccseg_colour(i))
			|| format('<text x="%s" y="%s" font-size="%s" fill="#333">%s</text>',
					  round((bar_x + bar_w + 6)::numeric, 1), round((y + row_h / 2 + 0.35 * fs)::numeric, 1), fs,
					  @extschema@._ccseg_html(values_[i]));
		y := y + row_h;
	END LOOP;
	RETURN @extschema@._ccseg_svg_open(w, greatest(y, 1), 'Segment sizes') || body || '</svg>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_sizes(@extschema@.ccseg_model_versions) IS
'internal: the bar chart of the segment sizes in the report (an svg element)';

-- The elbow curve stored with the version (an <svg> element); null when
-- there is none with numbers to draw (versions stored before their
-- parameters were checked may hold anything).
CREATE FUNCTION @extschema@._ccseg_report_elbow(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	svg text;
	sx float8;
	sy float8;
	tick float8;
	e record;
	kmin float8; kmax float8; imin float8; imax float8;
	path text;
	has_elbow boolean;
	rec_label text;
BEGIN
	has_elbow := jsonb_typeof(r.parameters -> 'elbow') = 'array'
		AND jsonb_array_length(r.parameters -> 'elbow') BETWEEN 1 AND 1000
		AND NOT EXISTS (
			SELECT 1 FROM jsonb_array_elements(r.parameters -> 'elbow') x
			WHERE jsonb_typeof(x) <> 'object'
			   OR jsonb_typeof(x -> 'k') IS DISTINCT FROM 'number'
			   OR jsonb_typeof(x -> 'inertia') IS DISTINCT FROM 'number'
			   OR coalesce(jsonb_typeof(x -> 'recommended'), 'null') NOT IN ('boolean', 'null')
			   OR NOT @extschema@._ccseg_json_number_ok(x -> 'k', false)
			   OR NOT @extschema@._ccseg_json_number_ok(x -> 'inertia', false));
	IF has_elbow THEN
		SELECT min((x ->> 'k')::float8), max((x ->> 'k')::float8),
			   min((x ->> 'inertia')::float8), max((x ->> 'inertia')::float8)
		INTO kmin, kmax, imin, imax
		FROM jsonb_array_elements(r.parameters -> 'elbow') x;
		has_elbow := kmax / 2 - kmin / 2 < 1e6 AND imax >= 0 AND @extschema@._ccseg_finite(imax);
	END IF;
	-- has_elbow is null when the version stores no curve at all
	IF has_elbow IS NOT TRUE THEN
		RETURN NULL;
	END IF;
	IF imax <= 0 THEN
		imax := 1;
	END IF;
	svg := @extschema@._ccseg_svg_open(520, 330, 'Elbow curve')
		|| '<line x1="70" y1="280" x2="500" y2="280" stroke="#888"/><line x1="70" y1="20" x2="70" y2="280" stroke="#888"/>';
	FOREACH tick IN ARRAY @extschema@._ccseg_ticks(0, imax, 5) LOOP
		sy := 280 - 260 * tick / imax;
		svg := svg || format('<line x1="66" y1="%1$s" x2="500" y2="%1$s" stroke="#eee"/><text x="62" y="%1$s" font-size="11" text-anchor="end" dominant-baseline="middle">%2$s</text>',
							 round(sy::numeric, 1), @extschema@._ccseg_num(tick, 0));
	END LOOP;
	path := '';
	FOR e IN SELECT (x ->> 'k')::float8 AS k, (x ->> 'inertia')::float8 AS inertia,
					(x ->> 'recommended')::boolean AS rec
			 FROM jsonb_array_elements(r.parameters -> 'elbow') x ORDER BY 1 LOOP
		sx := 70 + 430 * (e.k - kmin) / greatest(kmax - kmin, 1);
		sy := 280 - 260 * e.inertia / imax;
		path := path || CASE WHEN path = '' THEN 'M' ELSE ' L' END || round(sx::numeric, 1) || ' ' || round(sy::numeric, 1);
		svg := svg || format('<circle cx="%s" cy="%s" r="%s" fill="%s"/><text x="%s" y="298" font-size="12" text-anchor="middle">%s</text>',
							 round(sx::numeric, 1), round(sy::numeric, 1), CASE WHEN e.rec THEN 7 ELSE 4 END,
							 CASE WHEN e.rec THEN '#D55E00' ELSE '#0072B2' END, round(sx::numeric, 1), e.k);
		IF e.rec THEN
			-- right of the point, or left of it when it would leave the chart
			rec_label := 'recommended k = ' || e.k;
			svg := svg || format('<text x="%s" y="%s" font-size="12" fill="#D55E00"%s>%s</text>',
								 round(sx::numeric, 1) + CASE WHEN sx + 10 + @extschema@._ccseg_text_width(rec_label, 12) > 515 THEN -10 ELSE 10 END,
								 greatest(round(sy::numeric, 1) - 10, 16),
								 CASE WHEN sx + 10 + @extschema@._ccseg_text_width(rec_label, 12) > 515 THEN ' text-anchor="end"' ELSE '' END,
								 rec_label);
		END IF;
	END LOOP;
	RETURN svg || format('<path d="%s" fill="none" stroke="#0072B2" stroke-width="2"/>', path)
		|| '<text x="285" y="322" font-size="12" text-anchor="middle">k (number of segments)</text>'
		|| '<text x="14" y="150" font-size="12" text-anchor="middle" transform="rotate(-90 14 150)">inertia</text></svg>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_elbow(@extschema@.ccseg_model_versions) IS
'internal: the elbow curve of the report (an svg element; null when the version stores no drawable curve)';

-- The profile heat map: the z-score of each segment's centroid, feature by
-- feature, with its legend (an <svg> element).  Features are the columns,
-- under headers at 45 degrees as high as the longest name needs, when they
-- fit in 1000 pixels at 44 or more each; else the rows, with the segments
-- as numbered columns and a legend of their names under the map.  Segment
-- names and feature names are cut into lines, never shortened.
CREATE FUNCTION @extschema@._ccseg_report_profile(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fs_lab constant float8 := 12.5;
	fs_head constant float8 := 12;
	max_w constant float8 := 1000;
	n_seg integer := r.k;
	d integer := array_length(r.features, 1);
	seg_text text[];
	feat_text text[];
	lines text[];
	seg_w float8 := 0;
	feat_w float8 := 0;
	feat_lines integer := 1;
	seg_lines integer := 1;
	across boolean;
	left_w float8;
	top_h float8;
	cell_w float8;
	cell_h float8;
	w float8;
	h float8;
	y float8;
	c record;
	body text := '';
	i integer;
	j integer;
BEGIN
	SELECT array_agg(s.segment || ' ' || coalesce(s.name, s.label) ORDER BY s.segment)
	INTO seg_text FROM @extschema@.ccseg_segments(r.model_name) s;
	SELECT array_agg(@extschema@._ccseg_words(f) ORDER BY o) INTO feat_text
	FROM unnest(r.features) WITH ORDINALITY u(f, o);
	FOR i IN 1 .. n_seg LOOP
		lines := @extschema@._ccseg_wrap(coalesce(seg_text[i], i::text), fs_lab, 220);
		seg_w := greatest(seg_w, @extschema@._ccseg_lines_width(lines, fs_lab));
		seg_lines := greatest(seg_lines, cardinality(lines));
	END LOOP;
	FOR j IN 1 .. d LOOP
		feat_w := greatest(feat_w, @extschema@._ccseg_text_width(feat_text[j], fs_head));
	END LOOP;
	-- features across, when they fit
	left_w := 16 + seg_w + 12;
	cell_w := greatest(44, least(64, floor((max_w - left_w - 0.71 * @extschema@._ccseg_text_width(feat_text[d], fs_head) - 12) / d)));
	w := left_w + cell_w * d + 4;
	FOR j IN 1 .. d LOOP
		w := greatest(w, left_w + cell_w * (j - 0.5) + 0.71 * (@extschema@._ccseg_text_width(feat_text[j], fs_head) + 4) + 6);
	END LOOP;
	across := w <= max_w;
	IF across THEN
		top_h := 0.71 * (feat_w + fs_head) + 14;
		cell_h := greatest(30, seg_lines * fs_lab * 1.25 + 8);
		FOR j IN 1 .. d LOOP
			body := body || format('<text x="%1$s" y="%2$s" font-size="%3$s" transform="rotate(-45 %1$s %2$s)">%4$s</text>',
								   round((left_w + cell_w * (j - 0.5))::numeric, 1), round((top_h - 8)::numeric, 1), fs_head,
								   @extschema@._ccseg_html(feat_text[j]));
		END LOOP;
		FOR i IN 1 .. n_seg LOOP
			lines := @extschema@._ccseg_wrap(coalesce(seg_text[i], i::text), fs_lab, 220);
			y := top_h + cell_h * (i - 1);
			body := body || format('<rect x="0" y="%s" width="10" height="%s" fill="%s"/>',
								   round((y + 3)::numeric, 1), round((cell_h - 6)::numeric, 1), @extschema@._ccseg_colour(i))
				|| @extschema@._ccseg_svg_text(16, y + cell_h / 2 - (cardinality(lines) - 1) * fs_lab * 0.625 + 0.35 * fs_lab, lines, fs_lab);
		END LOOP;
		y := top_h + cell_h * n_seg;
	ELSE
		-- features down, segments across
		FOR j IN 1 .. d LOOP
			lines := @extschema@._ccseg_wrap(feat_text[j], fs_head, 300);
			feat_w := greatest(0, @extschema@._ccseg_lines_width(lines, fs_head), CASE WHEN j = 1 THEN 0 ELSE feat_w END);
			feat_lines := greatest(feat_lines, cardinality(lines));
		END LOOP;
		left_w := feat_w + 12;
		cell_w := greatest(44, least(90, floor((max_w - left_w) / n_seg)));
		cell_h := greatest(22, feat_lines * fs_head * 1.25 + 6);
		top_h := 30;
		w := left_w + cell_w * n_seg + 4;
		FOR i IN 1 .. n_seg LOOP
			body := body || format('<rect x="%s" y="4" width="%s" height="8" fill="%s"/><text x="%s" y="25" font-size="%s" font-weight="bold" text-anchor="middle">%s</text>',
								   left_w + cell_w * (i - 1) + 3, cell_w - 6, @extschema@._ccseg_colour(i),
								   left_w + cell_w * (i - 0.5), fs_lab, i);
		END LOOP;
		FOR j IN 1 .. d LOOP
			lines := @extschema@._ccseg_wrap(feat_text[j], fs_head, 300);
			y := top_h + cell_h * (j - 1);
			body := body || @extschema@._ccseg_svg_text(0, y + cell_h / 2 - (cardinality(lines) - 1) * fs_head * 0.625 + 0.35 * fs_head, lines, fs_head);
		END LOOP;
		y := top_h + cell_h * d;
	END IF;
	FOR c IN SELECT * FROM @extschema@._ccseg_centroid_z(r.model_name) LOOP
		body := body || format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff"/><text x="%s" y="%s" font-size="10.5" text-anchor="middle" dominant-baseline="middle" fill="%s">%s</text>',
							   round((left_w + cell_w * (CASE WHEN across THEN c."position" ELSE c.segment END - 1))::numeric, 1),
							   round((top_h + cell_h * (CASE WHEN across THEN c.segment ELSE c."position" END - 1))::numeric, 1),
							   cell_w, cell_h, @extschema@._ccseg_heat(c.z),
							   round((left_w + cell_w * (CASE WHEN across THEN c."position" ELSE c.segment END - 0.5))::numeric, 1),
							   round((top_h + cell_h * (CASE WHEN across THEN c.segment ELSE c."position" END - 0.5))::numeric, 1),
							   CASE WHEN abs(c.z) > 2 THEN '#fff' ELSE '#222' END,
							   CASE WHEN c.z >= 0 THEN '+' ELSE '−' END || to_char(abs(c.z), 'FM990.0'));
	END LOOP;
	-- legend of the colours
	body := body || format('<defs><linearGradient id="ccseg-heat"><stop offset="0" stop-color="%s"/><stop offset="0.5" stop-color="#ffffff"/><stop offset="1" stop-color="%s"/></linearGradient></defs>',
						   @extschema@._ccseg_heat(-3), @extschema@._ccseg_heat(3))
		|| format('<rect x="%s" y="%s" width="240" height="12" fill="url(#ccseg-heat)" stroke="#ccc"/>', left_w, y + 16)
		|| format('<text x="%s" y="%s" font-size="11" text-anchor="middle">−3 SD</text><text x="%s" y="%s" font-size="11" text-anchor="middle">mean</text><text x="%s" y="%s" font-size="11" text-anchor="middle">+3 SD</text>',
				  left_w, y + 44, left_w + 120, y + 44, left_w + 240, y + 44);
	w := greatest(w, left_w + 240 + 24);
	y := y + 50;
	IF NOT across THEN
		-- the names of the numbered columns
		FOR i IN 1 .. n_seg LOOP
			lines := @extschema@._ccseg_wrap(coalesce(seg_text[i], i::text), fs_lab, w - 24);
			body := body || format('<rect x="0" y="%s" width="10" height="10" fill="%s"/>', round((y + 4)::numeric, 1), @extschema@._ccseg_colour(i))
				|| @extschema@._ccseg_svg_text(16, y + 0.35 * fs_lab + 9, lines, fs_lab);
			y := y + cardinality(lines) * fs_lab * 1.25 + 6;
		END LOOP;
	END IF;
	h := y;
	RETURN @extschema@._ccseg_svg_open(w, h, 'Segment profile heat map') || body || '</svg>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_profile(@extschema@.ccseg_model_versions) IS
'internal: the profile heat map of the report (an svg element), laid out for its number of features and the lengths of its labels';

-- Why the report may not read the rows of the relation version r was
-- trained on, or null when it may: 'gone' (not known or dropped: a
-- relation that took its name is never read), 'untrusted' (reading it
-- would run code of a role the caller does not trust, see
-- _ccseg_source_code_owner), 'denied' (the caller may not read every column
-- of it, as scoring a whole row needs), 'changed' (a feature is no longer
-- one of its columns).
CREATE FUNCTION @extschema@._ccseg_report_source_problem(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF r.source_relid IS NULL OR NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = r.source_relid) THEN
		RETURN 'gone';
	ELSIF @extschema@._ccseg_source_code_owner(r.source_relid) IS NOT NULL THEN
		RETURN 'untrusted';
	ELSIF EXISTS (SELECT 1 FROM pg_attribute a
				  WHERE a.attrelid = r.source_relid AND a.attnum > 0 AND NOT a.attisdropped
					AND NOT has_column_privilege(r.source_relid, a.attnum, 'SELECT')) THEN
		RETURN 'denied';
	ELSIF EXISTS (SELECT 1 FROM unnest(r.features, (@extschema@.ccseg_model_summary(r.model)).category_column) u(f, c)
				  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
									WHERE a.attrelid = r.source_relid AND a.attname = coalesce(u.c, u.f)
									  AND a.attnum > 0 AND NOT a.attisdropped)) THEN
		RETURN 'changed';
	END IF;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_source_problem(@extschema@.ccseg_model_versions) IS
'internal: why the report may not read the rows of a version''s source relation (gone, untrusted, denied, changed), or null when it may';

-- Each feature's distribution per segment, on a sample of up to
-- sample_rows rows of the relation the version was trained on (read by OID,
-- every n-th row as for the scatter): a panel per feature, a box per
-- segment from the 25th to the 75th percentile with the median, whiskers
-- from the 5th to the 95th, on a log1p axis for a skewed feature.  With
-- its heading and caption; a note instead when the rows may not be read
-- (_ccseg_report_source_problem); empty when sample_rows is 0.
CREATE FUNCTION @extschema@._ccseg_report_distributions(r @extschema@.ccseg_model_versions, sample_rows integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fs_title constant float8 := 12;
	panel_w constant float8 := 235;
	gap constant float8 := 20;
	cols constant integer := 4;
	plot_x0 constant float8 := 26;
	plot_x1 constant float8 := 210;
	n_seg integer := r.k;
	-- the numeric features, which come first; indicators are in the profile
	n_ind integer := cardinality(array_remove((@extschema@.ccseg_model_summary(r.model)).category_column, NULL));
	d integer := array_length(r.features, 1) - n_ind;
	problem text;
	q record;
	p05 float8[]; p25 float8[]; p50 float8[]; p75 float8[]; p95 float8[];
	n_rows bigint := 0;
	title_lines integer := 1;
	lines text[];
	panel_h float8;
	row_h constant float8 := 15;
	px float8; py float8;
	lo float8; hi float8;
	tick float8;
	tx float8;
	tw float8;
	body text := '';
	i integer;
	j integer;
	idx integer;
	los float8[];
	his float8[];
	logx boolean[];
	titles text[];
	mid float8;
	q5 float8; q25 float8; q50 float8; q75 float8; q95 float8;
BEGIN
	IF sample_rows <= 0 THEN
		RETURN '';
	END IF;
	problem := @extschema@._ccseg_report_source_problem(r);
	IF problem IS NOT NULL THEN
		RETURN '<h2>Features by segment</h2>' || format('<p class="note">The distributions of the features by segment are left out: %s.</p>',
			CASE problem
				WHEN 'gone' THEN format('the relation the model was trained on (%s) no longer exists', @extschema@._ccseg_html(r.source))
				WHEN 'untrusted' THEN format('reading the relation the model was trained on (%s) would run code of role %s with your privileges. Make the report as that role to see them',
											@extschema@._ccseg_html(r.source_relid::text),
											@extschema@._ccseg_html(@extschema@._ccseg_source_code_owner(r.source_relid)))
				WHEN 'denied' THEN format('you may not read every column of the relation the model was trained on (%s)',
										  @extschema@._ccseg_html(r.source_relid::text))
				ELSE format('a feature of the model is no longer a column of the relation it was trained on (%s)',
							@extschema@._ccseg_html(r.source_relid::text))
			END);
	END IF;
	IF d = 0 THEN
		RETURN '<h2>Features by segment</h2><p class="note">Every feature of the model is a category indicator: the profile above shows how far each segment''s share of each category lies from that of all customers.</p>';
	END IF;
	p05 := array_fill(NULL::float8, ARRAY[n_seg * d]);
	p25 := p05; p50 := p05; p75 := p05; p95 := p05;
	FOR q IN EXECUTE format(
		'WITH u AS MATERIALIZED ('
		'  SELECT g, vals FROM ('
		'    SELECT %1$s.ccseg_predict(%2$L, s) AS g, ARRAY[%5$s] AS vals,'
		'           row_number() OVER () AS rn, count(*) OVER () AS n FROM %3$s s) t '
		'  WHERE rn %% greatest(1, n / %4$s) = 0 LIMIT %4$s) '
		'SELECT u.g, x.j, (SELECT count(*) FROM u) AS n_rows, '
		'       percentile_cont(ARRAY[0.05, 0.25, 0.5, 0.75, 0.95]) WITHIN GROUP (ORDER BY x.v) AS p '
		'FROM u CROSS JOIN LATERAL unnest(u.vals) WITH ORDINALITY x(v, j) '
		'WHERE x.v > ''-Infinity''::float8 AND x.v < ''Infinity''::float8 AND u.g BETWEEN 1 AND %6$s '
		'GROUP BY u.g, x.j',
		'@extschema@', r.model_name, r.source_relid, sample_rows,
		(SELECT string_agg(format('s.%I::float8', f), ', ' ORDER BY o) FROM unnest(r.features) WITH ORDINALITY u(f, o) WHERE o <= d),
		n_seg)
	LOOP
		idx := (q.g - 1) * d + q.j;
		p05[idx] := q.p[1]; p25[idx] := q.p[2]; p50[idx] := q.p[3]; p75[idx] := q.p[4]; p95[idx] := q.p[5];
		n_rows := q.n_rows;
	END LOOP;
	-- each panel's range: the 5th to the 95th percentiles of all segments,
	-- on a log1p axis when the values are not negative and most segments'
	-- medians lie in the bottom tenth of it (skewed money columns)
	los := array_fill(NULL::float8, ARRAY[d]);
	his := los;
	logx := array_fill(false, ARRAY[d]);
	FOR j IN 1 .. d LOOP
		SELECT min(v) FILTER (WHERE @extschema@._ccseg_finite(v)), max(w) FILTER (WHERE @extschema@._ccseg_finite(w)),
			   percentile_cont(0.5) WITHIN GROUP (ORDER BY m)
		INTO lo, hi, mid
		FROM generate_series(1, n_seg) g(s),
			 LATERAL (SELECT p05[(g.s - 1) * d + j] AS v, p95[(g.s - 1) * d + j] AS w, p50[(g.s - 1) * d + j] AS m) x;
		los[j] := lo;
		his[j] := hi;
		-- (and at least two powers of ten, or 0 and 10, in range for the ticks)
		logx[j] := coalesce(lo >= 0 AND hi < 1e300 AND hi >= 100 * greatest(lo, 0.1) AND mid < lo + 0.1 * (hi - lo), false);
		titles := titles || (@extschema@._ccseg_words(r.features[j]) || CASE WHEN logx[j] THEN ' (log scale)' ELSE '' END);
		title_lines := greatest(title_lines, cardinality(@extschema@._ccseg_wrap(titles[j], fs_title, panel_w - 8)));
	END LOOP;
	panel_h := title_lines * fs_title * 1.25 + 8 + n_seg * row_h + 30;
	FOR j IN 1 .. d LOOP
		px := ((j - 1) % cols) * (panel_w + gap);
		py := ((j - 1) / cols) * (panel_h + gap);
		lines := @extschema@._ccseg_wrap(titles[j], fs_title, panel_w - 8);
		body := body || @extschema@._ccseg_svg_text(px, py + fs_title, lines, fs_title, 'font-weight="bold"');
		lo := los[j];
		hi := his[j];
		py := py + title_lines * fs_title * 1.25 + 8;
		IF lo IS NULL OR hi IS NULL THEN
			body := body || format('<text x="%s" y="%s" font-size="11" fill="#666">no values</text>', px, round((py + 12)::numeric, 1));
			CONTINUE;
		END IF;
		IF logx[j] THEN
			-- positions are those of log(1 + v)
			lo := ln(1 + lo);
			hi := ln(1 + hi);
		END IF;
		IF NOT (hi / 2 - lo / 2 BETWEEN 1e-300 AND 1e307) THEN
			lo := lo - greatest(abs(lo) * 0.5, 0.5);
			hi := hi + greatest(abs(hi) * 0.5, 0.5);
		END IF;
		IF NOT (hi / 2 - lo / 2 BETWEEN 1e-300 AND 1e307) THEN
			CONTINUE;
		END IF;
		body := body || format('<rect x="%s" y="%s" width="%s" height="%s" fill="#fafbfc" stroke="#e3e6ea"/>',
							   px + plot_x0, round((py - 3)::numeric, 1), plot_x1 - plot_x0, n_seg * row_h + 6);
		FOREACH tick IN ARRAY CASE WHEN logx[j]
				-- 0 and the powers of ten in range, at most 4 of them
				THEN ARRAY(SELECT t FROM (SELECT 0::float8 AS t WHERE lo <= 0
										  UNION ALL
										  SELECT power(10::float8, e) FROM generate_series(0, 300) e
										  WHERE ln(1 + power(10::float8, e)) BETWEEN lo AND hi) u
						   ORDER BY t DESC LIMIT 4)
				ELSE @extschema@._ccseg_ticks(lo, hi, 3) END LOOP
			tx := px + plot_x0 + (plot_x1 - plot_x0) * (CASE WHEN logx[j] THEN ln(1 + tick) ELSE tick END - lo) / (hi - lo);
			tw := @extschema@._ccseg_text_width(@extschema@._ccseg_num(tick, 2), 10);
			body := body || format('<line x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s" stroke="#e3e6ea"/><text x="%4$s" y="%5$s" font-size="10" text-anchor="middle" fill="#444">%6$s</text>',
								   round(tx::numeric, 1), round((py - 3)::numeric, 1), round((py + n_seg * row_h + 3)::numeric, 1),
								   round(least(greatest(tx, px + tw / 2 + 1), px + panel_w - tw / 2 - 1)::numeric, 1),
								   round((py + n_seg * row_h + 16)::numeric, 1), @extschema@._ccseg_num(tick, 2));
		END LOOP;
		FOR i IN 1 .. n_seg LOOP
			idx := (i - 1) * d + j;
			body := body || format('<text x="%s" y="%s" font-size="10" text-anchor="end" fill="#444">%s</text>',
								   px + plot_x0 - 4, round((py + (i - 0.5) * row_h + 3.5)::numeric, 1), i);
			CONTINUE WHEN p50[idx] IS NULL;
			-- the quantiles as positions
			q5 := p05[idx]; q25 := p25[idx]; q50 := p50[idx]; q75 := p75[idx]; q95 := p95[idx];
			IF logx[j] THEN
				q5 := ln(1 + q5); q25 := ln(1 + q25); q50 := ln(1 + q50); q75 := ln(1 + q75); q95 := ln(1 + q95);
			END IF;
			body := body || format('<line x1="%s" y1="%3$s" x2="%2$s" y2="%3$s" stroke="%4$s"/>'
								   || '<rect x="%5$s" y="%6$s" width="%7$s" height="9" fill="%4$s" fill-opacity="0.35" stroke="%4$s"/>'
								   || '<line x1="%8$s" y1="%6$s" x2="%8$s" y2="%9$s" stroke="#222" stroke-width="2"/>',
								   round((px + plot_x0 + (plot_x1 - plot_x0) * (greatest(q5, lo) - lo) / (hi - lo))::numeric, 1),
								   round((px + plot_x0 + (plot_x1 - plot_x0) * (least(q95, hi) - lo) / (hi - lo))::numeric, 1),
								   round((py + (i - 0.5) * row_h)::numeric, 1),
								   @extschema@._ccseg_colour(i),
								   round((px + plot_x0 + (plot_x1 - plot_x0) * (q25 - lo) / (hi - lo))::numeric, 1),
								   round((py + (i - 0.5) * row_h - 4.5)::numeric, 1),
								   round(greatest(1, (plot_x1 - plot_x0) * (q75 - q25) / (hi - lo))::numeric, 1),
								   round((px + plot_x0 + (plot_x1 - plot_x0) * (q50 - lo) / (hi - lo))::numeric, 1),
								   round((py + (i - 0.5) * row_h + 4.5)::numeric, 1));
		END LOOP;
	END LOOP;
	RETURN '<h2>Features by segment</h2>'
		|| @extschema@._ccseg_svg_open(least(d, cols) * (panel_w + gap) - gap,
									   ((d - 1) / cols + 1) * (panel_h + gap) - gap, 'Features by segment')
		|| body || '</svg>'
		|| format('<figcaption>Each feature in its own units, on a sample of %s customers of %s: per segment (numbered as above), '
				  || 'the box spans the middle half of the segment''s values with a bar at the median, the line the 5th to the 95th percentile. '
				  || 'Skewed features (most medians in the bottom tenth of the range, no negative values) are on a log scale.%s</figcaption>',
				  to_char(n_rows, 'FM999,999,990'), @extschema@._ccseg_html(r.source),
				  CASE WHEN n_ind > 0 THEN format(' The %s category indicators are left out: the profile above shows how far each segment''s share of each category lies from that of all customers.', n_ind) ELSE '' END);
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_distributions(@extschema@.ccseg_model_versions, integer) IS
'internal: each feature''s distribution per segment in the report, on up to sample_rows rows of the source read by OID, or a note why it is left out';

-- The PCA scatter of a sample of up to sample_rows rows of the relation the
-- version was trained on, read by OID (a relation that took its name since
-- is not read), with its heading and caption; pca_ratio and pca_components
-- are those of the version's model.  A note instead when the rows may not
-- be read (_ccseg_report_source_problem); empty when sample_rows is 0 or
-- there is nothing to draw.  The legend beside the plot is as wide as its
-- longest line needs (up to 260 pixels; longer names are cut into lines).
CREATE FUNCTION @extschema@._ccseg_report_scatter(r @extschema@.ccseg_model_versions,
	pca_ratio float8[], pca_components float8[], sample_rows integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fs constant float8 := 12;
	seg record;
	html text := '';
	svg text;
	n_seg integer := r.k;
	d integer := array_length(r.features, 1);
	-- the training mean in the scaled space (of the transformed values
	-- for a feature with a transform), the origin of the principal axes
	mean_scaled float8[] := (
		SELECT array_agg((coalesce(q.transform_mean[j], r.feature_mean[j]) - r.scale_center[j])
						 / r.scale_scale[j] * q.weights[j] ORDER BY j)
		FROM @extschema@.ccseg_model_summary(r.model) q,
			 generate_subscripts(r.features, 1) j);
	xs float8[];
	ys float8[];
	gs integer[];
	i integer;
	xmin float8; xmax float8; ymin float8; ymax float8;
	pc1 float8; pc2 float8;
	sx float8; sy float8;
	tick float8;
	problem text;
	seg_text text[];
	lines text[];
	legend_w float8 := 0;
	x1 float8;
	w constant float8 := 1000;
	ly float8;
BEGIN
	IF sample_rows <= 0 THEN
		RETURN '';
	END IF;
	problem := @extschema@._ccseg_report_source_problem(r);
	IF problem = 'gone' THEN
		RETURN format('<p class="note">The relation the model was trained on (%s) no longer exists, so no customers are drawn.</p>',
					  @extschema@._ccseg_html(r.source));
	ELSIF problem = 'untrusted' THEN
		-- a view or policies of another role: its code would run as the reader
		RETURN format('<p class="note">No customers are drawn: reading the relation the model was trained on (%s) would run code of role %s with your privileges. Make the report as that role to see them.</p>',
					  @extschema@._ccseg_html(r.source_relid::text),
					  @extschema@._ccseg_html(@extschema@._ccseg_source_code_owner(r.source_relid)));
	ELSIF problem = 'denied' THEN
		RETURN format('<p class="note">No customers are drawn: you may not read every column of the relation the model was trained on (%s).</p>',
					  @extschema@._ccseg_html(r.source_relid::text));
	ELSIF problem IS NOT NULL THEN
		RETURN format('<p class="note">No customers are drawn: a feature of the model is no longer a column of the relation it was trained on (%s).</p>',
					  @extschema@._ccseg_html(r.source_relid::text));
	END IF;
	IF pca_ratio IS NOT NULL AND d >= 2 THEN
		-- every n-th row, so the sample spreads over the whole relation
		EXECUTE format(
			'SELECT array_agg(p[1] ORDER BY g DESC, rn), array_agg(p[2] ORDER BY g DESC, rn), '
			'       array_agg(g ORDER BY g DESC, rn) FROM ('
			'  SELECT p, g, rn FROM ('
			'    SELECT %1$s.ccseg_project(%2$L, s) AS p, %1$s.ccseg_predict(%2$L, s) AS g,'
			'           row_number() OVER () AS rn, count(*) OVER () AS n FROM %3$s s) t '
			'  WHERE p IS NOT NULL AND rn %% greatest(1, n / %4$s) = 0 LIMIT %4$s) u',
			'@extschema@', r.model_name, r.source_relid, sample_rows)
		INTO xs, ys, gs;
		-- frame the central 98% of each axis: skewed data would squash the
		-- rest; points that are not finite are left out
		SELECT percentile_cont(0.01) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v)
		INTO xmin, xmax FROM unnest(xs) v WHERE @extschema@._ccseg_finite(v);
		SELECT percentile_cont(0.01) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v)
		INTO ymin, ymax FROM unnest(ys) v WHERE @extschema@._ccseg_finite(v);
		IF xmax / 2 - xmin / 2 BETWEEN 1e-300 AND 1e307 AND ymax / 2 - ymin / 2 BETWEEN 1e-300 AND 1e307 THEN
			SELECT array_agg(s.segment || ' ' || coalesce(s.name, s.label) ORDER BY s.segment)
			INTO seg_text FROM @extschema@.ccseg_segments(r.model_name) s;
			FOR i IN 1 .. n_seg LOOP
				legend_w := greatest(legend_w, @extschema@._ccseg_lines_width(@extschema@._ccseg_wrap(coalesce(seg_text[i], i::text), fs, 240), fs));
			END LOOP;
			-- the plot from x 70 to x1, the legend right of it
			x1 := w - legend_w - 20 - 24;
			pc1 := 0.08 * (xmax - xmin); pc2 := 0.08 * (ymax - ymin);
			xmin := xmin - pc1; xmax := xmax + pc1;
			ymin := ymin - pc2; ymax := ymax + pc2;
			svg := format('<rect x="70" y="20" width="%s" height="480" fill="#fafbfc" stroke="#ccc"/>', x1 - 70);
			FOREACH tick IN ARRAY @extschema@._ccseg_ticks(xmin, xmax, 8) LOOP
				sx := 70 + (x1 - 70) * (tick - xmin) / (xmax - xmin);
				svg := svg || format('<line x1="%1$s" y1="20" x2="%1$s" y2="500" stroke="#e8e8e8"/><text x="%1$s" y="518" font-size="11" text-anchor="middle">%2$s</text>',
									 round(sx::numeric, 1), @extschema@._ccseg_num(tick, 1));
			END LOOP;
			FOREACH tick IN ARRAY @extschema@._ccseg_ticks(ymin, ymax, 6) LOOP
				sy := 500 - 480 * (tick - ymin) / (ymax - ymin);
				svg := svg || format('<line x1="70" y1="%1$s" x2="%3$s" y2="%1$s" stroke="#e8e8e8"/><text x="64" y="%1$s" font-size="11" text-anchor="end" dominant-baseline="middle">%2$s</text>',
									 round(sy::numeric, 1), @extschema@._ccseg_num(tick, 1), x1);
			END LOOP;
			FOR i IN 1 .. coalesce(array_length(xs, 1), 0) LOOP
				CONTINUE WHEN xs[i] NOT BETWEEN xmin AND xmax OR ys[i] NOT BETWEEN ymin AND ymax;
				svg := svg || format('<circle cx="%s" cy="%s" r="2.6" fill="%s" fill-opacity="0.6"/>',
									 round((70 + (x1 - 70) * (xs[i] - xmin) / (xmax - xmin))::numeric, 1),
									 round((500 - 480 * (ys[i] - ymin) / (ymax - ymin))::numeric, 1),
									 @extschema@._ccseg_colour(gs[i]));
			END LOOP;
			-- centroids, projected the same way
			FOR seg IN
				SELECT s.seg,
					   sum((r.centroids[s.seg][j] - mean_scaled[j]) * pca_components[1][j]) AS x,
					   sum((r.centroids[s.seg][j] - mean_scaled[j]) * pca_components[2][j]) AS y
				FROM generate_series(1, n_seg) s(seg), generate_series(1, d) j GROUP BY s.seg ORDER BY s.seg
			LOOP
				IF seg.x BETWEEN xmin AND xmax AND seg.y BETWEEN ymin AND ymax THEN
					sx := 70 + (x1 - 70) * (seg.x - xmin) / (xmax - xmin);
					sy := 500 - 480 * (seg.y - ymin) / (ymax - ymin);
					svg := svg || format('<circle cx="%s" cy="%s" r="9" fill="%s" stroke="#fff" stroke-width="2.5"/><text x="%s" y="%s" font-size="10" font-weight="bold" text-anchor="middle" dominant-baseline="central" fill="#fff">%s</text>',
										 round(sx::numeric, 1), round(sy::numeric, 1), @extschema@._ccseg_colour(seg.seg),
										 round(sx::numeric, 1), round(sy::numeric, 1), seg.seg);
				END IF;
			END LOOP;
			-- legend
			ly := 30;
			FOR i IN 1 .. n_seg LOOP
				lines := @extschema@._ccseg_wrap(coalesce(seg_text[i], i::text), fs, 240);
				svg := svg || format('<circle cx="%s" cy="%s" r="6" fill="%s"/>', round((x1 + 26)::numeric, 1), ly, @extschema@._ccseg_colour(i))
					|| @extschema@._ccseg_svg_text(x1 + 38, ly + 0.35 * fs, lines, fs);
				ly := ly + cardinality(lines) * fs * 1.25 + 7;
			END LOOP;
			pc1 := pca_ratio[1]; pc2 := pca_ratio[2];
			svg := @extschema@._ccseg_svg_open(w, greatest(560, ly + 10), 'PCA scatter') || svg
				|| format('<text x="%s" y="548" font-size="12.5" text-anchor="middle">first principal axis (%s%% of variance)</text>',
						  round(((70 + x1) / 2)::numeric, 1), to_char(100 * pc1, 'FM990.0'))
				|| format('<text x="18" y="260" font-size="12.5" text-anchor="middle" transform="rotate(-90 18 260)">second principal axis (%s%% of variance)</text>', to_char(100 * pc2, 'FM990.0'))
				|| '</svg>';
			html := html || '<h2>Customers on the first two principal axes</h2>' || svg
				|| format('<figcaption>A sample of %s customers of %s, coloured by segment; large discs are the segment centroids. '
						  || 'The frame shows the central 98%% of each axis; %s customers of the sample lie outside it.</figcaption>',
						  to_char(array_length(xs, 1), 'FM999,999,990'),
						  @extschema@._ccseg_html(r.source),
						  (SELECT count(*) FROM unnest(xs, ys) u(x, y)
						   WHERE x NOT BETWEEN xmin AND xmax OR y NOT BETWEEN ymin AND ymax));
		END IF;
	END IF;
	RETURN html;
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_scatter(@extschema@.ccseg_model_versions, float8[], float8[], integer) IS
'internal: the PCA scatter of the report on up to sample_rows rows of the source read by OID, or a note why no customers are drawn';

-- The parameters table and the footer, up to the end of the page.
CREATE FUNCTION @extschema@._ccseg_report_model(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN '<h2>Model</h2><table><tr><th>Parameter</th><th>Value</th></tr>'
		|| (SELECT coalesce(string_agg(format('<tr><td>%s</td><td>%s</td></tr>', @extschema@._ccseg_html(key),
									 @extschema@._ccseg_html(CASE WHEN key = 'features' THEN array_to_string(r.features, ', ') ELSE value #>> '{}' END)),
							  '' ORDER BY key), '')
			FROM jsonb_each(r.parameters) WHERE key NOT IN ('elbow', 'init_centroids'))
		|| format('<tr><td>iterations</td><td>%s</td></tr><tr><td>silhouette computed on</td><td>%s rows</td></tr>',
				  r.iterations, to_char(r.silhouette_rows, 'FM999,999,990'))
		|| '</table>'
		|| format('<p class="note">Made by ccseg_report(%s) on %s.</p>', @extschema@._ccseg_html(quote_literal(r.model_name)),
				  to_char(now(), 'YYYY-MM-DD HH24:MI TZ'))
		|| '</main></body></html>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_model(@extschema@.ccseg_model_versions) IS
'internal: the parameters table and footer of the report, up to the end of the page';

CREATE FUNCTION @extschema@.ccseg_report(model text, sample_rows integer DEFAULT 2000)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.ccseg_model_versions;
	q record;
	elbow text;
BEGIN
	r := @extschema@._ccseg_model_row(ccseg_report.model);
	IF r.model_name IS NULL THEN
		RETURN NULL;
	END IF;
	IF sample_rows IS NULL THEN
		sample_rows := 2000;
	ELSIF sample_rows < 0 THEN
		RAISE EXCEPTION 'sample_rows must be 0 or more'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	q := @extschema@.ccseg_model_summary(r.model);
	elbow := @extschema@._ccseg_report_elbow(r);
	RETURN @extschema@._ccseg_report_head(r)
		|| @extschema@._ccseg_report_title(r)
		|| @extschema@._ccseg_report_segments(r)
		-- sizes and elbow side by side
		|| '<div class="grid"><figure><h2>Segment sizes</h2>' || @extschema@._ccseg_report_sizes(r)
		|| '<figcaption>Customers per segment.</figcaption></figure>'
		|| '<figure><h2>Choosing k</h2>'
		|| CASE WHEN elbow IS NOT NULL THEN
				elbow || '<figcaption>Inertia by k; the recommended k is the knee of the curve confirmed by the silhouette.</figcaption>'
			WHEN r.parameters ? 'elbow' THEN
				'<p class="note">The elbow curve stored with this version holds values that cannot be drawn.</p>'
			ELSE
				'<p class="note">No elbow curve is stored with this version: its k was given (to ccseg_train, '
				|| 'or by ccseg_retrain, which keeps the k of the version it retrains). The curve appears here for a version '
				|| 'that ccseg_train trained with k omitted (NULL): it then trains every k from k_min to k_max, stores the curve '
				|| 'and uses the recommended k. ccseg_elbow shows the same curve as rows, without storing it.</p>'
			END
		|| '</figure></div>'
		|| '<h2>Profile</h2>' || @extschema@._ccseg_report_profile(r)
		|| '<figcaption>Each cell: how far a segment''s centroid lies from the mean of all customers in a feature, in standard deviations (orange above, blue below).</figcaption>'
		|| @extschema@._ccseg_report_distributions(r, sample_rows)
		|| @extschema@._ccseg_report_scatter(r, q.pca_ratio, q.pca_components, sample_rows)
		|| @extschema@._ccseg_report_model(r);
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_report(text, integer) IS
'a self-contained HTML page (inline SVG, no scripts) describing a model: segments, sizes, elbow curve, profile heat map, each feature by segment and PCA scatter on up to sample_rows rows, parameters and quality measures';

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
'per numeric column (position = its place among them): count, missing, mean, sample std, min, quartiles, max, skewness and the number of values beyond 1.5 IQR from the quartiles';

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

CREATE FUNCTION @extschema@.ccseg_histogram(source regclass, feature text, bins integer, scale text)
RETURNS TABLE (bucket integer, lower float8, upper float8, count bigint)
AS 'MODULE_PATHNAME', 'ccseg_histogram'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.ccseg_histogram(regclass, text, integer, text) IS
'histogram of a numeric column with buckets of equal width in x (scale ''linear'') or in log(1 + x) (scale ''log1p'', for skewed columns with values above -1): bucket, bounds, count (the last bucket includes the maximum)';

-- A self-contained HTML page that explores the numeric columns of a
-- relation before training: the statistics of ccseg_describe with the
-- missing values of each column, a histogram per column (ccseg_histogram;
-- on a log1p scale when the column is skewed), and the
-- correlation heat map (ccseg_correlation).  The C functions read the
-- relation with the caller's privileges and within their memory limits.
CREATE FUNCTION @extschema@.ccseg_explore_report(source regclass, features text[] DEFAULT NULL, bins integer DEFAULT 30)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fs constant float8 := 12;
	panel_w constant float8 := 235;
	gap constant float8 := 20;
	cols constant integer := 4;
	plot_x0 constant float8 := 40;
	plot_x1 constant float8 := 228;
	plot_h constant float8 := 90;
	names text[];
	words text[];
	cnt bigint[];
	miss bigint[];
	skew float8[];
	mins float8[];
	d integer;
	n_rows bigint;
	html text;
	body text;
	s record;
	counts bigint[];
	lines text[];
	title_lines integer := 1;
	panel_h float8;
	px float8; py float8;
	lo float8; hi float8;
	max_c float8;
	log_axis boolean;
	log_values boolean;
	tick float8;
	tx float8; tw float8;
	label_w float8 := 0;
	cell float8;
	top_h float8;
	w float8;
	y float8;
	v float8;
	i integer;
	j integer;
	n_missing integer;
	bar_max float8;
	value_w float8 := 0;
	fsh float8;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'source must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF bins IS NULL THEN
		RAISE EXCEPTION 'bins must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	ELSIF bins NOT BETWEEN 1 AND 100 THEN
		RAISE EXCEPTION 'bins must be between 1 and 100'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT has_any_column_privilege(source, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', source
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'ccseg_explore_report reads the relation with your privileges.';
	END IF;
	-- the statistics, and the errors of resolving the features
	html := '';
	FOR s IN SELECT * FROM @extschema@.ccseg_describe(source, features) ORDER BY "position" LOOP
		names := names || s.feature;
		cnt := cnt || s.count;
		miss := miss || s.missing;
		skew := skew || s.skewness;
		mins := mins || s.min;
		html := html || format('<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>'
							   || '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
							   @extschema@._ccseg_html(s.feature), to_char(s.count, 'FM999,999,999,990'),
							   to_char(s.missing, 'FM999,999,999,990'),
							   @extschema@._ccseg_num(s.mean), @extschema@._ccseg_num(s.std), @extschema@._ccseg_num(s.min),
							   @extschema@._ccseg_num(s.median), @extschema@._ccseg_num(s.max),
							   @extschema@._ccseg_num(s.skewness), to_char(s.outliers, 'FM999,999,999,990'),
							   CASE WHEN abs(s.skewness) > 1 THEN 'skewed' ELSE '' END);
	END LOOP;
	d := coalesce(cardinality(names), 0);
	n_rows := cnt[1] + miss[1];
	SELECT array_agg(@extschema@._ccseg_words(f) ORDER BY o) INTO words FROM unnest(names) WITH ORDINALITY u(f, o);
	html := @extschema@._ccseg_page_head(format('Exploring %s', source::text))
		|| format('<h1>Exploring “%s”</h1>', @extschema@._ccseg_html(source::text))
		|| format('<p class="sub">%s rows, %s numeric features, made by ccseg_explore_report on %s.</p>',
				  to_char(n_rows, 'FM999,999,999,990'), d, to_char(now(), 'YYYY-MM-DD HH24:MI TZ'))
		|| '<div class="kpis">'
		|| format('<div class="kpi"><span>Rows</span><b>%s</b></div>', to_char(n_rows, 'FM999,999,999,990'))
		|| format('<div class="kpi"><span>Features</span><b>%s</b></div>', d)
		|| format('<div class="kpi"><span>With missing values</span><b>%s</b></div>', (SELECT count(*) FROM unnest(miss) m WHERE m > 0))
		|| format('<div class="kpi"><span>Skewed (|skewness| &gt; 1)</span><b>%s</b></div>', (SELECT count(*) FROM unnest(skew) k WHERE abs(k) > 1))
		|| '</div>'
		|| '<h2>Features</h2><table><tr><th>Feature</th><th>Values</th><th>Missing</th><th>Mean</th><th>Std</th><th>Min</th>'
		|| '<th>Median</th><th>Max</th><th>Skewness</th><th>Outliers</th><th></th></tr>'
		|| html || '</table>'
		|| '<p class="note">Outliers: values more than 1.5 interquartile ranges beyond the quartiles. Skewed: |skewness| above 1, '
		|| 'where a log1p transform may help.</p>';

	-- histograms, a panel per feature
	FOR j IN 1 .. d LOOP
		title_lines := greatest(title_lines, cardinality(@extschema@._ccseg_wrap(words[j], fs, panel_w - 8)));
	END LOOP;
	panel_h := title_lines * fs * 1.25 + 16 + 8 + plot_h + 22;
	body := '';
	FOR j IN 1 .. d LOOP
		px := ((j - 1) % cols) * (panel_w + gap);
		py := ((j - 1) / cols) * (panel_h + gap);
		-- a feature skewed to the right: buckets of equal width in log(1 + x)
		-- where it is defined; else, when skewed, a logarithmic count axis
		log_values := skew[j] > 1 AND mins[j] > -1;
		log_axis := abs(skew[j]) > 1 AND NOT log_values;
		body := body || @extschema@._ccseg_svg_text(px, py + fs, @extschema@._ccseg_wrap(words[j], fs, panel_w - 8), fs, 'font-weight="bold"')
			|| format('<text x="%s" y="%s" font-size="10" fill="#666">%s</text>', px, round((py + title_lines * fs * 1.25 + 12)::numeric, 1),
					  'skewness ' || @extschema@._ccseg_num(skew[j])
					  || CASE WHEN log_values THEN ', log scale' WHEN log_axis THEN ', count axis logarithmic' ELSE '' END);
		py := py + title_lines * fs * 1.25 + 24;
		SELECT min(b.lower), max(b.upper), max(b.count), array_agg(b.count ORDER BY b.bucket)
		INTO lo, hi, max_c, counts
		FROM @extschema@.ccseg_histogram(source, names[j], bins, CASE WHEN log_values THEN 'log1p' ELSE 'linear' END) b;
		IF max_c IS NULL OR NOT @extschema@._ccseg_finite(lo) OR NOT @extschema@._ccseg_finite(hi) THEN
			body := body || format('<text x="%s" y="%s" font-size="11" fill="#666">no values</text>', px, round((py + 12)::numeric, 1));
			CONTINUE;
		END IF;
		body := body || format('<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#888"/>',
							   px + plot_x0, round((py + plot_h)::numeric, 1), px + plot_x1);
		-- count axis: 0 and powers of ten, or round numbers
		FOREACH tick IN ARRAY CASE WHEN log_axis
				THEN ARRAY(SELECT 0::float8 UNION ALL SELECT power(10::float8, e) FROM generate_series(1, floor(log(greatest(max_c, 1)))::integer) e)
				ELSE @extschema@._ccseg_ticks(0, max_c, 3) END LOOP
			v := CASE WHEN log_axis THEN log(1 + tick) / log(1 + greatest(max_c, 1)) ELSE tick / greatest(max_c, 1) END;
			body := body || format('<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#eee"/><text x="%4$s" y="%5$s" font-size="10" text-anchor="end" fill="#444">%6$s</text>',
								   px + plot_x0, round((py + plot_h * (1 - v))::numeric, 1), px + plot_x1, px + plot_x0 - 3,
								   round((py + plot_h * (1 - v) + 3.5)::numeric, 1),
								   CASE WHEN tick >= 10000 THEN @extschema@._ccseg_num(tick / 1000, 0) || 'k' ELSE @extschema@._ccseg_num(tick, 0) END);
		END LOOP;
		FOR i IN 1 .. cardinality(counts) LOOP
			CONTINUE WHEN counts[i] = 0;
			v := CASE WHEN log_axis THEN log(1 + counts[i]) / log(1 + greatest(max_c, 1)) ELSE counts[i] / greatest(max_c, 1) END;
			body := body || format('<rect x="%s" y="%s" width="%s" height="%s" fill="#0072B2" fill-opacity="0.8"/>',
								   round((px + plot_x0 + (plot_x1 - plot_x0) * (i - 1) / cardinality(counts))::numeric, 2),
								   round((py + plot_h * (1 - v))::numeric, 1),
								   round(greatest(0.5, (plot_x1 - plot_x0) / cardinality(counts) - 0.5)::numeric, 2),
								   round((plot_h * v)::numeric, 1));
		END LOOP;
		IF log_values AND hi > lo THEN
			-- 0 and the powers of ten in range (at most 4), at log(1 + x)
			FOREACH tick IN ARRAY ARRAY(SELECT t FROM (SELECT 0::float8 AS t WHERE lo <= 0
													 UNION ALL
													 SELECT power(10::float8, e) FROM generate_series(0, 300) e
													 WHERE power(10::float8, e) BETWEEN lo AND hi) u
										ORDER BY t DESC LIMIT 4) LOOP
				tx := px + plot_x0 + (plot_x1 - plot_x0) * (ln(1 + tick) - ln(1 + lo)) / (ln(1 + hi) - ln(1 + lo));
				tw := @extschema@._ccseg_text_width(@extschema@._ccseg_num(tick, 2), 10);
				body := body || format('<line x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s" stroke="#888"/><text x="%4$s" y="%5$s" font-size="10" text-anchor="middle" fill="#444">%6$s</text>',
									   round(tx::numeric, 1), round((py + plot_h)::numeric, 1), round((py + plot_h + 3)::numeric, 1),
									   round(least(greatest(tx, px + tw / 2 + 1), px + panel_w - tw / 2 - 1)::numeric, 1),
									   round((py + plot_h + 15)::numeric, 1), @extschema@._ccseg_num(tick, 2));
			END LOOP;
		ELSIF hi / 2 - lo / 2 BETWEEN 1e-300 AND 1e307 THEN
			FOREACH tick IN ARRAY @extschema@._ccseg_ticks(lo, hi, 3) LOOP
				tx := px + plot_x0 + (plot_x1 - plot_x0) * (tick - lo) / (hi - lo);
				tw := @extschema@._ccseg_text_width(@extschema@._ccseg_num(tick, 2), 10);
				body := body || format('<line x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s" stroke="#888"/><text x="%4$s" y="%5$s" font-size="10" text-anchor="middle" fill="#444">%6$s</text>',
									   round(tx::numeric, 1), round((py + plot_h)::numeric, 1), round((py + plot_h + 3)::numeric, 1),
									   round(least(greatest(tx, px + tw / 2 + 1), px + panel_w - tw / 2 - 1)::numeric, 1),
									   round((py + plot_h + 15)::numeric, 1), @extschema@._ccseg_num(tick, 2));
			END LOOP;
		ELSE
			body := body || format('<text x="%s" y="%s" font-size="10" text-anchor="middle" fill="#444">%s</text>',
								   round((px + (plot_x0 + plot_x1) / 2)::numeric, 1), round((py + plot_h + 15)::numeric, 1),
								   @extschema@._ccseg_num(lo, 2));
		END IF;
	END LOOP;
	html := html || '<h2>Distributions</h2>'
		|| @extschema@._ccseg_svg_open(least(d, cols) * (panel_w + gap) - gap, ((d - 1) / cols + 1) * (panel_h + gap) - gap, 'Histograms')
		|| body || '</svg>'
		|| format('<figcaption>%s buckets from each feature''s minimum to its maximum (ccseg_histogram); missing values are not counted. '
				  || 'The buckets of a feature skewed to the right have equal widths in log(1 + x) (ccseg_histogram''s log1p scale), so that its many small values '
				  || 'and few large ones both show; another skewed feature (to the left, or with values at or below -1) has equal-width buckets and a logarithmic count axis.</figcaption>', bins);

	-- missing values
	n_missing := (SELECT count(*) FROM unnest(miss) m WHERE m > 0);
	html := html || '<h2>Missing values</h2>';
	IF n_missing = 0 THEN
		html := html || '<p class="note">No feature has missing values.</p>';
	ELSE
		body := '';
		FOR j IN 1 .. d LOOP
			CONTINUE WHEN miss[j] = 0;
			label_w := greatest(label_w, @extschema@._ccseg_lines_width(@extschema@._ccseg_wrap(words[j], 12.5, 300), 12.5));
			value_w := greatest(value_w, @extschema@._ccseg_text_width(to_char(miss[j], 'FM999,999,999,990') || ' (' || to_char(100.0 * miss[j] / greatest(n_rows, 1), 'FM990.0') || '%)', 12.5));
		END LOOP;
		w := greatest(700, label_w + 10 + 100 + 6 + value_w);
		bar_max := w - label_w - 10 - 6 - value_w;
		y := 0;
		FOR j IN 1 .. d LOOP
			CONTINUE WHEN miss[j] = 0;
			lines := @extschema@._ccseg_wrap(words[j], 12.5, 300);
			v := bar_max * miss[j] / greatest((SELECT max(m) FROM unnest(miss) m), 1);
			body := body || @extschema@._ccseg_svg_text(0, y + (greatest(20, cardinality(lines) * 12.5 * 1.25) + 8) / 2 - (cardinality(lines) - 1) * 12.5 * 0.625 + 4.4, lines, 12.5)
				|| format('<rect x="%s" y="%s" width="%s" height="18" rx="2" fill="#CC79A7"/><text x="%s" y="%s" font-size="12.5" fill="#333">%s (%s%%)</text>',
						  round((label_w + 10)::numeric, 1), round((y + (greatest(20, cardinality(lines) * 12.5 * 1.25) + 8) / 2 - 9)::numeric, 1),
						  round(greatest(v, 1)::numeric, 1), round((label_w + 10 + greatest(v, 1) + 6)::numeric, 1),
						  round((y + (greatest(20, cardinality(lines) * 12.5 * 1.25) + 8) / 2 + 4.4)::numeric, 1),
						  to_char(miss[j], 'FM999,999,999,990'), to_char(100.0 * miss[j] / greatest(n_rows, 1), 'FM990.0'));
			y := y + greatest(20, cardinality(lines) * 12.5 * 1.25) + 8;
		END LOOP;
		html := html || @extschema@._ccseg_svg_open(w, y, 'Missing values') || body || '</svg>'
			|| format('<figcaption>Rows without a value, of %s; %s. Training imputes them (impute =&gt; ''median'' by default).</figcaption>',
					  to_char(n_rows, 'FM999,999,999,990'),
					  CASE WHEN n_missing = d THEN 'every feature has some'
						   WHEN d - n_missing = 1 THEN 'the other feature has none'
						   ELSE format('the other %s features have none', d - n_missing) END);
	END IF;

	-- correlation heat map: feature names left and at 45 degrees on top
	html := html || '<h2>Correlations</h2>';
	IF d < 2 THEN
		html := html || '<p class="note">One feature: no correlations to show.</p>';
	ELSE
		label_w := 0;
		FOR j IN 1 .. d LOOP
			label_w := greatest(label_w, @extschema@._ccseg_text_width(words[j], fs));
		END LOOP;
		cell := greatest(12, least(44, floor((1000 - label_w - 12 - 0.71 * label_w) / d)));
		fsh := least(fs, greatest(8.5, cell * 0.7));
		label_w := 0;
		FOR j IN 1 .. d LOOP
			label_w := greatest(label_w, @extschema@._ccseg_text_width(words[j], fsh));
		END LOOP;
		top_h := 0.71 * (label_w + fsh) + 12;
		w := label_w + 12 + cell * d + 4;
		FOR j IN 1 .. d LOOP
			w := greatest(w, label_w + 12 + cell * (j - 0.5) + 0.71 * (@extschema@._ccseg_text_width(words[j], fsh) + 4) + 6);
		END LOOP;
		w := greatest(w, label_w + 12 + 240 + 24);
		body := '';
		FOR j IN 1 .. d LOOP
			body := body
				|| format('<text x="%1$s" y="%2$s" font-size="%3$s" transform="rotate(-45 %1$s %2$s)">%4$s</text>',
						  round((label_w + 12 + cell * (j - 0.5))::numeric, 1), round((top_h - 6)::numeric, 1), fsh,
						  @extschema@._ccseg_html(words[j]))
				|| format('<text x="0" y="%s" font-size="%s">%s</text>',
						  round((top_h + cell * (j - 0.5) + 0.35 * fsh)::numeric, 1), fsh, @extschema@._ccseg_html(words[j]));
		END LOOP;
		FOR s IN SELECT ia.o AS i, ib.o AS j, c.r
				 FROM @extschema@.ccseg_correlation(source, names) c
				 JOIN unnest(names) WITH ORDINALITY ia(f, o) ON ia.f = c.a
				 JOIN unnest(names) WITH ORDINALITY ib(f, o) ON ib.f = c.b LOOP
			body := body || format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff"/>',
								   round((label_w + 12 + cell * (s.j - 1))::numeric, 1), round((top_h + cell * (s.i - 1))::numeric, 1),
								   cell, cell, @extschema@._ccseg_heat(3 * s.r));
			IF cell >= 34 THEN
				body := body || format('<text x="%s" y="%s" font-size="10" text-anchor="middle" dominant-baseline="middle" fill="%s">%s</text>',
									   round((label_w + 12 + cell * (s.j - 0.5))::numeric, 1), round((top_h + cell * (s.i - 0.5))::numeric, 1),
									   CASE WHEN abs(s.r) > 0.67 THEN '#fff' ELSE '#222' END,
									   CASE WHEN NOT @extschema@._ccseg_finite(s.r) THEN '–'
											WHEN s.r >= 0 THEN '+' || to_char(s.r, 'FM0.00') ELSE '−' || to_char(abs(s.r), 'FM0.00') END);
			END IF;
		END LOOP;
		y := top_h + cell * d;
		body := body || format('<defs><linearGradient id="ccseg-corr"><stop offset="0" stop-color="%s"/><stop offset="0.5" stop-color="#ffffff"/><stop offset="1" stop-color="%s"/></linearGradient></defs>',
							   @extschema@._ccseg_heat(-3), @extschema@._ccseg_heat(3))
			|| format('<rect x="%s" y="%s" width="240" height="12" fill="url(#ccseg-corr)" stroke="#ccc"/>', round((label_w + 12)::numeric, 1), round((y + 16)::numeric, 1))
			|| format('<text x="%1$s" y="%4$s" font-size="11" text-anchor="middle">−1</text><text x="%2$s" y="%4$s" font-size="11" text-anchor="middle">0</text><text x="%3$s" y="%4$s" font-size="11" text-anchor="middle">+1</text>',
					  round((label_w + 12)::numeric, 1), round((label_w + 132)::numeric, 1), round((label_w + 252)::numeric, 1), round((y + 44)::numeric, 1));
		html := html || @extschema@._ccseg_svg_open(w, y + 50, 'Correlation heat map') || body || '</svg>'
			|| '<figcaption>Pearson correlation of each pair of features over the rows where both are present (ccseg_correlation): '
			|| 'orange when they rise together, blue when one falls as the other rises. Strongly correlated features weigh twice in the distances of k-means.</figcaption>';
	END IF;
	RETURN html || format('<p class="note">Made by ccseg_explore_report(%s) on %s.</p>',
						  @extschema@._ccseg_html(quote_literal(source::text)), to_char(now(), 'YYYY-MM-DD HH24:MI TZ'))
		|| '</main></body></html>';
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_explore_report(regclass, text[], integer) IS
'a self-contained HTML page (inline SVG, no scripts) exploring the numeric columns of a relation: statistics, a histogram per feature (buckets on a log1p scale when skewed), missing values and the correlation heat map';

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

-- ---------------------------------------------------------------------------
-- ccseg_predict(model, row) on a table's whole-row reference is planned as
-- _ccseg_predict_columns over the feature columns, so that the executor forms
-- no copy of each row
-- ---------------------------------------------------------------------------

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
-- Model values in plans: ccseg_predict(name, row) is planned with
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
COMMENT ON FUNCTION @extschema@._ccseg_fit_combine(internal, internal) IS 'internal: combine two ccseg_fit states';

CREATE FUNCTION @extschema@._ccseg_fit_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ccseg_fit_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._ccseg_fit_serialize(internal) IS 'internal: ccseg_fit state to bytes';

CREATE FUNCTION @extschema@._ccseg_fit_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ccseg_fit_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._ccseg_fit_deserialize(bytea, internal) IS 'internal: ccseg_fit state from bytes';

CREATE FUNCTION @extschema@._ccseg_fit_final(internal)
RETURNS @extschema@.ccseg_model AS 'MODULE_PATHNAME', 'ccseg_fit_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer) IS 'internal: ccseg_fit state transition';
COMMENT ON FUNCTION @extschema@._ccseg_fit_transition(internal, float8[], integer, text[]) IS 'internal: ccseg_fit state transition with feature names';
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

-- ---------------------------------------------------------------------------
-- Sampling by key: a sampled training keeps the rows with the
-- smallest seeded hash of their values, which each shard filters on its own
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@._ccseg_sample_key(seed bigint, features float8[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'ccseg_sample_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_sample_key(bigint, float8[]) IS
'internal: the key (a seeded 63-bit hash of the feature values) by which a sampled training chooses its rows, the smallest first';

-- ---------------------------------------------------------------------------
-- Full-data Lloyd passes as an aggregate, so that they run in parallel and,
-- with a bytea state (text form that reads back exactly) and fixed argument
-- types, on the workers of a Citus cluster
-- ---------------------------------------------------------------------------

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
