#!/usr/bin/python3
"""Benchmark: scoring throughput of ccseg_predict against a plain scan of the same 17 columns.

Run with Debian's interpreter (/usr/bin/python3) against a running server
reachable through the libpq environment (PGHOST, PGPORT, PGUSER) on which
ccseg is installed:

    /usr/bin/python3 test/bench/bench_predict.py [--rows N] [--repeat R] [--quick]

The table is ccseg_generate_customers(N, 1) (default N = 10,000,000;
--quick: 100,000 rows, one round, no warm-up).  The model, k = 8, is trained
on its first 100,000 rows.  Each query runs four ways: serial
(max_parallel_workers_per_gather = 0) and with up to 2 parallel workers,
each with JIT compilation off and on (the server's default thresholds; on
the quick table no query is costly enough to be compiled).

  scan + sum     SELECT sum(balance + ... + tenure) FROM t: reads the 17
                 feature columns of every row and adds them (the reference)
  predict        SELECT ccseg_predict('m', t) AS s, count(*) FROM t GROUP BY 1:
                 planned as _ccseg_predict_columns over the columns
  predict (row)  the same with the model name from an InitPlan, which keeps the
                 whole-row form (the executor forms each row as a record)
  predict array  ccseg_predict('m', ARRAY[balance, ..., tenure]::float8[])

The ratio columns are the row rate of a run over the row rate of the scan
with the same parallelism and JIT setting, of the medians and of the
fastest rounds.  Every query runs on its own connection, and the peak
private memory of its backend is sampled while it runs (parallel workers are
other processes and are not counted).  The script creates its own database
(default ccseg_bench_predict, dropped first if it exists) and drops it at the
end.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

GEN_TABLE = "customers_generated"
MODEL = "bench_predict"


def queries(features):
    cols = ", ".join(f't."{f}"' for f in features)
    total = " + ".join(f't."{f}"' for f in features)
    group = " AS s, count(*) FROM {t} t GROUP BY 1".format(t=GEN_TABLE)
    return [
        ("scan + sum", f"SELECT sum({total}) FROM {GEN_TABLE} t"),
        ("predict", f"SELECT ccseg_predict('{MODEL}', t){group}"),
        ("predict (row)", f"SELECT ccseg_predict((SELECT '{MODEL}'::text), t){group}"),
        ("predict array", f"SELECT ccseg_predict('{MODEL}', ARRAY[{cols}]::float8[]){group}"),
    ]


CONFIGS = [(0, "off"), (2, "off"), (0, "on"), (2, "on")]   # (parallel workers, jit)


def run_query(dbname, q, workers, jit):
    """One query on a fresh connection: (seconds, peak private MB of the backend, rows returned)."""
    conn = ccsegtest.connect(dbname)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('max_parallel_workers_per_gather', %s, false)", (str(workers),))
            cur.execute("SELECT set_config('jit', %s, false)", (jit,))
        with ccsegtest.PeakMemory(ccsegtest.backend_pid(conn)) as peak:
            seconds, rows = ccsegtest.timed_query(conn, q)
        return seconds, peak.mb, rows
    finally:
        conn.close()


def markdown(results, info, args, extversion, n_rows):
    out = [f"## Scoring throughput: {n_rows} generated customers x 17 features, k=8\n",
           ccsegtest.rounds_line(args, extversion),
           "| run | workers | jit | median s | min s | rows/s (median) | rate / scan + sum | "
           "the same, of the minima | peak private MB |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for workers, jit in CONFIGS:
        scan = results[("scan + sum", workers, jit)]
        base = statistics.median(scan["times"]) if not scan.get("error") else float("nan")
        base_min = min(scan["times"]) if not scan.get("error") else float("nan")
        for name in ("scan + sum", "predict", "predict (row)", "predict array"):
            r = results[(name, workers, jit)]
            if r.get("error"):
                out.append(f"| {name} | {workers} | {jit} | error | | | | | {r['error']} |")
                continue
            med = statistics.median(r["times"])
            mem = max(r["mem"]) if r["mem"] and None not in r["mem"] else None
            out.append(f"| {name} | {workers} | {jit} | {med:.3f} | {min(r['times']):.3f} | {n_rows / med:,.0f} | "
                       f"{base / med:.2f} | {base_min / min(r['times']):.2f} | "
                       f"{'n/a' if mem is None else f'{mem:.0f}'} |")
    out.append("")
    out.append("The ratio columns are row rates over the scan's with the same workers and JIT setting: "
               "of the medians, and of the fastest rounds (on a shared machine other load only ever "
               "adds time, so the minima are the closer estimate of each query's own cost).")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def main():
    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_predict", quick_no_warmup=True,
                                     add_options=ccsegtest.rows_option(10000000))
    if args.quick:
        args.rows = 100000
    failed = []
    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)",
                        (args.rows,))
            cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
            cur.execute(f"CREATE TABLE train_rows AS SELECT * FROM {GEN_TABLE} ORDER BY cust_id LIMIT 100000")
            cur.execute("SELECT k FROM ccseg_train(%s, 'train_rows', 8, id_column => 'cust_id', n_init => 3, "
                        "seed => %s, silhouette_sample => 0)", (MODEL, args.seed))
        jobs = []
        for workers, jit in CONFIGS:
            for name, q in queries(features):
                jobs.append(((name, workers, jit), (lambda q=q, w=workers, j=jit: run_query(args.dbname, q, w, j))))
        results = {name: {"times": [], "mem": [], "answers": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            seconds, mem, rows = out
            print(f"# {label}: {name[0]} ({name[1]} workers, jit {name[2]}) {seconds:.3f} s, peak private "
                  f"{'n/a' if mem is None else f'{mem:.0f} MB'}", file=sys.stderr, flush=True)
            if timed:
                r["times"].append(seconds)
                r["mem"].append(mem)
                r["answers"].append(tuple(sorted((row["s"], row["count"]) for row in rows))
                                    if "s" in rows[0] else None)

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        failed = [f"{n[0]} ({n[1]} workers, jit {n[2]})" for n, r in results.items() if r.get("error")]
        if not failed:
            # every scoring run, serial or parallel, finds the same segment sizes
            answers = {a for n, r in results.items() if n[0] != "scan + sum" for a in r["answers"]}
            if len(answers) != 1:
                print(f"segment sizes differ between runs: {answers}", file=sys.stderr)
                failed.append("answers")
            elif sum(c for _, c in next(iter(answers))) != args.rows:
                print("segment sizes do not add up to the rows", file=sys.stderr)
                failed.append("rows")
        text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion, args.rows)

    return ccsegtest.emit(text, args, failed)


if __name__ == "__main__":
    sys.exit(main())
