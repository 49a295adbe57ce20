-- The sections of ccseg_report, each called on its own: what each returns,
-- and the page as their concatenation.
SET extra_float_digits = 0;
\set VERBOSITY terse

CREATE SCHEMA report;
SET search_path = report, public;
-- three well separated groups of 30 rows
CREATE TABLE report.pts AS
SELECT i AS id, (i % 3) * 10 + (i % 7) * 0.1 AS a, (i % 3) * -5 + (i % 5) * 0.2 AS b,
	   (i % 3) * 3 + (i % 11) * 0.05 AS c
FROM generate_series(1, 90) i;
SELECT k FROM ccseg_train('rep_k', 'report.pts', 3, id_column => 'id', seed => 1);
SELECT k FROM ccseg_train('rep_elbow', 'report.pts', id_column => 'id', seed => 1, k_min => 2, k_max => 5);

-- the start and the end of the page
SELECT left(h, 15) AS head_starts, right(h, 19) AS head_ends,
	   h LIKE '%<title>Segments of model rep_k</title>%' AS titled
FROM _ccseg_report_head(_ccseg_model_row('rep_k')) h;
SELECT t LIKE '<h1>Customer segments: model “rep_k”</h1>%' AS h1,
	   t LIKE '%90 rows, 3 features, 3 segments.</p>%' AS subtitle,
	   (length(t) - length(replace(t, '<div class="kpi">', ''))) / length('<div class="kpi">') AS kpis
FROM _ccseg_report_title(_ccseg_model_row('rep_k')) t;
SELECT left(f, 50) AS model_starts, right(f, 21) AS model_ends,
	   f LIKE '%<tr><td>features</td><td>a, b, c</td></tr>%' AS features_listed
FROM _ccseg_report_model(_ccseg_model_row('rep_k')) f;

-- the segments table has a row per segment after its header
SELECT m, (length(s) - length(replace(s, '<tr>', ''))) / 4 - 1 AS segment_rows,
	   s LIKE '<h2>Segments</h2><table>%</table>' AS one_table
FROM unnest(ARRAY['rep_k', 'rep_elbow']) m,
	 _ccseg_report_segments(_ccseg_model_row(m)) s ORDER BY m;

-- every chart is one svg element with numbers only
SELECT m, chart, left(svg, 4) AS starts, right(svg, 6) AS ends,
	   (length(svg) - length(replace(svg, '<svg', ''))) / 4 AS svgs,
	   svg ~ '\m(NaN|Infinity)\M' AS not_a_number
FROM unnest(ARRAY['rep_elbow', 'rep_k']) m,
	 LATERAL (VALUES ('sizes', _ccseg_report_sizes(_ccseg_model_row(m))),
					 ('elbow', _ccseg_report_elbow(_ccseg_model_row(m))),
					 ('profile', _ccseg_report_profile(_ccseg_model_row(m)))) c(chart, svg)
ORDER BY 1, 2;
-- a bar per segment; a heat map cell per segment and feature
SELECT (length(s) - length(replace(s, '<rect', ''))) / 5 AS bars
FROM _ccseg_report_sizes(_ccseg_model_row('rep_k')) s;
SELECT (length(s) - length(replace(s, 'stroke="#fff"/>', ''))) / length('stroke="#fff"/>') AS cells
FROM _ccseg_report_profile(_ccseg_model_row('rep_k')) s;
-- an elbow curve with numbers that are not finite is not drawn
SELECT _ccseg_report_elbow(r) IS NULL AS no_curve
FROM _ccseg_model_row('rep_elbow') r0,
	 LATERAL (SELECT jsonb_populate_record(r0, jsonb_build_object('parameters',
				  r0.parameters || '{"elbow": [{"k": 2, "inertia": "NaN"}]}'))) r2(r);

-- the scatter: up to sample_rows points, a note when the source is gone,
-- nothing for sample_rows 0
SELECT m, s, left(p, 48) AS starts, right(p, 13) AS ends,
	   (length(p) - length(replace(p, 'r="2.6"', ''))) / 7 AS points,
	   p ~ '\m(NaN|Infinity)\M' AS not_a_number
FROM unnest(ARRAY['rep_k']) m, unnest(ARRAY[0, 20, 2000]) s,
	 _ccseg_model_row(m) r, ccseg_model_summary(r.model) q,
	 _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, s) p
