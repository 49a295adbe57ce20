-- Model lifecycle: versions, the active version, rollback, retraining with
-- stable segment numbers, history.
SET extra_float_digits = 0;
\set VERBOSITY terse

-- four groups of equal size, so that numbering by size alone is arbitrary
CREATE TABLE quads (id int, grp text, x float8, y float8);
INSERT INTO quads
SELECT g, q.name, q.cx + (g % 7) * 0.05, q.cy + (g % 5) * 0.05
FROM generate_series(1, 200) g,
	 LATERAL (SELECT (ARRAY['a', 'b', 'c', 'd'])[1 + g % 4] AS name,
					 (ARRAY[0, 10, 0, 10])[1 + g % 4] AS cx,
					 (ARRAY[0, 0, 10, 10])[1 + g % 4] AS cy) q;

SELECT version FROM ccseg_train('q', 'quads', 4, id_column => 'id', seed => 1);
CREATE TEMP TABLE v1 AS SELECT grp, min(ccseg_predict('q', s)) AS seg FROM quads s GROUP BY grp;

-- retrain with another seed: the same groups keep the same numbers
SELECT model, version, k, aligned_to, changed_share FROM ccseg_retrain('q', seed => 2);
SELECT v1.grp, v1.seg = min(ccseg_predict('q', s)) AS same_number
FROM v1 JOIN quads s ON s.grp = v1.grp GROUP BY v1.grp, v1.seg ORDER BY 1;
SELECT version, active, aligned_to, changed_share,
	   (SELECT bool_and(d < 1e-9) FROM unnest(segment_drift) d) AS centroids_stayed
FROM ccseg_model_versions WHERE model_name = 'q' ORDER BY version;

-- a new k: the matched segments keep their numbers, the new one comes last
SELECT version, k FROM ccseg_train('q', 'quads', 3, id_column => 'id', seed => 3);
SELECT version, k, aligned_to, round(changed_share::numeric, 3) AS changed_share FROM ccseg_models WHERE model = 'q';
SELECT version, k FROM ccseg_train('q', 'quads', 4, id_column => 'id', seed => 4);
SELECT version, k, aligned_to, round(changed_share::numeric, 3) AS changed_share FROM ccseg_models WHERE model = 'q';

-- the view shows the active version; the history shows them all
SELECT model, version, versions, k FROM ccseg_models WHERE model = 'q';
SELECT version, active, k, aligned_to FROM ccseg_versions('q');

-- roll back: scoring follows the active version at the next query
SELECT ccseg_activate('q', 1) AS was_active;
SELECT model, version, k FROM ccseg_models WHERE model = 'q';
SELECT count(DISTINCT ccseg_predict('q', s)) AS segments FROM quads s;
SELECT ccseg_activate('q', 3) AS was_active;
SELECT count(DISTINCT ccseg_predict('q', s)) AS segments FROM quads s;
SELECT ccseg_activate('q', 4) AS was_active;

-- one active version per model, always
SELECT model_name, count(*) FILTER (WHERE active) AS active_versions
FROM ccseg_model_versions GROUP BY 1 ORDER BY 1;

-- retraining without alignment still trains, and records no alignment
SELECT version, aligned_to, changed_share FROM ccseg_retrain('q', align => false);

-- retrain reruns the stored parameters: same k, features, preprocessing
SELECT v.parameters - 'seed' - 'align' = p.parameters - 'seed' - 'align' AS same_parameters
FROM ccseg_model_versions v, ccseg_model_versions p
WHERE v.model_name = 'q' AND p.model_name = 'q' AND v.version = 5 AND p.version = 4;

-- bad input
SELECT ccseg_activate('q', 99);
SELECT ccseg_activate('nope', 1);
SELECT ccseg_retrain('nope');
CREATE ROLE regress_ccseg_other;
-- a reader of the model, not a member of its owner role
SELECT ccseg_grant_read('q', 'regress_ccseg_other');
SET ROLE regress_ccseg_other;
SELECT ccseg_activate('q', 1);
UPDATE ccseg_model_versions SET active = NOT active WHERE model_name = 'q';
SELECT count(*) FILTER (WHERE active) AS still_one_active FROM ccseg_model_versions WHERE model_name = 'q';
UPDATE ccseg_model_versions SET owner = 'regress_ccseg_other' WHERE model_name = 'q';
RESET ROLE;
SELECT ccseg_revoke_read('q', 'regress_ccseg_other');
DROP ROLE regress_ccseg_other;

SELECT ccseg_drop_model('q');
