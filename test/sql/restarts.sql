-- k-means restarts on a sample (ccseg.restart_rows): with more training rows
-- than the setting and n_init > 1, the restarts run on a seeded sample and
-- the best of them goes on over every row.  Uses cc_general (8,950 rows),
-- loaded by the creditcard test.
SET extra_float_digits = 0;
LOAD 'ccseg';
SHOW ccseg.restart_rows;
SET ccseg.restart_rows = 2000;

-- the same model whatever the number of threads
SET ccseg.threads = 1;
CREATE TEMP TABLE one_thread AS
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 4, tol => 0, silhouette_sample => 0) AS m;
SET ccseg.threads = 2;
CREATE TEMP TABLE two_threads AS
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 4, tol => 0, silhouette_sample => 0) AS m;
SELECT a.m::text = b.m::text AS same_model FROM one_thread a, two_threads b;

-- the model covers every row, and its last run converged on all of them
-- (tol => 0: until no label changes): another Lloyd run from its centroids
-- stops at once with the same inertia
SELECT s.rows, s.iterations > 0 AS iterated,
	   abs(g.inertia / s.inertia - 1) < 1e-9 AS converged_on_all_rows,
	   g.iterations AS further_iterations
FROM two_threads t,
	 LATERAL ccseg_model_summary(t.m) s,
	 LATERAL ccseg_model_summary(ccseg_build_model('cc_general', 5,
		id_column => 'cust_id', init_centroids => s.centroids_original,
		tol => 0, silhouette_sample => 0)) g;

-- a trained model records it as usual
SELECT model, version, k, rows FROM ccseg_train('restarted', 'cc_general', 5,
	id_column => 'cust_id', seed => 3, n_init => 4, tol => 0, silhouette_sample => 0);
SELECT m::text = (SELECT model::text FROM ccseg_model_versions
				  WHERE model_name = 'restarted') AS stored_as_built
FROM two_threads;

-- 0, or a setting at least the number of rows, runs every restart on every
-- row; so does n_init = 1
SET ccseg.restart_rows = 0;
CREATE TEMP TABLE every_row AS
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 4, silhouette_sample => 0) AS m;
SET ccseg.restart_rows = 8950;
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 4, silhouette_sample => 0)::text = e.m::text
	   AS same_as_every_row
FROM every_row e;
SET ccseg.restart_rows = 2000;
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 1, silhouette_sample => 0)::text
	 = (SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
								 n_init => 1, silhouette_sample => 0)::text
		FROM (SELECT set_config('ccseg.restart_rows', '0', true)) s)
	   AS n_init_1_unchanged;

-- the sample's restarts find about as good a model as restarts on every row
SELECT round((s.inertia / e.inertia)::numeric, 2) AS inertia_ratio
FROM two_threads t, every_row r,
	 LATERAL ccseg_model_summary(t.m) s,
	 LATERAL ccseg_model_summary(r.m) e;

-- a sample smaller than k is not used
SET ccseg.restart_rows = 3;
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id', seed => 3,
						 n_init => 4, silhouette_sample => 0)::text = e.m::text
	   AS same_as_every_row
FROM every_row e;

-- the setting's range
SET ccseg.restart_rows = -1;
SELECT ccseg_drop_model('restarted');
RESET ALL;