ORDER BY 1, 2;
SELECT p ~ '<svg[^>]*>.*</svg><figcaption>A sample of 20 customers of report\.pts' AS one_svg_then_caption
FROM _ccseg_model_row('rep_k') r, ccseg_model_summary(r.model) q,
	 _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, 20) p;

-- the page is its sections in order
SELECT m, s,
	   ccseg_report(m, s) = _ccseg_report_head(r)
		|| _ccseg_report_title(r)
		|| _ccseg_report_segments(r)
		|| '<div class="grid"><figure><h2>Segment sizes</h2>' || _ccseg_report_sizes(r)
		|| '<figcaption>Customers per segment.</figcaption></figure>'
		|| '<figure><h2>Choosing k</h2>'
		|| coalesce(_ccseg_report_elbow(r)
					|| '<figcaption>Inertia by k; the recommended k is the knee of the curve confirmed by the silhouette.</figcaption>',
					'<p class="note">No elbow curve is stored with this version: its k was given (to ccseg_train, '
					|| 'or by ccseg_retrain, which keeps the k of the version it retrains). The curve appears here for a version '
					|| 'that ccseg_train trained with k omitted (NULL): it then trains every k from k_min to k_max, stores the curve '
					|| 'and uses the recommended k. ccseg_elbow shows the same curve as rows, without storing it.</p>')
		|| '</figure></div>'
		|| '<h2>Profile</h2>' || _ccseg_report_profile(r)
		|| '<figcaption>Each cell: how far a segment''s centroid lies from the mean of all customers in a feature, in standard deviations (orange above, blue below).</figcaption>'
		|| _ccseg_report_distributions(r, s)
		|| _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, s)
		|| _ccseg_report_model(r) AS concatenation
FROM unnest(ARRAY['rep_elbow', 'rep_k']) m, unnest(ARRAY[0, 50]) s,
	 _ccseg_model_row(m) r, ccseg_model_summary(r.model) q
ORDER BY 1, 2;
-- the note says what makes the curve appear, or that the stored one
-- cannot be drawn
SELECT m, substring(ccseg_report(m, 0) FROM '<h2>Choosing k</h2><(p class="note"|svg)') AS choosing_k
FROM unnest(ARRAY['rep_elbow', 'rep_k']) m ORDER BY 1;
BEGIN;
UPDATE ccseg_model_versions SET parameters = parameters || '{"elbow": [{"k": 2, "inertia": "NaN"}]}'
WHERE model_name = 'rep_elbow';
SELECT position('The elbow curve stored with this version holds values that cannot be drawn.' IN ccseg_report('rep_elbow', 0)) > 0 AS undrawable_said;
ROLLBACK;

-- each feature by segment: a box per segment and feature, on the sample;
-- nothing at 0 rows
SELECT s, (length(p) - length(replace(p, 'fill-opacity="0.35"', ''))) / length('fill-opacity="0.35"') AS boxes,
	   (length(p) - length(replace(p, '<svg', ''))) / 4 AS svgs,
	   substring(p FROM 'on a sample of [0-9,]+ customers of [a-z.]+') AS sample,
	   p ~ '\m(NaN|Infinity)\M' AS not_a_number
FROM unnest(ARRAY[0, 20, 2000]) s, _ccseg_model_row('rep_k') r,
	 _ccseg_report_distributions(r, s) p
ORDER BY 1;
-- the boxes lie where the values are: segment 1's median of a is the
-- median of a in its rows
SELECT abs(substring(p FROM '<line x1="([0-9.]+)" y1="[0-9.]+" x2="[0-9.]+" y2="[0-9.]+" stroke="#222"')::numeric
		   - (26 + 184 * (med - lo) / (hi - lo))) < 0.2 AS median_drawn_in_place
FROM _ccseg_model_row('rep_k') r, _ccseg_report_distributions(r, 2000) p,
	 LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) AS med
			  FROM report.pts t WHERE ccseg_predict('rep_k', t) = 1) m1,
	 LATERAL (SELECT min(p05) AS lo, max(p95) AS hi FROM (
				SELECT percentile_cont(0.05) WITHIN GROUP (ORDER BY a) AS p05,
					   percentile_cont(0.95) WITHIN GROUP (ORDER BY a) AS p95
				FROM report.pts t GROUP BY ccseg_predict('rep_k', t)) g) b;

