-- Reading a plain table with parallel workers: the rows come in the order
-- of a serial scan, so models (also sampled ones) are the same bit for bit
-- with and without workers; row-level security, column privileges and
-- inheritance children keep the executor's path and its rules.
LOAD 'ccseg';
SET ccseg.threads = 1;
SET min_parallel_table_scan_size = 0;	-- workers for small tables too
CREATE TABLE rp_rows AS
SELECT i AS id, ((i::int8 * 7919) % 1000)::float8 / 10 AS a,
	   ((i::int8 * 104729) % 97)::numeric(8, 2) AS b,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 5)::int END AS c
FROM generate_series(1, 50000) i;

-- a whole training, and a sampled one, with 0 and 2 workers
CREATE TEMP TABLE rp_models (workers int, memory text, model text);
SET max_parallel_workers_per_gather = 0;
INSERT INTO rp_models SELECT 0, '1GB', ccseg_build_model('rp_rows', 4, features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
SET max_parallel_workers_per_gather = 2;
INSERT INTO rp_models SELECT 2, '1GB', ccseg_build_model('rp_rows', 4, features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
SET ccseg.max_train_memory = '256kB';
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
INSERT INTO rp_models SELECT 0, '256kB', ccseg_build_model('rp_rows', 4, features => ARRAY['a', 'b', 'c'], impute => 'mean', scale => 'robust', n_init => 1, seed => 9)::text;
SET max_parallel_workers_per_gather = 2;
INSERT INTO rp_models SELECT 2, '256kB', ccseg_build_model('rp_rows', 4, features => ARRAY['a', 'b', 'c'], impute => 'mean', scale => 'robust', n_init => 1, seed => 9)::text;
RESET client_min_messages;
RESET ccseg.max_train_memory;
SELECT memory, count(DISTINCT model) AS distinct_models, count(*) AS trainings,
	   min((model::json ->> 'rows')::int) AS model_rows
FROM rp_models GROUP BY memory ORDER BY memory;

-- in id order: a table stored in that order is read by the workers, which
-- compare the ids as they go; one stored otherwise, or with a NULL id, is
-- read sorted instead: the same model every way
CREATE TABLE rp_shuffled AS SELECT * FROM rp_rows ORDER BY md5(id::text);
CREATE TABLE rp_text AS
SELECT 'C' || lpad(id::text, 6, '0') AS cust, a, b, c FROM rp_rows ORDER BY id;
CREATE TABLE rp_null_id AS
SELECT CASE WHEN id = 25000 THEN NULL ELSE id END AS id, a, b, c FROM rp_rows
ORDER BY id;
CREATE TEMP TABLE rp_id_models (source text, workers int, model text);
SET max_parallel_workers_per_gather = 0;
INSERT INTO rp_id_models SELECT 'rp_rows', 0, ccseg_build_model('rp_rows', 4, id_column => 'id', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
INSERT INTO rp_id_models SELECT 'rp_null_id', 0, ccseg_build_model('rp_null_id', 4, id_column => 'id', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
SET max_parallel_workers_per_gather = 2;
INSERT INTO rp_id_models SELECT 'rp_rows', 2, ccseg_build_model('rp_rows', 4, id_column => 'id', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
INSERT INTO rp_id_models SELECT 'rp_shuffled', 2, ccseg_build_model('rp_shuffled', 4, id_column => 'id', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
INSERT INTO rp_id_models SELECT 'rp_text', 2, ccseg_build_model('rp_text', 4, id_column => 'cust', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
INSERT INTO rp_id_models SELECT 'rp_null_id', 2, ccseg_build_model('rp_null_id', 4, id_column => 'id', features => ARRAY['a', 'b', 'c'], n_init => 2, seed => 3)::text;
SELECT source = 'rp_null_id' AS null_id, count(DISTINCT model) AS distinct_models,
	   count(*) AS trainings
FROM rp_id_models GROUP BY 1 ORDER BY 1;
-- the id order is also the scan order of rp_rows: the same model as without an id
SELECT count(DISTINCT model) AS distinct_models
FROM (SELECT model FROM rp_id_models WHERE source = 'rp_rows'
	  UNION ALL SELECT model FROM rp_models WHERE memory = '1GB') m;
DROP TABLE rp_shuffled, rp_text, rp_null_id;

-- the statistics read the same rows in the same order
SELECT feature, count, missing, mean, median
FROM ccseg_describe('rp_rows', ARRAY['a', 'c']) ORDER BY feature;

-- a NaN deep in the table is reported as by a serial read
UPDATE rp_rows SET a = 'NaN' WHERE id = 40000;
SELECT ccseg_build_model('rp_rows', 2, features => ARRAY['a', 'b']) IS NOT NULL;
UPDATE rp_rows SET a = 1 WHERE id = 40000;

-- more rows than the memory allows: refused as by a serial read
SET ccseg.max_train_memory = '64kB';
SELECT count(*) FROM ccseg_correlation('rp_rows', ARRAY['a', 'b']);
RESET ccseg.max_train_memory;

-- row-level security and column privileges apply
CREATE ROLE regress_ccseg_rp_reader;
GRANT SELECT (id, a) ON rp_rows TO regress_ccseg_rp_reader;
CREATE TABLE rp_secured AS SELECT * FROM rp_rows;
ALTER TABLE rp_secured ENABLE ROW LEVEL SECURITY;
CREATE POLICY rp_some ON rp_secured FOR SELECT TO regress_ccseg_rp_reader USING (id <= 1000);
GRANT SELECT ON rp_secured TO regress_ccseg_rp_reader;
SET ROLE regress_ccseg_rp_reader;
SELECT count FROM ccseg_describe('rp_secured', ARRAY['a']);
SELECT count FROM ccseg_describe('rp_rows', ARRAY['a']);
SELECT count FROM ccseg_describe('rp_rows', ARRAY['a', 'b']);
RESET ROLE;

-- the rows of an inheritance child are read too
CREATE TABLE rp_child () INHERITS (rp_rows);
INSERT INTO rp_child SELECT * FROM rp_rows WHERE id <= 10;
SELECT count FROM ccseg_describe('rp_rows', ARRAY['a']);

DROP TABLE rp_child, rp_rows, rp_secured;
DROP ROLE regress_ccseg_rp_reader;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
