#!/usr/bin/env bash
#
# upgrade.sh: install the first release (0.1.0), train models, update the
# extension to the current version, and check that models survive and
# predict the same, that lifecycle functions work on them, and that the
# updated extension has exactly the objects of a fresh install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pgenv.sh

old=ccseg_upgrade_old
new=ccseg_upgrade_fresh
cleanup() {
    ccseg_psql -q -d postgres -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
ccseg_psql -q -d postgres -c "CREATE DATABASE $old" -c "CREATE DATABASE $new"
ccseg_load_cc "$old"

q() { ccseg_psql -d "$1" -At -c "$2"; }

q "$old" "CREATE EXTENSION ccseg VERSION '0.1.0'" >/dev/null
q "$old" "SELECT version FROM ccseg_train('cards', 'cc_general', 8, id_column => 'cust_id', seed => 42, silhouette_sample => 0)" >/dev/null
q "$old" "SELECT version FROM ccseg_train('cards', 'cc_general', 5, id_column => 'cust_id', seed => 1, silhouette_sample => 0)" >/dev/null
q "$old" "SELECT version FROM ccseg_train('small', 'cc_general', 3, features => ARRAY['balance', 'purchases'], silhouette_sample => 0)" >/dev/null
# a user's view on the catalog view must not block the update
q "$old" "CREATE VIEW my_models AS SELECT model, version, k FROM ccseg_models"
q "$old" "CREATE TABLE before AS SELECT cust_id, ccseg_predict('cards', c) AS a, ccseg_predict('small', c) AS b FROM cc_general c"
echo "0.1.0: $(q "$old" "SELECT string_agg(model || ' v' || version || ' k=' || k, ', ' ORDER BY model) FROM ccseg_models")"

q "$old" "ALTER EXTENSION ccseg UPDATE" >/dev/null
version="$(q "$old" "SELECT extversion FROM pg_extension WHERE extname = 'ccseg'")"
current="$(sed -n "s/^default_version = '\(.*\)'/\1/p" ccseg.control)"
echo "updated to $version (current $current)"
[ "$version" = "$current" ] || { echo "FAIL: not updated to the current version"; exit 1; }

# versions stored before 0.4.0 get their source relation by OID, resolved by name once
sources="$(q "$old" "SELECT string_agg(DISTINCT coalesce(source_relid::text, 'none') || ':' || coalesce(source_owner, 'none'), ', ')
                     FROM ccseg_model_versions")"
echo "sources after the update: $sources"
[ "$sources" = "cc_general:postgres" ] || { echo "FAIL: source relations not resolved by the update"; exit 1; }

echo "the user's view still works: $(q "$old" "SELECT string_agg(model || ' k=' || k, ', ' ORDER BY model) FROM my_models")"

# the latest version of each model became the active one, and scoring is unchanged
active="$(q "$old" "SELECT string_agg(model || ' v' || version, ', ' ORDER BY model) FROM ccseg_models")"
echo "active after the update: $active"
[ "$active" = "cards v2, small v1" ] || { echo "FAIL: unexpected active versions"; exit 1; }
diff_rows="$(q "$old" "SELECT count(*) FROM before b JOIN cc_general c USING (cust_id)
                       WHERE b.a IS DISTINCT FROM ccseg_predict('cards', c)
                          OR b.b IS DISTINCT FROM ccseg_predict('small', c)")"
echo "rows scored differently after the update: $diff_rows"
[ "$diff_rows" = 0 ] || { echo "FAIL: predictions changed"; exit 1; }

# the lifecycle works on models trained before the update
q "$old" "SELECT ccseg_activate('cards', 1)" >/dev/null
[ "$(q "$old" "SELECT count(*) FROM before b JOIN cc_general c USING (cust_id) WHERE ccseg_predict('cards', c) IS DISTINCT FROM
        ccseg_predict(ccseg_get_model('cards', 1), ARRAY[c.balance, c.balance_frequency, c.purchases, c.oneoff_purchases,
        c.installments_purchases, c.cash_advance, c.purchases_frequency, c.oneoff_purchases_frequency,
        c.purchases_installments_frequency, c.cash_advance_frequency, c.cash_advance_trx, c.purchases_trx,
        c.credit_limit, c.payments, c.minimum_payments, c.prc_full_payment, c.tenure]::float8[])")" = 0 ] \
    || { echo "FAIL: activating version 1 did not serve version 1"; exit 1; }
retrained="$(q "$old" "SELECT version || ' aligned to ' || aligned_to FROM ccseg_retrain('cards')")"
echo "retrain after the update: version $retrained"
[ "$retrained" = "3 aligned to 1" ] || { echo "FAIL: unexpected retrain result"; exit 1; }

# the updated extension has the same objects as a fresh install (a fresh
# install replays the same scripts today; this guards a future base script)
q "$new" "CREATE EXTENSION ccseg" >/dev/null
objects="SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
         WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
           AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ccseg') ORDER BY 1"
old_objects="$(q "$old" "$objects")"
new_objects="$(q "$new" "$objects")"
diff <(echo "$old_objects") <(echo "$new_objects") || { echo "FAIL: objects differ from a fresh install"; exit 1; }
echo "objects: $(echo "$new_objects" | wc -l), the same as a fresh install"
functions="SELECT format('%s %s%s%s %s %s', p.oid::regprocedure, p.provolatile, p.proparallel, p.proisstrict,
                  coalesce(array_to_string(p.proconfig, ','), ''), md5(p.prosrc))
           FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ccseg' ORDER BY 1"
old_functions="$(q "$old" "$functions")"
new_functions="$(q "$new" "$functions")"
diff <(echo "$old_functions") <(echo "$new_functions") || { echo "FAIL: function properties differ"; exit 1; }
echo "functions: $(echo "$new_functions" | wc -l), same volatility, parallel safety, strictness, settings and bodies"
echo "ok: models survive the update and predict the same"
