-- Categorical columns (categorical => text[]): one-hot indicators after the
-- numeric features, categories stored in the model, matched by every
-- scoring path (unknown categories: every indicator 0), the NOTICE on
-- integer codes chosen as features, and the errors.
SET extra_float_digits = 0;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- spending in two groups, an integer-coded channel that follows them, a
-- text region, a boolean with NULLs, and a text with a value of its own
CREATE TABLE shop AS
SELECT g AS id,
	   CASE WHEN g % 3 = 0 THEN 500 + (g % 17) * 20 ELSE 50 + (g % 13) * 5 END::float8 AS spend,
	   CASE WHEN g % 3 = 0 THEN 5 + g % 4 ELSE 20 + g % 7 END AS visits,
	   CASE WHEN g % 3 = 0 THEN 2 ELSE 1 END AS channel,
	   (ARRAY['north', 'south', 'East', 'éast'])[1 + (g % 5) % 4] AS region,
	   CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END AS paid,
	   'x' || (g % 2) AS note
FROM generate_series(1, 300) g;

-- features omitted: integer columns with few values get a NOTICE
SELECT k, rows FROM ccseg_train('auto', 'shop', k => 2, id_column => 'id');
SELECT features FROM ccseg_models WHERE model = 'auto';
-- listing the features silences it
SELECT k FROM ccseg_train('auto', 'shop', k => 2, id_column => 'id', features => ARRAY['spend', 'channel']);

-- channel, region and paid as categories; visits and spend numeric
SELECT k, rows FROM ccseg_train('cat', 'shop', k => 3, id_column => 'id',
	categorical => ARRAY['region', 'channel', 'paid'], features => ARRAY['spend', 'visits', 'paid']);
-- numeric features first, then the indicators in the order of categorical:
-- regions by bytes (upper case first, é after z), channel by number, NULL last
SELECT features, category_column, category FROM ccseg_model_summary(ccseg_get_model('cat'));
-- indicators are not centered or scaled; their imputation value is 0
SELECT scale_center[3:], scale_scale[3:], impute_values[3:], transform[3:]
FROM ccseg_model_summary(ccseg_get_model('cat'));
-- an indicator's mean is the share of its category in the training rows
SELECT s.feature_mean[3] = (SELECT avg((region = 'East')::int) FROM shop) AS east_share,
	   s.feature_mean[11] = (SELECT avg((paid IS NULL)::int) FROM shop) AS null_share
FROM ccseg_model_summary(ccseg_get_model('cat')) s;
-- centroids in original units: a segment's share of each category
SELECT bool_and(abs(c.value - x.share) < 1e-12) AS centroid_is_share
FROM ccseg_centroids('cat') c
JOIN (SELECT ccseg_predict('cat', s) AS seg, avg((s.channel = 2)::int) AS share
	  FROM shop s GROUP BY 1) x ON x.seg = c.segment
WHERE c.feature = 'channel=2';
SELECT parameters -> 'features' AS stored_features, parameters -> 'categorical' AS stored_categorical
FROM ccseg_model_versions WHERE model_name = 'cat';
-- the JSON form names them, and reads back to the same value
SELECT ccseg_get_model('cat')::text::jsonb -> 'category' AS in_json;
SELECT ccseg_get_model('cat')::text::ccseg_model::text = ccseg_get_model('cat')::text AS text_round_trip;

-- every scoring path gives the same segments
CREATE TABLE labels AS SELECT id, ccseg_predict('cat', s) AS seg FROM shop s;
SELECT count(*) FILTER (WHERE seg IS NULL) AS unscored,
	   count(DISTINCT seg) AS segments FROM labels;
