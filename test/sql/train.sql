-- Training on small, hand-made data: catalog rows, versions, the model
-- value's forms, determinism and dropping.
SET extra_float_digits = 0;

CREATE TABLE blobs (id int PRIMARY KEY, x float8, y float8, label text);
-- three well separated groups of four points
INSERT INTO blobs VALUES
	(1, 0.0, 0.0, 'a'), (2, 0.1, 0.0, 'a'), (3, 0.0, 0.1, 'a'), (4, 0.1, 0.1, 'a'),
	(5, 10.0, 10.0, 'b'), (6, 10.1, 10.0, 'b'), (7, 10.0, 10.1, 'b'), (8, 10.1, 10.1, 'b'),
	(9, 0.0, 20.0, 'c'), (10, 0.1, 20.0, 'c'), (11, 0.0, 20.1, 'c'),
	(12, 0.1, 20.1, 'c'), (13, 0.05, 20.05, 'c');

-- features default to every numeric column except the id column
SELECT model, version, k, rows, iterations, round(inertia::numeric, 6) AS inertia
FROM ccseg_train('blobs3', 'blobs', 3, id_column => 'id', scale => 'none', seed => 7);

-- segments are numbered 1..k by decreasing size; each group is one segment
SELECT label, array_agg(DISTINCT ccseg_predict('blobs3', b)) AS segments, count(*)
FROM blobs b GROUP BY label ORDER BY label;

SELECT model, version, k, features, rows, impute, scale, source, owner = current_user AS mine
FROM ccseg_models;

SELECT segment, feature, round(value::numeric, 4) AS value, round(scaled_value::numeric, 4) AS scaled
FROM ccseg_centroids('blobs3');

-- the catalog keeps sizes, preprocessing and both kinds of centroids
SELECT version, sizes, impute_values, scale_center, scale_scale,
	   array_dims(centroids) AS dims, centroids = centroids_original AS same_when_unscaled
FROM ccseg_model_versions WHERE model_name = 'blobs3';

-- retraining adds a version; the view shows the latest
SELECT version, k FROM ccseg_train('blobs3', 'blobs', 2, features => ARRAY['y'], seed => 7);
SELECT model, version, k, features FROM ccseg_models WHERE model = 'blobs3';
SELECT model_name, version, k FROM ccseg_model_versions ORDER BY version;

-- predict follows the new version at once
SELECT ccseg_predict('blobs3', b) AS segment, count(*) FROM blobs b GROUP BY 1 ORDER BY 1;

-- same seed and data: the same model, bit for bit
SELECT a.m::text = b.m::text AS identical
FROM (SELECT ccseg_build_model('blobs', 3, id_column => 'id', seed => 11) AS m) a,
	 (SELECT ccseg_build_model('blobs', 3, id_column => 'id', seed => 11) AS m) b;

-- standard scaling uses the population standard deviation
SELECT round(s.scale_center[1]::numeric, 10) AS mean_x,
	   round(s.scale_scale[1]::numeric, 10) AS std_x,
	   round(stddev_pop(x)::numeric, 10) AS stddev_pop_x
FROM ccseg_model_summary(ccseg_build_model('blobs', 3, features => ARRAY['x'])) s,
	 blobs GROUP BY 1, 2;

-- other scalers and random initialization
SELECT s.scale, s.scale_center, s.scale_scale
FROM ccseg_model_summary(ccseg_build_model('blobs', 3, id_column => 'id', scale => 'minmax')) s;
SELECT s.scale, s.scale_center, s.scale_scale
FROM ccseg_model_summary(ccseg_build_model('blobs', 3, id_column => 'id', scale => 'robust')) s;
SELECT (ccseg_model_summary(ccseg_build_model('blobs', 3, id_column => 'id', init => 'random', seed => 3))).sizes;

-- given initial centroids (original units) give one run from that start
SELECT (s).sizes, round((s).inertia::numeric, 6) AS inertia
FROM (SELECT ccseg_model_summary(ccseg_build_model('blobs', 3, id_column => 'id',
		scale => 'none', init_centroids => '{{0,0},{10,10},{0,20}}')) AS s) q;

-- verbose reports each restart
SELECT k FROM ccseg_train('verbose_demo', 'blobs', 2, id_column => 'id', n_init => 2, verbose => true);

-- a zero-variance feature gets scale 1 and a notice
CREATE TABLE flat (a float8, b float8);
INSERT INTO flat SELECT g, 5 FROM generate_series(1, 10) g;
SELECT (ccseg_model_summary(ccseg_build_model('flat', 2))).scale_scale;

-- the text form is JSON and reads back to the same value
SELECT (m::text)::json ->> 'impute' AS impute, json_array_length((m::text)::json -> 'features') AS d,
	   (m::text)::ccseg_model::text = m::text AS round_trip
FROM (SELECT ccseg_get_model('blobs3') AS m) q;
SELECT ccseg_get_model('blobs3', 1)::text = (SELECT model::text FROM ccseg_model_versions WHERE model_name = 'blobs3' AND version = 1) AS v1;

-- the binary form round-trips too (COPY BINARY through the client)
CREATE TEMP TABLE model_copy (m ccseg_model);
INSERT INTO model_copy SELECT model FROM ccseg_model_versions WHERE model_name = 'blobs3';
\getenv abs_builddir PG_ABS_BUILDDIR
\set binfile :abs_builddir '/results/model_copy.bin'
COPY model_copy TO STDOUT WITH (FORMAT binary) \g :binfile
CREATE TEMP TABLE model_back (m ccseg_model);
\cd :abs_builddir/results
\copy model_back FROM 'model_copy.bin' WITH (FORMAT binary)
SELECT count(*) AS models, bool_and(b.m::text = c.m::text) AS identical
FROM model_back b JOIN model_copy c ON b.m::text = c.m::text;

-- dropping removes every version
SELECT ccseg_drop_model('blobs3');
SELECT ccseg_drop_model('verbose_demo');
SELECT count(*) FROM ccseg_model_versions;
