#!/usr/bin/python3
"""Benchmark: ccseg_train on a million customers or more, phase by phase, against scikit-learn.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn, pandas, numpy,
psycopg2) against a running server reachable through the libpq environment
(PGHOST, PGPORT, PGUSER) on which ccseg is installed:

    /usr/bin/python3 test/bench/bench_large.py [--rows N] [--n-init I] [--repeat R] [--quick]

The table is ccseg_generate_customers(N, 1) (default N = 1,000,000; --quick:
50,000 rows, one round, no warm-up), with missing values.  Every run does the
same job with the default preprocessing, k = 8 and n_init = I (default 1):

  ccseg_train      SELECT ... FROM ccseg_train(model, table, 8, id_column =>
                   'cust_id', n_init => I, seed => S, verbose => true): read,
                   median imputation, standard scaling, k-means++ and Lloyd,
                   quality scores, PCA, catalog write, timed from the client;
                   its log lines time each phase
  sklearn fit      KMeans(n_clusters=8, n_init=I, random_state=S).fit(Xs) on
                   the matrix imputed and scaled beforehand, in memory
  export + fit     SELECT every row into numpy, SimpleImputer(median),
                   StandardScaler, the same fit, timed whole
  scan             SELECT sum of the 17 columns FROM table, with the parallel
                   workers PostgreSQL plans: the time the machine needs to
                   read the rows at all, the floor of ccseg's read phase

Peak private memory (RssAnon) is sampled every 10 ms: of the server backend
for ccseg_train (parallel workers are other processes and are not counted),
split into the phases that the log lines time (placed one after the other
from the start of the query), and of this process for the scikit-learn runs
(it holds the matrix).  Repetitions are interleaved, one of each run per
round, after an untimed warm-up round.  The script creates its own database
(default ccseg_bench_large, dropped first if it exists) and drops it at the
end.
"""

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
GEN_TABLE = "customers_generated"
MODEL = "bench_large"
PHASES = [("read", "read the rows into the matrix"),
          ("prepare", "impute and scale"),
          ("kmeans", "k-means (restarts, Lloyd)"),
          ("passes", "passes over every row (sampled training only)"),
          ("scores", "alignment, quality scores, principal components"),
          ("rest", "SQL, catalog write, client")]


def read_matrix(conn, features):
    """Every row's features as a float64 matrix, NaN for NULL."""
    cols = ", ".join(f'"{f}"' for f in features)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {GEN_TABLE}")
        rows = cur.fetchall()
    return np.array(rows, dtype=np.float64)


def run_ccseg(conn, n_init, seed):
    with ccsegtest.PeakMemory(ccsegtest.backend_pid(conn), interval=0.01) as trace:
        elapsed, rows, phases = ccsegtest.timed_query_phases(
            conn, "SELECT inertia, rows, iterations FROM ccseg_train(%s, %s, %s, id_column => 'cust_id', "
            "n_init => %s, seed => %s, verbose => true)", (MODEL, GEN_TABLE, K, n_init, seed))
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("SELECT ccseg_drop_model(%s)", (MODEL,))
    conn.commit()
    if "read" not in phases or "kmeans" not in phases or "scores" not in phases:
        raise RuntimeError(f"phase lines missing from the log: {sorted(phases)}")
    times = {"read": float(phases["read"][1]), "prepare": float(phases["read"][2]),
             "kmeans": float(phases["kmeans"][0]),
             "passes": float(phases["passes"][2]) if "passes" in phases else 0.0,
             "scores": float(phases["scores"][0])}
    times["rest"] = max(0.0, elapsed - sum(times.values()))
    mem, t = {}, 0.0
    for name, _ in PHASES:
        mem[name] = trace.peak_between(t, t + times[name] if name != "rest" else None)
        t += times[name]
    return {"seconds": elapsed, "inertia": float(rows[0]["inertia"]), "rows": int(rows[0]["rows"]),
            "mb": trace.mb, "phases": times, "phase_mb": mem,
            "iterations": int(rows[0]["iterations"])}


def run_sklearn(Xs, n_init, seed):
    with ccsegtest.PeakMemory(os.getpid(), interval=0.01) as trace:
        t0 = time.perf_counter()
        km = KMeans(n_clusters=K, n_init=n_init, random_state=seed).fit(Xs)
        elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "inertia": float(km.inertia_), "rows": Xs.shape[0],
            "mb": trace.mb, "iterations": int(km.n_iter_)}


def run_export(conn, features, n_init, seed):
    with ccsegtest.PeakMemory(os.getpid(), interval=0.01) as trace:
        t0 = time.perf_counter()
        pre = ccsegtest.preprocess(read_matrix(conn, features))
        km = KMeans(n_clusters=K, n_init=n_init, random_state=seed).fit(pre.Xs)
        elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "inertia": float(km.inertia_), "rows": pre.Xs.shape[0],
            "mb": trace.mb}


def run_scan(conn, features):
    total = " + ".join(f'coalesce("{f}", 0)' for f in features)
    elapsed, _ = ccsegtest.timed_query(conn, f"SELECT sum({total}) FROM {GEN_TABLE}")
    return {"seconds": elapsed, "inertia": float("nan"), "rows": None, "mb": None}


RUNS = [("ccseg_train", "SQL, client-timed: read + impute + scale + k-means + scores + PCA + catalog"),
        ("sklearn fit", "KMeans(...).fit on the imputed and scaled matrix in memory"),
        ("export + fit", "SELECT into numpy + SimpleImputer + StandardScaler + KMeans(...).fit"),
        ("scan", "SELECT sum of the 17 columns (parallel workers as planned): reading the rows at all")]


