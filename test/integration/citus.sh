#!/usr/bin/env bash
#
# citus.sh: ccseg on a real Citus cluster (Citus 13.2.2 from its prebuilt
# tarball, never the network): a coordinator and two workers on 127.0.0.1,
# started here as the postgres user and stopped whatever happens.  ccseg must
# be installed (make install) in the PostgreSQL tree of CCSEG_PG_BINDIR.
#
# Checks, against local copies of the same tables on the coordinator:
#   - the same model, bit for bit, trained in memory (the credit-card table)
#     and on a sample with Lloyd passes (1 M generated customers);
#   - the passes run on the shards (worker_partial_agg in the shard queries,
#     which return no feature column), and so does the sample's filter;
#   - training a large distributed table with no memory cap takes that path;
#   - the same segments scored by name and by value, with the model in the
#     shard queries (the workers have no model catalog rows);
#   - per-group models (ccseg_fit ... GROUP BY the distribution column) made
#     entirely on the workers, equal to the local ones (and by another column,
#     aggregated on the coordinator, equal too);
#   - bad input: a shard whose feature column has another type, a worker
#     without ccseg, shards on the coordinator.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CCSEG_PG_BINDIR="${CCSEG_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
ROWS="${CCSEG_CITUS_ROWS:-1000000}"

cluster="$(mktemp -u /tmp/ccseg-citus.XXXXXX)"
cleanup() {
    bash test/integration/lib/citus_cluster.sh stop "$cluster" || true
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

bash test/integration/lib/citus_cluster.sh install
ports="$(bash test/integration/lib/citus_cluster.sh start "$cluster")"
coord="$(echo "$ports" | awk '$1 == "coordinator" {print $2}')"
w1="$(echo "$ports" | awk '$1 == "worker" {print $2}' | sed -n 1p)"
w2="$(echo "$ports" | awk '$1 == "worker" {print $2}' | sed -n 2p)"
echo "cluster: coordinator 127.0.0.1:$coord, workers $w1 and $w2"

# psql on a node (default the coordinator), unaligned, stopping at the first error
q() {
    local port="$coord"
    if [ "${1:-}" = "-p" ]; then
        port="$2"
        shift 2
    fi
    "$CCSEG_PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q -At -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

# expect NAME VALUE WANTED
expect() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1"
    else
        fail "$1: got '$2', expected '$3'"
    fi
}

q -c "SELECT citus_version()"
q -c "CREATE EXTENSION ccseg"
for port in "$w1" "$w2"; do
    expect "ccseg created on the worker at $port by Citus" \
        "$(q -p "$port" -c "SELECT extversion FROM pg_extension WHERE extname = 'ccseg'")" \
        "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'ccseg'")"
done

# --- the credit-card table, distributed and local ----------------------------
csv="$PWD/data/cc_general.csv"
q -f data/cc_general.sql
q -c "\\copy cc_general FROM '${csv//\'/\'\'}' WITH (FORMAT csv, HEADER true)"
q -c "CREATE TABLE cc_local AS SELECT * FROM cc_general"
q -c "SELECT create_distributed_table('cc_general', 'cust_id')" >/dev/null
q -c "SELECT truncate_local_data_after_distributing_table('cc_general')" >/dev/null
expect "cc_general is distributed in 32 shards" \
    "$(q -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'cc_general'::regclass")" 32

# in memory: every row read (on the coordinator), the same model bit for bit
q -c "SELECT version FROM ccseg_train('cards', 'cc_general', 6, id_column => 'cust_id', seed => 42, silhouette_sample => 0)" >/dev/null
q -c "SELECT version FROM ccseg_train('cards_local', 'cc_local', 6, id_column => 'cust_id', seed => 42, silhouette_sample => 0)" >/dev/null
expect "in-memory model: distributed = local, bit for bit" \
    "$(q -c "SELECT ccseg_get_model('cards')::text = ccseg_get_model('cards_local')::text")" t

# --- scoring on the workers ---------------------------------------------------
plan="$(q -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ccseg_predict('cards', c) FROM cc_general c")"
echo "$plan" | grep -q "Query: SELECT public._ccseg_predict_columns('{\"format\"" ||
    fail "the shard query of ccseg_predict(name, row) does not carry the model value: $plan"
echo "ok: ccseg_predict('cards', c) ships the model value in the shard queries"
plan="$(q -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT ccseg_predict(ccseg_get_model('cards'), ARRAY[balance, purchases]) FROM cc_general c")"
echo "$plan" | grep -q "Query: SELECT public.ccseg_predict('{\"format\"" ||
    fail "the shard query of ccseg_predict(ccseg_get_model(...), ...) does not carry the model value: $plan"
