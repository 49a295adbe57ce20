-- Ownership of models: everyone can read and score; only members of a
-- model's owner role can add versions or drop it, directly or through the
-- functions; the derived catalog columns always agree with the model value.
SET extra_float_digits = 0;
\set VERBOSITY terse

CREATE ROLE regress_ccseg_alice;
CREATE ROLE regress_ccseg_bob;
CREATE ROLE regress_ccseg_team;
GRANT regress_ccseg_team TO regress_ccseg_alice;
GRANT regress_ccseg_team TO regress_ccseg_bob;
CREATE ROLE regress_ccseg_eve;

CREATE TABLE sec_pts (a float8, b float8);
INSERT INTO sec_pts SELECT g % 10, g % 3 FROM generate_series(1, 60) g;
GRANT SELECT ON sec_pts TO PUBLIC;

-- alice trains a model of her own
SET ROLE regress_ccseg_alice;
SELECT model, version FROM ccseg_train('alice_m', 'sec_pts', 2, seed => 1);
RESET ROLE;

-- a model is private to its owner role until the owner grants it
SET ROLE regress_ccseg_eve;
SELECT count(*) AS models_eve_sees FROM ccseg_models WHERE model = 'alice_m';
SELECT ccseg_predict('alice_m', ARRAY[1, 1]::float8[]);
SELECT count(*) AS versions_eve_sees FROM ccseg_model_versions WHERE model_name = 'alice_m';
SELECT ccseg_grant_read('alice_m', 'PUBLIC');
SET ROLE regress_ccseg_alice;
SELECT ccseg_grant_read('alice_m', 'PUBLIC') AS granted, ccseg_grant_read('alice_m', 'PUBLIC') AS granted_again;
SELECT readers FROM ccseg_models WHERE model = 'alice_m';
RESET ROLE;

