#!/usr/bin/python3
"""Benchmark: training on a table far larger than memory allows, under a memory cap.

Run with Debian's interpreter (/usr/bin/python3: psycopg2) against a running
server reachable through the libpq environment (PGHOST, PGPORT, PGUSER) on
which ccseg is installed:

    /usr/bin/python3 test/bench/bench_cap.py [--rows N] [--cap 2GB] [--quick]

The table is ccseg_generate_customers(N, 1) (default N = 100,000,000, some
17 GB on disk; --quick: 200,000 rows and an 8MB cap).  One training, k = 8,
n_init = 3, id_column 'cust_id', default imputation and scaling, no
silhouette, runs with SET ccseg.max_train_memory = CAP (default 2GB): the
rows that fit in the cap are drawn as a seeded reservoir sample in one scan,
k-means runs on them, then Lloyd passes over every row refine the
centroids.  The script reports the time of the table's creation and of each
phase of the training (from its verbose log lines), the rows trained on, the
size of the sample, and the peak private memory (RssAnon) of the backend
during the training (parallel workers of the passes are other processes).

It fails (exit status 1) when that peak exceeds the cap plus 64 MB, the
allowance for what any backend holds besides the training's rows (catalog
caches, plans, the executor).  There is no scikit-learn run: at the default
size the matrix alone would take 13.6 GB of the Python process.  The script
creates its own database (default ccseg_bench_cap, dropped first if it
exists) and drops it at the end.
"""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

GEN_TABLE = "customers_generated"
K = 8
N_INIT = 3
ALLOWANCE_MB = 64
TRAIN = ("SELECT s.inertia, s.rows FROM ccseg_model_summary(ccseg_build_model("
         "%s, %s, id_column => 'cust_id', n_init => %s, seed => %s, "
         "silhouette_sample => 0, verbose => true)) s")


def cap_mb(cap):
    """A memory setting such as 2GB, 512MB or 8192kB, in MB."""
    m = re.fullmatch(r"\s*(\d+)\s*(kB|MB|GB|TB)\s*", cap)
    if not m:
        raise SystemExit(f"--cap must look like 2GB, 512MB or 8192kB, not {cap!r}")
    return int(m.group(1)) * {"kB": 1 / 1024, "MB": 1, "GB": 1024, "TB": 1024 * 1024}[m.group(2)]


def main():
    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_cap", quick_no_warmup=True,
                                     add_options=ccsegtest.rows_and_cap_options(100000000, "2GB", "the training"))
    if args.quick:
        args.rows, args.cap = 200000, "8MB"
    limit = cap_mb(args.cap) + ALLOWANCE_MB

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, _features):
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)",
                        (args.rows,))
        generate_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
            cur.execute("SELECT pg_size_pretty(pg_table_size(%s))", (GEN_TABLE,))
            size = cur.fetchone()[0]
        vacuum_s = time.perf_counter() - t0
        print(f"# {args.rows} rows generated in {generate_s:.1f} s ({size}), VACUUM ANALYZE {vacuum_s:.1f} s",
              file=sys.stderr, flush=True)

        with conn.cursor() as cur:
            cur.execute("SELECT set_config('ccseg.max_train_memory', %s, false)", (args.cap,))
        with ccsegtest.PeakMemory(ccsegtest.backend_pid(conn)) as peak:
            train_s, rows, phases = ccsegtest.timed_query_phases(conn, TRAIN, (GEN_TABLE, K, N_INIT, args.seed))
        info = ccsegtest.machine_info(conn, load_average=True)

    failed = []
    sample = int(phases["read"][0]) if "read" in phases else None
    trained = rows[0]["rows"]
    if "passes" not in phases and sample is not None and sample < trained:
        failed.append("passes")
    if peak.mb is not None and peak.mb > limit:
        failed.append("memory")
    out = [f"## Training under a memory cap: {args.rows} generated customers x 17 features, "
           f"k={K}, n_init={N_INIT}\n",
           f"One training, seed {args.seed}; ccseg {extversion}; "
           f"ccseg.max_train_memory = {args.cap}.\n",
           "| step | seconds | what |",
           "|---|---:|---|",
           f"| ccseg_generate_customers | {generate_s:.1f} | CREATE TABLE AS, {args.rows} rows, {size} |",
           f"| VACUUM ANALYZE | {vacuum_s:.1f} | |"]
    if "read" in phases:
        out.append(f"| sample read | {float(phases['read'][1]):.1f} | {sample} rows drawn in one scan, "
                   f"imputed and scaled in {float(phases['read'][2]):.1f} s |")
    if "kmeans" in phases:
        out.append(f"| k-means on the sample | {float(phases['kmeans'][0]):.1f} | k-means++ x {N_INIT} |")
    if "passes" in phases:
        out.append(f"| passes over every row | {float(phases['passes'][2]):.1f} | "
                   f"{phases['passes'][0]} Lloyd passes over {phases['passes'][1]} rows |")
    out += [f"| ccseg_build_model, whole | {train_s:.1f} | inertia {rows[0]['inertia']:.6e} over "
            f"{trained} rows |", "",
            f"- peak private memory of the backend during the training: "
            f"{'n/a' if peak.mb is None else f'{peak.mb:.0f} MB'} "
            f"(limit checked: the cap plus {ALLOWANCE_MB} MB = {limit:.0f} MB).", ""]
    out += ccsegtest.machine_table(info)
    return ccsegtest.emit("\n".join(out), args, failed)


if __name__ == "__main__":
    sys.exit(main())