echo "$plan" | grep -q "ccseg_get_model" && fail "ccseg_get_model is still called in the plan: $plan"
echo "ok: ccseg_get_model('cards') is read once, its value in the shard queries"
for port in "$w1" "$w2"; do
    expect "the worker at $port has no model in its catalog" \
        "$(q -p "$port" -c "SELECT count(*) FROM ccseg_model_versions")" 0
done
features="balance, balance_frequency, purchases, oneoff_purchases, installments_purchases, cash_advance,
    purchases_frequency, oneoff_purchases_frequency, purchases_installments_frequency, cash_advance_frequency,
    cash_advance_trx, purchases_trx, credit_limit, payments, minimum_payments, prc_full_payment, tenure"
q -c "CREATE TABLE scored_local AS SELECT cust_id, ccseg_predict('cards_local', c) AS seg FROM cc_local c"
q -c "CREATE TABLE scored_name AS SELECT cust_id, ccseg_predict('cards', c) AS seg FROM cc_general c"
q -c "CREATE TABLE scored_value AS SELECT cust_id, ccseg_predict(ccseg_get_model('cards'), ARRAY[$features]::float8[]) AS seg FROM cc_general c"
expect "predictions by name on the workers = local" \
    "$(q -c "SELECT count(*) FROM scored_local l FULL JOIN scored_name d USING (cust_id) WHERE l.seg IS DISTINCT FROM d.seg")" 0
expect "predictions by value on the workers = local" \
    "$(q -c "SELECT count(*) FROM scored_local l FULL JOIN scored_value d USING (cust_id) WHERE l.seg IS DISTINCT FROM d.seg")" 0
expect "every customer scored" "$(q -c "SELECT count(*) FROM scored_name WHERE seg IS NOT NULL")" 8950

# --- per-group models: GROUP BY the distribution column -----------------------
q -c "CREATE TABLE regions AS SELECT (abs(hashtext(cust_id)) % 4) AS region, c.* FROM cc_local c"
q -c "CREATE TABLE regions_local AS SELECT * FROM regions"
q -c "SELECT create_distributed_table('regions', 'region')" >/dev/null
q -c "SELECT truncate_local_data_after_distributing_table('regions')" >/dev/null
fit="SELECT region, ccseg_fit(ARRAY[balance, purchases, credit_limit, payments]::float8[], 3,
    ARRAY['balance', 'purchases', 'credit_limit', 'payments'])::text AS m FROM %s GROUP BY region"
plan="$(q -c "EXPLAIN (VERBOSE, COSTS OFF) $(printf "$fit" regions)")"
echo "$plan" | grep -q "Query: SELECT region, (public.ccseg_fit(" ||
    fail "ccseg_fit ... GROUP BY the distribution column is not run whole on the workers: $plan"
echo "$plan" | grep -q "worker_partial_agg" && fail "ccseg_fit by the distribution column is split: $plan"
echo "ok: ccseg_fit ... GROUP BY the distribution column runs whole in the shard queries"
expect "per-group models: distributed = local" \
    "$(q -c "SELECT count(*) FROM ($(printf "$fit" regions)) d FULL JOIN ($(printf "$fit" regions_local)) l USING (region) WHERE d.m IS DISTINCT FROM l.m")" 0
expect "per-group models: one per region" "$(q -c "SELECT count(*) FROM ($(printf "$fit" regions)) d")" 4
# grouped by another column: the rows go to the coordinator, the models are the same
fit2="SELECT tenure, ccseg_fit(ARRAY[balance, purchases, credit_limit, payments]::float8[], 3)::text AS m
    FROM %s WHERE tenure >= 11 GROUP BY tenure"
expect "per-group models by another column: distributed = local" \
    "$(q -c "SELECT count(*) FROM ($(printf "$fit2" cc_general)) d FULL JOIN ($(printf "$fit2" cc_local)) l USING (tenure) WHERE d.m IS DISTINCT FROM l.m")" 0

# --- 1 M generated customers: sampled training, passes on the shards ----------
q -c "CREATE TABLE big_local AS SELECT * FROM ccseg_generate_customers($ROWS, 1)"
q -c "CREATE TABLE big (LIKE big_local)"
q -c "SELECT create_distributed_table('big', 'cust_id')" >/dev/null
q -c "INSERT INTO big SELECT * FROM big_local"
q -c "ANALYZE big_local"
expect "big holds $ROWS rows" "$(q -c "SELECT count(*) FROM big")" "$ROWS"

