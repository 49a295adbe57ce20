#!/usr/bin/python3
"""Benchmark: ccseg_train against scikit-learn and the export pipeline it replaces.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn 1.2.1, pandas,
numpy, psycopg2) against a running server reachable through the libpq
environment (PGHOST, PGPORT, PGUSER) on which ccseg is installed:

    /usr/bin/python3 test/bench/bench_train.py [--repeat N] [--quick]

All of it runs in one process, side by side, k=8 and n_init=10 throughout:

  ccseg_train          SELECT * FROM ccseg_train('b', 'cc_general', k=>8,
                       n_init=>10, seed=>S, silhouette_sample=>0), timed from
                       the client: table scan, imputation, scaling, k-means++
                       x 10, CH/DB and PCA, catalog write (no silhouette:
                       scikit-learn's fit computes none either)
  sklearn lloyd/elkan  KMeans(n_clusters=8, n_init=10, random_state=S).fit(Xs)
                       on the already preprocessed matrix in memory
  export pipeline      SELECT every row into pandas -> SimpleImputer(median)
                       -> StandardScaler -> KMeans -> labels written back
                       (COPY into a temp table + UPDATE), timed whole
  ccseg train + label  the same job inside the database: ccseg_train, then
                       UPDATE ... SET segment = ccseg_predict('b', e)
  ccseg_train, verbose ccseg_train with verbose => true, whose log lines
                       (client_min_messages = log) time its phases: read,
                       impute and scale, k-means, scores; what is left of
                       the client's time is SQL, catalog write and client

A second part times the per-row phases on ccseg_generate_customers(N, 1)
(--phase-rows N, default 1,000,000; 50,000 with --quick; 0 skips it), k=8,
n_init=1, max_iter=40, one thread, side by side with what a plain scan of
the same 17 columns costs:

  scan, serial         SELECT sum(c1 + ... + c17) FROM the table with
                       max_parallel_workers_per_gather = 0
  scan, 2 workers      the same with max_parallel_workers_per_gather = 2
  train, id order      ccseg_build_model(..., id_column => 'cust_id',
                       verbose => true): rows read in id order (a sort)
  train, scan order    the same without id_column: rows in scan order

and reports the read and impute-and-scale phases of the log lines, and
their ratio to the serial scan.

Repetitions are interleaved (one of each per round) after one untimed
warm-up round.  The script creates its own database (default ccseg_bench,
dropped first if it exists) and drops it at the end; the server never reads
data/cc_general.csv, it is sent with COPY FROM STDIN.
"""

import io
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402
from ccsegtest import ID_COLUMN, TABLE, read_matrix, timed_query  # noqa: E402

ccsegtest.quiet_warnings()
from sklearn.cluster import KMeans  # noqa: E402

EXPORT_TABLE = "cc_general_export"   # copy of cc_general with a segment column
K = 8
N_INIT = 10


# --------------------------------------------------------------------------
# the timed jobs; each returns (seconds, inertia, extra)

def run_ccseg(conn, seed, model="b"):
    elapsed, rows = timed_query(conn, "SELECT * FROM ccseg_train(%s, %s, k=>%s, n_init=>%s, seed=>%s, "
                                      "silhouette_sample=>0)", (model, TABLE, K, N_INIT, seed))
    r = rows[0]
    return elapsed, r["inertia"], {"server_seconds": r.get("seconds"), "iterations": r.get("iterations")}


def run_ccseg_phases(conn, seed, model="b_phases"):
    """ccseg_train with verbose => true: the time of each phase, from its log lines."""
    elapsed, rows, phases = ccsegtest.timed_query_phases(
        conn, "SELECT * FROM ccseg_train(%s, %s, k=>%s, n_init=>%s, seed=>%s, silhouette_sample=>0, "
              "verbose=>true)", (model, TABLE, K, N_INIT, seed))
    missing = [name for name in ("read", "kmeans", "scores") if name not in phases]
    if missing:
        raise RuntimeError("no log line for " + ", ".join(missing))
    split = {"read": float(phases["read"][1]), "preprocess": float(phases["read"][2]),
             "kmeans": float(phases["kmeans"][0]), "scores": float(phases["scores"][0])}
    split["rest"] = elapsed - sum(split.values())
    return elapsed, rows[0]["inertia"], {"phases": split}


def run_sklearn(Xs, seed, algorithm):
    t0 = time.perf_counter()
    km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed, algorithm=algorithm).fit(Xs)
    return time.perf_counter() - t0, float(km.inertia_), {"iterations": int(km.n_iter_)}


