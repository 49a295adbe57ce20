#!/usr/bin/python3
"""Benchmark: ccseg_elbow and ccseg_silhouette against scikit-learn's loop and silhouette_score.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn 1.2.1, pandas,
numpy, psycopg2) against a running server reachable through the libpq
environment (PGHOST, PGPORT, PGUSER) on which ccseg is installed:

    /usr/bin/python3 test/bench/bench_elbow.py [--repeat N] [--quick]

All of it runs in one process, side by side, on the 8,950 x 17 credit-card
matrix with n_init=10 and seed / random_state S (default 0):

  ccseg_elbow, no silhouette
                       SELECT * FROM ccseg_elbow('cc_general', 1, 10,
                       id_column => 'cust_id', seed => S, silhouette_sample => 0),
                       timed from the client: table scan, imputation, scaling,
                       k-means++ x 10 for each k = 1..10, CH and DB per k
  ccseg_elbow, exact silhouette
                       the same with the default silhouette_sample (exact
                       silhouette for every k on this table)
  sklearn KMeans loop  for k in 1..10: KMeans(n_clusters=k, n_init=10,
                       random_state=S).fit(Xs) on the preprocessed matrix in
                       memory (computes no silhouette), with scikit-learn's
                       default OpenMP threads (all cores)
  sklearn KMeans loop, 1 thread
                       the same under threadpoolctl.threadpool_limits(1): one
                       core, like the ccseg backend; on a shared 2-core machine
                       the default threads can be much slower than this
  ccseg_silhouette     SELECT * FROM ccseg_silhouette('m8'), exact, on a model
                       trained once (k = 8, seed S) before the timings: reads
                       the table, preprocesses and labels it, then the silhouette
  sklearn silhouette_score
                       silhouette_score(Xs, labels) with ccseg's labels of m8
                       (ccseg_predict ORDER BY cust_id), matrix in memory

Repetitions are interleaved (one of each per round) after one untimed
warm-up round.  The script creates its own database (default
ccseg_bench_elbow, dropped first if it exists) and drops it at the end; the
server never reads data/cc_general.csv, it is sent with COPY FROM STDIN.
"""

import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402
from ccsegtest import ID_COLUMN, TABLE, predict_labels, read_matrix, timed_query  # noqa: E402

ccsegtest.quiet_warnings()
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402 - a scikit-learn dependency

K_MIN, K_MAX = 1, 10
N_INIT = 10
SIL_K = 8
SIL_MODEL = "m8"


# --------------------------------------------------------------------------
# the timed jobs; each returns (seconds, result dict)

def run_elbow(conn, seed, silhouette_sample):
    """ccseg_elbow k = 1..10; silhouette_sample None = the default (exact here)."""
    extra = "" if silhouette_sample is None else ", silhouette_sample => %(sample)s::bigint"
    q = ("SELECT * FROM ccseg_elbow(%(t)s::regclass, %(lo)s, %(hi)s, id_column => %(id)s, "
         f"n_init => %(n_init)s, seed => %(seed)s::bigint{extra}) ORDER BY k")
    elapsed, rows = timed_query(conn, q, {"t": TABLE, "lo": K_MIN, "hi": K_MAX, "id": ID_COLUMN,
                                          "n_init": N_INIT, "seed": seed, "sample": silhouette_sample})
    return elapsed, {"inertia": {r["k"]: r["inertia"] for r in rows},
                     "silhouette": {r["k"]: r["silhouette"] for r in rows},
                     "recommended": [r["k"] for r in rows if r["recommended"]],
                     "server_seconds": sum(r["seconds"] for r in rows)}


def run_sklearn_loop(Xs, seed, threads=None):
    """The KMeans loop; threads None = scikit-learn's default (all cores)."""
    limit = threadpool_limits(threads) if threads is not None else contextlib.nullcontext()
    with limit:
        t0 = time.perf_counter()
        inertia = {}
        for k in range(K_MIN, K_MAX + 1):
            inertia[k] = float(KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(Xs).inertia_)
        elapsed = time.perf_counter() - t0
    return elapsed, {"inertia": inertia}


