#!/usr/bin/python3
"""Benchmark: reading numeric feature columns against the same values in float8.

Run with Debian's interpreter (/usr/bin/python3) against a running server
reachable through the libpq environment (PGHOST, PGPORT, PGUSER) on which
ccseg is installed:

    /usr/bin/python3 test/bench/bench_ingest.py [--rows N] [--repeat R] [--quick]

ccseg_generate_customers(N, 1) (default N = 1,000,000; --quick: 50,000 rows,
one round, no warm-up) is stored three ways, with the same values:

  float8          17 double precision columns (the values of the numeric table)
  numeric         17 numeric columns, each value rounded to 6 decimals
  numeric, cast   a view on the numeric table casting every column to float8
                  (PostgreSQL's numeric -> float8 cast, through text)

Each is trained on with ccseg_build_model(k = 8, n_init = 1, verbose): the
time of the read phase comes from its log line ("read N rows ... in X s",
SET client_min_messages = log), the whole call is timed from the client.
The three models must be identical (same centroids and inertia).  The
script creates its own database (default ccseg_bench_ingest, dropped first if
it exists) and drops it at the end.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

TRAIN = ("SELECT s.inertia, s.centroids FROM ccseg_model_summary(ccseg_build_model("
         "%s, 8, id_column => 'cust_id', n_init => 1, seed => %s, silhouette_sample => 0, "
         "verbose => true)) s")
TABLES = [("float8", "cust_float8"), ("numeric", "cust_numeric"), ("numeric, cast", "cust_numeric_cast")]


def run_train(conn, table, seed):
    """(read seconds from the log line, whole call seconds, inertia, centroids)."""
    elapsed, rows, phases = ccsegtest.timed_query_phases(conn, TRAIN, (table, seed))
    if "read" not in phases:
        raise RuntimeError("no read timing in the log lines: " + " | ".join(conn.notices))
    return float(phases["read"][1]), elapsed, rows[0]["inertia"], rows[0]["centroids"]


def markdown(results, info, args, extversion, n_rows):
    base = statistics.median(results["float8"]["read"])
    out = [f"## Reading numeric columns: {n_rows} generated customers x 17 features\n",
           ccsegtest.rounds_line(args, extversion),
           "| table | read phase, median s | min s | read / float8 | whole ccseg_build_model, median s |",
           "|---|---:|---:|---:|---:|"]
    for name, _ in TABLES:
        r = results[name]
        if r.get("error"):
            out.append(f"| {name} | error | | | {r['error']} |")
            continue
        med = statistics.median(r["read"])
        out.append(f"| {name} | {med:.3f} | {min(r['read']):.3f} | {med / base:.2f} | "
                   f"{statistics.median(r['total']):.2f} |")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def main():
    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_ingest", quick_no_warmup=True,
                                     add_options=ccsegtest.rows_option(1000000))
    if args.quick:
        args.rows = 50000
    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        cols = [f'"{f}"' for f in features]
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE gen AS SELECT * FROM ccseg_generate_customers(%s, 1)", (args.rows,))
            cur.execute("CREATE TABLE cust_numeric AS SELECT cust_id, " +
                        ", ".join(f"round({c}::numeric, 6) AS {c}" for c in cols) + " FROM gen")
            cur.execute("CREATE TABLE cust_float8 AS SELECT cust_id, " +
                        ", ".join(f"{c}::float8 AS {c}" for c in cols) + " FROM cust_numeric")
            cur.execute("CREATE VIEW cust_numeric_cast AS SELECT cust_id, " +
                        ", ".join(f"{c}::float8 AS {c}" for c in cols) + " FROM cust_numeric")
            cur.execute("DROP TABLE gen")
            cur.execute("VACUUM ANALYZE cust_numeric")
            cur.execute("VACUUM ANALYZE cust_float8")
        jobs = [(name, (lambda t=table: run_train(conn, t, args.seed))) for name, table in TABLES]
        results = {name: {"read": [], "total": [], "models": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            read, total, inertia, centroids = out
            print(f"# {label}: {name} read {read:.3f} s, whole {total:.2f} s, inertia {inertia:.6e}",
                  file=sys.stderr, flush=True)
            if timed:
                r["read"].append(read)
                r["total"].append(total)
                r["models"].append((inertia, tuple(map(tuple, centroids))))

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        failed = [name for name, r in results.items() if r.get("error")]
        if not failed:
            models = {m for r in results.values() for m in r["models"]}
            if len(models) != 1:
                print(f"the models differ between the tables ({len(models)} distinct)", file=sys.stderr)
                failed.append("models")
        text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion, args.rows)

    return ccsegtest.emit(text, args, failed)


if __name__ == "__main__":
    sys.exit(main())
