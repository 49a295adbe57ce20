-- demo.sql: the main job on the credit-card data, run by scripts/demo.sh
-- (psql -X -v ON_ERROR_STOP=1 -f scripts/demo.sql, in a database holding cc_general and ccseg).
--
-- Each section starts with an "== " heading; scripts/test.sh reads the output by those headings.

\echo
\echo '== Train: 8 segments of the credit-card holders (ccseg_train)'
SELECT * FROM ccseg_train('cards', 'cc_general', k => 8, id_column => 'cust_id', seed => 42);

\echo
\echo '== Segment sizes: every customer labelled with the model (ccseg_predict)'
SELECT ccseg_predict('cards', c) AS segment,
       count(*) AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
  FROM cc_general c
 GROUP BY 1
 ORDER BY 1;

\echo
\echo '== Centroids in original units: one row per feature, one column per segment (ccseg_centroids)'
-- ccseg_centroids returns the long form (segment, feature, value, scaled_value) with the features
-- in model order; min(ord) keeps that order after pivoting.
SELECT feature,
       round(max(value) FILTER (WHERE segment = 1)::numeric, 2) AS s1,
       round(max(value) FILTER (WHERE segment = 2)::numeric, 2) AS s2,
       round(max(value) FILTER (WHERE segment = 3)::numeric, 2) AS s3,
       round(max(value) FILTER (WHERE segment = 4)::numeric, 2) AS s4,
       round(max(value) FILTER (WHERE segment = 5)::numeric, 2) AS s5,
       round(max(value) FILTER (WHERE segment = 6)::numeric, 2) AS s6,
       round(max(value) FILTER (WHERE segment = 7)::numeric, 2) AS s7,
       round(max(value) FILTER (WHERE segment = 8)::numeric, 2) AS s8
  FROM ccseg_centroids('cards') WITH ORDINALITY AS c(segment, feature, value, scaled_value, ord)
 GROUP BY feature
 ORDER BY min(ord);

\echo
\echo '== Models in the catalog (ccseg_models)'
SELECT model, version, k, rows, inertia FROM ccseg_models;