def run_ccseg_silhouette(conn):
    elapsed, rows = timed_query(conn, "SELECT * FROM ccseg_silhouette(%s)", (SIL_MODEL,))
    overall = [r for r in rows if r["segment"] is None][0]
    return elapsed, {"silhouette": overall["silhouette"], "sample_rows": overall["sample_rows"]}


def run_sklearn_silhouette(Xs, labels):
    t0 = time.perf_counter()
    s = silhouette_score(Xs, labels)
    return time.perf_counter() - t0, {"silhouette": float(s)}


# --------------------------------------------------------------------------
# reporting

ROWS = [
    # key, what is timed, the scikit-learn key it is compared with (ratio sklearn / ccseg)
    ("ccseg_elbow, no silhouette",
     f"`ccseg_elbow('cc_general', {K_MIN}, {K_MAX}, silhouette_sample => 0)`, client-timed: "
     f"scan + preprocess + k-means++ x {N_INIT} per k + CH/DB", None),
    ("sklearn KMeans loop",
     f"`KMeans(n_clusters=k, n_init={N_INIT}).fit(Xs)` for k = {K_MIN}..{K_MAX}, matrix in memory",
     "ccseg_elbow, no silhouette"),
    ("sklearn KMeans loop, 1 thread",
     "the same loop limited to one thread (`threadpool_limits(1)`)",
     "ccseg_elbow, no silhouette"),
    ("ccseg_elbow, exact silhouette",
     "the same elbow with the default silhouette_sample: exact silhouette for every k", None),
    ("ccseg_silhouette",
     f"`ccseg_silhouette('{SIL_MODEL}')`, exact, k = {SIL_K}: scan + preprocess + label + silhouette", None),
    ("sklearn silhouette_score",
     f"`silhouette_score(Xs, labels)`, same labels, matrix in memory", "ccseg_silhouette"),
]


def markdown(results, info, args, extversion, n_rows, n_features):
    out = ccsegtest.table_head(f"ccseg_elbow and ccseg_silhouette vs scikit-learn: k = {K_MIN}..{K_MAX}, "
                               f"n_init = {N_INIT}, {n_rows} x {n_features} credit-card matrix",
                               args, extversion, "sklearn / ccseg", "result", result_numeric=False)
    for key, what, versus in ROWS:
        r = results[key]
        if r.get("error"):
            out.append(f"| {key} | {what} | error | | | {r['error']} |")
            continue
        med = statistics.median(r["times"])
        ratio = ""
        if versus is not None and not results[versus].get("error"):
            ratio = f"{med / statistics.median(results[versus]['times']):.2f}"
        out.append(f"| {key} | {what} | {med:.3f} | {min(r['times']):.3f} | {ratio} | {r['summary']} |")
    out.append("")
    out.append("The ratio is on each scikit-learn row: its median over the median of the ccseg run it "
               "replaces (the KMeans loops against the elbow without silhouette, silhouette_score against "
               "ccseg_silhouette); > 1 means ccseg is faster, although it also scans and preprocesses "
               "the table.\n")
    el0, el1 = results["ccseg_elbow, no silhouette"], results["ccseg_elbow, exact silhouette"]
    sk = results["sklearn KMeans loop"]
    minima = [f"{key} {min(results[key]['times']) / min(results[versus]['times']):.2f}x"
              for key, _what, versus in ROWS
              if versus is not None and not results[key].get("error") and not results[versus].get("error")]
    if minima:
        out.append("- the same ratios of the fastest rounds (other load on a shared machine only adds "
                   "time): " + "; ".join(minima) + ".")
    if not el0.get("error") and not el1.get("error"):
        out.append(f"- exact silhouette for k = {max(K_MIN, 2)}..{K_MAX} adds "
                   f"{statistics.median(el1['times']) - statistics.median(el0['times']):.3f} s to the elbow "
                   f"(median difference); recommended k: {el0['last']['recommended']} without silhouette, "
                   f"{el1['last']['recommended']} with it.")
    if not el0.get("error") and not sk.get("error") and el0.get("server_seconds"):
        per_k = statistics.median(el0["server_seconds"])
        out.append(f"- the elbow's `seconds` column (k-means and CH/DB for each k, timed in the server) sums "
                   f"to {per_k:.3f} s (median), {per_k / statistics.median(el0['times']):.0%} of the elbow; "
                   f"scikit-learn's loop / that sum: {statistics.median(sk['times']) / per_k:.2f}x: the "
                   f"ratio the elbow would reach if reading, preprocessing and SQL took no time.")
    if not el0.get("error") and not sk.get("error"):
        a, b = el0["last"]["inertia"], sk["last"]["inertia"]
        ratios = {k: a[k] / b[k] for k in b if k in a}
        out.append("- inertia ccseg / scikit-learn per k: "
                   + ", ".join(f"{k}: {v:.4f}" for k, v in sorted(ratios.items()))
                   + " (different random generators: compare as \"no worse than\").")
    cs, ss = results["ccseg_silhouette"], results["sklearn silhouette_score"]
    if not cs.get("error") and not ss.get("error"):
        a, b = cs["last"]["silhouette"], ss["last"]["silhouette"]
        out.append(f"- silhouette at k = {SIL_K}: ccseg {a!r}, scikit-learn {b!r} "
                   f"(difference {a - b:.2e}, sample_rows {cs['last']['sample_rows']}).")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(out)


