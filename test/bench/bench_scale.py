#!/usr/bin/python3
"""Benchmark: training on a million customers, with and without the memory cap, against scikit-learn.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn, pandas, numpy,
psycopg2) against a running server reachable through the libpq environment
(PGHOST, PGPORT, PGUSER) on which ccseg is installed:

    /usr/bin/python3 test/bench/bench_scale.py [--rows N] [--cap 32MB] [--repeat R] [--quick]

The table is ccseg_generate_customers(N, 1) (default N = 1,000,000; --quick:
50,000 rows, a 1MB cap, one round, no warm-up).  Every run clusters the raw
values of the 17 features (impute => 'drop', scale => 'none'), k = 8,
n_init = 3, so that the inertias of all runs are in the same units:

  ccseg all rows    ccseg_build_model(...): scan, k-means++ x 3 and Lloyd/Elkan
                    on every row held in memory (ccseg.max_train_memory 1GB)
  ccseg capped      the same under SET ccseg.max_train_memory = CAP: k-means on
                    a reservoir sample that fits, then Lloyd passes over every
                    row streamed from the table
  sklearn fit       KMeans(n_clusters=8, n_init=3).fit(X) on the matrix already
                    in memory
  export + sklearn  SELECT every row into numpy, drop rows with NULLs, then the
                    same fit, timed whole

Repetitions are interleaved (one of each per round).  The script creates its
own database (default ccseg_bench_scale, dropped first if it exists) and drops
it at the end.
"""

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
TRAIN = ("SELECT s.inertia, s.rows FROM ccseg_model_summary(ccseg_build_model("
         "%s, %s, id_column => 'cust_id', impute => 'drop', scale => 'none', "
         "n_init => %s, seed => %s, silhouette_sample => 0)) s")


def read_generated(conn, features):
    """Every row's features as a float64 matrix, rows with a NULL left out."""
    cols = ", ".join(f'"{f}"' for f in features)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {GEN_TABLE} ORDER BY cust_id")
        X = np.array(cur.fetchall(), dtype=np.float64)   # None becomes NaN
    return X[~np.isnan(X).any(axis=1)]


def run_ccseg(conn, seed, cap):
    with conn.cursor() as cur:
        if cap:
            cur.execute("SELECT set_config('ccseg.max_train_memory', %s, false)", (cap,))
        else:
            cur.execute("RESET ccseg.max_train_memory")
    elapsed, rows = ccsegtest.timed_query(conn, TRAIN, (GEN_TABLE, K, N_INIT, seed))
    with conn.cursor() as cur:
        cur.execute("RESET ccseg.max_train_memory")
    return elapsed, rows[0]["inertia"], rows[0]["rows"]


def run_sklearn(X, seed):
    t0 = time.perf_counter()
    km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
    return time.perf_counter() - t0, float(km.inertia_), X.shape[0]


def run_export(conn, features, seed):
    t0 = time.perf_counter()
    X = read_generated(conn, features)
    km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
    return time.perf_counter() - t0, float(km.inertia_), X.shape[0]


def markdown(results, info, args, extversion, n_total):
    base = statistics.median(results["ccseg all rows"]["times"])
    what = {
        "ccseg all rows": "ccseg_build_model, every row in memory",
        "ccseg capped": f"ccseg_build_model under ccseg.max_train_memory = {args.cap}: "
                        "sample, then full passes",
        "sklearn fit": "KMeans(n_init=3).fit on the matrix in memory",
        "export + sklearn": "SELECT into numpy + KMeans(n_init=3).fit",
    }
    out = ccsegtest.table_head(f"Training at scale: {n_total} generated customers x 17 features, "
                               f"k={K}, n_init={N_INIT}, raw values",
                               args, extversion, "time / ccseg all rows", "inertia (rows)",
                               result_numeric=True)
    for name, text in what.items():
        r = results[name]
        if r.get("error"):
            out.append(f"| {name} | {text} | error | | | {r['error']} |")
            continue
        med = statistics.median(r["times"])
        out.append(f"| {name} | {text} | {med:.2f} | {min(r['times']):.2f} | {med / base:.2f} | "
                   f"{statistics.median(r['inertias']):.6e} ({r['rows']}) |")
    out.append("")
    ref = results["sklearn fit"]
    for name in ("ccseg all rows", "ccseg capped"):
        r = results[name]
        if not r.get("error") and not ref.get("error"):
            out.append(f"- inertia {name} / sklearn fit: "
                       f"{statistics.median(r['inertias']) / statistics.median(ref['inertias']):.6f}; "
                       f"time sklearn fit / {name}: "
                       f"{statistics.median(ref['times']) / statistics.median(r['times']):.2f}x.")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def scale_options(ap):
    ap.add_argument("--rows", type=int, default=1000000, help="generated customers (default 1000000)")
    ap.add_argument("--cap", default="32MB", help="ccseg.max_train_memory of the capped run (default 32MB)")


def main():
    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_scale", quick_no_warmup=True,
                                     add_options=scale_options)
    if args.quick:
        args.rows, args.cap = 50000, "1MB"
    rows, cap = args.rows, args.cap

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)", (rows,))
            cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
        X = read_generated(conn, features)
        jobs = [
            ("ccseg all rows", lambda: run_ccseg(conn, args.seed, None)),
            ("ccseg capped", lambda: run_ccseg(conn, args.seed, cap)),
            ("sklearn fit", lambda: run_sklearn(X, args.seed)),
            ("export + sklearn", lambda: run_export(conn, features, args.seed)),
        ]
        results = {name: {"times": [], "inertias": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            seconds, inertia, n = out
            print(f"# {label}: {name} {seconds:.2f} s, inertia {inertia:.6e}, rows {n}",
                  file=sys.stderr, flush=True)
            if timed:
                r["times"].append(seconds)
                r["inertias"].append(inertia)
                r["rows"] = n

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        failed = [name for name, r in results.items() if r.get("error")]
        if not failed:
            # the capped model counts every kept row, as the others do
            n_all = {results[name]["rows"] for name in results}
            if len(n_all) != 1:
                print(f"row counts differ between runs: {n_all}", file=sys.stderr)
                failed.append("rows")
        text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion, rows)

    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
