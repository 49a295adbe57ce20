-- ccseg_predict(model, row) on a table row is planned as
-- _ccseg_predict_columns over the feature columns (support function):
-- the same segments, without forming each row; the row form is kept
-- wherever the rewrite could change a result.
SET extra_float_digits = 0;

-- EXPLAIN (VERBOSE, COSTS OFF) of q, each model value shown as <model>
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
		RETURN NEXT regexp_replace(line, '''\{"format".*?\}''::ccseg_model', '<model>', 'g');
	END LOOP;
END
$$;


CREATE TABLE cust (id int, spend numeric, visits int, basket float4, note text);
INSERT INTO cust SELECT g,
	CASE WHEN g % 3 = 0 THEN 100 + g ELSE 1000 + g END,
	CASE WHEN g % 3 = 0 THEN 2 ELSE 20 END,
	CASE WHEN g % 3 = 0 THEN 5 + g % 4 ELSE 50 + g % 5 END,
	'n' || g
FROM generate_series(1, 300) g;
-- missing values, imputed by the model
UPDATE cust SET spend = NULL WHERE id % 17 = 0;
UPDATE cust SET basket = NULL WHERE id % 23 = 0;
SELECT k FROM ccseg_train('cust', 'cust', 3, features => ARRAY['spend', 'visits', 'basket'], seed => 1);

-- the plan names the columns, not the row, and holds the model's value
SELECT pg_temp.plan_of($$SELECT ccseg_predict('cust', c) FROM cust c$$);

-- the same segment as the row form (OFFSET 0 keeps the subquery, so its
-- whole-row reference is not a table's) and as the array form
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differ_from_row_form,
	   count(*) FILTER (WHERE a IS DISTINCT FROM c) AS differ_from_array_form,
	   count(*) FILTER (WHERE a IS NULL) AS null_segments
FROM (SELECT ccseg_predict('cust', t) AS a,
			 (SELECT ccseg_predict('cust', s) FROM (SELECT t.* OFFSET 0) s) AS b,
			 ccseg_predict('cust', ARRAY[t.spend, t.visits, t.basket]::float8[]) AS c
	  FROM cust t) q;
SELECT pg_temp.plan_of($$SELECT ccseg_predict('cust', s) FROM (SELECT * FROM cust OFFSET 0) s$$);

-- an outer join keeps the row form: a missing row is NULL, not a segment
SELECT pg_temp.plan_of($$SELECT g, ccseg_predict('cust', c) FROM generate_series(300, 301) g LEFT JOIN cust c ON c.id = g$$);
SELECT g, ccseg_predict('cust', c) FROM generate_series(300, 301) g LEFT JOIN cust c ON c.id = g ORDER BY g;

-- a model name that is not a constant keeps the row form, and works
CREATE TABLE pick (m text);
INSERT INTO pick VALUES ('cust');
SELECT pg_temp.plan_of($$SELECT ccseg_predict(m, c) FROM cust c, pick$$);
SELECT count(*) FROM cust c, pick
WHERE ccseg_predict(m, c) IS DISTINCT FROM ccseg_predict('cust', c);

-- a model that does not exist is planned as the row form and errors as before
SELECT ccseg_predict('no_such_model', c) FROM cust c LIMIT 1;

-- a table whose feature column is not numeric keeps the row form's error
CREATE TABLE cust_text (spend text, visits int, basket float4);
INSERT INTO cust_text VALUES ('1000', 20, 50);
SELECT ccseg_predict('cust', t) FROM cust_text t;
-- a table without a feature column: the row form's error
CREATE TABLE cust_short (spend float8, visits int);
INSERT INTO cust_short VALUES (1000, 20);
SELECT ccseg_predict('cust', t) FROM cust_short t;

-- a user who may not read the catalog: planning keeps the row form (no
-- error from EXPLAIN), scoring fails as it did before
CREATE ROLE regress_ccseg_nocat;
GRANT SELECT ON cust TO regress_ccseg_nocat;
REVOKE SELECT ON ccseg_model_versions FROM PUBLIC;
SET ROLE regress_ccseg_nocat;
SELECT pg_temp.plan_of($$SELECT ccseg_predict('cust', c) FROM cust c$$);
\set SHOW_CONTEXT never
SELECT ccseg_predict('cust', c) FROM cust c LIMIT 1;
\set SHOW_CONTEXT errors
RESET ROLE;
GRANT SELECT ON ccseg_model_versions TO PUBLIC;
REVOKE SELECT ON cust FROM regress_ccseg_nocat;
DROP ROLE regress_ccseg_nocat;

-- a prepared statement's generic plan holds the active version's value;
-- any change to the catalog (training, activating) makes it planned again,
-- so it scores with the version active at each execution
ALTER TABLE cust ADD COLUMN tenure int DEFAULT 12;
SET plan_cache_mode = force_generic_plan;
PREPARE seg AS SELECT ccseg_predict('cust', c) AS s, count(*) FROM cust c GROUP BY 1 ORDER BY 1;
EXECUTE seg;
SELECT k FROM ccseg_train('cust', 'cust', 2, features => ARRAY['spend', 'visits'], seed => 1);
EXECUTE seg;
SELECT ccseg_activate('cust', 1);
EXECUTE seg;
-- a version with a feature the old plan did not read: planned again, it works
SELECT k FROM ccseg_train('cust', 'cust', 3, features => ARRAY['spend', 'visits', 'tenure'], seed => 1);
EXECUTE seg;
DEALLOCATE seg;
PREPARE seg AS SELECT ccseg_predict('cust', c) AS s, count(*) FROM cust c GROUP BY 1 ORDER BY 1;
EXECUTE seg;
DEALLOCATE seg;
RESET plan_cache_mode;

-- the function the planner calls checks its arguments
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits'], 1000, 20);
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000, 20, 12);
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000, 20);
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000, 'x'::text, 12);
CREATE TABLE names (n text[]);
INSERT INTO names VALUES (ARRAY['spend', 'visits', 'tenure']);
SELECT _ccseg_predict_columns('cust', n, 1000, 20, 12) FROM names;
SELECT _ccseg_predict_columns('cust', NULL, 1000, 20, 12);
SELECT _ccseg_predict_columns(NULL, ARRAY['spend'], 1000) IS NULL AS null_model;
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 'NaN'::float8, 20, 12);
-- NULL values are imputed
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], NULL::float8, 20, 12) IS NOT NULL AS imputed;
-- an infinite float8 after integers is named; every numeric type reads as its float8
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000::float8, 20, '-Infinity'::float8);
SELECT _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000.5::numeric, 20::bigint, 12::smallint)
	 = _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], 1000.5::float8, 20::float8, 12::real) AS same_segment,
	   _ccseg_predict_columns('cust', ARRAY['tenure', 'spend', 'visits'], 12, NULL::float8, 20)
	 = _ccseg_predict_columns('cust', ARRAY['spend', 'visits', 'tenure'], NULL::numeric, 20::float8, 12::float8) AS same_imputed;

-- parallel plans keep the rewrite and the result
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differ
FROM (SELECT ccseg_predict('cust', t) AS a,
			 ccseg_predict('cust', ARRAY[t.spend, t.visits, t.tenure]::float8[]) AS b FROM cust t) q;

-- ccseg_get_model with constant arguments is read once, when planned: the
-- plan holds the value, not a call per row
SELECT pg_temp.plan_of($$SELECT ccseg_predict(ccseg_get_model('cust'), ARRAY[spend, visits, tenure]::float8[]) FROM cust$$);
SELECT pg_temp.plan_of($$SELECT ccseg_get_model('cust', 1)$$);
-- with the same segments as by name
SELECT count(*) FILTER (WHERE ccseg_predict(ccseg_get_model('cust'), ARRAY[spend, visits, tenure]::float8[])
						IS DISTINCT FROM ccseg_predict('cust', c)) AS differ
FROM cust c;
-- a prepared statement is planned again when the active version changes
SET plan_cache_mode = force_generic_plan;
PREPARE active_k AS SELECT (ccseg_model_summary(ccseg_get_model('cust'))).k;
EXECUTE active_k;
SELECT ccseg_activate('cust', 2);
EXECUTE active_k;
SELECT ccseg_activate('cust', 3);
EXECUTE active_k;
DEALLOCATE active_k;
RESET plan_cache_mode;
-- a name or version that does not exist is left to fail at run time
SELECT pg_temp.plan_of($$SELECT ccseg_get_model('cust', 99)$$);
SELECT ccseg_get_model('cust', 99);
SELECT ccseg_get_model('no_such_model');

RESET ALL;
SELECT ccseg_drop_model('cust');
DROP TABLE cust, cust_text, cust_short, pick, names;