-- the planner passes the columns (categorical ones of any type) to the
-- scorer (the model value, which the plan carries, shown as <model>)
DO $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) SELECT ccseg_predict(''cat'', s) IS NOT NULL FROM shop s WHERE false' LOOP
		RAISE NOTICE '%', regexp_replace(line, '''\{"format".*?\}''::ccseg_model', '<model>', 'g');
	END LOOP;
END
$$;
SELECT count(*) AS planned_differs FROM shop s JOIN labels l USING (id)
WHERE ccseg_predict('cat', s) IS DISTINCT FROM l.seg;
-- the row form (not planned: the row is built) and the model value
SELECT count(*) AS row_form_differs FROM shop s JOIN labels l USING (id)
WHERE ccseg_predict('cat', ROW(s.id, s.spend, s.visits, s.channel, s.region, s.paid, s.note)::shop)
	  IS DISTINCT FROM l.seg;
-- the float8[] forms take the encoded vector, in the order of the features
SELECT count(*) AS vector_differs FROM shop s JOIN labels l USING (id)
WHERE ccseg_predict(ccseg_get_model('cat'),
		ARRAY[s.spend, s.visits,
			  (s.region = 'East')::int, (s.region = 'north')::int, (s.region = 'south')::int,
			  (s.region = 'éast')::int, (s.channel = 1)::int, (s.channel = 2)::int,
			  coalesce((NOT s.paid)::int, 0), coalesce(s.paid::int, 0), (s.paid IS NULL)::int]::float8[])
	  IS DISTINCT FROM l.seg;
SELECT ccseg_predict('cat', ARRAY[1.0]);

-- an unknown category, and NULL where NULL was no category, give every
-- indicator of the column 0: the distances are those of the zero vector
CREATE TEMP TABLE probe (id integer, spend float8, visits integer, channel integer,
						 region text, paid boolean, note text);
INSERT INTO probe VALUES (1, 600, 6, 3, 'west', true, 'x'), (2, 600, 6, NULL, NULL, NULL, 'x');
SELECT p.id, ccseg_distances('cat', p) = ccseg_distances(ccseg_get_model('cat'),
		ARRAY[600, 6, 0, 0, 0, 0, 0, 0, 0, 1, 0]::float8[]) AS unknown_as_zeros
FROM probe p WHERE p.id = 1;
SELECT p.id, ccseg_distances('cat', p) = ccseg_distances(ccseg_get_model('cat'),
		ARRAY[600, 6, 0, 0, 0, 0, 0, 0, 0, 0, 1]::float8[]) AS null_category
FROM probe p WHERE p.id = 2;
-- a categorical column of another type is read by its text form: 2 as text is '2'
CREATE TEMP TABLE probe_text (spend float8, visits integer, channel text, region text, paid text);
INSERT INTO probe_text VALUES (600, 6, '2', 'north', 't');
SELECT ccseg_predict('cat', p) = ccseg_predict(ccseg_get_model('cat'),
		ARRAY[600, 6, 0, 1, 0, 0, 0, 1, 0, 1, 0]::float8[]) AS by_text_form
FROM probe_text p;
-- a row without a categorical column
SELECT ccseg_predict('cat', ROW(1.0::float8, 2)::record);
SELECT ccseg_predict('cat', p) FROM (SELECT spend, visits, channel, paid FROM shop LIMIT 1) p;

-- what reads the source by the model's features
SELECT segment, feature, rows, round(mean::numeric, 3) AS mean FROM ccseg_profile('cat')
WHERE feature IN ('channel=2', 'paid IS NULL') ORDER BY segment, feature;
SELECT segment IS NULL AS overall, rows FROM ccseg_silhouette('cat') ORDER BY segment NULLS FIRST;
SELECT segment, name, description FROM ccseg_segments('cat');
SELECT rank, feature FROM ccseg_explain('cat', (SELECT s FROM shop s WHERE id = 3), top => 2);
SELECT ccseg_anomaly_score('cat', s) > 0 AS anomaly, cardinality(ccseg_project('cat', s)) AS axes
FROM shop s WHERE id = 3;
SELECT position('The 9 category indicators are left out' IN ccseg_report('cat')) > 0 AS report_notes_indicators;

-- retraining reuses the columns and categories; a new value becomes a category
INSERT INTO shop VALUES (301, 120, 21, 3, 'west', true, 'x');
SELECT version, rows FROM ccseg_retrain('cat');
SELECT category FROM ccseg_model_summary(ccseg_get_model('cat'));
SELECT ccseg_predict('cat', s) IS NOT NULL AS scored FROM shop s WHERE id = 301;

-- the elbow with categorical columns, and ccseg_build_model
SELECT k, inertia > 0 AS inertia FROM ccseg_elbow('shop', 2, 4, id_column => 'id',
	features => ARRAY['spend'], categorical => ARRAY['channel']) ORDER BY k;
SELECT (ccseg_model_summary(ccseg_build_model('shop', 2, features => ARRAY['spend'],
	categorical => ARRAY['note']))).features;
-- only categorical columns
SELECT (ccseg_model_summary(ccseg_build_model('shop', 2, features => ARRAY['channel'],
	categorical => ARRAY['channel']))).features;

-- transforms of the numeric features, weights of each column
SELECT k FROM ccseg_train('catw', 'shop', k => 2, id_column => 'id', features => ARRAY['spend'],
	categorical => ARRAY['channel'], transform => ARRAY['log1p'], weights => ARRAY[1, 0.5]);
SELECT features, transform, weights FROM ccseg_model_summary(ccseg_get_model('catw'));
SELECT parameters -> 'weights' AS stored_weights FROM ccseg_model_versions WHERE model_name = 'catw';
-- a weighted indicator's centroid is still a share
SELECT bool_and(value BETWEEN 0 AND 1) AS shares FROM ccseg_centroids('catw') WHERE feature LIKE 'channel=%';

-- errors
SELECT ccseg_train('e', 'shop', 2, categorical => ARRAY[]::text[]);
SELECT ccseg_train('e', 'shop', 2, categorical => ARRAY['regoin']);
SELECT ccseg_train('e', 'shop', 2, categorical => ARRAY['region', NULL]);
SELECT ccseg_train('e', 'shop', 2, categorical => ARRAY['region', 'region']);
SELECT ccseg_train('e', 'shop', 2, id_column => 'id', categorical => ARRAY['id']);
SELECT ccseg_train('e', 'shop', 2, categorical => ARRAY[['region']]);
SELECT ccseg_train('e', 'shop', 2, features => ARRAY['spend'], categorical => ARRAY['region'],
	transform => ARRAY['region:log1p']);
SELECT ccseg_train('e', 'shop', 2, features => ARRAY['spend'], categorical => ARRAY['region'],
	weights => ARRAY[1, 1, 1, 1, 1]);
-- a text column as a numeric feature: the hint names categorical
SELECT ccseg_train('e', 'shop', 2, features => ARRAY['spend', 'region']);
-- more than 100 categories
SELECT ccseg_train('e', 'shop', 2, features => ARRAY['spend'], categorical => ARRAY['id']);
-- 100 values and NULL are 101 categories
CREATE TABLE many AS SELECT g, CASE WHEN g <= 100 THEN g END AS code FROM generate_series(1, 101) g;
SELECT ccseg_build_model('many', 2, features => ARRAY['g'], categorical => ARRAY['code']);
SELECT (ccseg_model_summary(ccseg_build_model('many', 2, features => ARRAY['g'],
	categorical => ARRAY['code']))).k FROM (SELECT 1) x WHERE false;
DELETE FROM many WHERE g = 101;
SELECT cardinality((ccseg_model_summary(ccseg_build_model('many', 2, features => ARRAY['g'],
	categorical => ARRAY['code']))).features) AS hundred_and_one;
-- a value longer than 200 bytes
CREATE TABLE longv AS SELECT g, repeat('v', 199 + g) AS v FROM generate_series(1, 3) g;
SELECT ccseg_build_model('longv', 2, features => ARRAY['g'], categorical => ARRAY['v']);
-- training on a sample refuses categorical columns
SET ccseg.max_train_memory = 64;
CREATE TABLE big AS SELECT g::float8 AS a, g % 3 AS c FROM generate_series(1, 3000) g;
SELECT ccseg_build_model('big', 2, features => ARRAY['a'], categorical => ARRAY['c']);
RESET ccseg.max_train_memory;
-- stored parameters are checked
SELECT _ccseg_check_parameters('{"categorical": [1]}');
SELECT _ccseg_check_parameters('{"categorical": "region"}');
-- a model value with an indicator that is centered is refused
SELECT regexp_replace(ccseg_get_model('catw')::text, '("scale_center": \[[^,]*), 0', '\1, 0.5')::ccseg_model;
SELECT replace(ccseg_get_model('cat')::text, '"category": [null, null, "East"', '"category": [null, null, "north"')::ccseg_model;

SELECT ccseg_drop_model(m) FROM unnest(ARRAY['auto', 'cat', 'catw']) m;
DROP TABLE shop, labels, many, longv, big;
