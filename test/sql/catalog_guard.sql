-- The catalog holds the source relation by identity: a stored version must
-- name an existing relation its inserting role may read and carry
-- parameters of the documented shape; the report, profiles and silhouettes
-- read that relation by OID, never a stored name turned into SQL; retraining
-- refuses a relation that took the name of a dropped one, or whose owner
-- changed to a role the model's owner does not trust.
SET extra_float_digits = 0;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE ROLE regress_ccseg_mallory;
CREATE ROLE regress_ccseg_carol;
CREATE ROLE regress_ccseg_crew;
GRANT regress_ccseg_crew TO regress_ccseg_carol;

-- a payload that records who ran it: the attacks below try to make a
-- privileged role run it
CREATE TABLE cg_calls (by_role name);
GRANT INSERT ON cg_calls TO PUBLIC;
CREATE FUNCTION cg_payload() RETURNS boolean LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.cg_calls VALUES (current_user) RETURNING true $$;
GRANT EXECUTE ON FUNCTION cg_payload() TO PUBLIC;

CREATE SCHEMA cg_shared;
GRANT USAGE, CREATE ON SCHEMA cg_shared TO PUBLIC;
CREATE TABLE cg_shared.pts (a float8, b float8);
INSERT INTO cg_shared.pts SELECT g % 10, (g * 7) % 5 FROM generate_series(1, 80) g;
GRANT SELECT ON cg_shared.pts TO PUBLIC;
CREATE TABLE cg_shared.secret (a float8, b float8);
INSERT INTO cg_shared.secret VALUES (1, 2), (3, 4), (5, 6);

SELECT version FROM ccseg_train('pg_m', 'cg_shared.pts', 2, seed => 1);
SELECT ccseg_grant_read('pg_m', 'public');

