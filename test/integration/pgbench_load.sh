#!/usr/bin/env bash
#
# pgbench_load.sh: dashboards keep scoring while the model is retrained.
# 8 pgbench clients label credit-card customers with ccseg_predict for
# CCSEG_LOAD_SECONDS (default 60) while a loop retrains the model again and
# again; neither side may see a single error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_load_test
seconds="${CCSEG_LOAD_SECONDS:-60}"
work="$(mktemp -d /tmp/ccseg-load.XXXXXX)"
cleanup() {
    [ -n "${loop_pid:-}" ] && kill "$loop_pid" 2>/dev/null || true
    rm -rf "$work"
    ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
ccseg_load_cc "$db"
ccseg_psql -q -d "$db" -c "CREATE EXTENSION ccseg"
ccseg_psql -q -d "$db" -c "SELECT version FROM ccseg_train('cards', 'cc_general', 8, id_column => 'cust_id', silhouette_sample => 0)"

# each transaction labels a random block of 500 customers and checks the
# labels are in range, so a half-read model would show as an error
cat >"$work/predict.sql" <<'SQL'
\set start random(0, 8450)
SELECT CASE WHEN min(s) >= 1 AND max(s) <= 8 THEN 1 ELSE 1 / (count(*) - count(*)) END
FROM (SELECT ccseg_predict('cards', c) AS s FROM cc_general c ORDER BY cust_id OFFSET :start LIMIT 500) q;
SQL

# retrain for the whole run, alternating seeds (k stays 8)
(
    i=0
    end=$(($(date +%s) + seconds))
    while [ "$(date +%s)" -lt "$end" ]; do
        i=$((i + 1))
        ccseg_psql -q -d "$db" -At -c "SELECT version FROM ccseg_retrain('cards', seed => $i)" >>"$work/retrain.log" 2>&1 \
            || { echo "retrain $i failed" >>"$work/retrain.log"; exit 1; }
    done
) &
loop_pid=$!

"$CCSEG_PG_BINDIR/pgbench" -n -c 8 -j 2 -T "$seconds" -f "$work/predict.sql" "$db" >"$work/pgbench.log" 2>&1 \
    || { cat "$work/pgbench.log"; echo "FAIL: pgbench reported errors"; exit 1; }
loop_status=0
wait "$loop_pid" || loop_status=$?
loop_pid=""
grep -E "number of (transactions actually processed|failed transactions)|tps" "$work/pgbench.log" | sed 's/^/pgbench: /'
retrains="$(grep -c '^[0-9]' "$work/retrain.log" || true)"
echo "retrains completed meanwhile: $retrains"
[ "$loop_status" = 0 ] || { cat "$work/retrain.log"; echo "FAIL: a retrain failed"; exit 1; }
if grep -q "number of failed transactions: [1-9]" "$work/pgbench.log" || grep -qi "error\|abort" "$work/pgbench.log"; then
    cat "$work/pgbench.log"; echo "FAIL: scoring saw errors"; exit 1
fi
[ "$retrains" -ge 2 ] || { echo "FAIL: the model was not retrained during the run"; exit 1; }
versions="$(ccseg_psql -d "$db" -At -c "SELECT count(*) - count(DISTINCT version) FROM ccseg_model_versions WHERE model_name = 'cards'")"
[ "$versions" = 0 ] || { echo "FAIL: duplicate version numbers"; exit 1; }
echo "ok: 8 clients scored without an error while the model was retrained $retrains times"
