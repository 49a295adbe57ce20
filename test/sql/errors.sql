-- Bad input: every case gets a specific SQLSTATE and a clear message, and a
-- failed training leaves the catalog as it was.

-- run a statement, report its SQLSTATE, message and hint instead of failing
\i test/include/try.sql

CREATE TABLE pts (id int, a float8, b numeric, c int, note text, allnull float8);
INSERT INTO pts SELECT g, g % 7, g % 5, g % 3, 'n' || g, NULL FROM generate_series(1, 20) g;
CREATE TABLE empty_src (a float8, b float8);
CREATE TABLE nan_src (a float8, b float8);
INSERT INTO nan_src VALUES (1, 2), ('NaN', 3), (4, 5);
CREATE TABLE inf_src (a numeric, b float8);
INSERT INTO inf_src VALUES (1, 2), (2, '-Infinity');
CREATE TABLE holes (a float8, b float8);
INSERT INTO holes VALUES (1, NULL), (NULL, 2);
CREATE TABLE textonly (t text);
CREATE SEQUENCE some_seq;

-- a model to predict with
SELECT version FROM ccseg_train('ok', 'pts', 2, features => ARRAY['a', 'b', 'c'], seed => 1);
SELECT count(*) AS versions_before FROM ccseg_model_versions;

SELECT label, pg_temp.try(stmt) AS result
FROM (VALUES
	('unknown model (predict)', $q$SELECT ccseg_predict('nope', p) FROM pts p$q$),
	('unknown model (array)', $q$SELECT ccseg_predict('nope', ARRAY[1, 2, 3]::float8[])$q$),
	('unknown model (centroids)', $q$SELECT * FROM ccseg_centroids('nope')$q$),
	('unknown model (drop)', $q$SELECT ccseg_drop_model('nope')$q$),
	('unknown model (get)', $q$SELECT ccseg_get_model('nope')$q$),
	('unknown version', $q$SELECT ccseg_get_model('ok', 99)$q$),
	('unknown feature column', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'zzz'])$q$),
	('duplicated feature', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'b', 'a'])$q$),
	('non-numeric feature', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'note'])$q$),
	('empty feature list', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY[]::text[])$q$),
	('null feature name', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', NULL])$q$),
	('id column is a feature', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'id'], id_column => 'id')$q$),
	('id column missing', $q$SELECT ccseg_train('m', 'pts', 2, id_column => 'cust')$q$),
	('no numeric column', $q$SELECT ccseg_train('m', 'textonly', 2)$q$),
	('not a table', $q$SELECT ccseg_train('m', 'some_seq', 2)$q$),
	('missing relation', $q$SELECT ccseg_train('m', 'no_such_table', 2)$q$),
	('k = 0', $q$SELECT ccseg_train('m', 'pts', 0, features => ARRAY['a'])$q$),
	('k negative', $q$SELECT ccseg_train('m', 'pts', -3, features => ARRAY['a'])$q$),
	('k above rows', $q$SELECT ccseg_train('m', 'pts', 21, features => ARRAY['a'])$q$),
	('k null with init_centroids', $q$SELECT ccseg_train('m', 'pts', NULL, features => ARRAY['a'], init_centroids => '{{1},{2}}')$q$),
	('empty source', $q$SELECT ccseg_train('m', 'empty_src', 2)$q$),
	('feature null in every row', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'allnull'])$q$),
	('NaN in data', $q$SELECT ccseg_train('m', 'nan_src', 2)$q$),
	('infinity in data', $q$SELECT ccseg_train('m', 'inf_src', 2)$q$),
	('drop leaves no row', $q$SELECT ccseg_train('m', 'holes', 1, impute => 'drop')$q$),
	('n_init 0', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], n_init => 0)$q$),
	('n_init above 1000', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], n_init => 1001)$q$),
	('n_init above 1000 (elbow)', $q$SELECT * FROM ccseg_elbow('pts', 2, 3, features => ARRAY['a'], n_init => 2147483647)$q$),
	('max_iter 0', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], max_iter => 0)$q$),
	('tol negative', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], tol => -1)$q$),
	('tol NaN', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], tol => 'NaN')$q$),
	('unknown impute', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], impute => 'average')$q$),
	('unknown scale', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], scale => 'zscore')$q$),
	('unknown init', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], init => 'kmeans||')$q$),
	('unknown algorithm', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], algorithm => 'fast')$q$),
	('null impute', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], impute => NULL)$q$),
	('init_centroids wrong shape', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a', 'b'], init_centroids => '{1,2,3,4}')$q$),
	('init_centroids with NaN', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], init_centroids => '{{1},{NaN}}')$q$),
	('init_centroids with NULL', $q$SELECT ccseg_train('m', 'pts', 2, features => ARRAY['a'], init_centroids => '{{1},{NULL}}')$q$),
	('empty model name', $q$SELECT ccseg_train('', 'pts', 2, features => ARRAY['a'])$q$),
	('null model name', $q$SELECT ccseg_train(NULL, 'pts', 2, features => ARRAY['a'])$q$),
	('model name of 64 bytes', $q$SELECT ccseg_train(repeat('x', 64), 'pts', 2, features => ARRAY['a'])$q$),
	('row lacks a feature', $q$SELECT ccseg_predict('ok', r) FROM (SELECT a, b FROM pts) r$q$),
	('row feature not numeric', $q$SELECT ccseg_predict('ok', r) FROM (SELECT a, b, note AS c FROM pts) r$q$),
	('row with NaN', $q$SELECT ccseg_predict('ok', r) FROM (SELECT 'NaN'::float8 AS a, 1 AS b, 1 AS c) r$q$),
	('array too short', $q$SELECT ccseg_predict('ok', ARRAY[1, 2]::float8[])$q$),
	('array two-dimensional', $q$SELECT ccseg_predict('ok', '{{1,2,3}}'::float8[])$q$),
	('array with infinity', $q$SELECT ccseg_predict('ok', ARRAY[1, 'Infinity', 3]::float8[])$q$),
	('model value array length', $q$SELECT ccseg_predict(ccseg_get_model('ok'), ARRAY[1]::float8[])$q$)
) AS cases(label, stmt);