def summary(key, res):
    if key.startswith("sklearn KMeans loop") or key.startswith("ccseg_elbow"):
        s = f"inertia k={SIL_K} {res['inertia'][SIL_K]:.2f}"
        if "recommended" in res:
            s += f", recommended k {res['recommended']}"
        return s
    return f"silhouette {res['silhouette']:.6f}"


# --------------------------------------------------------------------------

def main():
    args = ccsegtest.bench_arguments(__doc__, seed=0, dbname="ccseg_bench_elbow", quick_no_warmup=True)

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        # the in-memory matrix for scikit-learn: read back from the database
        # ORDER BY cust_id, imputed and scaled once, outside the timings
        _, X = read_matrix(conn, features)
        Xs = ccsegtest.preprocess(X).Xs

        # the model for the silhouette runs, trained once, and its labels
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM ccseg_train(%s, %s::regclass, %s, id_column => %s, "
                        "n_init => %s, seed => %s::bigint)",
                        (SIL_MODEL, TABLE, SIL_K, ID_COLUMN, N_INIT, args.seed))
        _, labels = predict_labels(conn, SIL_MODEL)

        jobs = [
            ("ccseg_elbow, no silhouette", lambda: run_elbow(conn, args.seed, 0)),
            ("sklearn KMeans loop", lambda: run_sklearn_loop(Xs, args.seed)),
            ("sklearn KMeans loop, 1 thread", lambda: run_sklearn_loop(Xs, args.seed, 1)),
            ("ccseg_elbow, exact silhouette", lambda: run_elbow(conn, args.seed, None)),
            ("ccseg_silhouette", lambda: run_ccseg_silhouette(conn)),
            ("sklearn silhouette_score", lambda: run_sklearn_silhouette(Xs, labels)),
        ]
        results = {name: {"times": []} for name, _ in jobs}

        def record(name, r, out, label, timed):
            seconds, res = out
            r["last"] = res
            r["summary"] = summary(name, res)
            print(f"# {label}: {name} {seconds:.3f} s, {r['summary']}", file=sys.stderr, flush=True)
            if timed:
                r["times"].append(seconds)
                if "server_seconds" in res:
                    r.setdefault("server_seconds", []).append(res["server_seconds"])

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        text = markdown(results, ccsegtest.machine_info(conn, load_average=True), args, extversion, *X.shape)

    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 1 if any(r.get("error") for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
