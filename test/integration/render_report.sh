#!/usr/bin/env bash
#
# render_report.sh: the HTML reports as a user sees them.  Trains models on
# 2, 6, 17 (the credit-card data) and 40 features, the k chosen by the elbow
# so that every chart is present; writes ccseg_report() of each, and
# ccseg_explore_report() of three of the tables, to files; renders each in
# headless Chromium (no network) to a PNG, and checks:
#
#   - the credit-card report rendered: a large image with many colours, and
#     the expected text in the DOM;
#   - the layout of every page: a copy of the page gets a small script that
#     walks every <text> of every <svg> and writes into the DOM the texts
#     whose box (getBBox, mapped into the svg's viewBox) does not lie inside
#     the viewBox (give or take 1.5 units, a glyph's side bearing), or that render smaller than 8 px or larger than 22 px,
#     and the charts whose content leaves a blank band of more than 20% of
#     the viewBox; the copy's DOM (chromium --dump-dom) must list none;
#   - every segment's name or label appears whole in the charts that label
#     segments.
#
# Needs the server named by the PG* variables (test.sh provides one).
# With CCSEG_REPORT_KEEP=DIR, the HTML pages and PNGs are copied to DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_report_test
work="$(mktemp -d /tmp/ccseg-report.XXXXXX)"
trap 'rm -rf "$work"; ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
ccseg_load_cc "$db"
ccseg_psql -q -d "$db" -c 'CREATE EXTENSION ccseg'

# Tables of 2, 6 and 40 features, made deterministically: groups around
# centres, spread by a hash of the row number (no random generator).
ccseg_psql -q -d "$db" <<'SQL'
CREATE FUNCTION h(i integer, j integer) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT (abs(sin(i * 12.9898 + j * 78.233)) * 43758.5453)::numeric % 1 $$;
-- 2 features: income and spending score of 200 customers in 5 groups
CREATE TABLE mall AS
SELECT i AS customer_id,
       round((ARRAY[25, 25, 55, 88, 88])[1 + i % 5] + 12 * (h(i, 1) - 0.5))::integer AS annual_income_k,
       round((ARRAY[20, 80, 50, 17, 82])[1 + i % 5] + 16 * (h(i, 2) - 0.5))::integer AS spending_score
FROM generate_series(1, 200) i;
-- 6 skewed spending columns of 440 customers in 3 groups
CREATE TABLE wholesale AS
SELECT i AS client_id,
       round(exp((ARRAY[9.0, 8.0, 7.5])[1 + i % 3] + 1.2 * h(i, 1)))::integer AS fresh,
       round(exp((ARRAY[7.5, 9.0, 8.0])[1 + i % 3] + 1.2 * h(i, 2)))::integer AS milk,
       round(exp((ARRAY[7.5, 9.2, 8.2])[1 + i % 3] + 1.2 * h(i, 3)))::integer AS grocery,
       round(exp((ARRAY[8.0, 6.5, 7.0])[1 + i % 3] + 1.2 * h(i, 4)))::integer AS frozen,
       round(exp((ARRAY[5.5, 8.5, 6.5])[1 + i % 3] + 1.2 * h(i, 5)))::integer AS detergents_paper,
       round(exp((ARRAY[7.0, 7.2, 6.0])[1 + i % 3] + 1.2 * h(i, 6)))::integer AS delicassen
FROM generate_series(1, 440) i;
-- 40 features with long names, 600 customers in 4 groups
DO $$
BEGIN
    EXECUTE 'CREATE TABLE wide AS SELECT i AS id, '
        || (SELECT string_agg(format('round((%s + 3 * h(i, %s))::numeric, 2)::float8 AS %I',
                                     format('(ARRAY[0, 4, 8, 12])[1 + (i + %s) %% 4]', j), j,
                                     format('f%s_average_monthly_%s', lpad(j::text, 2, '0'),
                                            (ARRAY['spend_on_groceries', 'cash_withdrawals', 'online_purchases',
                                                   'travel_bookings', 'balance'])[1 + j % 5])), ', ')
            FROM generate_series(1, 40) j)
        || ' FROM generate_series(1, 600) i';
