-- ccseg_fit: k-means as an aggregate.  One model per group; a forced
-- parallel plan (partial aggregates in workers, combined) gives the same
-- model as the serial plan.
SET extra_float_digits = 0;
\set VERBOSITY terse

CREATE TABLE regions AS
SELECT (ARRAY['north', 'south', 'east'])[1 + abs(hashtext(g.cust_id)) % 3] AS region, g.*
FROM ccseg_generate_customers(30000, 5) g;
ALTER TABLE regions ALTER COLUMN cust_id SET NOT NULL;
ANALYZE regions;

-- one model per region
CREATE TEMP TABLE per_region AS
SELECT region, ccseg_fit(ARRAY[balance, purchases, cash_advance, credit_limit, payments, tenure]::float8[], 4,
						 ARRAY['balance', 'purchases', 'cash_advance', 'credit_limit', 'payments', 'tenure']) AS m
FROM regions GROUP BY region;
SELECT region, (ccseg_model_summary(m)).k, (ccseg_model_summary(m)).rows,
	   (ccseg_model_summary(m)).features
FROM per_region ORDER BY region;

-- a model value scores rows without the catalog
SELECT r.region, count(DISTINCT ccseg_predict(p.m, ARRAY[balance, purchases, cash_advance, credit_limit, payments, tenure]::float8[])) AS segments
FROM regions r JOIN per_region p USING (region) GROUP BY r.region ORDER BY 1;

-- the same model whatever the plan: serial first ...
CREATE TEMP TABLE serial_fit AS
SELECT ccseg_fit(ARRAY[balance, purchases, cash_advance, credit_limit, payments, tenure]::float8[], 5)::text AS m FROM regions;
-- ... then with workers
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT ccseg_fit(ARRAY[balance, purchases, cash_advance, credit_limit, payments, tenure]::float8[], 5) FROM regions;
SELECT m = (SELECT ccseg_fit(ARRAY[balance, purchases, cash_advance, credit_limit, payments, tenure]::float8[], 5)::text FROM regions) AS same_model
FROM serial_fit;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- NULL rows are skipped, NULL values imputed; empty input gives NULL
SELECT (ccseg_model_summary(ccseg_fit(v, 2))).rows
FROM (VALUES (ARRAY[1, 2]::float8[]), (NULL), (ARRAY[NULL, 5]::float8[]), (ARRAY[3, 4]::float8[])) t(v);
SELECT ccseg_fit(ARRAY[1]::float8[], 1) IS NULL AS empty FROM regions WHERE false;

-- bad input
SELECT ccseg_fit(v, 2) FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1, 2, 3]::float8[])) t(v);
SELECT ccseg_fit(v, 0) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(v, 3) FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[3, 4]::float8[])) t(v);
SELECT ccseg_fit(v, 1) FROM (VALUES (ARRAY['NaN', 2]::float8[])) t(v);
SELECT ccseg_fit(v, 1, ARRAY['a']) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
-- names: present, not empty, at most 63 bytes, each one once
SELECT ccseg_fit(v, 1, ARRAY['a', NULL]) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(v, 1, ARRAY['a', '']) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(v, 1, ARRAY['a', repeat('x', 64)]) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(v, 1, ARRAY[['a', 'b']]) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(ARRAY[a, b], 1, ARRAY['a', 'a']) FROM (VALUES (1.0::float8, 2.0::float8)) t(a, b);
SELECT ccseg_fit(v, 1, ARRAY['a', 'b', 'c', 'b']) FROM (VALUES (ARRAY[1, 2, 3, 4]::float8[])) t(v);
\set VERBOSITY sqlstate
SELECT ccseg_fit(ARRAY[a, b], 1, ARRAY['a', 'a']) FROM (VALUES (1.0::float8, 2.0::float8)) t(a, b);
SELECT ccseg_fit(v, 1, ARRAY['a', '']) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
SELECT ccseg_fit(v, 1, ARRAY['a', repeat('x', 64)]) FROM (VALUES (ARRAY[1, 2]::float8[])) t(v);
\set VERBOSITY terse
-- names that differ only in case are different, and 63 bytes are allowed
SELECT (ccseg_model_summary(ccseg_fit(v, 1, ARRAY['a', 'A', repeat('x', 63)]))).features
FROM (VALUES (ARRAY[1, 2, 3]::float8[])) t(v);

-- k and names are those of the first row: a later row that differs is refused
\set VERBOSITY default
SELECT ccseg_fit(v, k) FROM (VALUES (ARRAY[1, 2]::float8[], 2), (ARRAY[3, 4]::float8[], 3)) t(v, k);
SELECT ccseg_fit(v, k) FROM (VALUES (ARRAY[1, 2]::float8[], 2), (ARRAY[3, 4]::float8[], NULL)) t(v, k);
SELECT ccseg_fit(v, 1, n)
FROM (VALUES (ARRAY[1, 2]::float8[], ARRAY['a', 'b']), (ARRAY[3, 4]::float8[], ARRAY['a', 'c'])) t(v, n);
SELECT ccseg_fit(v, 1, n)
FROM (VALUES (ARRAY[1, 2]::float8[], ARRAY['a', 'b']), (ARRAY[3, 4]::float8[], NULL)) t(v, n);
SELECT ccseg_fit(v, 1, n)
FROM (VALUES (ARRAY[1, 2]::float8[], NULL), (ARRAY[3, 4]::float8[], ARRAY['a', 'b'])) t(v, n);
\set VERBOSITY terse
-- the same names with other bounds are the same names
SELECT (ccseg_model_summary(ccseg_fit(v, 1, n))).features
FROM (VALUES (ARRAY[1, 2]::float8[], ARRAY['a', 'b']), (ARRAY[3, 4]::float8[], '[0:1]={a,b}'::text[])) t(v, n);

