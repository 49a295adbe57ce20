-- Segment names for data other than the credit cards: default names from
-- the profile, rules matched in any case and limited to a model, names that
-- are never the same twice in a model; small segments flagged at training,
-- in ccseg_segments and in the report; hints for wrong column names and for
-- training without k on a small table.  The tables are made here, with
-- deterministic values: a mall-like table (income and spending score in five
-- groups) and a wholesale-like one (skewed spending, coded categories).
SET extra_float_digits = 0;
CREATE SCHEMA naming;
SET search_path = naming, public;

CREATE TABLE mall AS
SELECT i AS "CustomerID",
	   CASE WHEN i % 3 = 0 THEN 'Male' ELSE 'Female' END AS "Gender",
	   18 + (i * 37) % 52 AS "Age",
	   c.income + (i * 7919) % 21 - 10 AS "Annual Income (k$)",
	   c.score + (i * 104729) % 21 - 10 AS "Spending Score (1-100)"
FROM generate_series(1, 200) AS i
JOIN (VALUES (0, 25, 20), (1, 25, 80), (2, 55, 50), (3, 55, 50), (4, 55, 50), (5, 55, 50),
			 (6, 88, 17), (7, 88, 17), (8, 88, 82), (9, 88, 82)) AS c(g, income, score)
  ON c.g = i % 10;

-- 120 customers of two channels (hotels buy fresh and frozen, shops grocery
-- and detergents), with skewed amounts, and one very large buyer
CREATE TABLE wholesale AS
SELECT i AS id, 1 + i % 2 AS "Channel", 1 + i % 3 AS "Region",
	   round(CASE WHEN i % 2 = 0 THEN 12000 ELSE 4000 END * exp(((i * 7919) % 100) / 100.0))::integer AS "Fresh",
	   round(CASE WHEN i % 2 = 0 THEN 3000 ELSE 9000 END * exp(((i * 104729) % 100) / 100.0))::integer AS "Milk",
	   round(CASE WHEN i % 2 = 0 THEN 3500 ELSE 14000 END * exp(((i * 1299709) % 100) / 100.0))::integer AS "Grocery",
	   round(CASE WHEN i % 2 = 0 THEN 3500 ELSE 1200 END * exp(((i * 15485863) % 100) / 100.0))::integer AS "Frozen",
	   round(CASE WHEN i % 2 = 0 THEN 700 ELSE 6000 END * exp(((i * 32452843) % 100) / 100.0))::integer AS "Detergents_Paper",
	   round(1200 * exp(((i * 49979687) % 100) / 100.0))::integer AS "Delicassen"
FROM generate_series(1::bigint, 120) AS i;
INSERT INTO wholesale VALUES (121, 1, 3, 110000, 75000, 90000, 60000, 40000, 48000);

-- feature names as words: no underscores or camel case, lower case but
-- acronyms, no unit in parentheses at the end
SELECT f AS feature, _ccseg_words(f) AS words
FROM unnest(ARRAY['balance_frequency', 'Detergents_Paper', 'Annual Income (k$)',
				  'Spending Score (1-100)', 'CustomerID', 'RFM_score', 'a__b  c', '(x)', 'x (a) (b)']) AS f;

-- 1. Default names from the profile: the label, for segments no rule matches
SELECT k, rows FROM ccseg_train('mall', 'mall', 5,
	features => ARRAY['Annual Income (k$)', 'Spending Score (1-100)'], id_column => 'CustomerID', seed => 1);
SELECT segment, size, label, name, rule, small FROM ccseg_segments('mall');
-- every segment has a name; the recommendations differ and name the traits
SELECT count(*) AS segments, count(name) AS named, count(DISTINCT name) AS names,
	   count(DISTINCT recommendation) AS recommendations,
	   bool_and(rule IS NULL) AS no_rule
FROM ccseg_segments('mall');
SELECT segment, recommendation FROM ccseg_segments('mall') WHERE segment IN (1, 3);

-- 2. Rules match feature names in any case, and may be limited to a model
INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation, model)
VALUES ('mall careful', 'spending score%', 'low', 0.5, 10, 'Careful spenders',
		'Show them value offers.', 'mall'),
	   ('other model only', 'annual income%', 'high', 0.5, 1, 'Not for the mall',
		'This rule is for another model.', 'some other model');
SELECT segment, label, name, rule FROM ccseg_segments('mall');
-- a rule for every model on the same feature loses to the one for this model,
-- whatever its priority; without the model's rule it applies
INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation)
VALUES ('every model', 'SPENDING SCORE%', 'low', 0.5, 1, 'Low scorers', 'Generic action.');
SELECT segment, name, rule FROM ccseg_segments('mall') WHERE rule IS NOT NULL;
DELETE FROM ccseg_rules WHERE rule = 'mall careful';
SELECT segment, name, rule FROM ccseg_segments('mall') WHERE rule IS NOT NULL;
DELETE FROM ccseg_rules WHERE rule IN ('every model', 'other model only');

-- 3. Two segments never get the same name.  A rule that matches several
-- segments: the one whose matching feature is the most distinctive keeps the
-- name, the others add the next trait that sets them apart
INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation, model)
VALUES ('mall rich', 'annual income%', 'high', 0.5, 10, 'Affluent', 'Offer the premium range.', 'mall');
SELECT segment, label, name, rule FROM ccseg_segments('mall');
-- names are told apart in any case too
UPDATE ccseg_rules SET segment_name = 'average PROFILE', feature_pattern = '%income%', direction = 'low'
WHERE rule = 'mall rich';
SELECT segment, label, name, rule FROM ccseg_segments('mall');
DELETE FROM ccseg_rules WHERE rule = 'mall rich';