-- the layout follows the content: long names are wrapped, never cut, and
-- the heat map turns (features down) when the features do not fit across
CREATE TABLE report.wide AS
SELECT i AS id, (i % 3) * 10 + (i % 7) * 0.1 AS average_monthly_spend_on_groceries_and_household_goods,
	   (i % 3) * -5 + (i % 5) * 0.2 AS b
FROM generate_series(1, 90) i;
SELECT k FROM ccseg_train('rep_wide', 'report.wide', 3, id_column => 'id', seed => 1);
DO $$
BEGIN
	EXECUTE 'CREATE TABLE report.many AS SELECT i AS id, '
		|| (SELECT string_agg(format('(i %% 3) * 10 + (i * %s %% 7) * 0.1 AS feature_number_%s', j, j), ', ')
			FROM generate_series(1, 30) j)
		|| ' FROM generate_series(1, 90) i';
END
$$;
SELECT k FROM ccseg_train('rep_many', 'report.many', 3, id_column => 'id', seed => 1);
SELECT m, (SELECT bool_and(position(_ccseg_html(coalesce(name, label)) IN regexp_replace(svg, '</tspan> <tspan[^>]*>', ' ', 'g')) > 0)
		   FROM ccseg_segments(m)) AS labels_whole,
	   substring(svg FROM 'viewBox="0 0 ([0-9]+) ')::integer <= 1000 AS fits_the_page,
	   position('rotate(-45' IN svg) > 0 AS features_across
FROM unnest(ARRAY['rep_k', 'rep_wide', 'rep_many']) m,
	 LATERAL (VALUES (_ccseg_report_sizes(_ccseg_model_row(m))),
					 (_ccseg_report_profile(_ccseg_model_row(m)))) c(svg)
ORDER BY 1, 4;
SELECT ccseg_drop_model('rep_wide'), ccseg_drop_model('rep_many');
DROP TABLE report.wide, report.many;

-- the helpers of the layout
SELECT _ccseg_text_width('', 12) AS empty, _ccseg_text_width('iii', 12) < _ccseg_text_width('MMM', 12) AS narrow_glyphs,
	   _ccseg_text_width('abc', 24) = 2 * _ccseg_text_width('abc', 12) AS scales;
SELECT _ccseg_wrap('one two three', 12, 1) AS one_word_a_line, _ccseg_wrap('one two three', 12, 1000) AS one_line,
	   _ccseg_wrap('averyveryverylongword x', 12, 20) AS long_word_kept;
SELECT _ccseg_svg_text(1, 10, ARRAY['a<b', 'c'], 10, 'fill="#333"') AS text_element;

-- a reader who may not read the source sees notes instead of customers
CREATE ROLE regress_ccseg_report_reader;
SELECT ccseg_grant_read('rep_k', 'regress_ccseg_report_reader');
GRANT USAGE ON SCHEMA report TO regress_ccseg_report_reader;
SET ROLE regress_ccseg_report_reader;
SELECT substring(h FROM '<p class="note">The distributions[^<]*</p>') AS distributions,
	   substring(h FROM '<p class="note">No customers[^<]*</p>') AS scatter
FROM ccseg_report('rep_k', 20) h;
RESET ROLE;
-- with SELECT on every column, they are drawn
GRANT SELECT ON report.pts TO regress_ccseg_report_reader;
SET ROLE regress_ccseg_report_reader;
SELECT position('aria-label="Features by segment"' IN h) > 0 AS distributions_drawn,
	   position('aria-label="PCA scatter"' IN h) > 0 AS scatter_drawn
FROM ccseg_report('rep_k', 20) h;
RESET ROLE;
REVOKE ALL ON report.pts FROM regress_ccseg_report_reader;
REVOKE USAGE ON SCHEMA report FROM regress_ccseg_report_reader;
SELECT ccseg_revoke_read('rep_k', 'regress_ccseg_report_reader');
DROP ROLE regress_ccseg_report_reader;

-- once the source is gone, the scatter is a note (and nothing at 0 rows)
DROP TABLE report.pts;
SELECT s, p FROM unnest(ARRAY[0, 20]) s,
	 _ccseg_model_row('rep_k') r, ccseg_model_summary(r.model) q,
	 _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, s) p
ORDER BY 1;
SELECT s, p FROM unnest(ARRAY[0, 20]) s,
	 _ccseg_model_row('rep_k') r, _ccseg_report_distributions(r, s) p
ORDER BY 1;

SELECT ccseg_drop_model('rep_k'), ccseg_drop_model('rep_elbow');
DROP SCHEMA report;
