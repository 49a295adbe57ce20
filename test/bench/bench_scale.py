#!/usr/bin/python3
"""Benchmark: training on millions of customers, with and without the memory cap, against scikit-learn.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn, pandas, numpy,
psycopg2) against a running server reachable through the libpq environment
(PGHOST, PGPORT, PGUSER) on which ccseg is installed:

    /usr/bin/python3 test/bench/bench_scale.py [--rows N] [--cap 32MB] [--repeat R] [--quick]

The table is ccseg_generate_customers(N, 1) (default N = 1,000,000; --quick:
50,000 rows, a 1MB cap, one round, no warm-up).  Every run clusters the raw
values of the 17 features (impute => 'drop', scale => 'none'), k = 8,
n_init = 3, so that the inertias of all runs are in the same units:

  ccseg train           ccseg_build_model(...) with the default memory cap
                        (ccseg.max_train_memory = 1GB): every row in memory up
                        to about 3 M rows, above that a sample plus full passes
  ccseg capped          the same under SET ccseg.max_train_memory = CAP: k-means
                        on a reservoir sample that fits, then Lloyd passes over
                        every row, each one aggregate query (parallel workers
                        as PostgreSQL plans them)
  ccseg capped, serial  the same with max_parallel_workers_per_gather = 0
  sklearn fit           KMeans(n_clusters=8, n_init=3).fit(X) on the matrix
                        already in memory
  export + sklearn      SELECT every row into numpy, drop rows with NULLs, then
                        the same fit, timed whole
  ccseg train + label   ccseg_train, then CREATE TABLE ... AS SELECT cust_id,
                        ccseg_predict(model, t) FROM t: a segment per row
  export + fit + write  SELECT into numpy, fit, then COPY (cust_id, label) back
                        into a new table: the same end result from outside

For each run the peak private memory (RssAnon) of the process doing the work
is sampled: the server backend for ccseg runs (parallel workers are other
processes, not counted), this Python process for scikit-learn runs (it holds
the matrix).  Repetitions are interleaved (one of each per round).  The
script creates its own database (default ccseg_bench_scale, dropped first if
it exists) and drops it at the end.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

ccsegtest.quiet_warnings()
from sklearn.cluster import KMeans  # noqa: E402

K = 8
N_INIT = 3
GEN_TABLE = "customers_generated"
MODEL = "bench_scale"
OPTIONS = ("id_column => 'cust_id', impute => 'drop', scale => 'none', "
           "n_init => %s, seed => %s, silhouette_sample => 0")
TRAIN = ("SELECT s.inertia, s.rows FROM ccseg_model_summary(ccseg_build_model("
         "%s, %s, " + OPTIONS + ")) s")


def read_generated(conn, features, with_ids=False):
    """Every row's features as a float64 matrix, rows with a NULL left out (and their ids)."""
    cols = ", ".join(f'"{f}"' for f in features)
    with conn.cursor() as cur:
        cur.execute(f"SELECT cust_id, {cols} FROM {GEN_TABLE} ORDER BY cust_id")
        rows = cur.fetchall()
    X = np.array([r[1:] for r in rows], dtype=np.float64)   # None becomes NaN
    keep = ~np.isnan(X).any(axis=1)
    if with_ids:
        return [r[0] for r, k in zip(rows, keep) if k], X[keep]
    return X[keep]


def run_ccseg(conn, seed, cap, serial=False):
    with conn.cursor() as cur:
        if cap:
            cur.execute("SELECT set_config('ccseg.max_train_memory', %s, false)", (cap,))
        if serial:
            cur.execute("SET max_parallel_workers_per_gather = 0")
    with ccsegtest.PeakMemory(ccsegtest.backend_pid(conn)) as peak:
        elapsed, rows = ccsegtest.timed_query(conn, TRAIN, (GEN_TABLE, K, N_INIT, seed))
    with conn.cursor() as cur:
        cur.execute("RESET ccseg.max_train_memory")
        cur.execute("RESET max_parallel_workers_per_gather")
    return elapsed, rows[0]["inertia"], rows[0]["rows"], peak.mb


def run_sklearn(X, seed):
    with ccsegtest.PeakMemory(os.getpid()) as peak:
        t0 = time.perf_counter()
        km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
        elapsed = time.perf_counter() - t0
    return elapsed, float(km.inertia_), X.shape[0], peak.mb


def run_export(conn, features, seed):
    with ccsegtest.PeakMemory(os.getpid()) as peak:
        t0 = time.perf_counter()
        X = read_generated(conn, features)
        km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
        elapsed = time.perf_counter() - t0
    return elapsed, float(km.inertia_), X.shape[0], peak.mb


def run_train_label(conn, features, seed):
    """ccseg_train + a table of (cust_id, segment): the whole job in the database."""
    feats = "ARRAY[" + ", ".join(f"'{f}'" for f in features) + "]"
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS labels_ccseg")
    with ccsegtest.PeakMemory(ccsegtest.backend_pid(conn)) as peak:
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"SELECT inertia, rows FROM ccseg_train(%s, %s, %s, features => {feats}, "
                        + OPTIONS + ")", (MODEL, GEN_TABLE, K, N_INIT, seed))
            inertia, n = cur.fetchone()
            cur.execute(f"CREATE TABLE labels_ccseg AS SELECT cust_id, ccseg_predict(%s, t) AS segment "
                        f"FROM {GEN_TABLE} t", (MODEL,))
        conn.commit()
        elapsed = time.perf_counter() - t0
    with conn.cursor() as cur:
        cur.execute("SELECT count(segment) FROM labels_ccseg")
        labelled = cur.fetchone()[0]
        cur.execute("SELECT ccseg_drop_model(%s)", (MODEL,))
    conn.commit()
    if labelled != n:
        raise RuntimeError(f"{labelled} rows labelled, {n} trained on")
    return elapsed, float(inertia), n, peak.mb


