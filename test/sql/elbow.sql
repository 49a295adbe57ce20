-- Choosing k and judging segments: elbow, stored quality measures,
-- silhouette on demand, and the exploratory statistics.
SET extra_float_digits = 0;
\set VERBOSITY terse

-- three clear groups of 30 points each in 2-D
CREATE TABLE groups3 (id int, x float8, y float8);
INSERT INTO groups3
SELECT g, c.cx + (g % 5) * 0.1, c.cy + (g % 3) * 0.1
FROM generate_series(1, 90) g,
	 LATERAL (SELECT (ARRAY[0, 10, 0])[1 + (g - 1) / 30] AS cx,
					 (ARRAY[0, 10, 20])[1 + (g - 1) / 30] AS cy) c;

-- the elbow recommends 3; silhouette is high there and undefined at k = 1
SELECT k, round(inertia::numeric, 3) AS inertia, round(silhouette::numeric, 4) AS silhouette,
	   calinski_harabasz IS NOT NULL AS ch, davies_bouldin IS NOT NULL AS db,
	   iterations >= 1 AS iterated, seconds >= 0 AS timed, recommended
FROM ccseg_elbow('groups3', 1, 6, id_column => 'id', seed => 1);

-- without k, ccseg_train chooses it by the same rule and keeps the curve
SELECT k FROM ccseg_train('auto3', 'groups3', id_column => 'id', seed => 1, k_min => 2, k_max => 6);
SELECT parameters ->> 'k_chosen_by' AS chosen_by, jsonb_array_length(parameters -> 'elbow') AS curve_points,
	   parameters -> 'k' AS k
FROM ccseg_model_versions WHERE model_name = 'auto3';

-- quality measured at training time
SELECT round(inertia::numeric, 3) AS inertia, round(silhouette::numeric, 6) AS silhouette,
	   silhouette_rows, round(calinski_harabasz::numeric, 3) AS ch, round(davies_bouldin::numeric, 6) AS db
FROM ccseg_evaluate('auto3');

-- silhouette recomputed from the source: overall (segment null) and per segment
SELECT segment, round(silhouette::numeric, 6) AS silhouette, rows, sample_rows
FROM ccseg_silhouette('auto3') ORDER BY segment NULLS FIRST;
-- the same as stored at training time
SELECT round(s.silhouette::numeric, 12) = round(e.silhouette::numeric, 12) AS same_as_stored
FROM ccseg_silhouette('auto3') s, ccseg_evaluate('auto3') e WHERE s.segment IS NULL;
-- a sample takes at least 100 rows of each segment (here: all of them)
SELECT segment, rows, sample_rows FROM ccseg_silhouette('auto3', sample_size => 10) ORDER BY segment NULLS FIRST;

-- exploring: describe, correlation, histogram
CREATE TABLE explore (a float8, b int, c numeric, t text);
INSERT INTO explore SELECT g, g * 2, CASE WHEN g % 4 = 0 THEN NULL ELSE 100 - g END, 'x'
FROM generate_series(1, 20) g;
INSERT INTO explore VALUES (1000, 0, NULL, 'outlier');
SELECT feature, count, missing, round(mean::numeric, 4) AS mean, round(std::numeric, 4) AS std,
	   min, p25, median, p75, max, round(skewness::numeric, 4) AS skew, outliers, "position"
FROM ccseg_describe('explore');
-- std is the sample standard deviation, as pandas and stddev_samp
SELECT round(stddev_samp(a)::numeric, 4) AS a_std, round(stddev_samp(c)::numeric, 4) AS c_std FROM explore;
SELECT a, b, round(r::numeric, 6) AS r, pairs FROM ccseg_correlation('explore') ORDER BY a, b;
-- the same as PostgreSQL's corr() on the rows where both are present
SELECT round(corr(a, b)::numeric, 6) AS ab, round(corr(a, c)::numeric, 6) AS ac FROM explore;
SELECT * FROM ccseg_histogram('explore', 'b', 4);
SELECT sum(count) AS total FROM ccseg_histogram('explore', 'a');

-- bad input
SELECT ccseg_elbow('groups3', 5, 3);
SELECT ccseg_elbow('groups3', 0, 3);
SELECT ccseg_elbow('groups3', 2, 91);
SELECT k FROM ccseg_train('one', 'groups3', 1, id_column => 'id');
SELECT * FROM ccseg_silhouette('one');
SELECT * FROM ccseg_silhouette('auto3', sample_size => 1);
SELECT * FROM ccseg_silhouette('nope');
SELECT * FROM ccseg_histogram('explore', 't');
SELECT * FROM ccseg_histogram('explore', 'a', 0);
SELECT * FROM ccseg_histogram('explore', 'zzz');
SELECT * FROM ccseg_describe('explore', ARRAY['t']);
SELECT ccseg_train('m', 'groups3', 3, silhouette_sample => 1);

SELECT ccseg_drop_model('auto3'), ccseg_drop_model('one');