def run_export_pipeline(conn, features, seed):
    """SELECT -> pandas -> impute -> scale -> fit -> labels back, in one transaction."""
    # ORDER BY: KMeans(random_state=S) depends on the row order, and the
    # physical order changes as the labels are written back
    select = sql.SQL("SELECT {id}, {f} FROM {t} ORDER BY {id}").format(
        id=sql.Identifier(ID_COLUMN), f=sql.SQL(", ").join(map(sql.Identifier, features)),
        t=sql.Identifier(EXPORT_TABLE)).as_string(conn)
    update = sql.SQL("UPDATE {e} AS e SET segment = l.segment FROM ccseg_bench_labels AS l "
                     "WHERE e.{id} = l.{id}").format(
        e=sql.Identifier(EXPORT_TABLE), id=sql.Identifier(ID_COLUMN)).as_string(conn)
    conn.autocommit = False
    try:
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(select)
            df = pd.DataFrame(cur.fetchall(), columns=[ID_COLUMN] + features)
        X = df[features].astype("float64").to_numpy()
        Xs = ccsegtest.preprocess(X).Xs
        km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(Xs)
        out = pd.DataFrame({ID_COLUMN: df[ID_COLUMN], "segment": km.labels_ + 1})
        buf = io.StringIO()
        out.to_csv(buf, index=False, header=False)
        buf.seek(0)
        with conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE ccseg_bench_labels (cust_id text, segment int) ON COMMIT DROP")
            cur.copy_expert("COPY ccseg_bench_labels FROM STDIN WITH (FORMAT csv)", buf)
            cur.execute(update)
            updated = cur.rowcount
        conn.commit()
        elapsed = time.perf_counter() - t0
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.autocommit = True
    if updated != len(df):
        raise RuntimeError(f"export pipeline updated {updated} rows, expected {len(df)}")
    return elapsed, float(km.inertia_), {}


def run_ccseg_label(conn, seed, model="b_label"):
    """ccseg_train, then label every row with ccseg_predict, in one transaction."""
    update = sql.SQL("UPDATE {e} AS e SET segment = ccseg_predict(%s, e)").format(
        e=sql.Identifier(EXPORT_TABLE)).as_string(conn)
    conn.autocommit = False
    try:
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SELECT inertia FROM ccseg_train(%s, %s, k=>%s, n_init=>%s, seed=>%s, silhouette_sample=>0)",
                        (model, TABLE, K, N_INIT, seed))
            inertia = cur.fetchone()[0]
            cur.execute(update, (model,))
            updated = cur.rowcount
        conn.commit()
        elapsed = time.perf_counter() - t0
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.autocommit = True
    return elapsed, inertia, {"rows": updated}


GEN_TABLE = "customers_generated"
GEN_COLUMNS = ("balance", "balance_frequency", "purchases", "oneoff_purchases", "installments_purchases",
               "cash_advance", "purchases_frequency", "oneoff_purchases_frequency",
               "purchases_installments_frequency", "cash_advance_frequency", "cash_advance_trx",
               "purchases_trx", "credit_limit", "payments", "minimum_payments", "prc_full_payment", "tenure")


def run_scan(conn, workers):
    """SELECT sum of the 17 columns: the cost of a plain scan of them."""
    with conn.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = %s", (workers,))
    try:
        elapsed, _ = timed_query(conn, "SELECT sum(" + " + ".join(GEN_COLUMNS) + f") FROM {GEN_TABLE}")
    finally:
        with conn.cursor() as cur:
            cur.execute("RESET max_parallel_workers_per_gather")
    return elapsed, 0.0, {}


def run_phase_train(conn, seed, by_id):
    """ccseg_build_model on the generated table with verbose => true: its read and preprocess phases."""
    with conn.cursor() as cur:
        cur.execute("SET ccseg.threads = 1")
    try:
        elapsed, _, phases = ccsegtest.timed_query_phases(
            conn, f"SELECT 1 FROM ccseg_build_model('{GEN_TABLE}', 8, "
                  + ("id_column => 'cust_id', " if by_id else "")
                  + "n_init => 1, max_iter => 40, seed => %s, silhouette_sample => 0, verbose => true)", (seed,))
    finally:
        with conn.cursor() as cur:
            cur.execute("RESET ccseg.threads")
    if "read" not in phases:
        raise RuntimeError("no log line for read")
    return elapsed, 0.0, {"phases": {"read": float(phases["read"][1]), "preprocess": float(phases["read"][2])}}


