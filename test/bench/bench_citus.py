#!/usr/bin/python3
"""Benchmark: ccseg on a Citus distributed table against a local copy.

Run with Debian's interpreter (/usr/bin/python3: psycopg2), with ccseg
installed (make install) in the PostgreSQL tree of CCSEG_PG_BINDIR:

    CCSEG_PG_BINDIR=... /usr/bin/python3 test/bench/bench_citus.py [--rows N] [--repeat R] [--quick]

It starts its own loopback cluster with test/integration/lib/citus_cluster.sh
(a coordinator and two workers, Citus from its prebuilt tarball, each node
with its own data directory, stopped at the end), makes
ccseg_generate_customers(N, 1) (default N = 1,000,000) once as a local table
on the coordinator and once distributed by cust_id (32 shards), and times,
alternating local and distributed in each round (R rounds, default 3):

  - a sampled training: SET ccseg.max_train_memory = '32MB', k = 8,
    n_init = 3, id_column 'cust_id', no silhouette (its verbose log gives the
    time of the sample's read and of the Lloyd passes);
  - scoring every row: SELECT ccseg_predict('m', t), count(*) ... GROUP BY 1,
    and the same with ccseg_predict(ccseg_get_model('m'), ARRAY[...]);

and checks that the distributed and local models are the same text.  It
also measures what one pass returns to the coordinator: the text of each
shard's partial state (worker_partial_agg), summed over the shards, for the
full table and for a table of a tenth of the rows.  It prints markdown
tables: the median seconds, distributed / local ratios, and the machine.
--quick: 100,000 rows, one round.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "test" / "integration" / "lib" / "citus_cluster.sh"
FEATURES = ("balance, balance_frequency, purchases, oneoff_purchases, installments_purchases, "
            "cash_advance, purchases_frequency, oneoff_purchases_frequency, "
            "purchases_installments_frequency, cash_advance_frequency, cash_advance_trx, "
            "purchases_trx, credit_limit, payments, minimum_payments, prc_full_payment, tenure")
TRAIN = ("SELECT version FROM ccseg_train(%s, %s, 8, id_column => 'cust_id', n_init => 3, "
         "seed => 1, silhouette_sample => 0, verbose => true)")


def note(msg):
    print(msg, file=sys.stderr, flush=True)


def connect(port):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    conn.autocommit = True
    return conn


def run(conn, q, params=None):
    with conn.cursor() as cur:
        cur.execute(q, params)
        return cur.fetchall() if cur.description else None


def timed(conn, q, params=None):
    conn.notices.clear()
    t = time.perf_counter()
    rows = run(conn, q, params)
    return time.perf_counter() - t, rows, list(conn.notices)


def phase(notices, pattern):
    for n in notices:
        m = re.search(pattern, n)
        if m:
            return float(m.group(1))
    return float("nan")


def state_bytes(conn, table, model):
    """Bytes of the text of every shard's partial pass state, summed."""
    shard_q = ("SELECT length(worker_partial_agg('public._ccseg_lloyd_pass(public.ccseg_model, float8[])'"
               "::regprocedure, ROW(%s::public.ccseg_model, ARRAY[" + FEATURES + "]::float8[]))::text) FROM %%s")
    literal = run(conn, "SELECT quote_literal(ccseg_get_model(%s)::text)", (model,))[0][0]
    rows = run(conn, "SELECT result FROM run_command_on_shards(%s, %s)",
               (table, shard_q % literal))
    return sum(int(r[0]) for r in rows), len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.repeat = 100000, 1

    cluster = tempfile.mktemp(prefix="ccseg-bench-citus.", dir="/tmp")
    subprocess.run(["bash", str(CLUSTER), "install"], check=True)
    out = subprocess.run(["bash", str(CLUSTER), "start", cluster], check=True,
                         capture_output=True, text=True).stdout
    coord = int(re.search(r"coordinator (\d+)", out).group(1))
    failed = False
    try:
        conn = connect(coord)
        run(conn, "CREATE EXTENSION ccseg")
        note(f"generating {args.rows} customers")
        run(conn, "CREATE TABLE t_local AS SELECT * FROM ccseg_generate_customers(%s, 1)", (args.rows,))
        run(conn, "CREATE TABLE t_dist (LIKE t_local)")
        run(conn, "SELECT create_distributed_table('t_dist', 'cust_id')")
        run(conn, "INSERT INTO t_dist SELECT * FROM t_local")
        run(conn, "CREATE TABLE t_tenth (LIKE t_local)")
        run(conn, "SELECT create_distributed_table('t_tenth', 'cust_id')")
        run(conn, "INSERT INTO t_tenth SELECT * FROM t_local LIMIT %s", (args.rows // 10,))
        run(conn, "VACUUM ANALYZE t_local")
        run(conn, "SET client_min_messages = log")
        run(conn, "SET ccseg.max_train_memory = '32MB'")

        results = {}
        models = {}

        def record(name, seconds):
            results.setdefault(name, []).append(seconds)

        for r in range(args.repeat):
            for kind, table in (("local", "t_local"), ("distributed", "t_dist")):
                model = f"m_{kind}"
                run(conn, "SELECT ccseg_drop_model(%s) FROM ccseg_models WHERE model = %s", (model, model))
                secs, _, notices = timed(conn, TRAIN, (model, table))
                record(f"sampled training, {kind}", secs)
                record(f"  sample read, {kind}", phase(notices, r"read \d+ rows of relation \".*?\" in ([0-9.]+) s"))
                passes = phase(notices, r"(\d+) passes over all")
                pass_secs = phase(notices, r"passes over all \d+ rows in ([0-9.]+) s")
                record(f"  Lloyd passes, {kind}", pass_secs)
                record(f"  one pass, {kind}", pass_secs / passes)
                models[kind] = run(conn, "SELECT ccseg_get_model(%s)::text", (model,))[0][0]
                note(f"round {r + 1}: {kind} training {secs:.2f} s ({int(passes)} passes in {pass_secs:.2f} s)")
            for kind, table in (("local", "t_local"), ("distributed", "t_dist")):
                model = f"m_{kind}"
                secs, _, _ = timed(conn, f"SELECT ccseg_predict('{model}', t), count(*) FROM {table} t GROUP BY 1")
                record(f"scoring by name, {kind}", secs)
                secs, _, _ = timed(conn, f"SELECT ccseg_predict(ccseg_get_model('{model}'), ARRAY[{FEATURES}]::float8[]), "
                                         f"count(*) FROM {table} t GROUP BY 1")
                record(f"scoring by value, {kind}", secs)
                note(f"round {r + 1}: {kind} scoring done")
        same = models["local"] == models["distributed"]
        if not same:
            failed = True
        full, shards = state_bytes(conn, "t_dist", "m_distributed")
        tenth, _ = state_bytes(conn, "t_tenth", "m_distributed")

        ver = run(conn, "SELECT version(), citus_version()")[0]
        print(f"### {args.rows} generated customers, local table against distributed (2 workers, {shards} shards)\n")
        print("| work | local (s) | distributed (s) | distributed / local |")
        print("|---|---|---|---|")
        names = []
        for name in results:
            base = name.rsplit(", ", 1)[0]
            if base not in names:
                names.append(base)
        for base in names:
            lo = statistics.median(results[f"{base}, local"])
            di = statistics.median(results[f"{base}, distributed"])
            print(f"| {base.strip()} | {lo:.3f} | {di:.3f} | {di / lo:.2f} |")
        print()
        print(f"Medians of {args.repeat} rounds, local and distributed alternating in each round. "
              f"The distributed model is {'the same text as' if same else 'NOT the same as'} the local one.")
        print(f"One pass returns {full} bytes of partial states to the coordinator for {args.rows} rows "
              f"and {tenth} bytes for {args.rows // 10} rows ({shards} shards, k = 8, 17 features).\n")
        print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {ver[0]}; {ver[1]}; "
              f"{time.strftime('%Y-%m-%d')}")
        conn.close()
    finally:
        subprocess.run(["bash", str(CLUSTER), "stop", cluster], check=False)
    if failed:
        print("FAIL: the distributed model differs from the local one")
        sys.exit(1)


if __name__ == "__main__":
    main()
