-- Model values of format 1, the format of releases up to 0.4.0, read by
-- this build: the text forms below are what 0.4.0 wrote (pg_dump keeps
-- models in this form), with the predictions 0.4.0 made with them.
CREATE TABLE oldpts AS
SELECT i AS id, (i % 3) * 10 + (i % 7) * 0.5 AS x, (i % 3) * -4 + (i % 5) * 0.25 AS y,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 4) * 1.5 END AS z
FROM generate_series(1, 60) i;

CREATE TABLE old_models (name text PRIMARY KEY, txt text, predictions int[]);
-- k = 3, median imputation, standard scaling, aligned to a version before
INSERT INTO old_models VALUES ('aligned', $m${"format": 1, "k": 3, "features": ["x", "y", "z"], "impute": "median", "impute_values": [11.5, -3.5, 1.5], "scale": "standard", "scale_center": [11.483333333333333, -3.5, 2.15], "scale_scale": [8.162396842975856, 3.2850672240711707, 1.6054594358002323], "centroids": [[-0.6683766619666782, 0.6849174907329854, 0.9965994557828795], [1.2179837439810295, -1.2176310946364184, 0.015571866496607575], [-0.5604043165554716, 0.5465503208879379, -0.8295557970010897]], "sizes": [18, 20, 22], "sse": [17.239228451420654, 18.7994685689127, 21.650831559538577], "inertia": 57.68952857987193, "iterations": 9, "rows": 60, "silhouette": 0.4490226738434486, "silhouette_rows": 60, "segment_silhouette": [0.4005235026056464, 0.5579138700842806, 0.3897118173645303], "calinski_harabasz": 60.424283596761335, "davies_bouldin": 0.9427165033219534, "changed_share": 0.35, "segment_drift": [0.883819708830887, 1.18427120227674, 0.9440885886941888], "feature_mean": [11.483333333333333, -3.5, 2.15], "feature_std": [8.162396842975856, 3.2850672240711707, 1.6054594358002323], "pca_ratio": [0.6630447233590244, 0.33281891695816335, 0.004136359682812215], "pca_components": [[-0.7065393107844317, 0.7065713789843884, 0.039485297470835234], [0.02873374881850931, -0.027106894306889454, 0.9992194893815219], [0.7070902163055964, 0.7071224099695432, -0.0011503581049890537]]}$m$,
	'{3,2,1,3,2,1,1,2,3,1,2,3,3,2,1,3,2,1,1,2,3,3,2,3,3,2,1,3,2,1,1,2,3,1,2,3,3,2,1,3,2,1,1,2,3,1,2,3,3,2,1,3,2,1,3,2,3,1,2,3}');
-- k = 2, rows with a missing value dropped, min-max scaling, not aligned
INSERT INTO old_models VALUES ('dropping', $m${"format": 1, "k": 2, "features": ["x", "y", "z"], "impute": "drop", "impute_values": [null, null, null], "scale": "minmax", "scale_center": [0, -8, 0], "scale_scale": [23, 9, 4.5], "centroids": [[0.27555816686251466, 0.728978978978979, 0.4864864864864865], [0.931159420289855, 0.05401234567901234, 0.5]], "sizes": [37, 18], "sse": [8.863701051397964, 2.3390038436006546], "inertia": 11.202704894998616, "iterations": 3, "rows": 55, "silhouette": 0.4392723944177418, "silhouette_rows": 55, "segment_silhouette": [0.3661722241239808, 0.5895338555771397], "calinski_harabasz": 50.73295313394937, "davies_bouldin": 0.8468057635322743, "changed_share": null, "segment_drift": [null, null], "feature_mean": [11.272727272727273, -3.4272727272727272, 2.209090909090909], "feature_std": [8.212970994833933, 3.2989918319750378, 1.6643068693518934], "pca_ratio": [0.6529333359816886, 0.34285992062853615, 0.004206743389775324], "pca_components": [[-0.6973581867781282, 0.7161429054967295, 0.02882530555299757], [0.02174819212468033, -0.019056213989940413, 0.9995818509995456], [0.7163927522475568, 0.6976934854325875, -0.002285806662588817]]}$m$,
	'{1,2,1,1,2,1,1,2,1,1,NULL,1,1,2,1,1,2,1,1,2,1,NULL,2,1,1,2,1,1,2,1,1,2,NULL,1,2,1,1,2,1,1,2,1,1,NULL,1,1,2,1,1,2,1,1,2,1,NULL,2,1,1,2,1}');

-- each reads back to the same model: written again, only the format
-- number differs, and the new text reads back to the same value
SELECT name, txt::ccseg_model::text = replace(txt, '{"format": 1,', '{"format": 2,') AS same_but_format,
	   txt::ccseg_model::text::jsonb ->> 'format' AS format,
	   txt::ccseg_model::text::ccseg_model::text = txt::ccseg_model::text AS stable
FROM old_models ORDER BY name;

-- every field, as 0.4.0 showed it
SELECT * FROM ccseg_model_summary((SELECT txt FROM old_models WHERE name = 'aligned')::ccseg_model) \gx
SELECT k, impute, impute_values, scale, scale_center, centroids_original, sizes,
	   changed_share, segment_drift
FROM ccseg_model_summary((SELECT txt FROM old_models WHERE name = 'dropping')::ccseg_model) \gx

-- the same segments as 0.4.0 gave the same rows
SELECT m.name, array_agg(ccseg_predict(m.txt::ccseg_model, ARRAY[p.x, p.y, p.z]::float8[]) ORDER BY p.id)
		IS NOT DISTINCT FROM m.predictions AS same_predictions
FROM old_models m CROSS JOIN oldpts p GROUP BY m.name, m.predictions ORDER BY m.name;

-- each centroid, in original units, lies in its own segment
SELECT i AS centroid,
	   ccseg_predict(m, ARRAY(SELECT unnest(s.centroids_original[i:i][:]))) AS segment
FROM (SELECT txt::ccseg_model AS m FROM old_models WHERE name = 'aligned') o,
	 ccseg_model_summary(o.m) s, generate_series(1, s.k) i
ORDER BY i;

-- a text of format 1 without the alignment fields (as 0.1.0 wrote them)
-- reads with no alignment
SELECT s.changed_share, s.segment_drift, s.inertia
FROM old_models m,
	 ccseg_model_summary(((m.txt::jsonb - 'changed_share' - 'segment_drift')::text)::ccseg_model) s
WHERE m.name = 'aligned';

-- formats this build does not know are refused
SELECT jsonb_set(txt::jsonb, '{format}', '0')::text::ccseg_model FROM old_models WHERE name = 'aligned';
SELECT jsonb_set(txt::jsonb, '{format}', '3')::text::ccseg_model FROM old_models WHERE name = 'aligned';
-- optional fields are the only ones a value may lack
SELECT (txt::jsonb - 'feature_std')::text::ccseg_model FROM old_models WHERE name = 'aligned';
