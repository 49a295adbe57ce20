#!/usr/bin/env bash
#
# pg_cron.sh: scheduled retraining with the real pg_cron (Debian's
# postgresql-15-cron, 1.4: minute schedules).  The server must preload
# pg_cron with cron.database_name = 'postgres' and run jobs in background
# workers (test.sh starts it so).  Schedules ccseg_retrain every minute in
# a test database, waits at most 150 s for a successful run, checks that a
# new version exists with stable segment numbers, and unschedules the job.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

db=ccseg_cron_test
job=ccseg-cron-test-retrain
cleanup() {
    ccseg_psql -q -d postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null 2>&1 || true
    ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

preload="$(ccseg_psql -d postgres -At -c "SHOW shared_preload_libraries")"
case "$preload" in
    *pg_cron*) ;;
    *) echo "FAIL: the server does not preload pg_cron (shared_preload_libraries = '$preload')"; exit 1 ;;
esac

cleanup
ccseg_psql -q -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_cron"
echo "pg_cron $(ccseg_psql -d postgres -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")"
ccseg_psql -q -d postgres -c "CREATE DATABASE $db"
ccseg_load_cc "$db"
ccseg_psql -q -d "$db" -c "CREATE EXTENSION ccseg"
ccseg_psql -q -d "$db" -c "SELECT version FROM ccseg_train('cards', 'cc_general', 6, id_column => 'cust_id', seed => 42, silhouette_sample => 0)"
ccseg_psql -d "$db" -At -c "CREATE TABLE labels_v1 AS SELECT cust_id, ccseg_predict('cards', c) AS seg FROM cc_general c" >/dev/null

jobid="$(ccseg_psql -d postgres -At -c "SELECT cron.schedule_in_database('$job', '* * * * *',
    \$\$SELECT ccseg_retrain('cards', seed => 7)\$\$, '$db')")"
echo "scheduled job $jobid: every minute, SELECT ccseg_retrain('cards', seed => 7) in $db"

status=""
for _ in $(seq 1 75); do
    status="$(ccseg_psql -d postgres -At -c "SELECT status || ': ' || coalesce(return_message, '')
        FROM cron.job_run_details WHERE jobid = $jobid AND status IN ('succeeded', 'failed')
        ORDER BY runid LIMIT 1")"
    [ -n "$status" ] && break
    sleep 2
done
echo "first run: ${status:-none within 150 s}"
case "$status" in
    succeeded*) ;;
    *) echo "FAIL: no successful run of the job"; exit 1 ;;
esac
ccseg_psql -q -d postgres -c "SELECT cron.unschedule($jobid)" >/dev/null

ccseg_psql -d "$db" -c "SELECT version, active, aligned_to, round(changed_share::numeric, 4) AS changed_share FROM ccseg_versions('cards')"
aligned="$(ccseg_psql -d "$db" -At -c "SELECT aligned_to FROM ccseg_models WHERE model = 'cards'")"
[ "$aligned" = 1 ] || { echo "FAIL: the retrained version is not aligned to version 1"; exit 1; }
# stable numbers: the same seed-independent structure keeps most customers in their segment
kept="$(ccseg_psql -d "$db" -At -c "SELECT round(avg((l.seg = ccseg_predict('cards', c))::int)::numeric, 4)
    FROM labels_v1 l JOIN cc_general c USING (cust_id)")"
echo "customers keeping their segment number: $kept"
awk -v k="$kept" 'BEGIN { exit !(k >= 0.9) }' || { echo "FAIL: segment numbers were not kept"; exit 1; }
echo "ok: pg_cron retrained the model on schedule with stable segment numbers"
