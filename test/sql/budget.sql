-- Work that holds every row of a relation in memory stays within the memory
-- in force (ccseg.max_train_memory, at most ccseg.max_train_memory_limit):
-- describe, correlation, histogram, profile and the silhouette of a stored
-- model refuse a relation whose rows need more, naming the setting, rather
-- than sampling silently; aligning a retrained model with its previous
-- version counts its k x k_prev matching.  Training on a sample that the
-- setting forces names the setting when k exceeds the sample.
SET extra_float_digits = 0;
SET ccseg.threads = 1;

-- 5000 rows of 2 features: 80kB as doubles; 100 rows: 1.6kB
CREATE TABLE budget_big AS
SELECT g AS id, (g % 97)::float8 AS a, (g % 89)::float8 AS b
FROM generate_series(1, 5000) g;
CREATE TABLE budget_small AS SELECT * FROM budget_big WHERE id <= 100;

-- a stored model of the big relation, trained with the default memory
SELECT version FROM ccseg_train('budget_m', 'budget_big', 3, id_column => 'id',
	seed => 1, silhouette_sample => 0);

SET ccseg.max_train_memory = '64kB';

-- the small relation fits
SELECT count(*) AS described FROM ccseg_describe('budget_small');
SELECT count(*) AS correlations FROM ccseg_correlation('budget_small');
SELECT sum(count) AS histogram_rows FROM ccseg_histogram('budget_small', 'a', 5);
SELECT sum(rows) AS profiled_rows FROM ccseg_profile('budget_m', 'budget_small')
WHERE feature = 'a';

-- the big one does not
SELECT count(*) FROM ccseg_describe('budget_big');
SELECT count(*) FROM ccseg_correlation('budget_big');
-- one column of 5000 rows (40kB) fits
SELECT sum(count) AS histogram_rows FROM ccseg_histogram('budget_big', 'a', 5);
SELECT count(*) FROM ccseg_profile('budget_m', 'budget_big');
SELECT count(*) FROM ccseg_profile('budget_m');
SELECT count(*) FROM ccseg_silhouette('budget_m');

-- the silhouette's own memory counts too: 5000 rows fit in 320kB, their
-- exact silhouette (5000 x 3 sums and a copy of the rows) does not
SET ccseg.max_train_memory = '320kB';
SELECT count(*) FROM ccseg_silhouette('budget_m', 5000);
SELECT segment, rows, sample_rows FROM ccseg_silhouette('budget_m', 500) ORDER BY segment;

-- a lower limit in force is named as such
SET ccseg.max_train_memory = '1MB';
SET ccseg.max_train_memory_limit = '64kB';
SELECT count(*) FROM ccseg_describe('budget_big');
RESET ccseg.max_train_memory_limit;

-- k above the rows of the sample that fits (64kB hold 75 rows for k = 100
-- with one thread), but not above the rows of the relation
SET ccseg.max_train_memory = '64kB';
SELECT ccseg_build_model('budget_big', 100, id_column => 'id') IS NULL;
SELECT * FROM ccseg_elbow('budget_big', 2, 100, id_column => 'id');
-- k above the rows of the relation itself
SELECT ccseg_build_model('budget_small', 101, id_column => 'id') IS NULL;

-- alignment: a previous version of 200 segments, a new one of 50 in 64kB
-- (a 50 x 200 cost matrix alone is 80kB)
RESET ccseg.max_train_memory;
CREATE TEMP TABLE prev200 AS
SELECT ccseg_build_model('budget_big', 200, id_column => 'id', n_init => 1,
	max_iter => 5, silhouette_sample => 0) AS m;
SET ccseg.max_train_memory = '64kB';
SELECT ccseg_build_model('budget_big', 50, id_column => 'id', n_init => 1,
	silhouette_sample => 0, previous => (SELECT m FROM prev200)) IS NULL;
-- with enough memory it aligns
SET ccseg.max_train_memory = '1MB';
SELECT changed_share BETWEEN 0 AND 1 AS aligned
FROM ccseg_model_summary(ccseg_build_model('budget_big', 50, id_column => 'id',
	n_init => 1, silhouette_sample => 0, previous => (SELECT m FROM prev200)));
RESET ccseg.max_train_memory;

-- the median of -1.7e308 and 1.7e308 is 0, not -Infinity
CREATE TABLE budget_extremes (a float8);
INSERT INTO budget_extremes VALUES (1.7e308), (-1.7e308), (-1.7e308), (1.7e308);
SELECT count, min, p25, median, p75, max FROM ccseg_describe('budget_extremes');

SELECT ccseg_drop_model('budget_m');
DROP TABLE budget_big, budget_small, budget_extremes;
