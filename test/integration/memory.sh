#!/usr/bin/env bash
#
# memory.sh: a backend's memory stays flat while it trains model after model
# and while it scores 10 million rows (two passes over 5 million).  Reads
# the backend's resident set size (VmRSS in /proc) before and after; the
# growth must stay under a bound.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_memory_test
rows="${CCSEG_MEMORY_ROWS:-5000000}"
cleanup() { ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
ccseg_psql -q -d postgres -c "CREATE DATABASE $db"
ccseg_psql -q -d "$db" -c "CREATE EXTENSION ccseg"
ccseg_psql -q -d "$db" -c "CREATE TABLE small AS SELECT * FROM ccseg_generate_customers(3000, 1)"
ccseg_psql -q -d "$db" -c "CREATE TABLE big AS SELECT * FROM ccseg_generate_customers($rows, 2)"

# one session: warm up, read RSS, work, read RSS again; the backend reads its own /proc entry
# through pg_read_file-free means: we ask for its pid and read /proc from here (same machine)
fifo_in="$(mktemp -u /tmp/ccseg-mem.XXXXXX)"
mkfifo "$fifo_in"
exec 3<>"$fifo_in"
out="$(mktemp /tmp/ccseg-mem-out.XXXXXX)"
ccseg_psql -d "$db" -At <&3 >"$out" 2>&1 &
psql_pid=$!
say() { echo "$1" >&3; }
wait_for() {  # wait until the output has $1 lines
    for _ in $(seq 1 3000); do
        [ "$(wc -l <"$out")" -ge "$1" ] && return 0
        sleep 0.1
    done
    echo "FAIL: the session did not answer"; cat "$out"; exit 1
}
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

say "SELECT pg_backend_pid();"
wait_for 1
backend="$(head -n 1 "$out")"
say "SELECT count(*) FROM (SELECT ccseg_train('warm', 'small', 5, id_column => 'cust_id', silhouette_sample => 0)) q;"
say "SELECT count(*) FROM big b WHERE ccseg_predict('warm', b) > 0;"
wait_for 3
before="$(rss "$backend")"
say "DO \$\$ BEGIN FOR i IN 1..100 LOOP PERFORM ccseg_train('m' || (i % 10), 'small', 2 + i % 7, id_column => 'cust_id', silhouette_sample => 2000, seed => i); END LOOP; END \$\$;"
say "SELECT 'trained';"
wait_for 4
after_train="$(rss "$backend")"
say "SELECT count(*) FROM big b WHERE ccseg_predict('m3', b) > 0;"
say "SELECT count(*) FROM big b WHERE ccseg_predict('m4', b) > 0;"
wait_for 6
after_predict="$(rss "$backend")"
say "\\q"
exec 3>&-
wait "$psql_pid" || true
rm -f "$fifo_in"
cat "$out" | sed 's/^/session: /'
rm -f "$out"

echo "backend RSS: ${before} kB before, ${after_train} kB after 100 trainings, ${after_predict} kB after scoring 2 x $rows rows"
growth=$((after_predict - before))
limit=$((32 * 1024))
[ "$growth" -lt "$limit" ] || { echo "FAIL: the backend grew by ${growth} kB (limit ${limit} kB)"; exit 1; }
echo "ok: growth ${growth} kB, under ${limit} kB"