train="SET ccseg.max_train_memory = '32MB'; SET client_min_messages = log; SET citus.log_remote_commands = on;
    SELECT version FROM ccseg_train('%s', '%s', 8, id_column => 'cust_id', n_init => 2, max_iter => 12, seed => 1,
                                    silhouette_sample => 0, verbose => true)"
log_d="$(q -c "$(printf "$train" big_d big)" 2>&1)"
log_l="$(q -c "$(printf "$train" big_l big_local)" 2>&1)"
echo "$log_d" | grep -E "training on a sample|passes over all" || true
expect "sampled model: distributed = local, bit for bit" \
    "$(q -c "SELECT ccseg_get_model('big_d')::text = ccseg_get_model('big_l')::text")" t
passes="$(echo "$log_d" | sed -nE 's/.*LOG: +([0-9]+) passes over all.*/\1/p')"
[ -n "$passes" ] || fail "no passes logged: $log_d"
# every pass query sent to a shard is a partial aggregate; no shard query of
# the training returns the feature columns row by row, except the sample's,
# which filters its rows on the shard by key
remote="$(echo "$log_d" | grep "issuing" || true)"
pass_cmds="$(echo "$remote" | grep -c "_ccseg_lloyd_pass" || true)"
partial_cmds="$(echo "$remote" | grep "_ccseg_lloyd_pass" | grep -c "worker_partial_agg" || true)"
expect "every pass shard query is worker_partial_agg" "$partial_cmds" "$pass_cmds"
expect "one shard query per shard and pass ($passes passes)" "$pass_cmds" "$((passes * 32))"
rowwise="$(echo "$remote" | grep -E "SELECT .*balance" | grep -v "_ccseg_lloyd_pass\|_ccseg_sample_key" | grep -c "FROM public.big_" || true)"
expect "no shard query returns the feature columns of every row" "$rowwise" 0
sample_cmds="$(echo "$remote" | grep -c "_ccseg_sample_key" || true)"
[ "$sample_cmds" -ge 32 ] || fail "the sample is not filtered on the shards ($sample_cmds shard queries)"
echo "ok: the sample is filtered on the shards ($sample_cmds shard queries)"

# the pass query as training writes it: EXPLAIN shows the partial aggregate in the shard queries
plan="$(q -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT _ccseg_lloyd_pass(ccseg_get_model('big_d'), ARRAY[$features]::float8[]) FROM big")"
echo "$plan" | grep -q "coord_combine_agg" || fail "the pass is not combined on the coordinator: $plan"
echo "$plan" | grep -q "Query: SELECT pg_catalog.worker_partial_agg('public._ccseg_lloyd_pass(public.ccseg_model,double precision\[\])'::regprocedure, ROW('{\"format\"" ||
    fail "the shard queries of a pass are not partial aggregates carrying the model: $plan"
echo "ok: EXPLAIN of a pass: worker_partial_agg with the model in the shard queries, coord_combine_agg on the coordinator"

# with no memory cap, a large distributed table still takes the sampled path
log_default="$(q -c "SET client_min_messages = notice; SELECT version FROM ccseg_train('big_default', 'big', 8, id_column => 'cust_id', n_init => 1, max_iter => 5, seed => 1, silhouette_sample => 0)" 2>&1)"
echo "$log_default" | grep -q "training on a sample of 100000 of the $ROWS rows of distributed table \"big\"" ||
    fail "the default training of a distributed table did not take the distributed path: $log_default"
echo "ok: with no memory cap, big is trained on a sample drawn on the workers"
expect "that model covers every row" \
    "$(q -c "SELECT rows FROM ccseg_models WHERE model = 'big_default'")" "$ROWS"

# scoring the big table by name on the workers, against local
expect "$ROWS predictions by name on the workers = local" \
    "$(q -c "SELECT count(*) FROM (SELECT ccseg_predict('big_d', b) AS s, count(*) FROM big b GROUP BY 1
        EXCEPT SELECT ccseg_predict('big_l', b), count(*) FROM big_local b GROUP BY 1) x")" 0

# a prepared statement on the distributed table follows the active version
q <<'SQL' >"$cluster/prepared.out"
SET plan_cache_mode = force_generic_plan;
PREPARE seg AS SELECT count(DISTINCT ccseg_predict('cards', c)) FROM cc_general c;
EXECUTE seg;
SELECT version FROM ccseg_train('cards', 'cc_general', 3, id_column => 'cust_id', seed => 42, silhouette_sample => 0);
EXECUTE seg;
SELECT ccseg_activate('cards', 1);
EXECUTE seg;
SQL
expect "a prepared statement scores with the active version (k = 6, then 3, then 6 again)" \
    "$(grep -v '^[0-9]*$' -c "$cluster/prepared.out" || true) $(tr '\n' ' ' <"$cluster/prepared.out")" "0 6 2 3 2 6 "

