-- Understanding segments on the credit-card data: segment descriptions and
-- rules, profiles, explanations, anomaly scores, PCA, projection, report.
SET extra_float_digits = 0;
\set VERBOSITY terse

\getenv abs_srcdir PG_ABS_SRCDIR
\set ddl :abs_srcdir '/../data/cc_general.sql'
CREATE SCHEMA insight;
SET search_path = insight, public;
\i :ddl
\cd :abs_srcdir/../data
\copy cc_general FROM 'cc_general.csv' WITH (FORMAT csv, HEADER true)
SELECT k FROM ccseg_train('cards_i', 'insight.cc_general', 8, id_column => 'cust_id', seed => 42,
	silhouette_sample => 0);

-- every segment gets a label, a sentence and a recommendation; sizes add up
SELECT segment, size, round(share::numeric, 3) AS share, round(radius::numeric, 3) AS radius,
	   label, name FROM ccseg_segments('cards_i');
SELECT sum(size) AS customers, round(sum(share)::numeric, 6) AS shares,
	   bool_and(description LIKE to_char(size, 'FM999,999') || ' customers (%') AS sentence_starts_with_size,
	   bool_and(recommendation <> '') AS recommended
FROM ccseg_segments('cards_i');

-- no two segments of a model get the same name: where the rules give one
-- name twice, the segment whose matching feature is the most distinctive
-- keeps it and the other adds its next trait (k = 8 above; also k = 6)
SELECT k FROM ccseg_train('cards_6', 'insight.cc_general', 6, id_column => 'cust_id', seed => 42,
	silhouette_sample => 0);
SELECT segment, size, label, name, rule FROM ccseg_segments('cards_6');
SELECT ccseg_drop_model('cards_6');

-- rules are data: a new rule with a smaller priority takes over
INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation)
VALUES ('tenure first', 'tenure', 'low', 0.5, 1, 'Fresh cards', 'Send the welcome pack.');
SELECT segment, name, recommendation FROM ccseg_segments('cards_i') WHERE name = 'Fresh cards';
DELETE FROM ccseg_rules WHERE rule = 'tenure first';
-- a segment no rule matches is named by its label and gets a recommendation
-- built on its own traits
BEGIN;
DELETE FROM ccseg_rules;
SELECT segment, name = label AS name_is_label, rule, recommendation FROM ccseg_segments('cards_i');
ROLLBACK;

-- profile means equal a GROUP BY over the predicted segments
CREATE TEMP TABLE labelled AS
	SELECT c.*, ccseg_predict('cards_i', c) AS seg FROM cc_general c;
SELECT count(*) AS cells,
	   bool_and(abs(p.mean - g.avg_balance) <= 1e-9 * greatest(1, abs(g.avg_balance))) AS balance_means,
	   bool_and(p.rows = g.n) AS rows_match
FROM ccseg_profile('cards_i') p
JOIN (SELECT seg, avg(balance) AS avg_balance, count(*) AS n FROM labelled GROUP BY seg) g
  ON g.seg = p.segment WHERE p.feature = 'balance';
SELECT bool_and(abs(p.mean - g.m) <= 1e-9 * greatest(1, abs(g.m))) AS all_means,
	   bool_and(abs(p.median - g.med) <= 1e-9 * greatest(1, abs(g.med))) AS all_medians,
	   count(*) AS cells
FROM ccseg_profile('cards_i') p
JOIN (SELECT seg, 'minimum_payments' AS feature, avg(minimum_payments) AS m,
			 percentile_cont(0.5) WITHIN GROUP (ORDER BY minimum_payments) AS med FROM labelled GROUP BY seg
	  UNION ALL
	  SELECT seg, 'tenure', avg(tenure), percentile_cont(0.5) WITHIN GROUP (ORDER BY tenure) FROM labelled GROUP BY seg
	  UNION ALL
	  SELECT seg, 'purchases', avg(purchases), percentile_cont(0.5) WITHIN GROUP (ORDER BY purchases) FROM labelled GROUP BY seg) g
  ON g.seg = p.segment AND g.feature = p.feature;