-- eve can read and score it ...
SET ROLE regress_ccseg_eve;
SELECT model, owner FROM ccseg_models WHERE model = 'alice_m';
SELECT ccseg_predict('alice_m', ARRAY[1, 1]::float8[]) BETWEEN 1 AND 2 AS scored;
-- ... but not retrain, drop, delete or add a version under alice's name
-- (no role but the catalog's owner writes the table itself)
SELECT ccseg_train('alice_m', 'sec_pts', 3);
SELECT ccseg_drop_model('alice_m');
DELETE FROM ccseg_model_versions WHERE model_name = 'alice_m';
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'alice_m', 2, 'regress_ccseg_eve', 'public.sec_pts', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'alice_m';
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'alice_m', 2, 'regress_ccseg_alice', 'public.sec_pts', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'alice_m';
RESET ROLE;
SELECT count(*) AS alice_versions FROM ccseg_model_versions WHERE model_name = 'alice_m';

-- a model owned by a group: any member retrains it, and it stays the group's
SET ROLE regress_ccseg_team;
SELECT version FROM ccseg_train('team_m', 'sec_pts', 2);
SET ROLE regress_ccseg_bob;
SELECT version FROM ccseg_train('team_m', 'sec_pts', 3);
SELECT version, owner FROM ccseg_model_versions WHERE model_name = 'team_m' ORDER BY version;
RESET ROLE;

-- derived columns come from the model value whatever an INSERT says (a
-- superuser's, the only kind of direct insert left)
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model, k, inertia)
SELECT 'alice_copy', 1, 'regress_ccseg_alice', 'public.sec_pts', '{}', 0, model, 99, -1 FROM ccseg_model_versions WHERE model_name = 'alice_m';
SELECT k, inertia >= 0 AS real_inertia, owner FROM ccseg_model_versions WHERE model_name = 'alice_copy';
SET ROLE regress_ccseg_alice;
SELECT ccseg_drop_model('alice_copy'), ccseg_drop_model('alice_m');
RESET ROLE;

SET ROLE regress_ccseg_bob;
SELECT ccseg_drop_model('team_m');
RESET ROLE;

-- training reads the source with the caller's privileges
CREATE TABLE sec_private (a float8, b float8);
INSERT INTO sec_private VALUES (1, 2), (3, 4), (5, 6);
SET ROLE regress_ccseg_eve;
SELECT ccseg_train('eve_m', 'sec_private', 2);
RESET ROLE;

-- row-level security on the source is respected: eve trains on her rows only
CREATE TABLE sec_rls (owner_name name, a float8, b float8);
INSERT INTO sec_rls SELECT CASE WHEN g <= 20 THEN 'regress_ccseg_eve' ELSE 'someone_else' END, g, g % 4
FROM generate_series(1, 50) g;
ALTER TABLE sec_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON sec_rls FOR SELECT USING (owner_name = current_user);
GRANT SELECT ON sec_rls TO regress_ccseg_eve;
SET ROLE regress_ccseg_eve;
SELECT rows FROM ccseg_train('eve_rls', 'sec_rls', 2, features => ARRAY['a', 'b']);
SELECT (ccseg_model_summary(ccseg_get_model('eve_rls'))).feature_mean[1] AS mean_a_of_her_rows;
SELECT ccseg_drop_model('eve_rls');
RESET ROLE;
DROP TABLE sec_rls;

-- names are data, never SQL
SELECT model FROM ccseg_train('x''); DROP TABLE sec_pts; --', 'sec_pts', 2);
SELECT count(*) AS still_there FROM sec_pts;
SELECT ccseg_drop_model('x''); DROP TABLE sec_pts; --');

-- a model whose owner role was dropped can still be managed by a superuser
CREATE ROLE regress_ccseg_gone;
GRANT SELECT ON sec_pts TO regress_ccseg_gone;
SET ROLE regress_ccseg_gone;
SELECT version FROM ccseg_train('orphan', 'sec_pts', 2);
RESET ROLE;
REVOKE SELECT ON sec_pts FROM regress_ccseg_gone;
DROP ROLE regress_ccseg_gone;
SELECT owner FROM ccseg_models WHERE model = 'orphan';
SELECT version FROM ccseg_train('orphan', 'sec_pts', 3);
SELECT ccseg_drop_model('orphan');

DROP TABLE sec_private;
DROP TABLE sec_pts;
DROP ROLE regress_ccseg_alice, regress_ccseg_bob, regress_ccseg_team, regress_ccseg_eve;

-- a hostile search_path: look-alike functions and operators in a schema
-- searched before pg_catalog change nothing
CREATE SCHEMA evil;
CREATE FUNCTION evil.texteq_always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq_always);
CREATE FUNCTION evil.pg_has_role(name, name, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION evil.hashtext(text) RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION evil.ccseg_model_summary(ccseg_model) RETURNS record LANGUAGE sql AS 'SELECT NULL::record';
CREATE FUNCTION evil.format(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'evil'$$;
CREATE TABLE ev_pts (a float8, b float8);
INSERT INTO ev_pts SELECT g % 10, g % 3 FROM generate_series(1, 60) g;
SET search_path = evil, pg_catalog, public;
SELECT model, version, k FROM ccseg_train('ev1', 'public.ev_pts', 2, seed => 1);
SELECT model, version, k FROM ccseg_train('ev2', 'public.ev_pts', 3, seed => 1);
SELECT model, k, source FROM ccseg_models WHERE model IN ('ev1', 'ev2') ORDER BY model;
SELECT count(DISTINCT ccseg_predict('ev1', p)) AS ev1_segments, count(DISTINCT ccseg_predict('ev2', p)) AS ev2_segments
FROM public.ev_pts p;
SELECT ccseg_drop_model('ev1') AS dropped;
SELECT model FROM ccseg_models WHERE model IN ('ev1', 'ev2') ORDER BY model;
RESET search_path;
SELECT ccseg_drop_model('ev2');
DROP SCHEMA evil CASCADE;
DROP TABLE ev_pts;