def fmt_mb(v):
    return "n/a" if v is None else f"{v:.0f}"


def markdown(results, info, args, extversion):
    r = results["ccseg_train"]
    base = statistics.median(r["times"])
    out = [f"## Training at scale: {args.rows} generated customers x 17 features, k={K}, "
           f"n_init={args.n_init}, default preprocessing\n",
           ccsegtest.rounds_line(args, extversion),
           "| run | what is timed | median s | min s | time / ccseg_train | inertia | peak private MB |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for name, text in RUNS:
        x = results[name]
        if x.get("error"):
            out.append(f"| {name} | {text} | error | | | {x['error']} | |")
            continue
        med = statistics.median(x["times"])
        inertia = statistics.median(x["inertias"])
        out.append(f"| {name} | {text} | {med:.3f} | {min(x['times']):.3f} | {med / base:.2f} | "
                   f"{'' if np.isnan(inertia) else f'{inertia:.6e}'} | {fmt_mb(max(x['mb'], default=None))} |")
    out.append(f"Round r (the first round, the warm-up when there is one, is round 0) seeds every run with {args.seed} + r; the "
               "inertias are medians over the rounds.")
    out.append("")
    out.append("Where ccseg_train's time goes (its log lines; medians) and its backend's peak private "
               "memory in each phase:\n")
    out.append("| phase | median s | share | peak private MB |")
    out.append("|---|---:|---:|---:|")
    for name, text in PHASES:
        med = statistics.median(p[name] for p in r["phases"])
        mb = [m[name] for m in r["phase_mb"] if m[name] is not None]
        out.append(f"| {text} | {med:.3f} | {med / base:.0%} | {fmt_mb(max(mb) if mb else None)} |")
    out.append("")
    sk, ex, sc = results["sklearn fit"], results["export + fit"], results["scan"]
    if not sk.get("error"):
        out.append(f"- sklearn fit / ccseg_train: {statistics.median(sk['times']) / base:.2f}x "
                   f"(goal: at least 2x); of the fastest rounds: "
                   f"{min(sk['times']) / min(r['times']):.2f}x. Iterations of the last run, round by "
                   f"round: ccseg {', '.join(str(i) for i in r['iterations'])}; scikit-learn "
                   f"{', '.join(str(i) for i in sk['iterations'])} (they depend on the start).")
        out.append(f"- inertia ccseg / scikit-learn (medians): "
                   f"{statistics.median(r['inertias']) / statistics.median(sk['inertias']):.6f} "
                   f"(different random starts: compare as \"no worse than\").")
    if not ex.get("error"):
        out.append(f"- (export + fit) / ccseg_train: {statistics.median(ex['times']) / base:.2f}x "
                   f"(goal: at least 8x).")
    if not sc.get("error"):
        read = statistics.median(p["read"] for p in r["phases"])
        out.append(f"- ccseg's read phase / the scan: {read / statistics.median(sc['times']):.2f}x "
                   f"(the read converts the rows to doubles, and sorts them by cust_id when the table is "
                   f"not stored in that order).")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def main():
    def options(ap):
        ccsegtest.rows_option(1000000)(ap)
        ap.add_argument("--n-init", type=int, default=1, help="restarts, for both (default 1)")

    args = ccsegtest.bench_arguments(__doc__, seed=1, dbname="ccseg_bench_large", quick_no_warmup=True,
                                     add_options=options)
    if args.quick:
        args.rows = 50000

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)",
                        (args.rows,))
        conn.commit()
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
        conn.commit()
        Xs = ccsegtest.preprocess(read_matrix(conn, features)).Xs
        # round r seeds every run with S + r: with one restart the number of
        # iterations depends on the start, so the medians take several
        state = {"seed": args.seed}
        jobs = [("ccseg_train", lambda: run_ccseg(conn, args.n_init, state["seed"])),
                ("sklearn fit", lambda: run_sklearn(Xs, args.n_init, state["seed"])),
                ("export + fit", lambda: run_export(conn, features, args.n_init, state["seed"])),
                ("scan", lambda: run_scan(conn, features))]
        results = {name: {"times": [], "inertias": [], "mb": [], "phases": [], "phase_mb": [],
                          "iterations": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            print(f"# {label}: {name} {out['seconds']:.3f} s, inertia {out['inertia']:.6e}, "
                  f"peak private {fmt_mb(out['mb'])} MB, seed {state['seed']}", file=sys.stderr,
                  flush=True)
            if name == jobs[-1][0]:
                state["seed"] += 1
            if timed:
                r["times"].append(out["seconds"])
                r["inertias"].append(out["inertia"])
                if out["mb"] is not None:
                    r["mb"].append(out["mb"])
                for key in ("phases", "phase_mb", "iterations"):
                    if key in out:
                        r[key].append(out[key])
                r["rows"] = out["rows"]

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        failed = [name for name, r in results.items() if r.get("error")]
        # every run clusters every row (median imputation keeps them all)
        counts = {results[n].get("rows") for n in ("ccseg_train", "sklearn fit", "export + fit")}
        if not failed and counts != {args.rows}:
            print(f"row counts differ: {counts}", file=sys.stderr)
            failed.append("rows")
        if results["ccseg_train"].get("error"):
            text = "ccseg_train failed: " + results["ccseg_train"]["error"]
        else:
            text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion)

    return ccsegtest.emit(text, args, failed)


if __name__ == "__main__":
    sys.exit(main())
