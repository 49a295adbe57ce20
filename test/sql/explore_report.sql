-- ccseg_explore_report: one self-contained page of statistics, histograms,
-- missing values and correlations, from the exploring C functions.
SET extra_float_digits = 0;
\set VERBOSITY terse

CREATE SCHEMA explore;
SET search_path = explore, public;
-- a symmetric column, a skewed one with missing values, a constant one,
-- and a text column that is not a feature
CREATE TABLE explore.t AS
SELECT i AS id, (i % 10)::float8 AS even,
	   CASE WHEN i % 9 = 0 THEN NULL ELSE exp((i % 50) / 5.0) END AS skewed_spend,
	   1 AS constant, 'x' || i AS note
FROM generate_series(1, 200) i;

SELECT left(h, 15) AS starts, right(h, 21) AS ends,
	   h LIKE '%<title>Exploring explore.t</title>%' AS titled,
	   (length(h) - length(replace(h, '<svg', ''))) / 4 AS svgs,
	   position('<script' IN h) = 0 AS no_script,
	   position('http' IN h) = 0 AS no_network,
	   h ~ '\m(NaN|Infinity)\M' AS not_a_number
FROM ccseg_explore_report('explore.t') h;
-- a row per feature in the table, with its missing values; a histogram
-- panel per feature, the count axis logarithmic for the skewed one only
SELECT substring(h FROM '<p class="sub">([0-9,]+ rows, [0-9]+ numeric features)') AS subtitle,
	   (SELECT array_agg(m[1] ORDER BY o) FROM regexp_matches(h, '<tr><td>([a-z_]+)</td>', 'g') WITH ORDINALITY r(m, o)) AS table_rows,
	   substring(h FROM '<tr><td>skewed_spend</td><td class="n">[0-9,]+</td><td class="n">([0-9,]+)</td>') AS skewed_missing,
	   (SELECT array_agg(m[1] ORDER BY o) FROM regexp_matches(h, 'skewness ([^<]*)</text>', 'g') WITH ORDINALITY r(m, o)) AS panels
FROM ccseg_explore_report('explore.t') h;
SELECT count(*) AS skewed_missing FROM explore.t WHERE skewed_spend IS NULL;
-- one bar per non-empty bucket of ccseg_histogram
SELECT (length(s) - length(replace(s, 'fill-opacity="0.8"', ''))) / length('fill-opacity="0.8"') AS bars,
	   (SELECT count(*) FROM ccseg_histogram('explore.t', 'even', 5) WHERE count > 0)
	   + (SELECT count(*) FROM ccseg_histogram('explore.t', 'skewed_spend', 5, 'log1p') WHERE count > 0)
	   + (SELECT count(*) FROM ccseg_histogram('explore.t', 'constant', 5) WHERE count > 0) AS buckets
FROM ccseg_explore_report('explore.t', ARRAY['even', 'skewed_spend', 'constant'], 5) h,
	 substring(h FROM '<svg[^>]*aria-label="Histograms".*?</svg>') s;
-- ccseg_histogram's log1p scale: buckets of equal width in ln(1 + x),
-- the same counts as width_bucket over ln(1 + x), the extremes exact
SELECT h.bucket, round(ln(1 + h.lower)::numeric, 6) AS ln_lower, round(ln(1 + h.upper)::numeric, 6) AS ln_upper,
	   h.count, w.count AS width_bucket_count
FROM ccseg_histogram('explore.t', 'skewed_spend', 4, 'log1p') h
LEFT JOIN (SELECT least(width_bucket(ln(1 + t.skewed_spend), ln(1 + m.lo), ln(1 + m.hi), 4), 4) AS bucket, count(*) AS count
		   FROM explore.t t, (SELECT min(skewed_spend) AS lo, max(skewed_spend) AS hi FROM explore.t) m
		   WHERE t.skewed_spend IS NOT NULL GROUP BY 1) w USING (bucket)
ORDER BY h.bucket;
SELECT min(lower) = (SELECT min(skewed_spend) FROM explore.t) AS lowest_exact,
	   max(upper) = (SELECT max(skewed_spend) FROM explore.t) AS highest_exact
FROM ccseg_histogram('explore.t', 'skewed_spend', 4, 'log1p');
-- the three-argument form is the linear scale
SELECT (SELECT array_agg(count ORDER BY bucket) FROM ccseg_histogram('explore.t', 'even', 4))
	   = (SELECT array_agg(count ORDER BY bucket) FROM ccseg_histogram('explore.t', 'even', 4, 'linear')) AS same;