def run_export_write(conn, features, seed):
    """SELECT -> numpy -> fit -> COPY (cust_id, label) into a new table."""
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS labels_export")
    conn.commit()
    with ccsegtest.PeakMemory(os.getpid()) as peak:
        t0 = time.perf_counter()
        ids, X = read_generated(conn, features, with_ids=True)
        km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
        buf = io.StringIO()
        for i, label in zip(ids, km.labels_):
            buf.write(f"{i},{int(label) + 1}\n")
        buf.seek(0)
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE labels_export (cust_id text, segment int)")
            cur.copy_expert("COPY labels_export FROM STDIN WITH (FORMAT csv)", buf)
        conn.commit()
        elapsed = time.perf_counter() - t0
    return elapsed, float(km.inertia_), X.shape[0], peak.mb


RUNS = [
    ("ccseg train", "ccseg_build_model, default memory cap (1GB)"),
    ("ccseg capped", "ccseg_build_model under ccseg.max_train_memory = CAP: sample, then full passes"),
    ("ccseg capped, serial", "the same, max_parallel_workers_per_gather = 0"),
    ("sklearn fit", "KMeans(n_init=3).fit on the matrix in memory"),
    ("export + sklearn", "SELECT into numpy + KMeans(n_init=3).fit"),
    ("ccseg train + label", "ccseg_train + CREATE TABLE AS SELECT cust_id, ccseg_predict(model, t)"),
    ("export + fit + write", "SELECT into numpy + fit + COPY labels into a new table"),
]


def markdown(results, info, args, extversion, n_total):
    base = statistics.median(results["ccseg train"]["times"])
    out = [f"## Training at scale: {n_total} generated customers x 17 features, "
           f"k={K}, n_init={N_INIT}, raw values\n",
           ccsegtest.rounds_line(args, extversion),
           "| run | what is timed | median s | min s | time / ccseg train | inertia (rows) | "
           "peak private MB |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for name, text in RUNS:
        r = results[name]
        text = text.replace("CAP", args.cap)
        if r.get("error"):
            out.append(f"| {name} | {text} | error | | | {r['error']} | |")
            continue
        med = statistics.median(r["times"])
        mem = max(r["mem"]) if r["mem"] and None not in r["mem"] else None
        out.append(f"| {name} | {text} | {med:.2f} | {min(r['times']):.2f} | {med / base:.2f} | "
                   f"{statistics.median(r['inertias']):.6e} ({r['rows']}) | "
                   f"{'n/a' if mem is None else f'{mem:.0f}'} |")
    out.append("")

    def ratio(a, b):
        ra, rb = results[a], results[b]
        if ra.get("error") or rb.get("error"):
            return None
        return statistics.median(rb["times"]) / statistics.median(ra["times"])

    ref = results["sklearn fit"]
    for name in ("ccseg train", "ccseg capped"):
        r = results[name]
        if not r.get("error") and not ref.get("error"):
            out.append(f"- inertia {name} / sklearn fit: "
                       f"{statistics.median(r['inertias']) / statistics.median(ref['inertias']):.6f}; "
                       f"time sklearn fit / {name}: {ratio(name, 'sklearn fit'):.2f}x.")
    for a, b, what in (("ccseg train + label", "export + fit + write", "the whole job (a segment per row)"),
                       ("ccseg capped", "ccseg capped, serial", "the capped training, parallel passes")):
        x = ratio(a, b)
        if x is not None:
            out.append(f"- {what}: {b} / {a} = {x:.2f}x.")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def main():
    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_scale", quick_no_warmup=True,
                                     add_options=ccsegtest.rows_and_cap_options(1000000, "32MB", "the capped runs"))
    if args.quick:
        args.rows, args.cap = 50000, "1MB"
    rows, cap = args.rows, args.cap

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)", (rows,))
        conn.commit()
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
        X = read_generated(conn, features)
        jobs = [
            ("ccseg train", lambda: run_ccseg(conn, args.seed, None)),
            ("ccseg capped", lambda: run_ccseg(conn, args.seed, cap)),
            ("ccseg capped, serial", lambda: run_ccseg(conn, args.seed, cap, serial=True)),
            ("sklearn fit", lambda: run_sklearn(X, args.seed)),
            ("export + sklearn", lambda: run_export(conn, features, args.seed)),
            ("ccseg train + label", lambda: run_train_label(conn, features, args.seed)),
            ("export + fit + write", lambda: run_export_write(conn, features, args.seed)),
        ]
        results = {name: {"times": [], "inertias": [], "mem": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            seconds, inertia, n, mem = out
            print(f"# {label}: {name} {seconds:.2f} s, inertia {inertia:.6e}, rows {n}, peak private "
                  f"{'n/a' if mem is None else f'{mem:.0f} MB'}", file=sys.stderr, flush=True)
            if timed:
                r["times"].append(seconds)
                r["inertias"].append(inertia)
                r["mem"].append(mem)
                r["rows"] = n

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        failed = [name for name, r in results.items() if r.get("error")]
        if not failed:
            # every run counts every kept row, sampled or not
            n_all = {results[name]["rows"] for name in results}
            if len(n_all) != 1:
                print(f"row counts differ between runs: {n_all}", file=sys.stderr)
                failed.append("rows")
            # the capped training is the same model with or without parallel workers
            if results["ccseg capped"]["inertias"] != results["ccseg capped, serial"]["inertias"]:
                print("parallel and serial capped trainings differ", file=sys.stderr)
                failed.append("parallel")
        text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion, rows)

    return ccsegtest.emit(text, args, failed)


if __name__ == "__main__":
    sys.exit(main())