-- with one feature, segments on the same side share their label and have no
-- other trait: the segment number tells them apart
CREATE TABLE line AS SELECT i AS id, (i % 4) * 10 + (i % 3) AS x FROM generate_series(1, 40) i;
SELECT k FROM ccseg_train('line', 'line', 4, id_column => 'id', seed => 1);
SELECT segment, size, label, name, rule FROM ccseg_segments('line');
INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation, model)
VALUES ('line high', 'X', 'high', 0.5, 10, 'Heavy', 'More of it.', 'line');
SELECT segment, label, name, rule FROM ccseg_segments('line');
DELETE FROM ccseg_rules WHERE rule = 'line high';

-- 4. Small segments: a NOTICE at training (k given, then chosen by the
-- elbow), a mark in ccseg_segments (small, and the description) and in the
-- report's segments table
SELECT k, rows FROM ccseg_train('wholesale', 'wholesale', 3, id_column => 'id',
	features => ARRAY['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'], seed => 1);
SELECT segment, size, name, small, description FROM ccseg_segments('wholesale');
SELECT ccseg_report('wholesale', sample_rows => 0)
	   LIKE '%1 customer (0.8%): %Small segment (fewer than 10 customers)%' AS report_marks_it;
SELECT k FROM ccseg_train('wholesale_elbow', 'wholesale', id_column => 'id', scale => 'robust',
	features => ARRAY['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'], seed => 1,
	k_max => 6);
SELECT count(*) FILTER (WHERE small) AS small_segments,
	   bool_and(small = (size < 10)) AS small_means_under_10,
	   count(DISTINCT name) = count(*) AS names_unique
FROM ccseg_segments('wholesale_elbow');
-- the setting decides what is small; no NOTICE when no segment is under it
SET ccseg.min_segment_rows = 1;
SELECT k FROM ccseg_train('wholesale', 'wholesale', 3, id_column => 'id',
	features => ARRAY['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'], seed => 1);
SELECT count(*) FILTER (WHERE small) AS small_segments FROM ccseg_segments('wholesale');
SET ccseg.min_segment_rows = 50;
SELECT segment, size, small FROM ccseg_segments('wholesale');
RESET ccseg.min_segment_rows;
-- many small segments: the NOTICE names the first five
SELECT k FROM ccseg_train('line_many', 'line', 8, id_column => 'id', seed => 1);

-- 5. Hints for a column name that does not exist: a name equal but for
-- case first, then the closest names; the columns when none is close
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY['annual income (k$)']);
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY['Age', 'income']);
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY['Agee']);
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY['Age'], id_column => 'customer_id');
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY['zzz']);
SELECT * FROM ccseg_describe('wholesale', ARRAY['Detergents Paper']);
SELECT * FROM ccseg_elbow('wholesale', 2, 3, features => ARRAY['fresh', 'milk']);
-- the id column is not suggested as a feature
SELECT k FROM ccseg_train('x', 'wholesale', 3, features => ARRAY['ID'], id_column => 'id');
-- several close names, nearest first
CREATE TABLE near (id int, spend1 float8, spend2 float8, spend float8, spends float8, other float8);
SELECT k FROM ccseg_train('x', 'near', 2, features => ARRAY['Spend']);
SELECT k FROM ccseg_train('x', 'near', 2, features => ARRAY['spnd']);
-- no close name: the columns, when there are at most ten; else no hint
SELECT k FROM ccseg_train('x', 'wholesale', 3, features => ARRAY['qqqqqqqqqq']);
CREATE TABLE wide AS SELECT g AS c1, g AS c2, g AS c3, g AS c4, g AS c5, g AS c6, g AS c7, g AS c8,
	g AS c9, g AS c10, g AS c11 FROM generate_series(1, 3) g;
SELECT k FROM ccseg_train('x', 'wide', 2, features => ARRAY['qqqqqqqqqq']);
SELECT k FROM ccseg_train('x', 'wide', 2, features => ARRAY['c12']);
-- a very long name: a short message
SELECT k FROM ccseg_train('x', 'mall', 5, features => ARRAY[repeat('Age', 3000)]);

-- 6. Training without k on fewer rows than k_max says to pass k_max
CREATE TABLE few AS SELECT i AS id, i * 1.5 AS x, (i % 3)::float8 AS y FROM generate_series(1, 6) i;
SELECT k FROM ccseg_train('few', 'few', id_column => 'id');
SELECT k FROM ccseg_train('few', 'few', id_column => 'id', k_max => 8);
SELECT k FROM ccseg_train('few', 'few', id_column => 'id', k_min => 7, k_max => 8);
-- with k, or a k_max that fits, training works (and says the segments are small)
\set VERBOSITY terse
SELECT k FROM ccseg_train('few', 'few', id_column => 'id', k_max => 6, seed => 1);
SELECT k FROM ccseg_train('few', 'few', 2, id_column => 'id', seed => 1);
-- other errors of the elbow are not changed
SELECT k FROM ccseg_train('few', 'few', id_column => 'id', k_min => 5, k_max => 4);

SELECT ccseg_drop_model(m) FROM unnest(ARRAY['mall', 'line', 'line_many', 'wholesale', 'wholesale_elbow', 'few']) m;
DROP SCHEMA naming CASCADE;
