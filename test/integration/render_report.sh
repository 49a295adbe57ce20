#!/usr/bin/env bash
#
# render_report.sh: the HTML report as a user sees it.  Trains a model on
# the credit-card data (k chosen by the elbow, so every chart is present),
# writes ccseg_report() to a file, renders it in headless Chromium (no
# network) to a PNG and to a DOM dump, and checks that it rendered: a large
# image with many colours, and the expected text in the DOM.
#
# Needs the server named by the PG* variables (test.sh provides one).
# With CCSEG_REPORT_KEEP=DIR, the HTML and PNG are copied to DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_report_test
work="$(mktemp -d /tmp/ccseg-report.XXXXXX)"
trap 'rm -rf "$work"; ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
ccseg_load_cc "$db"
ccseg_psql -q -d "$db" -c 'CREATE EXTENSION ccseg'
ccseg_psql -q -d "$db" -c "SELECT k FROM ccseg_train('cards', 'cc_general', id_column => 'cust_id', seed => 42, k_min => 2, k_max => 10)"
ccseg_psql -d "$db" -At -c "SELECT ccseg_report('cards')" >"$work/report.html"
echo "report: $(wc -c <"$work/report.html") bytes"

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$work/profile" --hide-scrollbars)
timeout 120 "${chrome[@]}" --window-size=1200,2600 --screenshot="$work/report.png" \
    "file://$work/report.html" >"$work/chrome.log" 2>&1 || { cat "$work/chrome.log"; exit 1; }
timeout 120 "${chrome[@]}" --dump-dom "file://$work/report.html" >"$work/dom.html" 2>>"$work/chrome.log"

/usr/bin/python3 - "$work/report.png" "$work/dom.html" <<'PY'
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
assert width == 1200 and height == 2600, "unexpected size"
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
    cp "$work/report.html" "$work/report.png" "$CCSEG_REPORT_KEEP/"
    echo "kept in $CCSEG_REPORT_KEEP"
fi
echo "ok: the report rendered"
