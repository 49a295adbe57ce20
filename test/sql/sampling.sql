-- ccseg.max_train_memory: when the rows of a training do not fit, k-means
-- runs on a uniform sample and full passes over every row refine the
-- centroids.  Uses cc_general, loaded by the creditcard test.
LOAD 'ccseg';
SET ccseg.threads = 1;		-- the sample size depends on the threads
SHOW ccseg.max_train_memory;
SET ccseg.max_train_memory = '10kB';	-- below the minimum

-- reference: all rows at once (no imputation or scaling, so inertias compare)
CREATE TEMP TABLE full_fit AS
SELECT s.* FROM ccseg_model_summary(ccseg_build_model('cc_general', 5,
	id_column => 'cust_id', impute => 'drop', scale => 'none', seed => 7)) s;

SET ccseg.max_train_memory = '64kB';
CREATE TEMP TABLE sampled_fit AS
SELECT s.* FROM ccseg_model_summary(ccseg_build_model('cc_general', 5,
	id_column => 'cust_id', impute => 'drop', scale => 'none', seed => 7)) s;

-- every kept row is counted, and the result is close to the full fit (a
-- sample of about 290 rows: over seeds 1..10 the inertia is within 0.995
-- to 1.064 times the full fit's)
SELECT f.rows AS full_rows, s.rows AS sampled_rows,
	   (SELECT sum(v) FROM unnest(s.sizes) v) = s.rows AS sizes_cover_rows,
	   (SELECT sum(v) FROM unnest(s.sse) v) BETWEEN s.inertia * (1 - 1e-9)
			AND s.inertia * (1 + 1e-9) AS sse_adds_up,
	   s.inertia / f.inertia < 1.10 AS within_10_percent
FROM full_fit f, sampled_fit s;

-- same seed, same model
SELECT ccseg_build_model('cc_general', 5, id_column => 'cust_id',
	impute => 'drop', scale => 'none', seed => 7)::text
	= ccseg_build_model('cc_general', 5, id_column => 'cust_id',
	impute => 'drop', scale => 'none', seed => 7)::text AS reproducible;

-- a stored model: its sizes are exactly what scoring every row gives
SELECT model, version, k FROM ccseg_train('sampled_cards', 'cc_general', k => 6,
	id_column => 'cust_id', seed => 3);
WITH scored AS (
	SELECT ccseg_predict('sampled_cards', c) AS segment, count(*) AS n
	FROM cc_general c GROUP BY 1),
stored AS (
	SELECT ord AS segment, size
	FROM ccseg_model_summary(ccseg_get_model('sampled_cards')) s,
		 unnest(s.sizes) WITH ORDINALITY AS u(size, ord))
SELECT count(*) AS segments, bool_and(scored.n = stored.size) AS sizes_match
FROM scored JOIN stored USING (segment);

-- the sample is chosen by a seeded hash of each row's values: the physical
-- order of the rows does not matter, with or without an id column, and
-- another seed chooses another sample
CREATE TABLE shuffled AS SELECT * FROM cc_general ORDER BY md5(cust_id);
SELECT ccseg_build_model('cc_general', 4, seed => 11)::text
	   = ccseg_build_model('shuffled', 4, seed => 11)::text AS same_without_id,
	   ccseg_build_model('cc_general', 4, id_column => 'cust_id', seed => 11)::text
	   = ccseg_build_model('shuffled', 4, id_column => 'cust_id', seed => 11)::text AS same_with_id,
	   (ccseg_model_summary(ccseg_build_model('cc_general', 4, seed => 11))).centroids
	   <> (ccseg_model_summary(ccseg_build_model('cc_general', 4, seed => 12))).centroids AS seed_matters;
DROP TABLE shuffled;
-- the key each row is chosen by: a function of the seed and the values only
SELECT _ccseg_sample_key(1, ARRAY[1.5, NULL, 3]) = _ccseg_sample_key(1, ARRAY[1.5, NULL, 3]) AS same_key,
	   _ccseg_sample_key(1, ARRAY[1.5, NULL, 3]) <> _ccseg_sample_key(2, ARRAY[1.5, NULL, 3]) AS seeded,
	   _ccseg_sample_key(1, ARRAY[1.5, NULL, 3]) <> _ccseg_sample_key(1, ARRAY[1.5, 0, 3]) AS null_counts,
	   _ccseg_sample_key(1, ARRAY[1.5, NULL, 3]) >= 0 AS non_negative;
SELECT _ccseg_sample_key(1, ARRAY[[1.5]]);

-- the elbow works on the sample
SELECT k, inertia > 0 AS has_inertia
FROM ccseg_elbow('cc_general', k_min => 2, k_max => 4, id_column => 'cust_id',
	silhouette_sample => 0)
ORDER BY k;

-- a value too large to compute with, in a row the sample left out: the
-- refinement passes check every row as training on all of them would
CREATE TEMP TABLE far AS
SELECT g AS id, (g % 7)::float8 AS a, (g % 5)::float8 AS b
FROM generate_series(1, 20000) g;
UPDATE far SET a = 1e200 WHERE id = 20000;
-- (the error comes from the pass query, whose text names the temporary schema)
\set SHOW_CONTEXT never
SELECT ccseg_build_model('far', 2, id_column => 'id', scale => 'none', seed => 1) IS NOT NULL;
\set SHOW_CONTEXT errors

SELECT ccseg_drop_model('sampled_cards');
RESET ccseg.max_train_memory;
RESET ccseg.threads;

-- the full-data passes of a sampled training are one aggregate query each
-- without parallel workers, and with them the workers and the backend run
-- each pass themselves (as they read the sample); the sums are exact, so
-- both train the very same model
CREATE TABLE pass_rows AS SELECT * FROM ccseg_generate_customers(30000, 4);
SET ccseg.max_train_memory = '512kB';
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_fit AS
SELECT ccseg_build_model('pass_rows', 4, id_column => 'cust_id', seed => 2) AS m;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE parallel_fit AS
SELECT ccseg_build_model('pass_rows', 4, id_column => 'cust_id', seed => 2) AS m;
SELECT (ccseg_model_summary(s.m)).rows AS rows, s.m::text = p.m::text AS same_model
FROM serial_fit s, parallel_fit p;
-- the pass query, as training runs it, has a parallel plan here
PREPARE pass(ccseg_model) AS
SELECT _ccseg_lloyd_pass($1, ARRAY[balance, balance_frequency, purchases, oneoff_purchases,
	installments_purchases, cash_advance, purchases_frequency, oneoff_purchases_frequency,
	purchases_installments_frequency, cash_advance_frequency, cash_advance_trx, purchases_trx,
	credit_limit, payments, minimum_payments, prc_full_payment, tenure]::float8[]) FROM pass_rows;
SET plan_cache_mode = force_custom_plan;
SELECT m AS fit_model FROM serial_fit \gset
EXPLAIN (COSTS OFF) EXECUTE pass(:'fit_model');
-- and its result, serial or parallel, is the same bytes
CREATE TEMP TABLE pass_parallel AS EXECUTE pass(:'fit_model');
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE pass_serial AS EXECUTE pass(:'fit_model');
SELECT length(s._ccseg_lloyd_pass) > 0 AS has_bytes,
	   s._ccseg_lloyd_pass = p._ccseg_lloyd_pass AS same_bytes
FROM pass_serial s, pass_parallel p;
-- the aggregate checks what it is given
SELECT _ccseg_lloyd_pass(m, ARRAY[1.0, 2.0]) FROM serial_fit;
SELECT _ccseg_lloyd_pass(NULL::ccseg_model, ARRAY[1.0]);
SELECT _ccseg_lloyd_pass(m, NULL) FROM serial_fit;
SELECT _ccseg_lloyd_pass(m, ARRAY[[1.0, 2.0]]) FROM serial_fit;
SELECT _ccseg_lloyd_pass(m, array_fill('NaN'::float8, ARRAY[17])) FROM serial_fit;
-- NULL elements are imputed as the model says (here: the median)
SELECT length(_ccseg_lloyd_pass(m, array_fill(NULL::float8, ARRAY[17]))) > 0 AS imputed
FROM serial_fit;
-- a state from elsewhere is checked, not trusted
CREATE AGGREGATE forged_pass(ccseg_model, float8[]) (
	SFUNC = _ccseg_lloyd_pass_transition, STYPE = bytea,
	FINALFUNC = _ccseg_lloyd_pass_final, INITCOND = '\x0102');
SELECT forged_pass(m, array_fill(1.0::float8, ARRAY[17])) FROM serial_fit;
DROP AGGREGATE forged_pass(ccseg_model, float8[]);
DEALLOCATE pass;
RESET ALL;
DROP TABLE pass_rows;