CREATE TABLE explore.below AS SELECT x::float8 AS x FROM (VALUES (-1), (0), (5)) v(x);
SELECT * FROM ccseg_histogram('explore.below', 'x', 3, 'log1p');
SELECT * FROM ccseg_histogram('explore.t', 'even', 3, 'sqrt');
SELECT * FROM ccseg_histogram('explore.t', 'even', 3, NULL);
-- the missing values chart: a bar per feature with missing values
SELECT substring(h FROM '<figcaption>Rows without a value[^<]*</figcaption>') AS missing
FROM ccseg_explore_report('explore.t', ARRAY['even', 'skewed_spend']) h;
SELECT substring(h FROM '<h2>Missing values</h2><p class="note">[^<]*</p>') AS none_missing
FROM ccseg_explore_report('explore.t', ARRAY['even']) h;
-- the correlation heat map: d x d cells coloured by r, and no map for one
-- feature
SELECT (length(s) - length(replace(s, 'stroke="#fff"/>', ''))) / length('stroke="#fff"/>') AS cells,
	   s LIKE '%>+1.00</text>%' AS diagonal_labelled
FROM ccseg_explore_report('explore.t', ARRAY['even', 'skewed_spend', 'constant']) h,
	 substring(h FROM '<svg[^>]*aria-label="Correlation heat map".*?</svg>') s;
SELECT substring(h FROM '<h2>Correlations</h2><p class="note">[^<]*</p>') AS one_feature
FROM ccseg_explore_report('explore.t', ARRAY['even']) h;

-- bad input: each error with its SQLSTATE
CREATE FUNCTION explore.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE TABLE explore.words (w text, b boolean);
SELECT q, explore.err(q) FROM unnest(ARRAY[
	$q$SELECT ccseg_explore_report(NULL)$q$,
	$q$SELECT ccseg_explore_report('explore.t', bins => 0)$q$,
	$q$SELECT ccseg_explore_report('explore.t', bins => 101)$q$,
	$q$SELECT ccseg_explore_report('explore.t', bins => NULL)$q$,
	$q$SELECT ccseg_explore_report('explore.t', ARRAY['evenn'])$q$,
	$q$SELECT ccseg_explore_report('explore.t', ARRAY['note'])$q$,
	$q$SELECT ccseg_explore_report('explore.t', ARRAY['even', 'even'])$q$,
	$q$SELECT ccseg_explore_report('explore.t', ARRAY['even', NULL])$q$,
	$q$SELECT ccseg_explore_report('explore.t', '{}')$q$,
	$q$SELECT ccseg_explore_report('explore.words')$q$,
	$q$SELECT ccseg_explore_report('explore.nope')$q$]) q;
-- a relation the caller may not read
CREATE ROLE regress_ccseg_explorer;
GRANT USAGE ON SCHEMA explore TO regress_ccseg_explorer;
GRANT EXECUTE ON FUNCTION explore.err(text) TO regress_ccseg_explorer;
SET ROLE regress_ccseg_explorer;
SELECT explore.err($q$SELECT ccseg_explore_report('explore.t')$q$);
RESET ROLE;
-- a column privilege on the features is enough
GRANT SELECT (even, skewed_spend) ON explore.t TO regress_ccseg_explorer;
SET ROLE regress_ccseg_explorer;
SELECT length(ccseg_explore_report('explore.t', ARRAY['even', 'skewed_spend'])) > 1000 AS made;
SELECT explore.err($q$SELECT ccseg_explore_report('explore.t', ARRAY['even', 'constant'])$q$);
RESET ROLE;
REVOKE ALL ON explore.t FROM regress_ccseg_explorer;
REVOKE USAGE ON SCHEMA explore FROM regress_ccseg_explorer;
REVOKE ALL ON FUNCTION explore.err(text) FROM regress_ccseg_explorer;
DROP ROLE regress_ccseg_explorer;

-- the memory limit of the exploring functions applies
SET ccseg.max_train_memory = '64kB';
CREATE TABLE explore.big AS SELECT i::float8 AS a, i::float8 AS b, i::float8 AS c FROM generate_series(1, 5000) i;
SELECT explore.err($q$SELECT ccseg_explore_report('explore.big')$q$);
RESET ccseg.max_train_memory;

DROP SCHEMA explore CASCADE;