-- none of the failed trainings wrote anything
SELECT count(*) AS versions_after FROM ccseg_model_versions;

-- the model value validates text input: any string can be cast to it
SELECT label, pg_temp.try(format('SELECT %L::ccseg_model', txt)) AS result
FROM (VALUES
	('not JSON', 'hello'),
	('JSON array', '[1, 2]'),
	('missing key', '{"format": 1}'),
	('unknown key', (SELECT jsonb_set(model::text::jsonb, '{extra}', '1')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('wrong format', (SELECT jsonb_set(model::text::jsonb, '{format}', '3')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('k disagrees with centroids', (SELECT jsonb_set(model::text::jsonb, '{k}', '3')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('zero scale', (SELECT jsonb_set(model::text::jsonb, '{scale_scale,0}', '0')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('string centroid', (SELECT jsonb_set(model::text::jsonb, '{centroids,0,0}', '"x"')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('sizes do not add up', (SELECT jsonb_set(model::text::jsonb, '{rows}', '5')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('duplicate feature', (SELECT jsonb_set(model::text::jsonb, '{features,1}', '"a"')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('unknown scaler', (SELECT jsonb_set(model::text::jsonb, '{scale}', '"zscore"')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('huge k', (SELECT jsonb_set(model::text::jsonb, '{k}', '100000000000')::text FROM ccseg_model_versions WHERE model_name = 'ok')),
	('valid, edited by hand', (SELECT jsonb_set(model::text::jsonb, '{centroids,0,0}', '0.5')::text FROM ccseg_model_versions WHERE model_name = 'ok'))
) AS cases(label, txt);

-- a model that drops incomplete rows scores a row with a missing value as NULL
SELECT version FROM ccseg_train('dropper', 'pts', 2, features => ARRAY['a', 'b'], impute => 'drop');
SELECT ccseg_predict('dropper', ARRAY[1, NULL]::float8[]) IS NULL AS is_null,
	   ccseg_predict('dropper', ARRAY[1, 1]::float8[]) IS NOT NULL AS scored;
SELECT (ccseg_model_summary(ccseg_get_model('dropper'))).impute_values IS NULL AS no_impute_values;

SELECT ccseg_drop_model('ok'), ccseg_drop_model('dropper');

-- NULL names: scoring and lookups return NULL or nothing, training refuses
SELECT ccseg_get_model(NULL) IS NULL AS get_null, (SELECT count(*) FROM ccseg_centroids(NULL)) AS centroids,
	   ccseg_drop_model(NULL) IS NULL AS drop_null;

-- a scaled value above 1e150 (squared distances would overflow) is named,
-- wherever it is among the rows, which are scaled in parts by two threads
CREATE TABLE huge AS
SELECT g AS id, g::float8 AS a, (g % 7)::float8 AS b FROM generate_series(1, 100000) g;
UPDATE huge SET b = 1e152 WHERE id = 77777;
SET ccseg.threads = 2;
SELECT ccseg_build_model('huge', 2, id_column => 'id', scale => 'none') IS NOT NULL;
SELECT ccseg_build_model('huge', 2, id_column => 'id', n_init => 1) IS NOT NULL AS standard_scaling_fits;
RESET ccseg.threads;
DROP TABLE huge;