SELECT round(lift::numeric, 3) AS lift, round(z::numeric, 3) AS z
FROM ccseg_profile('cards_i') WHERE segment = 5 AND feature = 'cash_advance';
-- profile today's customers with yesterday's model: any relation with the features
CREATE TEMP TABLE newcomers AS SELECT * FROM cc_general WHERE tenure < 8;
SELECT (sum(rows) / count(DISTINCT feature))::bigint AS customers, (SELECT count(*) FROM newcomers) AS newcomers
FROM ccseg_profile('cards_i', 'newcomers');

-- explain: the top features, with shares of the margin over the runner-up segment
SELECT e."rank", e.feature, round(e.share::numeric, 3) AS share, e.segment, e.versus
FROM cc_general c, ccseg_explain('cards_i', c, 3) e WHERE c.cust_id = 'C10002';
SELECT ccseg_predict('cards_i', c) AS predicted FROM cc_general c WHERE c.cust_id = 'C10002';
-- contributions add up to the difference of squared distances
SELECT round((SELECT sum(contribution) FROM ccseg_explain('cards_i', c, 17))::numeric, 9)
	 = round((d[(SELECT versus FROM ccseg_explain('cards_i', c, 1))] ^ 2 - d[ccseg_predict('cards_i', c)] ^ 2)::numeric, 9) AS adds_up
FROM cc_general c, LATERAL (SELECT ccseg_distances('cards_i', c) AS d) q WHERE c.cust_id = 'C10002';

-- anomaly score: distance over the segment radius; averages about 1
SELECT round(avg(power(ccseg_anomaly_score('cards_i', c), 2))::numeric, 6) AS mean_square_score
FROM cc_general c;
SELECT count(*) FILTER (WHERE ccseg_anomaly_score('cards_i', c) > 3) AS far_out FROM cc_general c;

-- PCA: ratios sum to 1 and decrease; the first three axes have unit loadings
SELECT count(*) AS axes, round(sum(explained_variance_ratio)::numeric, 9) AS total,
	   bool_and(cumulative_ratio <= 1 + 1e-9) AS cumulative_ok
FROM ccseg_pca('cards_i');
SELECT component, round(explained_variance_ratio::numeric, 4) AS ratio,
	   round((SELECT sum(v * v) FROM unnest(loadings) v)::numeric, 9) AS norm
FROM ccseg_pca('cards_i') WHERE component <= 4;
-- projections of the training rows have mean 0, and on the first axis a
-- variance equal to its share of the total (17 standardized features)
SELECT round(avg(p[1])::numeric, 9) AS mean1, round(avg(p[2])::numeric, 9) AS mean2,
	   abs(var_pop(p[1]) / 17 - (SELECT explained_variance_ratio FROM ccseg_pca('cards_i') WHERE component = 1)) < 1e-9 AS variance_matches
FROM (SELECT ccseg_project('cards_i', c) AS p FROM cc_general c) q;

-- the report: one HTML page, inline SVG, no scripts
SELECT length(html) > 50000 AS substantial,
	   html LIKE '<!DOCTYPE html>%' AS doctype,
	   (length(html) - length(replace(html, '<svg', ''))) / 4 AS svg_charts,
	   position('<script' IN html) = 0 AS no_script,
	   position('http' IN html) = 0 AS no_network,
	   html LIKE '%Cash-advance users%' AS names_segments
FROM (SELECT ccseg_report('cards_i') AS html) r;

-- bad input
SELECT * FROM ccseg_explain('cards_i', (SELECT c FROM cc_general c LIMIT 1), 0);
SELECT * FROM ccseg_segments('nope');
SELECT * FROM ccseg_profile('nope');
CREATE TEMP TABLE partial AS SELECT balance, purchases FROM cc_general;
SELECT * FROM ccseg_profile('cards_i', 'partial');
SELECT ccseg_report('cards_i', -1);
SELECT ccseg_report('nope');
SELECT ccseg_anomaly_score('cards_i', r) FROM (SELECT 1 AS balance) r;

SELECT ccseg_drop_model('cards_i');
RESET search_path;
DROP SCHEMA insight CASCADE;
