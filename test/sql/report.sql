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
		|| coalesce('<figure><h2>Choosing k</h2>' || _ccseg_report_elbow(r)
					|| '<figcaption>Inertia by k; the recommended k is the knee of the curve confirmed by the silhouette.</figcaption></figure>',
					'<figure><h2>Choosing k</h2><p class="note">k was given when the model was trained; '
					|| 'train without k (or run ccseg_elbow) to see the elbow curve here.</p></figure>')
		|| '</div>'
		|| '<h2>Profile</h2>' || _ccseg_report_profile(r)
		|| '<figcaption>Each cell: how far the segment''s centroid lies from the mean of all customers, in standard deviations (orange above, blue below).</figcaption>'
		|| _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, s)
		|| _ccseg_report_model(r) AS concatenation
FROM unnest(ARRAY['rep_elbow', 'rep_k']) m, unnest(ARRAY[0, 50]) s,
	 _ccseg_model_row(m) r, ccseg_model_summary(r.model) q
ORDER BY 1, 2;

-- once the source is gone, the scatter is a note (and nothing at 0 rows)
DROP TABLE report.pts;
SELECT s, p FROM unnest(ARRAY[0, 20]) s,
	 _ccseg_model_row('rep_k') r, ccseg_model_summary(r.model) q,
	 _ccseg_report_scatter(r, q.pca_ratio, q.pca_components, s) p
ORDER BY 1;

SELECT ccseg_drop_model('rep_k'), ccseg_drop_model('rep_elbow');
DROP SCHEMA report;
