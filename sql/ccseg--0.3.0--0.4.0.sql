/* ccseg 0.3.0 -> 0.4.0: the catalog holds the source relation by identity.
 * Every version records the OID and owner of the relation it was trained on;
 * a stored version must name an existing relation its inserting role may
 * read, and its parameters must have the documented shape.  Retraining,
 * profiles, silhouettes and the report read that relation by OID, never by
 * a name turned back into SQL; retraining refuses a relation whose owner
 * changed to a role the model's owner does not trust.  Dropping a model
 * waits for a training of it in progress.  The report's axes and charts
 * stay finite whatever numbers the catalog holds. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.4.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The catalog: the source relation's identity and owner
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.ccseg_model_versions
	ADD COLUMN source_relid regclass,
	ADD COLUMN source_owner name;

COMMENT ON COLUMN @extschema@.ccseg_model_versions.source IS
'schema-qualified name of the relation the model was trained on, as it was named then';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source_relid IS
'the relation the model was trained on (by OID; null when the stored name did not name an existing relation); retraining reads this relation and no other';
COMMENT ON COLUMN @extschema@.ccseg_model_versions.source_owner IS
'owner of the source relation when the version was stored; retraining refuses a new owner the model''s owner is not a member of';

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

-- Versions stored before 0.4.0: their source is resolved once, by name, now.
DO $$
DECLARE
	v record;
	rel regclass;
BEGIN
	FOR v IN SELECT id, source FROM @extschema@.ccseg_model_versions LOOP
		BEGIN
			rel := @extschema@._ccseg_parse_relation(v.source);
		EXCEPTION WHEN invalid_name THEN
			rel := NULL;
		END;
		UPDATE @extschema@.ccseg_model_versions m
		SET source_relid = rel,
			source_owner = (SELECT c.relowner::regrole::name FROM pg_catalog.pg_class c
							WHERE c.oid = rel)
		WHERE m.id = v.id;
	END LOOP;
END
$$;

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
CREATE OR REPLACE FUNCTION @extschema@._ccseg_derive_columns()
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

REVOKE INSERT, DELETE ON @extschema@.ccseg_model_versions FROM PUBLIC;
REVOKE UPDATE (active) ON @extschema@.ccseg_model_versions FROM PUBLIC;
DROP POLICY ccseg_add ON @extschema@.ccseg_model_versions;
DROP POLICY ccseg_remove ON @extschema@.ccseg_model_versions;
DROP POLICY ccseg_activate ON @extschema@.ccseg_model_versions;

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

-- ---------------------------------------------------------------------------
-- Training records the source by OID; retraining follows it, not the name
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION @extschema@.ccseg_train(
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
	took float8;
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

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	took := extract(epoch FROM clock_timestamp() - started);
	BEGIN
		PERFORM @extschema@._ccseg_store_version(ccseg_train.model, next_version,
			model_owner, source,
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

CREATE OR REPLACE FUNCTION @extschema@.ccseg_retrain(model text, seed bigint DEFAULT NULL,
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
'train a model again on the relation it was trained on (the same relation, not a new one of the same name) with its stored parameters (another seed if given), keeping segment numbers stable; for scheduled retraining';

-- ---------------------------------------------------------------------------
-- Dropping a model waits for a training of it in progress
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.ccseg_drop_model(model text)
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

CREATE OR REPLACE FUNCTION @extschema@.ccseg_activate(model text, version integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN @extschema@._ccseg_set_active(ccseg_activate.model, ccseg_activate.version);
END
$$;

-- ---------------------------------------------------------------------------
-- Profiles and silhouettes read the stored source by OID
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.ccseg_silhouette(model text, sample_size bigint DEFAULT NULL,
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

CREATE OR REPLACE FUNCTION @extschema@.ccseg_profile(model text, source regclass DEFAULT NULL)
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

-- ---------------------------------------------------------------------------
-- The report: finite axes whatever the numbers, the source read by OID
-- ---------------------------------------------------------------------------

-- Whether v is a finite number (not null, NaN or infinite).
CREATE FUNCTION @extschema@._ccseg_finite(v float8)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT v IS NOT NULL AND abs(v) < 'Infinity'::float8
$$;

COMMENT ON FUNCTION @extschema@._ccseg_finite(float8) IS 'internal: whether a number is finite (NaN, infinities and null are not)';

CREATE OR REPLACE FUNCTION @extschema@._ccseg_heat(z float8)
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
CREATE OR REPLACE FUNCTION @extschema@._ccseg_ticks(lo float8, hi float8, target integer DEFAULT 5)
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

-- The sections of ccseg_report, each a piece of the page for one stored
-- version r; ccseg_report joins them in this order.

-- The start of the page: doctype, title and style sheet, up to <main>.
CREATE FUNCTION @extschema@._ccseg_report_head(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
		|| format('<title>Segments of model %s</title>', @extschema@._ccseg_html(r.model_name))
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
		|| '.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}figure{margin:0}figcaption{color:#555;font-size:13px;margin-top:4px}'
		|| 'svg text{font-family:"Segoe UI",Helvetica,Arial,sans-serif}.note{color:#666;font-size:13px}'
		|| '</style></head><body><main>';
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

-- The bar chart of the segment sizes (an <svg> element).
CREATE FUNCTION @extschema@._ccseg_report_sizes(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	seg record;
	svg text;
	max_size float8;
BEGIN
	SELECT max(v) INTO max_size FROM unnest(r.sizes) v;
	svg := format('<svg viewBox="0 0 520 %s" width="100%%" role="img" aria-label="Segment sizes">', 40 + 34 * r.k);
	FOR seg IN SELECT * FROM @extschema@.ccseg_segments(r.model_name) LOOP
		svg := svg || format('<text x="0" y="%s" font-size="13" dominant-baseline="middle">%s</text>',
							 24 + 34 * (seg.segment - 1) + 12,
							 @extschema@._ccseg_html(left(seg.segment || ' ' || coalesce(seg.name, seg.label), 22)))
			|| format('<rect x="150" y="%s" width="%s" height="24" rx="3" fill="%s"/>',
					  24 + 34 * (seg.segment - 1), round(280 * seg.size / greatest(max_size, 1))::int,
					  @extschema@._ccseg_colour(seg.segment))
			|| format('<text x="%s" y="%s" font-size="12.5" dominant-baseline="middle" fill="#333">%s (%s%%)</text>',
					  156 + round(280 * seg.size / greatest(max_size, 1))::int, 24 + 34 * (seg.segment - 1) + 12,
					  to_char(seg.size, 'FM999,999,990'), to_char(100 * seg.share, 'FM990.0'));
	END LOOP;
	RETURN svg || '</svg>';
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
	svg := '<svg viewBox="0 0 520 330" width="100%" role="img" aria-label="Elbow curve">'
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
			svg := svg || format('<text x="%s" y="%s" font-size="12" fill="#D55E00">recommended k = %s</text>',
								 round(sx::numeric, 1) + 10, round(sy::numeric, 1) - 10, e.k);
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
-- feature, with its legend (an <svg> element).
CREATE FUNCTION @extschema@._ccseg_report_profile(r @extschema@.ccseg_model_versions)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	seg record;
	svg text;
	n_seg integer := r.k;
	d integer := array_length(r.features, 1);
	cell_w integer := 46;
	cell_h integer := 30;
	left_w integer := 190;
	top_h integer := 150;
BEGIN
	svg := format('<svg viewBox="0 0 %s %s" width="100%%" role="img" aria-label="Segment profile heat map">',
				  left_w + cell_w * d + 20, top_h + cell_h * n_seg + 60);
	FOR seg IN SELECT f.name, f.j FROM unnest(r.features) WITH ORDINALITY f(name, j) LOOP
		svg := svg || format('<text x="%s" y="%s" font-size="12" transform="rotate(-45 %s %s)">%s</text>',
							 left_w + cell_w * (seg.j - 1) + cell_w / 2, top_h - 8,
							 left_w + cell_w * (seg.j - 1) + cell_w / 2, top_h - 8,
							 @extschema@._ccseg_html(@extschema@._ccseg_words(seg.name)));
	END LOOP;
	FOR seg IN SELECT * FROM @extschema@.ccseg_segments(r.model_name) LOOP
		svg := svg || format('<rect x="0" y="%s" width="10" height="%s" fill="%s"/><text x="16" y="%s" font-size="12.5" dominant-baseline="middle">%s</text>',
							 top_h + cell_h * (seg.segment - 1) + 3, cell_h - 6, @extschema@._ccseg_colour(seg.segment),
							 top_h + cell_h * (seg.segment - 1) + cell_h / 2,
							 @extschema@._ccseg_html(left(seg.segment || ' ' || coalesce(seg.name, seg.label), 26)));
	END LOOP;
	FOR seg IN SELECT * FROM @extschema@._ccseg_centroid_z(r.model_name) LOOP
		svg := svg || format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff"/><text x="%s" y="%s" font-size="10.5" text-anchor="middle" dominant-baseline="middle" fill="%s">%s</text>',
							 left_w + cell_w * (seg."position" - 1), top_h + cell_h * (seg.segment - 1), cell_w, cell_h,
							 @extschema@._ccseg_heat(seg.z),
							 left_w + cell_w * (seg."position" - 1) + cell_w / 2, top_h + cell_h * (seg.segment - 1) + cell_h / 2,
							 CASE WHEN abs(seg.z) > 2 THEN '#fff' ELSE '#222' END,
							 CASE WHEN seg.z >= 0 THEN '+' ELSE '−' END || to_char(abs(seg.z), 'FM990.0'));
	END LOOP;
	-- legend
	RETURN svg || format('<defs><linearGradient id="ccseg-heat"><stop offset="0" stop-color="%s"/><stop offset="0.5" stop-color="#ffffff"/><stop offset="1" stop-color="%s"/></linearGradient></defs>',
						 @extschema@._ccseg_heat(-3), @extschema@._ccseg_heat(3))
		|| format('<rect x="%s" y="%s" width="240" height="12" fill="url(#ccseg-heat)" stroke="#ccc"/>', left_w, top_h + cell_h * n_seg + 22)
		|| format('<text x="%s" y="%s" font-size="11" text-anchor="middle">−3 SD</text><text x="%s" y="%s" font-size="11" text-anchor="middle">mean</text><text x="%s" y="%s" font-size="11" text-anchor="middle">+3 SD</text>',
				  left_w, top_h + cell_h * n_seg + 48, left_w + 120, top_h + cell_h * n_seg + 48,
				  left_w + 240, top_h + cell_h * n_seg + 48)
		|| '</svg>';
END
$$;

COMMENT ON FUNCTION @extschema@._ccseg_report_profile(@extschema@.ccseg_model_versions) IS
'internal: the profile heat map of the report (an svg element)';

-- The PCA scatter of a sample of up to sample_rows rows of the relation the
-- version was trained on, read by OID (a relation that took its name since
-- is not read), with its heading and caption; pca_ratio and pca_components
-- are those of the version's model.  A note instead when that relation is
-- gone or reading it would run another role's code; empty when sample_rows
-- is 0 or there is nothing to draw.
CREATE FUNCTION @extschema@._ccseg_report_scatter(r @extschema@.ccseg_model_versions,
	pca_ratio float8[], pca_components float8[], sample_rows integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	seg record;
	html text := '';
	svg text;
	n_seg integer := r.k;
	d integer := array_length(r.features, 1);
	xs float8[];
	ys float8[];
	gs integer[];
	i integer;
	xmin float8; xmax float8; ymin float8; ymax float8;
	pc1 float8; pc2 float8;
	sx float8; sy float8;
	tick float8;
	-- the source relation, by OID; null when it is unknown or gone
	src regclass;
BEGIN
	src := r.source_relid;
	IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = src) THEN
		src := NULL;
		IF sample_rows > 0 THEN
			html := html || format('<p class="note">The relation the model was trained on (%s) no longer exists, so no customers are drawn.</p>',
								   @extschema@._ccseg_html(r.source));
		END IF;
	ELSIF sample_rows > 0 AND @extschema@._ccseg_source_code_owner(src) IS NOT NULL THEN
		-- a view or policies of another role: its code would run as the reader
		html := html || format('<p class="note">No customers are drawn: reading the relation the model was trained on (%s) would run code of role %s with your privileges. Make the report as that role to see them.</p>',
							   @extschema@._ccseg_html(src::text),
							   @extschema@._ccseg_html(@extschema@._ccseg_source_code_owner(src)));
		src := NULL;
	END IF;
	IF pca_ratio IS NOT NULL AND d >= 2 AND sample_rows > 0 AND src IS NOT NULL THEN
		-- every n-th row, so the sample spreads over the whole relation
		EXECUTE format(
			'SELECT array_agg(p[1] ORDER BY g DESC, rn), array_agg(p[2] ORDER BY g DESC, rn), '
			'       array_agg(g ORDER BY g DESC, rn) FROM ('
			'  SELECT p, g, rn FROM ('
			'    SELECT %1$s.ccseg_project(%2$L, s) AS p, %1$s.ccseg_predict(%2$L, s) AS g,'
			'           row_number() OVER () AS rn, count(*) OVER () AS n FROM %3$s s) t '
			'  WHERE p IS NOT NULL AND rn %% greatest(1, n / %4$s) = 0 LIMIT %4$s) u',
			'@extschema@', r.model_name, src, sample_rows)
		INTO xs, ys, gs;
		-- frame the central 98% of each axis: skewed data would squash the
		-- rest; points that are not finite are left out
		SELECT percentile_cont(0.01) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v)
		INTO xmin, xmax FROM unnest(xs) v WHERE @extschema@._ccseg_finite(v);
		SELECT percentile_cont(0.01) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v)
		INTO ymin, ymax FROM unnest(ys) v WHERE @extschema@._ccseg_finite(v);
		IF xmax / 2 - xmin / 2 BETWEEN 1e-300 AND 1e307 AND ymax / 2 - ymin / 2 BETWEEN 1e-300 AND 1e307 THEN
			pc1 := 0.08 * (xmax - xmin); pc2 := 0.08 * (ymax - ymin);
			xmin := xmin - pc1; xmax := xmax + pc1;
			ymin := ymin - pc2; ymax := ymax + pc2;
			svg := '<svg viewBox="0 0 960 560" width="100%" role="img" aria-label="PCA scatter">'
				|| '<rect x="70" y="20" width="700" height="480" fill="#fafbfc" stroke="#ccc"/>';
			FOREACH tick IN ARRAY @extschema@._ccseg_ticks(xmin, xmax, 8) LOOP
				sx := 70 + 700 * (tick - xmin) / (xmax - xmin);
				svg := svg || format('<line x1="%1$s" y1="20" x2="%1$s" y2="500" stroke="#e8e8e8"/><text x="%1$s" y="518" font-size="11" text-anchor="middle">%2$s</text>',
									 round(sx::numeric, 1), @extschema@._ccseg_num(tick, 1));
			END LOOP;
			FOREACH tick IN ARRAY @extschema@._ccseg_ticks(ymin, ymax, 6) LOOP
				sy := 500 - 480 * (tick - ymin) / (ymax - ymin);
				svg := svg || format('<line x1="70" y1="%1$s" x2="770" y2="%1$s" stroke="#e8e8e8"/><text x="64" y="%1$s" font-size="11" text-anchor="end" dominant-baseline="middle">%2$s</text>',
									 round(sy::numeric, 1), @extschema@._ccseg_num(tick, 1));
			END LOOP;
			FOR i IN 1 .. coalesce(array_length(xs, 1), 0) LOOP
				CONTINUE WHEN xs[i] NOT BETWEEN xmin AND xmax OR ys[i] NOT BETWEEN ymin AND ymax;
				svg := svg || format('<circle cx="%s" cy="%s" r="2.6" fill="%s" fill-opacity="0.6"/>',
									 round((70 + 700 * (xs[i] - xmin) / (xmax - xmin))::numeric, 1),
									 round((500 - 480 * (ys[i] - ymin) / (ymax - ymin))::numeric, 1),
									 @extschema@._ccseg_colour(gs[i]));
			END LOOP;
			-- centroids, projected the same way
			FOR seg IN
				SELECT s.seg,
					   sum((r.centroids[s.seg][j] - (r.feature_mean[j] - r.scale_center[j]) / r.scale_scale[j]) * pca_components[1][j]) AS x,
					   sum((r.centroids[s.seg][j] - (r.feature_mean[j] - r.scale_center[j]) / r.scale_scale[j]) * pca_components[2][j]) AS y
				FROM generate_series(1, n_seg) s(seg), generate_series(1, d) j GROUP BY s.seg ORDER BY s.seg
			LOOP
				IF seg.x BETWEEN xmin AND xmax AND seg.y BETWEEN ymin AND ymax THEN
					sx := 70 + 700 * (seg.x - xmin) / (xmax - xmin);
					sy := 500 - 480 * (seg.y - ymin) / (ymax - ymin);
					svg := svg || format('<circle cx="%s" cy="%s" r="9" fill="%s" stroke="#fff" stroke-width="2.5"/><text x="%s" y="%s" font-size="10" font-weight="bold" text-anchor="middle" dominant-baseline="central" fill="#fff">%s</text>',
										 round(sx::numeric, 1), round(sy::numeric, 1), @extschema@._ccseg_colour(seg.seg),
										 round(sx::numeric, 1), round(sy::numeric, 1), seg.seg);
				END IF;
			END LOOP;
			-- legend
			FOR seg IN SELECT * FROM @extschema@.ccseg_segments(r.model_name) LOOP
				svg := svg || format('<circle cx="790" cy="%s" r="6" fill="%s"/><text x="802" y="%s" font-size="12" dominant-baseline="middle">%s</text>',
									 40 + 22 * (seg.segment - 1), @extschema@._ccseg_colour(seg.segment),
									 40 + 22 * (seg.segment - 1),
									 @extschema@._ccseg_html(left(seg.segment || ' ' || coalesce(seg.name, seg.label), 22)));
			END LOOP;
			pc1 := pca_ratio[1]; pc2 := pca_ratio[2];
			svg := svg || format('<text x="420" y="548" font-size="12.5" text-anchor="middle">first principal axis (%s%% of variance)</text>', to_char(100 * pc1, 'FM990.0'))
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

CREATE OR REPLACE FUNCTION @extschema@.ccseg_report(model text, sample_rows integer DEFAULT 2000)
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
		|| CASE WHEN elbow IS NOT NULL THEN
				'<figure><h2>Choosing k</h2>' || elbow
				|| '<figcaption>Inertia by k; the recommended k is the knee of the curve confirmed by the silhouette.</figcaption></figure>'
			ELSE
				'<figure><h2>Choosing k</h2><p class="note">k was given when the model was trained; '
				|| 'train without k (or run ccseg_elbow) to see the elbow curve here.</p></figure>'
			END
		|| '</div>'
		|| '<h2>Profile</h2>' || @extschema@._ccseg_report_profile(r)
		|| '<figcaption>Each cell: how far the segment''s centroid lies from the mean of all customers, in standard deviations (orange above, blue below).</figcaption>'
		|| @extschema@._ccseg_report_scatter(r, q.pca_ratio, q.pca_components, sample_rows)
		|| @extschema@._ccseg_report_model(r);
END
$$;

-- A number for an axis label or a table: thousands separated, few decimals;
-- powers of ten beyond a trillion, and a dash for what is not a finite number.
CREATE OR REPLACE FUNCTION @extschema@._ccseg_num(v float8, digits integer DEFAULT 2)
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

-- ---------------------------------------------------------------------------
-- Who reads a model: its owner role's members, superusers, and the roles
-- (or PUBLIC) the owner grants it to
-- ---------------------------------------------------------------------------

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

-- Models stored before 0.4.0 were readable by every role: they stay so.
INSERT INTO @extschema@.ccseg_model_readers (model_name, reader)
SELECT DISTINCT v.model_name, 'public' FROM @extschema@.ccseg_model_versions v;

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

ALTER POLICY ccseg_read ON @extschema@.ccseg_model_versions
	USING (@extschema@._ccseg_may_read(model_name, owner));

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

-- ccseg_models shows who may read each model, after the columns it had;
-- it reads the catalog as its caller, so the caller's visibility applies
CREATE OR REPLACE VIEW @extschema@.ccseg_models WITH (security_invoker = true) AS
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

-- ---------------------------------------------------------------------------
-- Small segments are flagged: their centroids may be close to individual
-- customers' values, which every reader of the model can see
-- ---------------------------------------------------------------------------

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

CREATE OR REPLACE FUNCTION @extschema@.ccseg_segments(model text)
RETURNS TABLE (segment integer, size bigint, share float8, radius float8,
			   silhouette float8, label text, name text, description text,
			   recommendation text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (SELECT * FROM @extschema@._ccseg_model_row(model) WHERE model_name IS NOT NULL),
	z AS (SELECT * FROM @extschema@._ccseg_centroid_z(model)),
	marked AS (
		-- features that set a segment apart: at least half a standard deviation off
		SELECT z.segment, z.feature, z.z,
			   row_number() OVER (PARTITION BY z.segment ORDER BY abs(z.z) DESC, z."position") AS rank
		FROM z WHERE abs(z.z) >= 0.5),
	words AS (
		SELECT m.segment,
			   string_agg(CASE WHEN m.z > 0 THEN 'high ' ELSE 'low ' END
						  || @extschema@._ccseg_words(m.feature), ', ' ORDER BY m.rank)
				   FILTER (WHERE m.rank <= 2) AS label,
			   string_agg(CASE WHEN m.z > 0 THEN 'high ' ELSE 'low ' END
						  || @extschema@._ccseg_words(m.feature)
						  || format(' (%s%s SD)', CASE WHEN m.z > 0 THEN '+' ELSE '-' END,
									to_char(abs(m.z), 'FM990.0')), ', ' ORDER BY m.rank)
				   FILTER (WHERE m.rank <= 4) AS traits
		FROM marked m GROUP BY m.segment),
	matched AS (
		SELECT DISTINCT ON (m.segment) m.segment, u.segment_name, u.recommendation
		FROM marked m
		JOIN @extschema@.ccseg_rules u
		  ON m.feature LIKE u.feature_pattern
		 AND abs(m.z) >= u.min_z
		 AND (u.direction = 'high') = (m.z > 0)
		ORDER BY m.segment, abs(m.z) DESC, u.priority, u.rule)
	SELECT s.seg,
		   r.sizes[s.seg],
		   r.sizes[s.seg]::float8 / r.rows,
		   CASE WHEN r.sizes[s.seg] > 0 THEN sqrt(q.sse[s.seg] / r.sizes[s.seg]) END,
		   r.segment_silhouette[s.seg],
		   coalesce(upper(left(w.label, 1)) || substr(w.label, 2), 'Average profile'),
		   mt.segment_name,
		   format('%s %s (%s%%): %s.%s', to_char(r.sizes[s.seg], 'FM999,999,999,990'),
				  CASE WHEN r.sizes[s.seg] = 1 THEN 'customer' ELSE 'customers' END,
				  to_char(100.0 * r.sizes[s.seg] / r.rows, 'FM990.0'),
				  coalesce(w.traits || ' compared with all customers',
						   'close to the average on every feature (all within half a standard deviation)'),
				  CASE WHEN r.sizes[s.seg] < @extschema@._ccseg_min_segment_rows()
					   THEN format(' Small segment (fewer than %s customers): its centroid may be close to individual customers'' values.',
								   @extschema@._ccseg_min_segment_rows())
					   ELSE '' END),
		   coalesce(mt.recommendation,
					'No rule matches this segment: look at its profile and add a rule to ccseg_rules.')
	FROM r
	CROSS JOIN LATERAL @extschema@.ccseg_model_summary(r.model) q
	CROSS JOIN generate_series(1, r.k) AS s(seg)
	LEFT JOIN words w ON w.segment = s.seg
	LEFT JOIN matched mt ON mt.segment = s.seg
	ORDER BY s.seg
$$;

COMMENT ON FUNCTION @extschema@.ccseg_segments(text) IS
'one row per segment: size, share, radius (RMS distance to the centroid), silhouette, a generated label and description (which flags a segment smaller than ccseg.min_segment_rows), and the name and recommendation of the best matching rule in ccseg_rules';

-- ---------------------------------------------------------------------------
-- Error messages show long names cut
-- ---------------------------------------------------------------------------

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

CREATE OR REPLACE FUNCTION @extschema@._ccseg_check_model_name(model text)
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

-- The catalog row of a model's active version, or of the version given.
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