-- 1. writes go through functions that check the caller: no role but the
-- catalog's owner may write the table, take its ids or lock it
SET ROLE regress_ccseg_mallory;
SELECT version FROM ccseg_train('mal_m', 'cg_shared.pts', 2, seed => 1);
INSERT INTO ccseg_model_versions (model_name, version, source, parameters, seconds, model)
SELECT 'mal_m', 2, 'cg_shared.pts', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'mal_m';
INSERT INTO ccseg_model_versions (id, model_name, version, source, parameters, seconds, model)
OVERRIDING SYSTEM VALUE
SELECT 1000000, 'mal_m', 2, 'cg_shared.pts', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'mal_m';
UPDATE ccseg_model_versions SET active = false WHERE model_name = 'mal_m';
DELETE FROM ccseg_model_versions WHERE model_name = 'mal_m';
BEGIN;
LOCK TABLE ccseg_model_versions IN ACCESS EXCLUSIVE MODE;
ROLLBACK;
BEGIN;
LOCK TABLE ccseg_model_versions IN SHARE MODE;
ROLLBACK;
-- the storing function checks its caller: the source must be a relation
-- the caller may read, of a kind that holds rows
SELECT _ccseg_store_version('mal_m', 2, 'regress_ccseg_mallory', 'cg_shared.secret', '{}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT _ccseg_store_version('mal_m', 2, 'regress_ccseg_mallory', 'pg_catalog.pg_class_oid_index', '{}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
-- version numbers follow each other, and every version has the one owner
SELECT _ccseg_store_version('mal_m', 7, 'regress_ccseg_mallory', 'cg_shared.pts', '{}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT _ccseg_store_version('mal_m', 2, 'postgres', 'cg_shared.pts', '{}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT _ccseg_store_version('someone_elses', 1, 'postgres', 'cg_shared.pts', '{}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT _ccseg_store_version('mal_m', 2, 'regress_ccseg_mallory', 'cg_shared.pts', '{}', 'NaN', model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT _ccseg_store_version('mal_m', 2, 'regress_ccseg_mallory', 'cg_shared.pts', '{}', 0, model, 9)
FROM ccseg_model_versions WHERE model_name = 'mal_m';
-- a version she may store: by OID, with its name and owner filled in
SELECT _ccseg_store_version('mal_m', 2, 'regress_ccseg_mallory', 'cg_shared.pts', '{"k": 2}', 0, model, NULL) > 0 AS stored
FROM ccseg_model_versions WHERE model_name = 'mal_m';
SELECT version, active, source, source_relid, source_owner FROM ccseg_model_versions
WHERE model_name = 'mal_m' ORDER BY version;
SELECT ccseg_activate('mal_m', 1);
-- nor can she change another role's model through the functions
SELECT _ccseg_set_active('pg_m', 1);
SELECT _ccseg_delete_versions('pg_m', NULL);
SELECT ccseg_drop_version('pg_m', 1);
RESET ROLE;

-- the catalog's own check, for a superuser's direct insert (a restore):
-- what earlier versions stored is kept, with a warning, and never read as
-- SQL, so that a restore loses no model
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'mal_m', 3, owner, '(SELECT * FROM cg_shared.pts WHERE public.cg_payload())',
	   '{"elbow": [{"k": 2, "inertia": "NaN"}]}', 0, model
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT version, source, source_relid, parameters FROM ccseg_model_versions
WHERE model_name = 'mal_m' AND version = 3;
SELECT ccseg_drop_version('mal_m', 3);
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'mal_m', 3, owner, 'otherdb.public.pts', '{}', 0, model
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT ccseg_drop_version('mal_m', 3);
INSERT INTO ccseg_model_versions (model_name, version, owner, source, source_relid, parameters, seconds, model)
SELECT 'mal_m', 3, owner, 'cg_shared.pts', 'cg_calls'::regclass, '{}', 0, model
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT version, source, source_relid, source_owner FROM ccseg_model_versions
WHERE model_name = 'mal_m' AND version = 3;
SELECT ccseg_drop_version('mal_m', 3);

-- a version stored before these checks existed, with SQL in its source:
-- the report, the profile and the silhouette read the relation by OID
UPDATE ccseg_model_versions SET source = '(SELECT * FROM cg_shared.pts WHERE public.cg_payload())'
WHERE model_name = 'mal_m';
SELECT length(ccseg_report('mal_m', 500)) > 1000 AS report_made;
SELECT count(*) > 0 AS profiled FROM ccseg_profile('mal_m');
SELECT count(*) > 0 AS silhouette_measured FROM ccseg_silhouette('mal_m');
SELECT count(*) AS payload_calls FROM cg_calls;
-- and one whose source named no relation at all: scoring works, reading does not
UPDATE ccseg_model_versions SET source_relid = NULL WHERE model_name = 'mal_m';
SELECT ccseg_predict('mal_m', ARRAY[1, 1]::float8[]) BETWEEN 1 AND 2 AS scored;
SELECT position('no customers are drawn' IN ccseg_report('mal_m')) > 0 AS report_says_so;
SELECT count(*) FROM ccseg_profile('mal_m');
SELECT count(*) FROM ccseg_profile('mal_m', source => 'cg_shared.pts');
SELECT * FROM ccseg_retrain('mal_m');
SELECT count(*) AS payload_calls FROM cg_calls;

-- 2. retraining follows the relation, not its name
SET ROLE regress_ccseg_carol;
CREATE TABLE cg_shared.src (a float8, b float8);
INSERT INTO cg_shared.src SELECT g % 10, (g * 3) % 4 FROM generate_series(1, 60) g;
SELECT version FROM ccseg_train('carol_m', 'cg_shared.src', 2, seed => 1);
-- a rename keeps the relation: retraining goes on, under the new name
ALTER TABLE cg_shared.src RENAME TO src_renamed;
SELECT version FROM ccseg_retrain('carol_m');
SELECT version, source, source_owner FROM ccseg_model_versions
WHERE model_name = 'carol_m' ORDER BY version;
DROP TABLE cg_shared.src_renamed;
RESET ROLE;
-- mallory takes the old name with a view that runs her payload
SET ROLE regress_ccseg_mallory;
CREATE VIEW cg_shared.src_renamed AS
SELECT a, b FROM cg_shared.pts WHERE public.cg_payload();
GRANT SELECT ON cg_shared.src_renamed TO PUBLIC;
RESET ROLE;
-- the superuser's scheduled retraining refuses it, and runs nothing of hers
SELECT * FROM ccseg_retrain('carol_m');
SELECT count(*) FROM ccseg_silhouette('carol_m');
SELECT count(*) AS payload_calls FROM cg_calls;
SELECT count(*) AS carol_versions FROM ccseg_model_versions WHERE model_name = 'carol_m';
DROP VIEW cg_shared.src_renamed;

-- a source whose owner changes: refused unless the model's owner is a
-- member of the new owner role
SET ROLE regress_ccseg_carol;
CREATE TABLE cg_shared.src2 (a float8, b float8);
INSERT INTO cg_shared.src2 SELECT g % 10, (g * 3) % 4 FROM generate_series(1, 60) g;
SELECT version FROM ccseg_train('carol_m2', 'cg_shared.src2', 2, seed => 1);
RESET ROLE;
ALTER TABLE cg_shared.src2 OWNER TO regress_ccseg_mallory;
SELECT * FROM ccseg_retrain('carol_m2');
ALTER TABLE cg_shared.src2 OWNER TO regress_ccseg_crew;
SELECT version, aligned_to FROM ccseg_retrain('carol_m2');
SELECT version, source_owner FROM ccseg_model_versions WHERE model_name = 'carol_m2' ORDER BY version;

-- 3. a model's stored source is read again only when that runs no code of
-- a role the reader does not trust: a view of mallory's runs her functions
-- as whoever reads it
SET ROLE regress_ccseg_mallory;
CREATE VIEW cg_shared.trojan AS SELECT a, b FROM cg_shared.pts WHERE public.cg_payload();
GRANT SELECT ON cg_shared.trojan TO PUBLIC;
SELECT version FROM ccseg_train('trojan_m', 'cg_shared.trojan', 2, seed => 1);
-- and a table of hers whose row security policy calls it
CREATE TABLE cg_shared.guarded (a float8, b float8);
INSERT INTO cg_shared.guarded SELECT a, b FROM cg_shared.pts;
ALTER TABLE cg_shared.guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON cg_shared.guarded USING (public.cg_payload());
GRANT SELECT ON cg_shared.guarded TO PUBLIC;
SELECT version FROM ccseg_train('guarded_m', 'cg_shared.guarded', 2, seed => 1);
SELECT ccseg_grant_read('guarded_m', 'regress_ccseg_carol');
RESET ROLE;
DELETE FROM cg_calls;
-- the superuser's profile, silhouette, report and retraining refuse to run it
SELECT count(*) FROM ccseg_profile('trojan_m');
SELECT count(*) FROM ccseg_silhouette('trojan_m');
SELECT position('would run code of role regress_ccseg_mallory' IN ccseg_report('trojan_m')) > 0 AS report_says_so;
SELECT version FROM ccseg_retrain('trojan_m');
-- a relation named explicitly is the caller's choice
SELECT count(*) FROM ccseg_profile('trojan_m', source => 'cg_shared.pts');
-- a superuser bypasses row security, so her policy does not run for it
SELECT count(*) > 0 AS profiled FROM ccseg_profile('guarded_m');
-- another plain role would run the policy: refused
SET ROLE regress_ccseg_carol;
SELECT count(*) FROM ccseg_profile('guarded_m');
RESET ROLE;
SELECT count(*) AS payload_calls FROM cg_calls;
-- as mallory herself, it runs, and runs as her
SET ROLE regress_ccseg_mallory;
SELECT count(*) > 0 AS profiled FROM ccseg_profile('trojan_m');
RESET ROLE;
SELECT DISTINCT by_role FROM cg_calls;
SELECT ccseg_drop_model('trojan_m'), ccseg_drop_model('guarded_m');

-- 4. parameters have the documented shape; the report ends on any numbers
SET ROLE regress_ccseg_mallory;
SELECT _ccseg_store_version('mal_m', 3, 'regress_ccseg_mallory', 'cg_shared.pts', '[1, 2]', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT _ccseg_store_version('mal_m', 3, 'regress_ccseg_mallory', 'cg_shared.pts', '{"elbow": [{"k": 2, "inertia": "NaN"}]}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT _ccseg_store_version('mal_m', 3, 'regress_ccseg_mallory', 'cg_shared.pts', '{"elbow": [{"k": 2, "inertia": 1e400}]}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT _ccseg_store_version('mal_m', 3, 'regress_ccseg_mallory', 'cg_shared.pts', '{"k": 2.5}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
SELECT _ccseg_store_version('mal_m', 3, 'regress_ccseg_mallory', 'cg_shared.pts', '{"features": ["a", 1]}', 0, model, NULL)
FROM ccseg_model_versions WHERE model_name = 'mal_m' AND version = 1;
RESET ROLE;
-- stored before the check: NaN, infinite and string inertias draw no curve
SET statement_timeout = '20s';
UPDATE ccseg_model_versions
SET parameters = '{"k_chosen_by": "elbow", "elbow": [{"k": 2, "inertia": "NaN"}, {"k": 3, "inertia": 5}]}'
WHERE model_name = 'mal_m' AND version = 2;
SELECT ccseg_activate('mal_m', 2);
SELECT position('aria-label="Elbow curve"' IN ccseg_report('mal_m', 0)) AS elbow_drawn_at;
UPDATE ccseg_model_versions
SET parameters = '{"elbow": [{"k": 2, "inertia": 1e300}, {"k": 3, "inertia": 1e300}, {"k": 4, "inertia": 0}]}'
WHERE model_name = 'mal_m' AND version = 2;
SELECT position('aria-label="Elbow curve"' IN ccseg_report('mal_m', 0)) > 0 AS elbow_drawn;
RESET statement_timeout;
-- principal axes must be unit vectors, so projections stay finite
SELECT regexp_replace(ccseg_get_model('mal_m')::text,
		'"pca_components": \[\[[^]]*\]', '"pca_components": [[1e300, 0]')::ccseg_model;
SELECT (ccseg_model_summary(regexp_replace(ccseg_get_model('mal_m')::text,
		'"pca_components": \[\[[^]]*\]', '"pca_components": [[2, 0]')::ccseg_model)).k;
-- axis ticks: bounded, and empty when an end is not finite
SELECT _ccseg_ticks(0, 10, 5);
SELECT _ccseg_ticks(1e16, 1e16 + 4, 8);
SELECT _ccseg_ticks(-1e308, 1e308, 5);
SELECT _ccseg_ticks(0, 'NaN', 5), _ccseg_ticks('-Infinity', 1, 5), _ccseg_ticks(NULL, 1, 5);
SELECT cardinality(_ccseg_ticks(0, 1e-200, 1000000)) AS ticks_for_a_huge_target;
SELECT cardinality(_ccseg_ticks(-123.4, 5678.9, 8)) BETWEEN 2 AND 34 AS bounded;

-- 5. a model is read by its owner role's members and the roles it is
-- granted to; small segments are flagged
CREATE TABLE cg_shared.tiny (a float8, b float8);
INSERT INTO cg_shared.tiny SELECT g % 10, g % 3 FROM generate_series(1, 40) g;
INSERT INTO cg_shared.tiny VALUES (1000, 1000), (1001, 1001);
GRANT SELECT ON cg_shared.tiny TO regress_ccseg_crew;
SET ROLE regress_ccseg_crew;
SELECT version FROM ccseg_train('crew_m', 'cg_shared.tiny', 2, seed => 1, scale => 'none');
RESET ROLE;
SET ROLE regress_ccseg_mallory;
SELECT count(*) AS mallory_sees FROM ccseg_models WHERE model = 'crew_m';
SELECT count(*) FROM ccseg_segments('crew_m');
SELECT ccseg_predict('crew_m', ARRAY[1, 1]::float8[]);
SELECT ccseg_grant_read('crew_m', 'regress_ccseg_mallory');
-- the name is taken: she learns it before her training runs, not after
SELECT ccseg_train('crew_m', 'cg_shared.pts', 2, seed => 1);
RESET ROLE;
-- carol manages it as a member of crew, and sees the small segment flagged
SET ROLE regress_ccseg_carol;
SELECT segment, size, description FROM ccseg_segments('crew_m') ORDER BY segment;
SET ccseg.min_segment_rows = 2;
SELECT segment, description LIKE '%Small segment%' AS flagged FROM ccseg_segments('crew_m') ORDER BY segment;
RESET ccseg.min_segment_rows;
SELECT ccseg_grant_read('crew_m', 'regress_ccseg_mallory');
SELECT ccseg_grant_read('crew_m', 'no_such_role');
RESET ROLE;
SET ROLE regress_ccseg_mallory;
SELECT model, readers FROM ccseg_models WHERE model = 'crew_m';
SELECT ccseg_predict('crew_m', ARRAY[1000, 1000]::float8[]) AS segment;
-- a reader cannot pass the model on, nor change it
SELECT ccseg_grant_read('crew_m', 'PUBLIC');
SELECT ccseg_drop_model('crew_m');
RESET ROLE;
SET ROLE regress_ccseg_carol;
SELECT ccseg_revoke_read('crew_m', 'regress_ccseg_mallory') AS revoked,
	   ccseg_revoke_read('crew_m', 'regress_ccseg_mallory') AS revoked_again;
RESET ROLE;
SET ROLE regress_ccseg_mallory;
SELECT count(*) AS mallory_sees FROM ccseg_models WHERE model = 'crew_m';
RESET ROLE;
-- a dropped model takes its grants with it
SET ROLE regress_ccseg_carol;
SELECT ccseg_grant_read('crew_m', 'PUBLIC');
SELECT ccseg_drop_model('crew_m');
RESET ROLE;
SELECT count(*) AS grants_left FROM ccseg_model_readers WHERE model_name = 'crew_m';

-- a 10,000-character name is cut in messages
SELECT ccseg_drop_model(repeat('é', 10000));
SELECT * FROM ccseg_segments(repeat('x', 10000));

-- every object of the extension carries a comment
SELECT pg_describe_object(d.classid, d.objid, 0) AS undocumented
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ccseg'
WHERE d.deptype = 'e'
  AND d.classid IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass)
  AND obj_description(d.objid, d.classid::regclass::name) IS NULL
ORDER BY 1;

SELECT ccseg_drop_model('mal_m'), ccseg_drop_model('carol_m'), ccseg_drop_model('carol_m2'), ccseg_drop_model('pg_m');
DROP TABLE cg_shared.src2;
DROP SCHEMA cg_shared CASCADE;
DROP FUNCTION cg_payload();
DROP TABLE cg_calls;
DROP ROLE regress_ccseg_mallory, regress_ccseg_carol, regress_ccseg_crew;