# --- bad input ----------------------------------------------------------------
versions_before="$(q -c "SELECT count(*) FROM ccseg_model_versions")"
# a shard whose feature column has another type (altered behind Citus's back)
shard="$(q -c "SELECT shard_name('cc_general'::regclass, shardid) FROM pg_dist_shard_placement JOIN pg_dist_shard USING (shardid)
    WHERE logicalrelid = 'cc_general'::regclass AND nodeport = $w1 ORDER BY shardid LIMIT 1")"
q -p "$w1" -c "SET citus.enable_ddl_propagation = off; ALTER TABLE $shard ALTER COLUMN balance TYPE text USING 'n/a'"
out="$(q -c "SET ccseg.max_train_memory = '64kB'; SELECT ccseg_train('bad_types', 'cc_general', 4, id_column => 'cust_id')" 2>&1 || true)"
# (the coordinator's column is float8, so the shard query has no cast left)
echo "$out" | grep -Eq 'ERROR:  (ARRAY types text and double precision cannot be matched|invalid input syntax for type double precision)' ||
    fail "a shard with a text feature column: $out"
echo "ok: a shard with a text feature column is a clear error: $(echo "$out" | grep ERROR | head -1)"
q -p "$w1" -c "SET citus.enable_ddl_propagation = off; ALTER TABLE $shard ALTER COLUMN balance TYPE float8 USING NULL"
# a worker without ccseg
q -p "$w2" -c "SET citus.enable_ddl_propagation = off; DROP EXTENSION ccseg CASCADE" 2>/dev/null
out="$(q -c "SET ccseg.max_train_memory = '64kB'; SELECT ccseg_train('no_ccseg', 'cc_general', 4, id_column => 'cust_id')" 2>&1 || true)"
echo "$out" | grep -Eq 'ERROR:  (function|type) .*(_ccseg_sample_key|_ccseg_lloyd_pass|ccseg_model).* does not exist' ||
    fail "a worker without ccseg: $out"
echo "ok: a worker without ccseg is a clear error: $(echo "$out" | grep ERROR | head -1)"
out="$(q -c "SELECT count(*) FROM cc_general c WHERE ccseg_predict('cards', c) IS NOT NULL" 2>&1 || true)"
echo "$out" | grep -q 'ERROR:' || fail "scoring with a worker without ccseg: $out"
echo "ok: scoring with a worker without ccseg is a clear error: $(echo "$out" | grep ERROR | head -1)"
expect "no version stored by the failed trainings" \
    "$(q -c "SELECT count(*) FROM ccseg_model_versions")" "$versions_before"
q -p "$w2" -c "SET citus.enable_ddl_propagation = off; CREATE EXTENSION ccseg"
# shards on the coordinator too
q -c "SELECT citus_set_node_property('127.0.0.1', $coord, 'shouldhaveshards', true)" >/dev/null
q -c "CREATE TABLE spread (LIKE cc_local)"
q -c "SELECT create_distributed_table('spread', 'cust_id', colocate_with => 'none')" >/dev/null
q -c "INSERT INTO spread SELECT * FROM cc_local"
expect "spread has shards on the coordinator" \
    "$(q -c "SELECT count(*) > 0 FROM pg_dist_shard_placement JOIN pg_dist_shard USING (shardid) WHERE logicalrelid = 'spread'::regclass AND nodeport = $coord")" t
for kind in memory sampled; do
    cap="1GB"
    [ "$kind" = sampled ] && cap="256kB"
    q -c "SET ccseg.max_train_memory = '$cap'; SELECT version FROM ccseg_train('spread_$kind', 'spread', 5, id_column => 'cust_id', seed => 3, silhouette_sample => 0)" >/dev/null 2>&1
    q -c "SET ccseg.max_train_memory = '$cap'; SELECT version FROM ccseg_train('spread_local_$kind', 'cc_local', 5, id_column => 'cust_id', seed => 3, silhouette_sample => 0)" >/dev/null 2>&1
    expect "shards on the coordinator, $kind: the same model as local" \
        "$(q -c "SELECT ccseg_get_model('spread_$kind')::text = ccseg_get_model('spread_local_$kind')::text")" t
done

for node in coordinator worker1 worker2; do
    if grep -q "terminated by signal" "$cluster/$node.log"; then
        fail "a backend of the $node crashed: $(grep 'terminated by signal' "$cluster/$node.log" | head -3)"
    fi
done
echo "ok: no backend crashed"
echo "citus.sh: all checks passed"
