#!/usr/bin/env bash
#
# upgrade.sh: install the first release (0.1.0), train models, update the
# extension to the current version, and check that models survive and
# predict the same, that lifecycle functions work on them, and that the
# updated extension has exactly the objects of a fresh install (which runs
# the current version's complete script): the same functions with the same
# definitions and properties, columns, constraints, indexes, policies,
# triggers, views, grants, comments and configuration tables.
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
# a rule a user added before the update: it applies to every model after it
q "$old" "INSERT INTO ccseg_rules (rule, feature_pattern, direction, min_z, priority, segment_name, recommendation)
          VALUES ('users rule', 'cash_advance%', 'high', 0.5, 1, 'Cash users', 'Call them.')" >/dev/null
q "$old" "CREATE TABLE before AS SELECT cust_id, ccseg_predict('cards', c) AS a, ccseg_predict('small', c) AS b FROM cc_general c"
echo "0.1.0: $(q "$old" "SELECT string_agg(model || ' v' || version || ' k=' || k, ', ' ORDER BY model) FROM ccseg_models")"

# a view on ccseg_segments, which the update creates again with more
# columns: the update stops before changing anything, naming the view
q "$old" "CREATE VIEW my_segments AS SELECT segment, name FROM ccseg_segments('cards')"
if out="$(ccseg_psql -d "$old" -At -v VERBOSITY=verbose -c "ALTER EXTENSION ccseg UPDATE" 2>&1)"; then
    echo "FAILED: the update ran over a view on ccseg_segments"; exit 1
fi
case "$out" in
*"2BP01"*"cannot update ccseg to 0.5.0 while other objects depend on ccseg_segments(text): view my_segments"*"HINT:  Save the definitions"*) ;;
*) echo "FAILED: unexpected error for a view on ccseg_segments: $out"; exit 1 ;;
esac
[ "$(q "$old" "SELECT extversion FROM pg_extension WHERE extname = 'ccseg'")" = 0.1.0 ] ||
    { echo "FAILED: a failed update changed the version"; exit 1; }
q "$old" "DROP VIEW my_segments"
echo "ok: a view on ccseg_segments stops the update with its name and a hint"

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

user_rule="$(q "$old" "SELECT coalesce(r.model, 'every model') || ': ' || string_agg(s.segment || ' ' || s.name, ', ')
                        FROM ccseg_rules r JOIN ccseg_segments('cards') s ON s.rule = r.rule
                        WHERE r.rule = 'users rule' GROUP BY r.model")"
echo "the user's rule after the update: $user_rule"
case "$user_rule" in
    "every model: "*"Cash users"*) ;;
    *) echo "FAIL: the rule added before the update does not apply to every model"; exit 1 ;;
esac
q "$old" "DELETE FROM ccseg_rules WHERE rule = 'users rule'" >/dev/null

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

# the updated extension has the same objects as a fresh install, which runs
# the current version's complete script alone
q "$new" "CREATE EXTENSION ccseg" >/dev/null
compare() {
    local what="$1" query="$2" a b
    a="$(q "$old" "$query")"
    b="$(q "$new" "$query")"
    if ! diff <(echo "$a") <(echo "$b"); then
        echo "FAIL: $what differ between the updated and the fresh install"
        exit 1
    fi
    echo "$what: $(echo "$b" | wc -l), the same"
}
members="SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
         WHERE e.extname = 'ccseg' AND d.deptype = 'e'"
compare "objects" "SELECT pg_describe_object(classid, objid, 0) FROM ($members) m ORDER BY 1"
compare "comments" "SELECT pg_describe_object(classid, objid, 0) || ': ' || coalesce(obj_description(objid, classid::regclass::name), '-')
                    FROM ($members) m ORDER BY 1"
compare "functions" "SELECT format('%s %s%s%s %s %s %s %s %s', p.oid::regprocedure, p.provolatile, p.proparallel, p.proisstrict,
                            p.prosecdef, coalesce(array_to_string(p.proconfig, ','), ''), p.prosupport, coalesce(p.proacl::text, ''),
                            md5(pg_get_functiondef(p.oid)))
                     FROM pg_proc p JOIN ($members) m ON m.objid = p.oid AND m.classid = 'pg_proc'::regclass
                     WHERE p.prokind <> 'a' ORDER BY 1"
compare "aggregates" "SELECT format('%s %s %s %s %s %s %s', a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                             a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype)
                      FROM pg_aggregate a JOIN ($members) m ON m.objid = a.aggfnoid AND m.classid = 'pg_proc'::regclass ORDER BY 1"
compare "columns" "SELECT format('%s %s %s %s %s %s %s', c.oid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                          a.attnotnull, a.attidentity, coalesce(pg_get_expr(ad.adbin, ad.adrelid), ''))
                   FROM pg_class c JOIN ($members) m ON m.objid = c.oid AND m.classid = 'pg_class'::regclass
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum ORDER BY 1"
compare "relations" "SELECT format('%s %s %s %s %s', c.oid::regclass, c.relkind, c.relrowsecurity, coalesce(c.relacl::text, ''),
                            coalesce(array_to_string(c.reloptions, ','), ''))
                     FROM pg_class c JOIN ($members) m ON m.objid = c.oid AND m.classid = 'pg_class'::regclass ORDER BY 1"
compare "column grants" "SELECT format('%s %s %s', c.oid::regclass, a.attname, a.attacl) FROM pg_class c
                         JOIN ($members) m ON m.objid = c.oid AND m.classid = 'pg_class'::regclass
                         JOIN pg_attribute a ON a.attrelid = c.oid WHERE a.attacl IS NOT NULL ORDER BY 1"
compare "constraints and indexes" "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(co.oid) FROM pg_constraint co
                                   JOIN ($members) m ON m.objid = co.conrelid AND m.classid = 'pg_class'::regclass
                                   UNION ALL SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                                   JOIN ($members) m ON m.objid = i.indrelid AND m.classid = 'pg_class'::regclass ORDER BY 1"
compare "policies and triggers" "SELECT format('%s %s %s %s', p.polname, p.polcmd, p.polroles, pg_get_expr(p.polqual, p.polrelid)) FROM pg_policy p
                                 UNION ALL SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                                 JOIN ($members) m ON m.objid = t.tgrelid AND m.classid = 'pg_class'::regclass
                                 WHERE NOT t.tgisinternal ORDER BY 1"
compare "views" "SELECT c.oid::regclass || ': ' || md5(pg_get_viewdef(c.oid)) FROM pg_class c
                 JOIN ($members) m ON m.objid = c.oid AND m.classid = 'pg_class'::regclass WHERE c.relkind = 'v' ORDER BY 1"
compare "types" "SELECT format('%s %s', t.oid::regtype, (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                                      FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0))
                 FROM pg_type t JOIN ($members) m ON m.objid = t.oid AND m.classid = 'pg_type'::regclass ORDER BY 1"
compare "configuration tables" "SELECT c::regclass || ' ' || quote_literal(cond) FROM pg_extension e,
                                       unnest(e.extconfig, e.extcondition) u(c, cond) WHERE e.extname = 'ccseg' ORDER BY 1"
compare "rules" "SELECT string_agg(rule || '/' || builtin || '/' || coalesce(model, '-'), ', ' ORDER BY rule) FROM ccseg_rules"
echo "ok: models survive the update and predict the same"
