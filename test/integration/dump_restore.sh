#!/usr/bin/env bash
#
# dump_restore.sh: pg_dump a database with models (several versions, a
# rollback, a rule added by the user) and pg_restore it into a fresh
# database; every row must get the same segment, the history and the rules
# must be intact, and training must go on after the restore.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

src=ccseg_dump_src
dst=ccseg_dump_dst
work="$(mktemp -d /tmp/ccseg-dump.XXXXXX)"
cleanup() {
    rm -rf "$work"
    ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
mkdir -p "$work"
ccseg_psql -q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
ccseg_load_cc "$src"
q() { ccseg_psql -d "$1" -At -c "$2"; }

q "$src" "CREATE EXTENSION ccseg" >/dev/null
q "$src" "SELECT version FROM ccseg_train('cards', 'cc_general', 8, id_column => 'cust_id', seed => 42, silhouette_sample => 0)" >/dev/null
q "$src" "SELECT version FROM ccseg_retrain('cards', seed => 7)" >/dev/null
q "$src" "SELECT ccseg_activate('cards', 1)" >/dev/null
q "$src" "SELECT version FROM ccseg_train('drop_rows', 'cc_general', 4, id_column => 'cust_id', impute => 'drop', scale => 'robust', silhouette_sample => 0)" >/dev/null
# who may read a model goes with it, also a grant to a role dropped since
q "$src" "SELECT ccseg_grant_read('cards', 'PUBLIC'), ccseg_grant_read('cards', 'pg_monitor')" >/dev/null
ccseg_psql -q -d "$src" -c "DROP ROLE IF EXISTS ccseg_dump_gone" -c "CREATE ROLE ccseg_dump_gone" \
    -c "SELECT ccseg_grant_read('drop_rows', 'ccseg_dump_gone')" -c "DROP ROLE ccseg_dump_gone" >/dev/null
# a version stored by a superuser's direct insert with what earlier releases
# accepted (a source that is no relation name, parameters of another shape):
# kept with warnings, and restored the same way
q "$src" "INSERT INTO ccseg_model_versions (model_name, version, owner, source, parameters, seconds, model)
          SELECT 'legacy', 1, owner, '(SELECT 1)', '{\"k\": \"eight\"}', 0, model
          FROM ccseg_model_versions WHERE model_name = 'drop_rows'" >/dev/null 2>&1
# a model whose source relation is dropped before the dump
q "$src" "CREATE TABLE gone_src AS SELECT * FROM cc_general LIMIT 500" >/dev/null
q "$src" "SELECT version FROM ccseg_train('gone', 'gone_src', 3, id_column => 'cust_id', silhouette_sample => 0)" >/dev/null
q "$src" "DROP TABLE gone_src"
q "$src" "INSERT INTO ccseg_rules (rule, feature_pattern, direction, segment_name, recommendation)
          VALUES ('my rule', 'payments', 'high', 'Payers', 'Thank them.')"
q "$src" "INSERT INTO ccseg_rules (rule, feature_pattern, direction, segment_name, recommendation, model)
          VALUES ('cards rule', 'PAYMENTS', 'high', 'Card payers', 'Thank them by mail.', 'cards')"

scores="SELECT string_agg(cust_id || ':' || coalesce(ccseg_predict('cards', c)::text, '-') || ':'
                          || coalesce(ccseg_predict('drop_rows', c)::text, '-') || ':'
                          || coalesce(ccseg_predict('gone', c)::text, '-'), ',' ORDER BY cust_id) FROM cc_general c"
history="SELECT string_agg(model_name || ' v' || version || CASE WHEN active THEN '*' ELSE '' END || ' '
                           || md5(model::text), ', ' ORDER BY model_name, version) FROM ccseg_model_versions"
rules="SELECT string_agg(rule || '/' || builtin || '/' || coalesce(model, '-'), ', ' ORDER BY rule) FROM ccseg_rules"
before_scores="$(q "$src" "$scores")"
before_history="$(q "$src" "$history")"
before_rules="$(q "$src" "$rules")"

"$CCSEG_PG_BINDIR/pg_dump" -Fc -d "$src" -f "$work/db.dump"
"$CCSEG_PG_BINDIR/pg_restore" --exit-on-error -d "$dst" "$work/db.dump"
echo "dump: $(wc -c <"$work/db.dump") bytes, restored into $dst"

[ "$before_history" = "$(q "$dst" "$history")" ] || { echo "FAIL: model history differs after restore"; exit 1; }
echo "history intact: $before_history" | cut -c1-160
[ "$before_rules" = "$(q "$dst" "$rules")" ] || { echo "FAIL: rules differ: $(q "$dst" "$rules")"; exit 1; }
echo "rules intact (no duplicate built-in rules, the user's rule kept)"
[ "$before_scores" = "$(q "$dst" "$scores")" ] || { echo "FAIL: predictions differ after restore"; exit 1; }
echo "identical predictions for all $(q "$dst" "SELECT count(*) FROM cc_general") rows and the three models"

# sources are held by identity: the restored table for the models trained on
# it; none for the model whose table was dropped, which scores but does not retrain
sources="$(q "$dst" "SELECT string_agg(DISTINCT model_name || ':' || coalesce(source_relid::text, 'none') || ':'
                                      || coalesce(source_owner, 'none'), ', ') FROM ccseg_model_versions")"
echo "sources after restore: $sources"
[ "$sources" = "cards:cc_general:postgres, drop_rows:cc_general:postgres, gone:none:none, legacy:none:none" ] \
    || { echo "FAIL: unexpected source relations after restore"; exit 1; }
if q "$dst" "SELECT version FROM ccseg_retrain('gone')" >/dev/null 2>"$work/gone.err"; then
    echo "FAIL: retraining a model whose source was dropped before the dump succeeded"; exit 1
fi
grep -q 'is not known' "$work/gone.err" || { echo "FAIL: unexpected error: $(cat "$work/gone.err")"; exit 1; }
echo "retraining 'gone' is refused: $(grep ERROR "$work/gone.err")"

readers="$(q "$dst" "SELECT string_agg(model || '=' || readers::text, ' ' ORDER BY model) FROM ccseg_models WHERE model IN ('cards', 'drop_rows')")"
echo "readers after restore: $readers"
[ "$readers" = "cards={PUBLIC,pg_monitor} drop_rows={ccseg_dump_gone}" ] || { echo "FAIL: grants to read a model lost in the restore"; exit 1; }
legacy="$(q "$dst" "SELECT count(*) FROM ccseg_model_versions WHERE model_name = 'legacy' AND source_relid IS NULL")"
[ "$legacy" = 1 ] || { echo "FAIL: a version stored before the checks was not restored"; exit 1; }
echo "a version stored before the checks was restored, without a source relation"

# training goes on: new versions, new row ids
q "$dst" "SELECT version FROM ccseg_retrain('cards')" >/dev/null
q "$dst" "SELECT version FROM ccseg_train('fresh', 'cc_general', 3, id_column => 'cust_id', silhouette_sample => 0)" >/dev/null
dups="$(q "$dst" "SELECT count(*) - count(DISTINCT id) FROM ccseg_model_versions")"
[ "$dups" = 0 ] || { echo "FAIL: duplicate catalog row ids after restore"; exit 1; }
echo "after restore: $(q "$dst" "SELECT string_agg(model || ' v' || version, ', ' ORDER BY model) FROM ccseg_models")"
echo "ok: dump and restore keep models, history, rules and predictions"
