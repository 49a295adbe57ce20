#!/usr/bin/env bash
#
# cancel.sh: long work can be cancelled.  A training on generated customers
# sized to take well over 3 s (600,000 rows, every restart on every row:
# about 7 s here), the same with its restarts on a sample, the same on a
# sample with full passes (a memory cap), an elbow, an exact silhouette and
# the alignment of 6,000 segments with a previous version's 6,000 (a
# training of well under 1 s followed by seconds of matching) are each
# stopped by statement_timeout = 1 s within 2 s, with nothing left in the
# catalog, and the session goes on working.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_cancel_test
cleanup() { ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
ccseg_psql -q -d postgres -c "CREATE DATABASE $db"
ccseg_psql -q -d "$db" -c "CREATE EXTENSION ccseg"
ccseg_psql -q -d "$db" -c "CREATE TABLE customers AS SELECT * FROM ccseg_generate_customers(600000, 1)"
ccseg_psql -q -d "$db" -c "CREATE TABLE small AS SELECT * FROM customers LIMIT 9000"
ccseg_psql -q -d "$db" -At -c "SELECT k FROM ccseg_train('small_model', 'small', 8, id_column => 'cust_id', silhouette_sample => 0)" >/dev/null

# how long the training takes when nobody stops it
start=$(date +%s%N)
ccseg_psql -q -d "$db" -At -c "SET ccseg.restart_rows = 0" -c "BEGIN; SELECT k FROM ccseg_train('full', 'customers', 8, id_column => 'cust_id', silhouette_sample => 0); ROLLBACK" >/dev/null
full_ms=$((($(date +%s%N) - start) / 1000000))
echo "uncancelled training: ${full_ms} ms"
[ "$full_ms" -gt 3000 ] || { echo "FAIL: the training must take over 3 s for this test to mean something"; exit 1; }

# 12,000 points in the plane, and a previous version of 6,000 segments
ccseg_psql -q -d "$db" -c "SELECT setseed(0.25)" \
    -c "CREATE TABLE points AS SELECT g AS id, random() AS a, random() AS b FROM generate_series(1, 12000) g" >/dev/null
align_args="'points', 6000, id_column => 'id', init => 'random', n_init => 1, max_iter => 1, silhouette_sample => 0, seed => 1"
ccseg_psql -q -d "$db" -c "SET ccseg.threads = 1" -c "SET client_min_messages = warning" \
    -c "CREATE TABLE previous AS SELECT ccseg_build_model('points', 6000, id_column => 'id', init => 'random', n_init => 1, max_iter => 1, silhouette_sample => 0) AS m"
start=$(date +%s%N)
ccseg_psql -q -d "$db" -At -c "SET ccseg.threads = 1" -c "SET client_min_messages = warning" \
    -c "SELECT ccseg_build_model($align_args) IS NOT NULL" >/dev/null
unaligned_ms=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
ccseg_psql -q -d "$db" -At -c "SET ccseg.threads = 1" -c "SET client_min_messages = warning" \
    -c "SELECT ccseg_build_model($align_args, previous => (SELECT m FROM previous)) IS NOT NULL" >/dev/null
aligned_ms=$((($(date +%s%N) - start) / 1000000))
echo "k = 6000 without alignment: ${unaligned_ms} ms, with alignment: ${aligned_ms} ms"
[ "$unaligned_ms" -lt 1000 ] && [ "$aligned_ms" -gt 3000 ] \
    || { echo "FAIL: the training must take under 1 s and the alignment over 3 s for this test to mean something"; exit 1; }

cancel() {
    local what="$1" sql="$2" out ms
    start=$(date +%s%N)
    out="$(ccseg_psql -d "$db" -At -c "SET statement_timeout = '1s'" -c "$sql" 2>&1 || true)"
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "$what: stopped after ${ms} ms: $(echo "$out" | grep -m1 ERROR)"
    echo "$out" | grep -q "canceling statement due to statement timeout" \
        || { echo "FAIL: $what was not cancelled: $out"; exit 1; }
    [ "$ms" -lt 2000 ] || { echo "FAIL: $what took ${ms} ms to stop"; exit 1; }
}
cancel "training" "SET ccseg.restart_rows = 0; SELECT k FROM ccseg_train('cancelled', 'customers', 8, id_column => 'cust_id', silhouette_sample => 0)"
cancel "training, restarts on a sample" "SELECT k FROM ccseg_train('cancelled', 'customers', 8, id_column => 'cust_id', n_init => 40, silhouette_sample => 0)"
cancel "sampled training" "SET ccseg.max_train_memory = '1MB'; SELECT k FROM ccseg_train('cancelled', 'customers', 8, id_column => 'cust_id', silhouette_sample => 0)"
cancel "elbow" "SELECT count(*) FROM ccseg_elbow('customers', 2, 10, id_column => 'cust_id')"
cancel "describe and correlation" "SELECT count(*) FROM ccseg_correlation('customers') CROSS JOIN generate_series(1, 1000)"
cancel "exact silhouette" "SELECT count(*) FROM _ccseg_model_silhouette('customers', ccseg_get_model('small_model'), 1000000000, 0)"
cancel "alignment" "SET ccseg.threads = 1; SET client_min_messages = warning; SELECT ccseg_build_model($align_args, previous => (SELECT m FROM previous)) IS NOT NULL"

left="$(ccseg_psql -d "$db" -At -c "SELECT count(*) FROM ccseg_model_versions WHERE model_name = 'cancelled'")"
[ "$left" = 0 ] || { echo "FAIL: the cancelled training left $left rows"; exit 1; }
ok="$(ccseg_psql -d "$db" -At -c "SELECT count(*) FROM small s WHERE ccseg_predict('small_model', s) IS NOT NULL")"
[ "$ok" = 9000 ] || { echo "FAIL: the session does not work after the cancels"; exit 1; }
echo "ok: cancelled within 2 s each, nothing left behind"