-- feature names travel between processes in the server encoding, whatever
-- the client's: names in and outside LATIN1 under client_encoding LATIN1,
-- in a forced parallel plan (the file itself stays ASCII)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET client_encoding = 'LATIN1';
EXPLAIN (COSTS OFF)
SELECT ccseg_fit(ARRAY[balance, purchases]::float8[], 3, ARRAY[U&'gr\00f6\00dfe', U&'\03b2\03b5\03c4\03b1'])
FROM regions;
SELECT (ccseg_model_summary(ccseg_fit(ARRAY[balance, purchases]::float8[], 3,
									  ARRAY[U&'gr\00f6\00dfe', U&'\03b2\03b5\03c4\03b1']))).features
	   = ARRAY[U&'gr\00f6\00dfe', U&'\03b2\03b5\03c4\03b1'] AS names_kept
FROM regions;
RESET client_encoding;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- ccseg_fit trains through the pipeline of ccseg_build_model with the
-- defaults compiled in: on the same rows in the same order (ccseg_fit sorts
-- its rows, ccseg_build_model reads them in id order), ccseg_build_model
-- left at the install script's defaults gives the same model, bit for bit,
-- but for the silhouette that ccseg_fit leaves out; another seed gives
-- another model
CREATE TEMP TABLE fit_rows AS
SELECT row_number() OVER (ORDER BY balance, purchases, credit_limit NULLS LAST) AS id,
	   balance, purchases, credit_limit
FROM (SELECT balance, purchases,
			 CASE WHEN abs(hashtext(cust_id)) % 13 = 0 THEN NULL ELSE credit_limit END AS credit_limit
	  FROM regions WHERE region = 'north') r;
SELECT count(*) - count(credit_limit) > 0 AS some_missing FROM fit_rows;
CREATE TEMP TABLE fit_model AS
SELECT ccseg_fit(ARRAY[balance, purchases, credit_limit], 4,
				 ARRAY['balance', 'purchases', 'credit_limit'])::text AS m
FROM fit_rows;
SELECT m = ccseg_build_model('fit_rows', 4, ARRAY['balance', 'purchases', 'credit_limit'],
							 id_column => 'id', silhouette_sample => 0)::text AS same_as_build_model,
	   m = ccseg_build_model('fit_rows', 4, ARRAY['balance', 'purchases', 'credit_limit'],
							 id_column => 'id', silhouette_sample => 0, seed => 1)::text AS same_with_seed_1
FROM fit_model;

-- the defaults compiled in (src/core/defaults.h) ...
SELECT * FROM _ccseg_train_defaults();
-- ... are the parameter defaults of ccseg_train, ccseg_build_model and
-- ccseg_elbow: each default expression, evaluated, equals the C value
CREATE FUNCTION pg_temp.arg_default(f regprocedure, arg text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	pos integer;
	v text;
BEGIN
	SELECT n.i INTO pos FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY n(name, i)
	WHERE p.oid = f AND n.name = arg;
	EXECUTE 'SELECT (' || pg_get_function_arg_default(f, pos) || ')::text' INTO v;
	RETURN v;
END
$$;
SELECT count(*) AS compared,
	   count(*) FILTER (WHERE c.value IS DISTINCT FROM pg_temp.arg_default(p.oid, c.key)) AS differing,
	   string_agg(p.proname || '.' || c.key, ', ')
		   FILTER (WHERE c.value IS DISTINCT FROM pg_temp.arg_default(p.oid, c.key)) AS which
FROM pg_proc p, jsonb_each_text(to_jsonb(_ccseg_train_defaults())) c
WHERE p.oid IN ('ccseg_train'::regproc, 'ccseg_build_model'::regproc, 'ccseg_elbow'::regproc);
-- the comparison sees a difference: ccseg_build_model with a tol of 0.001
CREATE FUNCTION pg_temp.ccseg_build_model(source regclass, k integer, tol float8 DEFAULT 0.001)
RETURNS integer LANGUAGE sql AS 'SELECT 1';
SELECT pg_temp.arg_default('pg_temp.ccseg_build_model(regclass, integer, float8)', 'tol')
	   IS DISTINCT FROM (SELECT tol::text FROM _ccseg_train_defaults()) AS differs;
-- the parameters ccseg_train passes on to ccseg_elbow (k_min, k_max) agree too
SELECT n.name, count(DISTINCT pg_get_function_arg_default(p.oid, n.i::integer)) AS defaults
FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY n(name, i)
WHERE p.oid IN ('ccseg_train'::regproc, 'ccseg_elbow'::regproc) AND n.name IN ('k_min', 'k_max')
GROUP BY n.name ORDER BY n.name;
DROP TABLE regions;
