-- cc_general.sql: table for the public "Credit Card Dataset for Clustering" (CC GENERAL),
-- one row per credit-card holder, 8,950 rows (see data/README.md for provenance and meanings).
--
-- Columns are in the order of the header of data/cc_general.csv, so the file loads with
--     \copy cc_general FROM 'data/cc_general.csv' WITH (FORMAT csv, HEADER true)
-- Empty CSV fields become NULL: credit_limit has 1, minimum_payments 313.
-- scripts/pgenv.sh (ccseg_load_cc) runs this file and then that \copy.

CREATE TABLE cc_general (
	cust_id text PRIMARY KEY,
	balance float8,
	balance_frequency float8,
	purchases float8,
	oneoff_purchases float8,
	installments_purchases float8,
	cash_advance float8,
	purchases_frequency float8,
	oneoff_purchases_frequency float8,
	purchases_installments_frequency float8,
	cash_advance_frequency float8,
	cash_advance_trx int,
	purchases_trx int,
	credit_limit float8,
	payments float8,
	minimum_payments float8,
	prc_full_payment float8,
	tenure int
);
