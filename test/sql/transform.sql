-- Per-feature transforms (transform => text[]): log1p and clip fitted at
-- training, stored in the model, applied by every scoring function and
-- undone for the centroids in original units; feature weights
-- (weights => float8[]) multiplying the scaled features.
SET extra_float_digits = 0;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- skewed spending, a share between 0 and 1 and a signed column
CREATE TABLE spend AS
SELECT g AS id,
	   round((exp((g % 23) / 3.0) - 1)::numeric, 2)::float8 AS amount,
	   ((g * 7) % 10) / 10.0 AS share,
	   (g % 5) - 2.0 AS delta
FROM generate_series(1, 200) g;

-- log1p on every feature but delta, clip on delta
SELECT k, rows FROM ccseg_train('tr', 'spend', k => 3, id_column => 'id',
	transform => ARRAY['log1p', 'delta:clip(0.1,0.9)']);
SELECT parameters -> 'transform' AS stored FROM ccseg_model_versions WHERE model_name = 'tr';
-- the stored transforms, clip bounds (the 10th and 90th percentiles of
-- delta) and means of the transformed columns
SELECT transform, transform_a, transform_b,
	   abs(transform_mean[1] - (SELECT avg(ln(1 + amount)) FROM spend)) < 1e-12 AS mean_of_logs
FROM ccseg_model_summary(ccseg_get_model('tr'));
SELECT percentile_cont(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY delta) AS delta_quantiles FROM spend;
SELECT ccseg_get_model('tr')::text::jsonb -> 'transform' AS in_json;
-- the text form reads back to the same value
SELECT ccseg_get_model('tr')::text::ccseg_model::text = ccseg_get_model('tr')::text AS text_round_trip;
-- the scaler was fitted on log1p(amount): its center is the mean of the logs
SELECT abs(s.scale_center[1] - (SELECT avg(ln(1 + amount)) FROM spend)) < 1e-12 AS log_center
FROM ccseg_model_summary(ccseg_get_model('tr')) s;
-- centroids in original units are expm1 of the unscaled log centroid
SELECT bool_and(abs(c.value - (exp(c.scaled_value * s.scale_scale[f.j] + s.scale_center[f.j]) - 1))
				<= 1e-9 * greatest(1, abs(c.value))) AS inverse_log
FROM ccseg_centroids('tr') c
JOIN unnest(ARRAY['amount', 'share']) WITH ORDINALITY f(name, j) ON f.name = c.feature,
	 ccseg_model_summary(ccseg_get_model('tr')) s;
-- every scoring path agrees with the labels of training
SELECT count(*) FILTER (WHERE ccseg_predict('tr', t) IS NULL) AS unscored,
	   count(DISTINCT ccseg_predict('tr', t)) AS segments,
	   sum((ccseg_predict('tr', t) = ccseg_predict(ccseg_get_model('tr'), ARRAY[amount, share, delta]))::int) AS same_by_value
FROM spend t;
SELECT array_agg(n ORDER BY s) = (SELECT sizes FROM ccseg_model_summary(ccseg_get_model('tr'))) AS sizes_match
FROM (SELECT ccseg_predict('tr', t) AS s, count(*) AS n FROM spend t GROUP BY 1) q;
-- distances are in the transformed, scaled space: the nearest is the label
SELECT bool_and(d.i = ccseg_predict('tr', t)) AS nearest
FROM spend t, LATERAL (SELECT i FROM unnest(ccseg_distances('tr', t)) WITH ORDINALITY u(v, i)
					   ORDER BY v LIMIT 1) d;
-- scoring by columns, by value, anomaly score and projection take raw values too
SELECT bool_and(_ccseg_predict_columns('tr', ARRAY['amount', 'share', 'delta'], amount, share, delta)
				= ccseg_predict('tr', t)) AS by_columns,
	   bool_and(ccseg_anomaly_score('tr', t) IS NOT NULL) AS anomaly_scored,
	   bool_and(ccseg_project('tr', t) IS NOT NULL) AS projected
FROM spend t;
-- the Lloyd pass aggregate transforms the rows it reads
SELECT length(_ccseg_lloyd_pass(ccseg_get_model('tr'), ARRAY[amount, share, delta])) > 0 AS lloyd_pass
FROM spend;
SELECT _ccseg_lloyd_pass(ccseg_get_model('tr'), ARRAY[-2.0, 0.5, 0.0]::float8[]);
-- explain reports the row's value in original units
SELECT feature, value FROM ccseg_explain('tr', (SELECT t FROM spend t WHERE id = 22)) ORDER BY feature;
-- a value past the clip bounds scores as the bound
SELECT ccseg_predict('tr', ROW(0, 10.0, 0.5, 100.0)::spend) =
	   ccseg_predict('tr', ROW(0, 10.0, 0.5, 2.0)::spend) AS clipped;