END
$$;
SQL
for m in "mall mall customer_id" "wholesale wholesale client_id" "cards cc_general cust_id" "wide wide id"; do
    set -- $m
    ccseg_psql -q -d "$db" -At -c "SELECT FROM ccseg_train('$1', '$2', id_column => '$3', seed => 42, k_min => 2, k_max => 8)" \
        -c "SELECT model || ': ' || array_length(features, 1) || ' features, k = ' || k FROM ccseg_models WHERE model = '$1'"
    ccseg_psql -d "$db" -At -c "SELECT ccseg_report('$1')" >"$work/report-$1.html"
    # the names and labels a chart shows for each segment
    ccseg_psql -d "$db" -At -F $'\t' -c "SELECT segment, coalesce(name, label) FROM ccseg_segments('$1')" \
        >"$work/report-$1.segments"
done
# the wholesale spending with an integer-coded channel and a text region,
# one-hot encoded: indicators in the profile, left out of the distributions
ccseg_psql -q -d "$db" -At \
    -c "CREATE VIEW wholesale_channels AS SELECT w.*, CASE WHEN w.client_id % 3 = 1 THEN 2 ELSE 1 END AS channel,
               (ARRAY['Lisbon', 'Oporto', 'Other region'])[1 + (w.client_id / 3) % 3] AS region FROM wholesale w" \
    -c "SELECT FROM ccseg_train('channels', 'wholesale_channels', id_column => 'client_id', seed => 42, k_min => 2, k_max => 8,
                                categorical => ARRAY['channel', 'region'], transform => ARRAY['log1p'])" \
    -c "SELECT model || ': ' || array_length(features, 1) || ' features, k = ' || k FROM ccseg_models WHERE model = 'channels'"
ccseg_psql -d "$db" -At -c "SELECT ccseg_report('channels')" >"$work/report-channels.html"
ccseg_psql -d "$db" -At -F $'\t' -c "SELECT segment, coalesce(name, label) FROM ccseg_segments('channels')" \
    >"$work/report-channels.segments"
grep -q 'category indicators are left out' "$work/report-channels.html" ||
    { echo "FAIL: the report of a model with categorical columns does not say that its indicators are left out of the distributions"; exit 1; }
for t in mall wholesale cc_general wide; do
    ccseg_psql -d "$db" -At -c "SELECT ccseg_explore_report('$t')" >"$work/explore-$t.html"
