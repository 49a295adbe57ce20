-- numeric feature columns are read without the built-in cast's text round
-- trip when the digits allow an exact conversion; every value must come out
-- as the very double numeric::float8 gives.  ccseg_describe's min of a
-- one-row column is the value read, so a one-row table with a column per
-- value checks each conversion bit for bit.
SELECT setseed(0.25);
CREATE TABLE numvals (i int, v numeric);
-- money-like amounts, 0 to 7 decimals, 1e-4 .. 1e8
INSERT INTO numvals SELECT g, round(((random() - 0.5) * 10 ^ (floor(random() * 12) - 4))::numeric,
									 floor(random() * 8)::int)
FROM generate_series(1, 500) g;
-- 1 to 25 random digits at a random power of ten, 1e-40 .. 1e40
INSERT INTO numvals SELECT 500 + g,
	(CASE WHEN random() < 0.5 THEN '-' ELSE '' END ||
	 (SELECT string_agg((floor(random() * 10))::int::text, '') FROM generate_series(0, g % 25) WHERE g > 0) ||
	 'e' || (floor(random() * 81) - 40)::int)::numeric
FROM generate_series(1, 400) g;
-- long-form values: a display scale over 63 or a weight beyond the short form
INSERT INTO numvals SELECT 900 + g, round((random() * 100)::numeric, 64 + g % 20)
FROM generate_series(1, 20) g;
INSERT INTO numvals VALUES
	(921, 0), (922, -0.0), (923, 1e22), (924, 1e23), (925, 1e-22), (926, 1e-23),
	(927, 1e300), (928, -1e-300), (929, 123456789012345678901234567890.123),
	(930, 9007199254740991), (931, 9007199254740993), (932, 0.1), (933, -2.5),
	(934, 3.14159265358979323846264338327950288), (935, 1e-300),
	(936, 0.000000000000000000000000000000000000000000000000000000000000000000000001),
	(937, 4.9e-324), (938, 1.7976931348623157e308), (939, 99999999.999999),
	(940, 12345678901234.5);
SELECT count(*) AS values, count(DISTINCT v) AS distinct_values FROM numvals;

-- one-row tables of 100 columns each (a row must fit in a page)
DO $$
DECLARE
	t int;
BEGIN
	FOR t IN 0 .. 9 LOOP
		EXECUTE (SELECT format('CREATE TABLE numwide_%s AS SELECT ', t) ||
						string_agg(format('%s::numeric AS c%s', v, i), ', ' ORDER BY i)
				 FROM numvals WHERE (i - 1) / 100 = t);
	END LOOP;
END
$$;
CREATE VIEW numread AS
SELECT d.feature, d.min FROM generate_series(0, 9) t,
	LATERAL ccseg_describe(format('numwide_%s', t)::regclass) d;

SELECT count(*) AS columns,
	   count(*) FILTER (WHERE float8send(d.min) = float8send(n.v::float8)) AS same_bits_as_cast
FROM numread d JOIN numvals n ON d.feature = 'c' || n.i;
-- none that differs
SELECT n.i, n.v, d.min, n.v::float8 AS cast
FROM numread d JOIN numvals n ON d.feature = 'c' || n.i
WHERE float8send(d.min) <> float8send(n.v::float8);

-- a model trained on numeric columns equals one trained on their float8 casts
CREATE TABLE num_train AS
SELECT g AS id, round((random() * 1000)::numeric, 2) AS spend,
	   round(random()::numeric, 6) AS freq, (random() * 50)::int::numeric AS trx
FROM generate_series(1, 500) g;
CREATE TABLE f8_train AS SELECT id, spend::float8 AS spend, freq::float8 AS freq, trx::float8 AS trx FROM num_train;
SELECT a.centroids = b.centroids AS same_centroids, a.inertia = b.inertia AS same_inertia
FROM ccseg_model_summary(ccseg_build_model('num_train', 4, id_column => 'id', seed => 9)) a,
	 ccseg_model_summary(ccseg_build_model('f8_train', 4, id_column => 'id', seed => 9)) b;

-- NaN and infinities still take the cast, and are refused as features
INSERT INTO num_train VALUES (501, 'NaN', 0.5, 1);
SELECT ccseg_build_model('num_train', 2, id_column => 'id') IS NOT NULL;
UPDATE num_train SET spend = 'Infinity' WHERE id = 501;
SELECT ccseg_build_model('num_train', 2, id_column => 'id') IS NOT NULL;

DROP VIEW numread;
DO $$
BEGIN
	FOR t IN 0 .. 9 LOOP
		EXECUTE format('DROP TABLE numwide_%s', t);
	END LOOP;
END
$$;
DROP TABLE numvals, num_train, f8_train;