-- retraining reuses the transforms
SELECT (ccseg_retrain('tr')).k;
SELECT parameters -> 'transform' AS retrained FROM ccseg_model_versions WHERE model_name = 'tr' AND version = 2;
-- the elbow takes them too
SELECT count(*) AS ks FROM ccseg_elbow('spend', 2, 3, id_column => 'id', transform => ARRAY['log1p', 'delta:none']);
-- a model without transforms stores no transform fields
SELECT ccseg_build_model('spend', 2, id_column => 'id')::text LIKE '%transform%' AS has_transform;

-- errors
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['log1p']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['log']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['clip(0.9,0.1)']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['clip(0.1']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['amout:log1p']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['log1p', 'clip']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['amount:log1p', 'amount:clip']);
SELECT ccseg_train('tr_bad', 'spend', k => 2, id_column => 'id', transform => ARRAY['amount:log1p', NULL]);
-- a value of -1 or less at scoring
SELECT ccseg_predict('tr', ROW(0, -1.0, 0.5, 0.0)::spend);
SELECT ccseg_distances('tr', ROW(0, 1.0, -3.0, 0.0)::spend);
-- a stored "transform" must be an array of strings
SELECT _ccseg_check_parameters('{"transform": "log1p"}');
SELECT _ccseg_check_parameters('{"transform": ["log1p", 1]}');
SELECT ccseg_drop_model('tr');

-- weights: share counts three times, delta a tenth
SELECT k FROM ccseg_train('tw', 'spend', k => 3, id_column => 'id',
	transform => ARRAY['amount:log1p'], weights => ARRAY[1, 3, 0.1]);
SELECT parameters -> 'weights' AS stored FROM ccseg_model_versions WHERE model_name = 'tw';
SELECT weights FROM ccseg_model_summary(ccseg_get_model('tw'));
-- the scaled centroids are weighted; in original units the weight is undone
SELECT bool_and(abs(c.value - (c.scaled_value / w.w * s.scale_scale[w.j] + s.scale_center[w.j]))
				<= 1e-9 * greatest(1, abs(c.value))) AS unweighted
FROM ccseg_centroids('tw') c
JOIN (VALUES ('share', 3.0::float8, 2), ('delta', 0.1::float8, 3)) w(name, w, j) ON w.name = c.feature,
	 ccseg_model_summary(ccseg_get_model('tw')) s;
-- scoring weights the row: the nearest centroid in the weighted space
SELECT count(*) FILTER (WHERE ccseg_predict('tw', t) IS NULL) AS unscored,
	   sum((ccseg_predict('tw', t) = _ccseg_predict_columns('tw', ARRAY['amount', 'share', 'delta'], amount, share, delta))::int) AS same_by_columns
FROM spend t;
SELECT array_agg(n ORDER BY s) = (SELECT sizes FROM ccseg_model_summary(ccseg_get_model('tw'))) AS sizes_match
FROM (SELECT ccseg_predict('tw', t) AS s, count(*) AS n FROM spend t GROUP BY 1) q;
-- weights change the segments; weights of 1 change nothing, bit for bit
SELECT ccseg_build_model('spend', 3, id_column => 'id', weights => ARRAY[1, 3, 0.1])::text
	   <> ccseg_build_model('spend', 3, id_column => 'id')::text AS weighted_differs,
	   ccseg_build_model('spend', 3, id_column => 'id', weights => ARRAY[1, 1, 1])::text
	   = ccseg_build_model('spend', 3, id_column => 'id')::text AS ones_same;
SELECT (ccseg_retrain('tw')).k;
SELECT parameters -> 'weights' AS retrained FROM ccseg_model_versions WHERE model_name = 'tw' AND version = 2;
SELECT count(*) AS ks FROM ccseg_elbow('spend', 2, 3, id_column => 'id', weights => ARRAY[1, 3, 0.1]);
-- errors
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, 2]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, 0, 1]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, -2, 1]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, 'NaN', 1]::float8[]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, 'Infinity', 1]::float8[]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[1, NULL, 1]);
SELECT ccseg_train('tw_bad', 'spend', k => 2, id_column => 'id', weights => ARRAY[[1, 2, 3]]);
SELECT _ccseg_check_parameters('{"weights": [1, 0]}');
SELECT _ccseg_check_parameters('{"weights": [1, "2"]}');
SELECT 'accepted' AS weights_ok FROM (SELECT _ccseg_check_parameters('{"weights": [1, 2.5]}')) c;
SELECT ccseg_drop_model('tw');
