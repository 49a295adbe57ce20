-- Synthetic customers: the credit-card columns, deterministic for a seed.
SET extra_float_digits = 0;
\set VERBOSITY terse

SELECT count(*) AS rows, count(DISTINCT cust_id) AS ids,
	   count(*) - count(minimum_payments) BETWEEN 250 AND 450 AS some_minimum_payments_missing,
	   bool_and(abs(purchases - (oneoff_purchases + installments_purchases)) < 1e-6) AS purchases_add_up,
	   bool_and(purchases_frequency BETWEEN 0 AND 1 AND balance_frequency BETWEEN 0 AND 1
				AND oneoff_purchases_frequency <= purchases_frequency
				AND purchases_installments_frequency <= purchases_frequency) AS frequencies_ok,
	   bool_and(tenure BETWEEN 6 AND 12) AS tenure_ok,
	   bool_and((purchases = 0) = (purchases_trx = 0 AND purchases_frequency = 0)) AS counts_follow
FROM ccseg_generate_customers(10000, 42);

-- the same seed gives the same rows, another seed other rows
SELECT (SELECT md5(string_agg(g::text, ',' ORDER BY cust_id)) FROM ccseg_generate_customers(500, 7) g)
	 = (SELECT md5(string_agg(g::text, ',' ORDER BY cust_id)) FROM ccseg_generate_customers(500, 7) g) AS same_seed_same_rows,
	   (SELECT md5(string_agg(g::text, ',' ORDER BY cust_id)) FROM ccseg_generate_customers(500, 7) g)
	 = (SELECT md5(string_agg(g::text, ',' ORDER BY cust_id)) FROM ccseg_generate_customers(500, 8) g) AS other_seed_same_rows;
-- a row does not depend on how many are asked for
SELECT (SELECT g::text FROM ccseg_generate_customers(10, 3) g WHERE cust_id = 'S000000005')
	 = (SELECT g::text FROM ccseg_generate_customers(1000, 3) g WHERE cust_id = 'S000000005') AS row_is_stable;

-- skewed money columns, as in the real data
CREATE TABLE gen10k AS SELECT * FROM ccseg_generate_customers(10000, 42);
SELECT feature, skewness > 2 AS right_skewed
FROM ccseg_describe('gen10k', ARRAY['balance', 'purchases', 'cash_advance', 'payments']) ORDER BY "position";

-- segments can be found in it
SELECT k, rows FROM ccseg_train('gen', 'gen10k', 6, id_column => 'cust_id', silhouette_sample => 0);
SELECT count(*) AS named_segments FROM ccseg_segments('gen') WHERE name IS NOT NULL;

SELECT count(*) FROM ccseg_generate_customers(0);
SELECT count(*) FROM ccseg_generate_customers(-1);
SELECT ccseg_drop_model('gen');
DROP TABLE gen10k;