def phase_markdown(results, rows):
    """The table of the per-row phases on the generated table."""
    scan = results.get("scan, serial")
    if not scan or scan.get("error"):
        return ""
    base = statistics.median(scan["times"])
    out = [f"### Per-row phases on {rows} generated customers x 17 features (k=8, n_init=1, one thread)", "",
           "| run | phase | median s | min s | / serial scan |", "|---|---|---:|---:|---:|"]
    for name in ("scan, serial", "scan, 2 workers"):
        r = results.get(name)
        if r and not r.get("error"):
            out.append(f"| {name} | whole query | {fmt_s(statistics.median(r['times']))} | "
                       f"{fmt_s(min(r['times']))} | {statistics.median(r['times']) / base:.2f} |")
    for name in ("train, id order", "train, scan order"):
        r = results.get(name)
        if not r or r.get("error") or not r["phases"]:
            continue
        for phase in ("read", "preprocess"):
            vals = [p[phase] for p in r["phases"]]
            out.append(f"| {name} | {phase} | {fmt_s(statistics.median(vals))} | {fmt_s(min(vals))} | "
                       f"{statistics.median(vals) / base:.2f} |")
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------
# reporting

def fmt_s(x):
    return f"{x:.3f}"


def markdown(results, info, args, extversion):
    base = statistics.median(results["ccseg_train"]["times"])
    rows = [
        ("ccseg_train", "SQL, client-timed: scan + impute + scale + k-means++ x 10 + catalog"),
        ("sklearn lloyd", "KMeans(algorithm='lloyd').fit on the preprocessed matrix in memory"),
        ("sklearn elkan", "KMeans(algorithm='elkan').fit on the preprocessed matrix in memory"),
        ("export pipeline", "SELECT -> pandas -> impute -> scale -> KMeans -> COPY + UPDATE labels"),
        ("ccseg train + label", "ccseg_train + UPDATE ... SET segment = ccseg_predict(model, row)"),
        ("ccseg_train, verbose", "ccseg_train with verbose => true: its log lines time each phase"),
    ]
    out = ccsegtest.table_head(f"ccseg_train vs scikit-learn: k={K}, n_init={N_INIT}, "
                               f"{results['n_rows']} x {results['n_features']} credit-card matrix",
                               args, extversion, "time / ccseg_train", "inertia", result_numeric=True)
    for key, what in rows:
        r = results.get(key)
        if r is None:
            continue
        if r.get("error"):
            out.append(f"| {key} | {what} | error | | | {r['error']} |")
            continue
        med = statistics.median(r["times"])
        inertia = statistics.median(r["inertias"])
        out.append(f"| {key} | {what} | {fmt_s(med)} | {fmt_s(min(r['times']))} | "
                   f"{med / base:.2f} | {inertia:.2f} |")
    out.append("")
    srv = [s for s in results["ccseg_train"].get("server_seconds", []) if s is not None]
    if srv:
        out.append(f"- ccseg_train's own `seconds` column (server side): median {statistics.median(srv):.3f} s.")
    sk = results.get("sklearn lloyd")
    if sk and not sk.get("error"):
        out.append(f"- scikit-learn lloyd / ccseg_train (median): "
                   f"{statistics.median(sk['times']) / base:.2f}x; elkan: "
                   f"{statistics.median(results['sklearn elkan']['times']) / base:.2f}x "
                   f"(> 1 means ccseg is faster, although it also scans and preprocesses the table); "
                   f"of the fastest rounds: {min(sk['times']) / min(results['ccseg_train']['times']):.2f}x "
                   f"and {min(results['sklearn elkan']['times']) / min(results['ccseg_train']['times']):.2f}x.")
    ex, cl = results.get("export pipeline"), results.get("ccseg train + label")
    if ex and cl and not ex.get("error") and not cl.get("error"):
        out.append(f"- export pipeline / (ccseg train + label): "
                   f"{statistics.median(ex['times']) / statistics.median(cl['times']):.2f}x.")
    ph = results.get("ccseg_train, verbose")
    if ph and not ph.get("error") and ph["phases"]:
        med = {name: statistics.median(p[name] for p in ph["phases"]) for name in ph["phases"][0]}
        out.append(f"- where ccseg_train's time goes (the verbose run, medians; the log lines have "
                   f"millisecond resolution): read {med['read']:.3f} s, impute and scale "
                   f"{med['preprocess']:.3f} s, k-means {med['kmeans']:.3f} s, alignment, scores and "
                   f"principal components {med['scores']:.3f} s, the rest (SQL, catalog, client) "
                   f"{med['rest']:.3f} s.")
        if sk and not sk.get("error"):
            out.append(f"- scikit-learn lloyd / the k-means phase alone: "
                       f"{statistics.median(sk['times']) / med['kmeans']:.2f}x: the ratio ccseg_train would "
                       f"reach if nothing but its k-means took time.")
    out.append(f"- inertia ccseg / scikit-learn lloyd: "
               f"{statistics.median(results['ccseg_train']['inertias']) / statistics.median(sk['inertias']):.6f}."
               if sk and not sk.get("error") else "")
    out.append("")
    out += ccsegtest.machine_table(info)
    return "\n".join(line for line in out if line is not None)


