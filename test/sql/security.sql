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

-- eve can read and score it ...
SET ROLE regress_ccseg_eve;
SELECT model, owner FROM ccseg_models WHERE model = 'alice_m';
SELECT ccseg_predict('alice_m', ARRAY[1, 1]::float8[]) BETWEEN 1 AND 2 AS scored;
-- ... but not retrain, drop, delete or add a version under alice's name
SELECT ccseg_train('alice_m', 'sec_pts', 3);
SELECT ccseg_drop_model('alice_m');
DELETE FROM ccseg_model_versions WHERE model_name = 'alice_m';
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'alice_m', 2, 'regress_ccseg_eve', 'x', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'alice_m';
INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
SELECT 'alice_m', 2, 'regress_ccseg_alice', 'x', '{}', 0, model FROM ccseg_model_versions WHERE model_name = 'alice_m';
RESET ROLE;
SELECT count(*) AS alice_versions FROM ccseg_model_versions WHERE model_name = 'alice_m';

-- a model owned by a group: any member retrains it, and it stays the group's
SET ROLE regress_ccseg_team;
SELECT version FROM ccseg_train('team_m', 'sec_pts', 2);
SET ROLE regress_ccseg_bob;
SELECT version FROM ccseg_train('team_m', 'sec_pts', 3);
SELECT version, owner FROM ccseg_model_versions WHERE model_name = 'team_m' ORDER BY version;
RESET ROLE;

-- derived columns come from the model value whatever an INSERT says
SET ROLE regress_ccseg_alice;
INSERT INTO ccseg_model_versions (model_name, version, source, parameters, seconds, model, k, inertia)
SELECT 'alice_copy', 1, 'x', '{}', 0, model, 99, -1 FROM ccseg_model_versions WHERE model_name = 'alice_m';
SELECT k, inertia >= 0 AS real_inertia, owner FROM ccseg_model_versions WHERE model_name = 'alice_copy';
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
