-- The credit-card data set (8,950 holders, 17 behaviour columns with
-- missing values): training, the catalog and scoring on real data.
SET extra_float_digits = 0;

\getenv abs_srcdir PG_ABS_SRCDIR
\set csv :abs_srcdir '/../data/cc_general.csv'
\set ddl :abs_srcdir '/../data/cc_general.sql'
\i :ddl
\cd :abs_srcdir/../data
\copy cc_general FROM 'cc_general.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS holders, count(*) - count(credit_limit) AS no_limit,
	   count(*) - count(minimum_payments) AS no_min_payments
FROM cc_general;

SELECT model, version, k, rows, iterations > 1 AS iterated
FROM ccseg_train('cards', 'cc_general', k => 8, id_column => 'cust_id', seed => 42);

-- scikit-learn 1.2 (median imputation, standard scaling, n_init = 10,
-- random_state = 42) reaches inertia 74598.41 at k = 8; ccseg must not be worse
SELECT inertia <= 74598.41 * 1.001 AS no_worse_than_sklearn FROM ccseg_models WHERE model = 'cards';

-- 17 features, the id left out; medians imputed for the two incomplete columns
SELECT array_length(features, 1) AS d, 'cust_id' <> ALL (features) AS id_left_out FROM ccseg_models;
SELECT f.name, round(v.impute_values[f.j]::numeric, 6) AS median
FROM ccseg_model_versions v, unnest(v.features) WITH ORDINALITY f(name, j)
WHERE v.model_name = 'cards' AND f.name IN ('credit_limit', 'minimum_payments');
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY credit_limit) AS credit_limit_median,
	   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY minimum_payments)::numeric, 6) AS minimum_payments_median
FROM cc_general;

-- stored sizes equal the labels predict gives to the training rows
SELECT bool_and(p.n = v.sizes[p.segment]) AS sizes_match, sum(p.n) AS total
FROM (SELECT ccseg_predict('cards', c) AS segment, count(*) AS n FROM cc_general c GROUP BY 1) p,
	 ccseg_model_versions v WHERE v.model_name = 'cards';

-- segments are numbered by decreasing size
SELECT bool_and(sizes[i] >= sizes[i + 1]) AS ordered
FROM ccseg_model_versions, generate_series(1, 7) i WHERE model_name = 'cards';

-- the record form and the array form agree on every row
SELECT count(*) FILTER (WHERE ccseg_predict('cards', c) IS DISTINCT FROM ccseg_predict('cards', ARRAY[
	balance, balance_frequency, purchases, oneoff_purchases, installments_purchases,
	cash_advance, purchases_frequency, oneoff_purchases_frequency,
	purchases_installments_frequency, cash_advance_frequency, cash_advance_trx,
	purchases_trx, credit_limit, payments, minimum_payments, prc_full_payment, tenure]::float8[]))
	AS disagreements
FROM cc_general c;

-- centroids in original units are the scaled ones mapped back
SELECT count(*) AS cells,
	   bool_and(abs(c.value - (c.scaled_value * v.scale_scale[f.j] + v.scale_center[f.j])) <= 1e-9 * greatest(1, abs(c.value))) AS consistent
FROM ccseg_centroids('cards') c
JOIN ccseg_model_versions v ON v.model_name = 'cards'
JOIN LATERAL unnest(v.features) WITH ORDINALITY f(name, j) ON f.name = c.feature;

-- the sum of squared distances to the assigned centroid is the inertia
SELECT abs(sum(power(d[ccseg_predict('cards', c)], 2)) - (SELECT inertia FROM ccseg_models WHERE model = 'cards'))
	< 1e-6 * (SELECT inertia FROM ccseg_models WHERE model = 'cards') AS inertia_consistent
FROM cc_general c, LATERAL (SELECT ccseg_distances('cards', c) AS d) q;

-- a view of the holders with their segment
CREATE VIEW customer_segments AS
	SELECT c.cust_id, ccseg_predict('cards', c) AS segment FROM cc_general c;
SELECT count(*), count(DISTINCT segment) FROM customer_segments;

-- other preprocessing choices train on the same data
SELECT impute, scale, k, rows FROM (VALUES ('mean', 'minmax'), ('zero', 'robust'), ('drop', 'none')) p(i, s),
	LATERAL (SELECT * FROM ccseg_model_summary(ccseg_build_model('cc_general', 5, id_column => 'cust_id',
		impute => p.i, scale => p.s, n_init => 2))) m;

-- Lloyd, Hamerly and Elkan give the same model, bit for bit, from the same seed
SELECT count(*) AS models, count(DISTINCT m::text) AS distinct_models
FROM (VALUES ('auto'), ('lloyd'), ('hamerly'), ('elkan')) a(alg),
	LATERAL (SELECT ccseg_build_model('cc_general', 8, id_column => 'cust_id', n_init => 3,
		seed => 9, algorithm => a.alg) AS m) q;

SELECT ccseg_drop_model('cards');