done
ls -l "$work"/*.html | awk '{print $5, $NF}'

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$work/profile" --hide-scrollbars)

# The layout check, added to a copy of each page.
cat >"$work/check.js" <<'JS'
(function () {
    var fails = [], texts = 0, svgs = document.querySelectorAll('svg');
    svgs.forEach(function (svg, si) {
        var vb = svg.viewBox.baseVal, name = (svg.getAttribute('aria-label') || 'svg ' + si);
        var W = vb && vb.width ? vb.width : svg.width.baseVal.value;
        var H = vb && vb.height ? vb.height : svg.height.baseVal.value;
        var X = vb && vb.width ? vb.x : 0, Y = vb && vb.height ? vb.y : 0;
        var scale = svg.getBoundingClientRect().width / W;
        var toSvg = svg.getScreenCTM().inverse();
        svg.querySelectorAll('text').forEach(function (t) {
            texts++;
            var b = t.getBBox(), m = toSvg.multiply(t.getScreenCTM());
            var xs = [], ys = [];
            [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].forEach(function (c) {
                var p = new DOMPoint(c[0], c[1]).matrixTransform(m);
                xs.push(p.x); ys.push(p.y);
            });
            var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
            var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
            var label = name + ': "' + t.textContent.slice(0, 60) + '"';
            if (x0 < X - 1.5 || y0 < Y - 1.5 || x1 > X + W + 1.5 || y1 > Y + H + 1.5)
                fails.push('OUTSIDE ' + label + ' box ' + [x0, y0, x1, y1].map(Math.round).join(',')
                           + ' viewBox ' + [X, Y, X + W, Y + H].map(Math.round).join(','));
            var px = parseFloat(getComputedStyle(t).fontSize) * scale;
            if (px < 8 || px > 22)
                fails.push('FONT ' + label + ' renders at ' + px.toFixed(1) + ' px');
        });
        var c = svg.getBBox();
        if (c.width < 0.8 * W || c.height < 0.8 * H)
            fails.push('BLANK ' + name + ': content ' + Math.round(c.width) + ' x ' + Math.round(c.height)
                       + ' of viewBox ' + Math.round(W) + ' x ' + Math.round(H));
    });
    var pre = document.createElement('pre');
    pre.id = 'ccseg-check';
    pre.textContent = 'CHECKED ' + texts + ' texts in ' + svgs.length + ' svgs\n' + fails.join('\n') + '\nEND';
    document.body.appendChild(pre);
})();
JS

status=0
for page in "$work"/report-*.html "$work"/explore-*.html; do
    base="$(basename "$page" .html)"
    timeout 120 "${chrome[@]}" --window-size=1200,4000 --screenshot="$work/$base.png" \
        "file://$page" >"$work/chrome.log" 2>&1 || { cat "$work/chrome.log"; exit 1; }
    timeout 120 "${chrome[@]}" --dump-dom "file://$page" >"$work/$base.dom" 2>>"$work/chrome.log"
    # the copy with the check, just before </body>
    /usr/bin/python3 - "$page" "$work/check.js" "$work/$base.check.html" <<'PY'
import sys
page, js, out = (open(sys.argv[1], encoding="utf-8").read(), open(sys.argv[2], encoding="utf-8").read(), sys.argv[3])
assert page.count("</body>") == 1, "the page has no single </body>"
open(out, "w", encoding="utf-8").write(page.replace("</body>", "<script>" + js + "</script></body>"))
PY
    timeout 120 "${chrome[@]}" --dump-dom "file://$work/$base.check.html" >"$work/$base.check.dom" 2>>"$work/chrome.log"
    /usr/bin/python3 - "$base" "$work/$base.check.dom" "$work/$base.dom" "$work/$base.segments" <<'PY' || status=1
import html, os, re, sys

base, checked, dom = sys.argv[1], open(sys.argv[2], encoding="utf-8").read(), open(sys.argv[3], encoding="utf-8").read()
m = re.search(r'<pre id="ccseg-check">(.*?)</pre>', checked, re.S)
assert m, f"{base}: the layout check did not run"
lines = html.unescape(m.group(1)).strip().split("\n")
assert lines[0].startswith("CHECKED") and lines[-1] == "END", f"{base}: the layout check did not finish"
fails = [f for f in lines[1:-1] if f]
print(f"{base}: {lines[0].lower()}, {len(fails)} layout failures")
for f in fails[:40]:
    print("   ", f)
ok = not fails
# every segment's name or label, whole, in each chart that labels segments
if os.path.exists(sys.argv[4]):
    charts = {}
    for svg in re.findall(r'<svg[^>]*aria-label="([^"]*)"[^>]*>(.*?)</svg>', dom, re.S):
        charts[svg[0]] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", svg[1])).split())
    for line in open(sys.argv[4], encoding="utf-8"):
        seg, label = line.rstrip("\n").split("\t")
        for chart in ("Segment sizes", "Segment profile heat map", "PCA scatter"):
            if chart in charts and " ".join(label.split()) not in charts[chart]:
                print(f"    CUT {chart}: segment {seg} \"{label}\" is not whole")
                ok = False
sys.exit(0 if ok else 1)
PY
done

/usr/bin/python3 - "$work/report-cards.png" "$work/report-cards.dom" <<'PY'
import struct, sys, zlib

png, dom = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
# decode the image to count its colours (8-bit RGB or RGBA, no interlace)
pos, idat, bit_depth, colour_type = 8, b"", None, None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        bit_depth, colour_type = chunk[8], chunk[9]
    elif kind == b"IDAT":
        idat += chunk
    pos += 12 + length
assert bit_depth == 8 and colour_type in (2, 6), f"unexpected PNG format {bit_depth}/{colour_type}"
bpp = 3 if colour_type == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
colours, prev, i = set(), bytearray(stride), 0
for y in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, stride, bpp * 4):
            colours.add(bytes(line[x:x + 3]))
print(f"png: {width} x {height}, {len(data)} bytes, {len(colours)} distinct colours sampled")
assert width == 1200 and height == 4000, "unexpected size"
assert len(data) > 100_000, "image too small to hold the charts"
assert len(colours) > 200, "too few colours: the charts did not render"
for text in ("Customer segments: model", "Segment sizes", "Choosing k", "recommended k",
             "Profile", "principal axes", "Cash-advance users", "balance frequency"):
    assert text in dom, f"missing in the rendered DOM: {text}"
assert dom.count("<svg") >= 4, "fewer than four charts in the DOM"
print("dom: every expected heading and label is present; charts:", dom.count("<svg"))
PY

if [ -n "${CCSEG_REPORT_KEEP:-}" ]; then
    mkdir -p "$CCSEG_REPORT_KEEP"
    cp "$work"/*.html "$work"/*.png "$CCSEG_REPORT_KEEP/"
    echo "kept in $CCSEG_REPORT_KEEP"
fi
[ "$status" = 0 ] || { echo "FAILED: the layout of a page is wrong (see above)"; exit 1; }
echo "ok: the reports rendered, every text inside its chart"
