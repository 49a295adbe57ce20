-- The sample of ccseg.restart_rows against the k-means optimum it ends in.
--
-- Trains ccseg_build_model(..., 8, id_column => 'cust_id', seed => s,
-- silhouette_sample => 0) with the default n_init (10) for the seeds 1 to
-- :seeds under three settings of ccseg.restart_rows (262,144 rows, 524,288
-- rows, 0: every restart on every row), on a temporary table of
-- ccseg_generate_customers(1000000, 1) stored in cust_id order, and prints
-- per setting the mean inertia, how many seeds ended below 8.97 M (the
-- lowest optimum these rows are known to have) and the mean seconds.
--
--   psql -v seeds=30 -f test/bench/restart_rows.sql   (about 7 minutes on 2 cores)
\if :{?seeds}
\else
\set seeds 30
\endif
LOAD 'ccseg';
CREATE TEMP TABLE rr_customers AS
SELECT * FROM ccseg_generate_customers(1000000, 1) ORDER BY cust_id;
ALTER TABLE rr_customers ADD PRIMARY KEY (cust_id);
ANALYZE rr_customers;
CREATE TEMP TABLE rr_study (restart_rows int, seed int, inertia float8, seconds float8);
SELECT set_config('restart_rows_study.seeds', :'seeds', false);
DO $$
DECLARE
	rr			int;
	s			int;
	started		timestamptz;
	inertia		float8;
BEGIN
	FOREACH rr IN ARRAY ARRAY[262144, 524288, 0] LOOP
		PERFORM set_config('ccseg.restart_rows', rr::text, true);
		FOR s IN 1 .. current_setting('restart_rows_study.seeds')::int LOOP
			started := clock_timestamp();
			SELECT x.inertia INTO inertia
			FROM ccseg_model_summary(ccseg_build_model('rr_customers', 8,
					id_column => 'cust_id', seed => s, silhouette_sample => 0)) x;
			INSERT INTO rr_study VALUES (rr, s, inertia,
				extract(epoch FROM clock_timestamp() - started));
		END LOOP;
	END LOOP;
END $$;
SELECT restart_rows, count(*) AS seeds, round(avg(inertia)::numeric) AS mean_inertia,
	   count(*) FILTER (WHERE inertia < 8.97e6) AS lowest_optimum,
	   round(min(inertia)::numeric) AS min_inertia,
	   round(avg(seconds)::numeric, 2) AS mean_seconds
FROM rr_study GROUP BY restart_rows ORDER BY restart_rows DESC;