# --------------------------------------------------------------------------

def main():
    def add_options(ap):
        ap.add_argument("--phase-rows", type=int, default=None,
                        help="generated customers for the per-row phases (default 1000000, "
                             "50000 with --quick; 0 skips them)")

    args = ccsegtest.bench_arguments(__doc__, seed=42, dbname="ccseg_bench", add_options=add_options)
    if args.phase_rows is None:
        args.phase_rows = 50000 if args.quick else 1000000

    with ccsegtest.bench_database(args.dbname, args.keep) as (conn, extversion, features):
        # the copy with a segment column, for the write-back runs
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE TABLE {e} AS SELECT *, NULL::int AS segment FROM {t}").format(
                e=sql.Identifier(EXPORT_TABLE), t=sql.Identifier(TABLE)))
            cur.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
                sql.Identifier(EXPORT_TABLE), sql.Identifier(ID_COLUMN)))
            cur.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(EXPORT_TABLE)))

        # the in-memory matrix for the scikit-learn fit: read back from the
        # database, imputed and scaled once, outside the timings
        _, X = read_matrix(conn, features)
        Xs = ccsegtest.preprocess(X).Xs

        jobs = [
            ("ccseg_train", lambda: run_ccseg(conn, args.seed)),
            ("sklearn lloyd", lambda: run_sklearn(Xs, args.seed, "lloyd")),
            ("sklearn elkan", lambda: run_sklearn(Xs, args.seed, "elkan")),
            ("export pipeline", lambda: run_export_pipeline(conn, features, args.seed)),
            ("ccseg train + label", lambda: run_ccseg_label(conn, args.seed)),
            ("ccseg_train, verbose", lambda: run_ccseg_phases(conn, args.seed)),
        ]
        results = {name: {"times": [], "inertias": [], "server_seconds": [], "phases": []} for name, _ in jobs}
        results["n_rows"], results["n_features"] = X.shape

        def record(name, r, out, label, timed):
            seconds, inertia, extra = out
            # keep the write-back runs comparable: no dead tuples left behind
            if name in ("export pipeline", "ccseg train + label"):
                with conn.cursor() as cur:
                    cur.execute(sql.SQL("VACUUM {}").format(sql.Identifier(EXPORT_TABLE)))
            print(f"# {label}: {name} {seconds:.3f} s, inertia {inertia:.4f}", file=sys.stderr, flush=True)
            if timed:
                r["times"].append(seconds)
                r["inertias"].append(inertia)
                r["server_seconds"].append(extra.get("server_seconds"))
                if "phases" in extra:
                    r["phases"].append(extra["phases"])

        ccsegtest.run_rounds(jobs, results, args.repeat, not args.no_warmup, record)
        if results["ccseg_train"].get("error"):
            print(f"ccseg_train failed: {results['ccseg_train']['error']}", file=sys.stderr)
            return 1
        text = markdown(results, ccsegtest.machine_info(conn), args, extversion)

        if args.phase_rows > 0:
            with conn.cursor() as cur:
                cur.execute(f"CREATE TABLE {GEN_TABLE} AS SELECT * FROM ccseg_generate_customers(%s, 1)",
                            (args.phase_rows,))
                cur.execute(f"VACUUM ANALYZE {GEN_TABLE}")
            phase_jobs = [
                ("scan, serial", lambda: run_scan(conn, 0)),
                ("scan, 2 workers", lambda: run_scan(conn, 2)),
                ("train, id order", lambda: run_phase_train(conn, args.seed, True)),
                ("train, scan order", lambda: run_phase_train(conn, args.seed, False)),
            ]
            phase_results = {name: {"times": [], "inertias": [], "server_seconds": [], "phases": []}
                             for name, _ in phase_jobs}
            ccsegtest.run_rounds(phase_jobs, phase_results, args.repeat, not args.no_warmup, record)
            text += "\n\n" + phase_markdown(phase_results, args.phase_rows)

    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 1 if any(isinstance(v, dict) and v.get("error") for v in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
