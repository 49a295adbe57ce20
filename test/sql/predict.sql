-- Scoring: whole-row references matched by column name, arrays, model
-- values, distances, imputation of missing values, views.
SET extra_float_digits = 0;

CREATE TABLE shop (id int, spend numeric, visits int, basket float4);
INSERT INTO shop SELECT g,
	CASE WHEN g <= 10 THEN 100 + g ELSE 1000 + g END,
	CASE WHEN g <= 10 THEN 2 ELSE 20 END,
	CASE WHEN g <= 10 THEN 5 ELSE 50 END
FROM generate_series(1, 30) g;
INSERT INTO shop VALUES (31, NULL, 20, 50);

SELECT k, rows FROM ccseg_train('shop', 'shop', 2, id_column => 'id', seed => 3);

-- numeric, integer and real columns all work; the larger group is segment 1
SELECT ccseg_predict('shop', s) AS segment, min(id), max(id), count(*)
FROM shop s GROUP BY 1 ORDER BY 1;

-- column order and extra columns do not matter: features are matched by name
CREATE TABLE shop_today (note text, basket float8, id bigint, visits numeric, spend float8, extra int);
INSERT INTO shop_today VALUES ('small', 5, 1, 2, 105, 0), ('big', 50, 2, 20, 1020, 0);
SELECT note, ccseg_predict('shop', t) FROM shop_today t ORDER BY id;

-- a row built in the query works as well
SELECT ccseg_predict('shop', r) FROM (SELECT 1020 AS spend, 20 AS visits, 50 AS basket) r;

-- missing values are imputed with the stored values (median spend here)
SELECT (ccseg_model_summary(ccseg_get_model('shop'))).impute_values;
SELECT ccseg_predict('shop', ARRAY[NULL, 20, 50]::float8[]) AS big,
	   ccseg_predict('shop', ARRAY[NULL, 2, 5]::float8[]) AS small_but_imputed_spend;

-- the array form uses the model's feature order
SELECT features FROM ccseg_models WHERE model = 'shop';
SELECT ccseg_predict('shop', ARRAY[1020, 20, 50]::float8[]) AS big,
	   ccseg_predict('shop', ARRAY[105, 2, 5]::float8[]) AS small;

-- a model value needs no catalog
SELECT ccseg_predict(m, ARRAY[1020, 20, 50]::float8[]) AS big
FROM (SELECT ccseg_get_model('shop') AS m) q;
SELECT ccseg_predict(ccseg_get_model('shop')::text::ccseg_model, ARRAY[105, 2, 5]::float8[]) AS small;

-- distances: one per segment, the smallest is the predicted segment
SELECT id, array_length(d, 1) AS k,
	   (SELECT min(i) FROM generate_subscripts(d, 1) i WHERE d[i] = (SELECT min(x) FROM unnest(d) x))
		= ccseg_predict('shop', s) AS nearest_is_predicted
FROM shop s, LATERAL (SELECT ccseg_distances('shop', s) AS d) q
WHERE id IN (1, 15, 31) ORDER BY id;
SELECT round(d[1]::numeric, 6) = round(sqrt(power((1020 - c1.value) / c1s.scale, 2)
	+ power((20 - c2.value) / c2s.scale, 2) + power((50 - c3.value) / c3s.scale, 2))::numeric, 6) AS euclidean_in_scaled_space
FROM (SELECT ccseg_distances('shop', ARRAY[1020, 20, 50]::float8[]) AS d) q,
	 (SELECT value FROM ccseg_centroids('shop') WHERE segment = 1 AND feature = 'spend') c1,
	 (SELECT value FROM ccseg_centroids('shop') WHERE segment = 1 AND feature = 'visits') c2,
	 (SELECT value FROM ccseg_centroids('shop') WHERE segment = 1 AND feature = 'basket') c3,
	 (SELECT scale_scale[1] AS scale FROM ccseg_model_versions WHERE model_name = 'shop') c1s,
	 (SELECT scale_scale[2] AS scale FROM ccseg_model_versions WHERE model_name = 'shop') c2s,
	 (SELECT scale_scale[3] AS scale FROM ccseg_model_versions WHERE model_name = 'shop') c3s;

-- NULL in, NULL out
SELECT ccseg_predict('shop', NULL::shop) IS NULL AS null_row,
	   ccseg_predict(NULL::text, ARRAY[1, 2, 3]::float8[]) IS NULL AS null_model;

-- in a view, over a retrain: the next query uses the new version
CREATE VIEW shop_segments AS SELECT s.id, ccseg_predict('shop', s) AS segment FROM shop s;
SELECT count(DISTINCT segment) FROM shop_segments;
SELECT k FROM ccseg_train('shop', 'shop', 3, id_column => 'id', seed => 3);
SELECT count(DISTINCT segment) FROM shop_segments;

-- a model dropped and trained again under the same name is not served from a stale cache
SELECT ccseg_drop_model('shop');
SELECT k FROM ccseg_train('shop', 'shop', 1, id_column => 'id');
SELECT count(DISTINCT segment) FROM shop_segments;

-- predict is parallel safe: a forced parallel plan gives the same answer
CREATE TABLE many AS SELECT g AS id, (g % 100)::float8 AS spend, (g % 7)::int AS visits,
	(g % 13)::float4 AS basket FROM generate_series(1, 20000) g;
ANALYZE many;
SELECT k FROM ccseg_train('many', 'many', 4, id_column => 'id', n_init => 2, seed => 5);
CREATE TEMP TABLE serial_counts AS
	SELECT ccseg_predict('many', m) AS seg, count(*) AS n FROM many m GROUP BY 1;
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

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_of($$SELECT ccseg_predict('many', m) AS seg, count(*) FROM many m GROUP BY 1$$);
SELECT count(*) AS segments, bool_and(p.n = s.n) AS same_counts
FROM (SELECT ccseg_predict('many', m) AS seg, count(*) AS n FROM many m GROUP BY 1) p
JOIN serial_counts s USING (seg);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

SELECT ccseg_drop_model('shop'), ccseg_drop_model('many');
