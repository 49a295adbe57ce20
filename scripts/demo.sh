#!/usr/bin/env bash
#
# demo.sh: the main job, end to end, on the credit-card data.
#
#   1. install the Debian packages that are missing (needs root the first time)
#   2. build the extension and install it into PostgreSQL 15
#   3. start a throwaway PostgreSQL server, or use the one the PG* variables name
#   4. create a database, load data/cc_general.csv, CREATE EXTENSION ccseg
#   5. run scripts/demo.sql: train k=8, segment sizes, centroids, the model catalog
#
# Usage: bash scripts/demo.sh            (from any directory)
#
# With PGHOST, PGPORT or PGDATABASE set to a reachable server, that server is used and the demo
# works in database $CCSEG_DEMO_DB (default ccseg_demo), created if missing; table cc_general
# there is replaced. Otherwise a throwaway server is started and removed on exit
# (CCSEG_KEEP_SERVER=1 keeps its directory).

set -euo pipefail

started_ns="$(date +%s%N)"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/pgenv.sh
source scripts/pgenv.sh

# Stop the throwaway server however we leave (a no-op if we reuse someone else's).
trap ccseg_stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ccseg_install_packages
ccseg_build_install

# shellcheck disable=SC2119 # no extra postgresql.conf lines for the demo
ccseg_start_server

db="${CCSEG_DEMO_DB:-ccseg_demo}"
# The database name as an SQL identifier and as an SQL string.
db_ident="\"${db//\"/\"\"}\""
db_literal="'${db//\'/\'\'}'"

if ccseg_server_is_throwaway; then
    # Our own throwaway server: start from an empty database.
    ccseg_psql -q -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $db_ident" -c "CREATE DATABASE $db_ident"
else
    # Someone's server: create the database only if it is missing.
    exists="$(ccseg_psql -At -c "SELECT 1 FROM pg_database WHERE datname = $db_literal")"
    if [ -z "$exists" ]; then
        ccseg_psql -q -c "CREATE DATABASE $db_ident"
    fi
fi

ccseg_load_cc "$db"
ccseg_psql -q -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS ccseg'

echo "ccseg demo: database $db on ${PGHOST}:${PGPORT}"
sql_started_ns="$(date +%s%N)"
ccseg_psql -d "$db" -f scripts/demo.sql
# The report: one HTML page with the segments, their profiles and pictures.
report="${CCSEG_DEMO_REPORT:-$PWD/ccseg-report-cards.html}"
ccseg_psql -d "$db" -At -c "SELECT ccseg_report('cards')" >"$report"
ccseg_psql -d "$db" -At -c "SELECT ccseg_explore_report('cc_general')" >"${report%.html}-explore.html"
finished_ns="$(date +%s%N)"

# Elapsed times in seconds with 2 decimals (date +%s%N counts nanoseconds).
elapsed() {
    local ns=$(($2 - $1))
    printf '%d.%02d' $((ns / 1000000000)) $((ns % 1000000000 / 10000000))
}
echo
echo "ccseg demo: report written to $report (open it in a browser)"
echo "ccseg demo: done in $(elapsed "$started_ns" "$finished_ns") s" \
    "(SQL $(elapsed "$sql_started_ns" "$finished_ns") s)"
