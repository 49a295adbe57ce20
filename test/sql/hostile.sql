-- Hostile and odd input, table-driven: each case is a statement and the
-- result it must give, an error (SQLSTATE and message) or a documented
-- value.  Nothing may crash the server or leave anything half-written.
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	res text;
BEGIN
	EXECUTE stmt INTO res;
	RETURN 'ok: ' || coalesce(res, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
	RETURN SQLSTATE || ': ' || msg;
END
$$;

CREATE TABLE h (id int, a float8, b numeric, c int);
INSERT INTO h SELECT g, g % 7, g % 5, g % 3 FROM generate_series(1, 30) g;
CREATE TABLE same_rows (a float8, b float8);
INSERT INTO same_rows SELECT 4, 2 FROM generate_series(1, 20);
CREATE TABLE two_points (a float8, b float8);
INSERT INTO two_points SELECT g % 2, g % 2 FROM generate_series(1, 20) g;
CREATE TABLE one_row (a float8, b float8);
INSERT INTO one_row VALUES (1, 2);
CREATE TABLE huge (a float8, b float8);
INSERT INTO huge SELECT g * 1e300, g FROM generate_series(1, 50) g;
CREATE TABLE tiny (a float8, b float8);
INSERT INTO tiny SELECT g * 1e-300, g FROM generate_series(1, 50) g;
CREATE TABLE extremes (a bigint, b float4);
INSERT INTO extremes SELECT CASE WHEN g % 2 = 0 THEN 9223372036854775807 ELSE -9223372036854775808 END, g FROM generate_series(1, 20) g;
CREATE TABLE "Kunden ü" ("Ümsatz €" float8, "it's" float8, "a;b" float8);
INSERT INTO "Kunden ü" SELECT g, g % 4, g % 3 FROM generate_series(1, 40) g;
CREATE DOMAIN money_amount AS numeric CHECK (VALUE >= 0);
CREATE TABLE with_domain (amount money_amount, visits int);
INSERT INTO with_domain SELECT g * 10, g % 4 FROM generate_series(1, 40) g;
CREATE TABLE nan_f4 (a float4, b float4);
INSERT INTO nan_f4 VALUES (1, 2), ('Infinity', 3);
CREATE TABLE nan_num (a numeric, b float8);
INSERT INTO nan_num VALUES (1, 2), ('NaN', 3);
CREATE TABLE to_drop (a float8, b float8);
INSERT INTO to_drop SELECT g, g % 2 FROM generate_series(1, 20) g;
CREATE TABLE to_alter (a float8, b float8);
INSERT INTO to_alter SELECT g, g % 2 FROM generate_series(1, 20) g;
CREATE TABLE empty_h (a float8, b float8);

SELECT version FROM ccseg_train('hm', 'h', 3, id_column => 'id', seed => 1);
SELECT version FROM ccseg_train('dropme', 'to_drop', 2);
SELECT version FROM ccseg_train('alterme', 'to_alter', 2);
DROP TABLE to_drop;
ALTER TABLE to_alter ALTER COLUMN b TYPE text;
SELECT count(*) AS versions_before FROM ccseg_model_versions;

SELECT n, label, pg_temp.try(stmt) AS result
FROM (VALUES
	-- NULLs everywhere a NULL can go
	(1, 'null source', $$SELECT k FROM ccseg_train('x', NULL, 2)$$),
	(2, 'null k means choose k', $$SELECT k FROM ccseg_train('x', 'h', NULL, id_column => 'id', k_min => 2, k_max => 3, silhouette_sample => 0)$$),
	(3, 'null n_init', $$SELECT k FROM ccseg_train('x', 'h', 2, n_init => NULL)$$),
	(4, 'null seed', $$SELECT k FROM ccseg_train('x', 'h', 2, seed => NULL)$$),
	(5, 'null tol', $$SELECT ccseg_build_model('h', 2, tol => NULL)::text$$),
	(6, 'null verbose', $$SELECT ccseg_build_model('h', 2, verbose => NULL)::text$$),
	(7, 'null algorithm', $$SELECT ccseg_build_model('h', 2, algorithm => NULL)::text$$),
	(8, 'null row scores null', $$SELECT ccseg_predict('hm', NULL::h)$$),
	(9, 'null array scores null', $$SELECT ccseg_predict('hm', NULL::float8[])$$),
	(10, 'null model value scores null', $$SELECT ccseg_predict(NULL::ccseg_model, ARRAY[1, 2, 3]::float8[])$$),
	(11, 'all-null features are imputed', $$SELECT ccseg_predict('hm', ARRAY[NULL, NULL, NULL]::float8[])$$),
	(12, 'null activate is a no-op', $$SELECT ccseg_activate(NULL, 1)$$),
	(13, 'null explain top', $$SELECT count(*) FROM ccseg_explain('hm', (SELECT h FROM h LIMIT 1), NULL)$$),
	-- arrays
	(14, 'empty feature array', $$SELECT ccseg_predict('hm', '{}'::float8[])$$),
	(15, 'too long feature array', $$SELECT ccseg_predict('hm', ARRAY[1, 2, 3, 4]::float8[])$$),
	(16, 'array with lower bound 0', $$SELECT ccseg_predict('hm', '[0:2]={1,2,3}'::float8[])$$),
	(17, 'features array two-dimensional', $$SELECT k FROM ccseg_train('x', 'h', 2, features => '{{a},{b}}')$$),
	(18, 'init_centroids one-dimensional', $$SELECT k FROM ccseg_train('x', 'h', 2, features => ARRAY['a'], init_centroids => '{1,2}')$$),
	(19, 'init_centroids with infinity', $$SELECT k FROM ccseg_train('x', 'h', 2, features => ARRAY['a'], init_centroids => '{{1},{Infinity}}')$$),
	-- NaN and infinity in data and parameters
	(20, 'tol infinity', $$SELECT k FROM ccseg_train('x', 'h', 2, tol => 'Infinity')$$),
	(21, 'real infinity in data', $$SELECT k FROM ccseg_train('x', 'nan_f4', 1)$$),
	(22, 'numeric NaN in data', $$SELECT k FROM ccseg_train('x', 'nan_num', 1)$$),
	(23, 'minus infinity to score', $$SELECT ccseg_predict('hm', ARRAY[1, '-Infinity', 3]::float8[])$$),
	-- sizes of k
	(24, 'huge k', $$SELECT k FROM ccseg_train('x', 'h', 2147483647)$$),
	(25, 'k = number of rows', $$SELECT round(inertia::numeric, 9)::text FROM ccseg_train('x', 'h', 30, id_column => 'id', silhouette_sample => 0)$$),
	(26, 'k_max = number of rows in the elbow', $$SELECT count(*) FROM ccseg_elbow('h', 29, 30, id_column => 'id', n_init => 1, silhouette_sample => 0)$$),
	(27, 'k_min = k_max: one recommended row', $$SELECT k || ' ' || recommended FROM ccseg_elbow('h', 3, 3, id_column => 'id', n_init => 1)$$),
	-- degenerate data
	(28, 'all rows identical, k = 3', $$SELECT k || ' ' || rows || ' ' || inertia FROM ccseg_train('x', 'same_rows', 3)$$),
	(29, 'two distinct points, k = 2', $$SELECT round(inertia::numeric, 9) || ' ' || rows FROM ccseg_train('x', 'two_points', 2)$$),
	(30, 'a single row, k = 1', $$SELECT rows || ' ' || inertia FROM ccseg_train('x', 'one_row', 1)$$),
	(31, 'a single row, k = 2', $$SELECT k FROM ccseg_train('x', 'one_row', 2)$$),
	(32, 'silhouette of identical rows', $$SELECT coalesce(silhouette::text, 'null') FROM ccseg_evaluate('x')$$),
	(33, 'empty relation, describe', $$SELECT count || ' ' || coalesce(mean::text, 'null') FROM ccseg_describe('empty_h') LIMIT 1$$),
	(34, 'empty relation, histogram', $$SELECT count(*) FROM ccseg_histogram('empty_h', 'a')$$),
	(35, 'empty relation, profile', $$SELECT count(*) || ' ' || coalesce(max(mean)::text, 'null') FROM ccseg_profile('hm', 'h') WHERE false$$),
	-- magnitudes
	(36, 'values of 1e300', $$SELECT k FROM ccseg_train('x', 'huge', 2)$$),
	(37, 'values of 1e-300 act as constant', $$SELECT scale_scale::text FROM ccseg_model_summary(ccseg_build_model('tiny', 2))$$),
	(38, 'bigint extremes', $$SELECT k || ' ' || rows FROM ccseg_train('x', 'extremes', 2)$$),
	(39, 'scoring 1e300', $$SELECT ccseg_predict('hm', ARRAY[1e300, 1, 1]::float8[])$$),
	-- names
	(40, 'unicode, quotes and semicolons in names', $$SELECT model || ' ' || k FROM ccseg_train('modèle "ü"; --', '"Kunden ü"', 2)$$),
	(41, 'their features', $$SELECT array_to_string(features, '|') FROM ccseg_models WHERE model = 'modèle "ü"; --'$$),
	(42, 'scoring by such names', $$SELECT count(DISTINCT ccseg_predict('modèle "ü"; --', k)) FROM "Kunden ü" k$$),
	(43, 'a name of 63 bytes', $$SELECT length(model) FROM ccseg_train(repeat('é', 31) || 'x', 'h', 2)$$),
	(44, 'a name of 100 characters to score', $$SELECT ccseg_predict(repeat('x', 100), ARRAY[1, 2, 3]::float8[])$$),
	-- long names are cut in messages: 60 bytes at a character boundary and ...
	(57, 'a name of 10,000 characters to score', $$SELECT ccseg_predict(repeat('x', 10000), ARRAY[1, 2, 3]::float8[])$$),
	(58, 'a name of 10,000 two-byte characters', $$SELECT ccseg_predict('x' || repeat('é', 10000), ARRAY[1, 2, 3]::float8[])$$),
	(59, 'a feature of 10,000 characters', $$SELECT k FROM ccseg_train('x', 'h', 2, features => ARRAY[repeat('y', 10000)])$$),
	(60, 'an id column of 10,000 characters', $$SELECT k FROM ccseg_train('x', 'h', 2, id_column => repeat('z', 10000))$$),
	(61, 'a method of 10,000 characters', $$SELECT k FROM ccseg_train('x', 'h', 2, impute => repeat('m', 10000))$$),
	(45, 'a domain over numeric', $$SELECT array_to_string(features, ',') FROM ccseg_model_summary(ccseg_build_model('with_domain', 2))$$),
	-- the source changed after training
	(46, 'retrain after the source was dropped', $$SELECT version FROM ccseg_retrain('dropme')$$),
	(47, 'silhouette after the source was dropped', $$SELECT count(*) FROM ccseg_silhouette('dropme')$$),
	(48, 'score after a column changed type', $$SELECT count(*) FROM to_alter t WHERE ccseg_predict('alterme', t) > 0$$),
	(49, 'retrain after a column changed type', $$SELECT version FROM ccseg_retrain('alterme')$$),
	-- versions and lookups
	(50, 'version -1', $$SELECT ccseg_get_model('hm', -1)::text$$),
	(51, 'centroids of version 0', $$SELECT count(*) FROM ccseg_centroids('hm', 0)$$),
	(52, 'explain top beyond the features', $$SELECT count(*) FROM ccseg_explain('hm', (SELECT h FROM h LIMIT 1), 100)$$),
	(53, 'anomaly score of a centroid', $$SELECT round(ccseg_anomaly_score('hm', r)::numeric, 9)::text FROM (SELECT c1.value AS a, c2.value AS b, c3.value AS c FROM ccseg_centroids('hm') c1, ccseg_centroids('hm') c2, ccseg_centroids('hm') c3 WHERE c1.segment = 1 AND c2.segment = 1 AND c3.segment = 1 AND c1.feature = 'a' AND c2.feature = 'b' AND c3.feature = 'c') r$$),
	(54, 'report with sample_rows 0', $$SELECT (position('<svg' IN ccseg_report('hm', 0)) > 0)::text$$),
	(55, 'silhouette sample negative', $$SELECT count(*) FROM ccseg_silhouette('hm', -5)$$),
	(56, 'elbow over a one-row relation', $$SELECT count(*) FROM ccseg_elbow('one_row', 1, 1)$$)
) AS cases(n, label, stmt)
ORDER BY n;

-- model values cast from strings are validated (binary input: see the fuzzer)
SELECT label, pg_temp.try(format('SELECT %L::ccseg_model::text', txt)) AS result
FROM (VALUES
	('empty string', ''),
	('null JSON', 'null'),
	('deeply nested', repeat('[', 2000) || repeat(']', 2000)),
	('numbers as strings', (SELECT jsonb_set(model::text::jsonb, '{k}', '"3"')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('k of 1e20', (SELECT jsonb_set(model::text::jsonb, '{k}', '1e20')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('fractional k', (SELECT jsonb_set(model::text::jsonb, '{k}', '2.5')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('negative size', (SELECT jsonb_set(model::text::jsonb, '{sizes,0}', '-1')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('silhouette above 1', (SELECT jsonb_set(model::text::jsonb, '{silhouette}', '2')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('feature name of 64 bytes', (SELECT jsonb_set(model::text::jsonb, '{features,0}', to_jsonb(repeat('f', 64)))::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active)),
	('huge number', (SELECT jsonb_set(model::text::jsonb, '{inertia}', '1e400')::text FROM ccseg_model_versions WHERE model_name = 'hm' AND active))
) AS cases(label, txt);

-- none of the failures left anything behind
SELECT count(*) AS versions_after FROM ccseg_model_versions
WHERE model_name NOT IN ('x', 'modèle "ü"; --') AND model_name NOT LIKE 'ééé%';

SELECT ccseg_drop_model(m) FROM (SELECT DISTINCT model_name AS m FROM ccseg_model_versions) q ORDER BY m;
