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

Repetitions are interleaved (one of each per round) after one untimed
warm-up round.  The script creates its own database (default ccseg_bench,
dropped first if it exists) and drops it at the end; the server never reads
data/cc_general.csv, it is sent with COPY FROM STDIN.
"""

import argparse
import csv
import datetime
import io
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
from psycopg2 import sql

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

import sklearn  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CSV_PATH = ROOT / "data" / "cc_general.csv"
DDL_PATH = ROOT / "data" / "cc_general.sql"
TABLE = "cc_general"
EXPORT_TABLE = "cc_general_export"   # copy of cc_general with a segment column
ID_COLUMN = "cust_id"
K = 8
N_INIT = 10


# --------------------------------------------------------------------------
# database setup (same loading as test/reference/test_sklearn_kmeans.py)

def csv_header():
    with open(CSV_PATH, newline="") as f:
        return [h.strip().lower() for h in next(csv.reader(f))]


def admin_connect():
    conn = psycopg2.connect(dbname=os.environ.get("CCSEG_ADMIN_DB", "postgres"))
    conn.autocommit = True
    return conn


def recreate_database(dbname, create=True):
    conn = admin_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            if create:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()


def fallback_ddl(header):
    int_cols = {"cash_advance_trx", "purchases_trx", "tenure"}
    cols = [f"{ID_COLUMN} text PRIMARY KEY"]
    cols += [f"{h} {'integer' if h in int_cols else 'float8'}" for h in header[1:]]
    return f"CREATE TABLE {TABLE} (\n  " + ",\n  ".join(cols) + "\n)"


def load_table(conn):
    header = csv_header()
    with conn.cursor() as cur:
        if DDL_PATH.exists():
            ddl = "\n".join(line for line in DDL_PATH.read_text().splitlines()
                            if not line.lstrip().startswith("\\"))
            cur.execute(ddl)
        else:
            print(f"# {DDL_PATH.relative_to(ROOT)} not found, using a built-in DDL", file=sys.stderr)
            cur.execute(fallback_ddl(header))
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE)))
        if cur.fetchone()[0] == 0:
            copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
                sql.Identifier(TABLE), sql.SQL(", ").join(map(sql.Identifier, header)))
            with open(CSV_PATH) as f:
                cur.copy_expert(copy.as_string(conn), f)
        cur.execute(sql.SQL("CREATE TABLE {e} AS SELECT *, NULL::int AS segment FROM {t}").format(
            e=sql.Identifier(EXPORT_TABLE), t=sql.Identifier(TABLE)))
        cur.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
            sql.Identifier(EXPORT_TABLE), sql.Identifier(ID_COLUMN)))
        cur.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(TABLE)))
        cur.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(EXPORT_TABLE)))
    return header[1:]


def setup_extension(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION ccseg")
        cur.execute("""SELECT n.nspname, e.extversion FROM pg_extension e
                       JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'ccseg'""")
        schema, version = cur.fetchone()
        if schema != "public":
            cur.execute(sql.SQL("SET search_path = {}, public").format(sql.Identifier(schema)))
    return schema, version


# --------------------------------------------------------------------------
# the timed jobs; each returns (seconds, inertia, extra)

def run_ccseg(conn, seed, model="b"):
    with conn.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("SELECT * FROM ccseg_train(%s, %s, k=>%s, n_init=>%s, seed=>%s, silhouette_sample=>0)",
                    (model, TABLE, K, N_INIT, seed))
        row = cur.fetchone()
        elapsed = time.perf_counter() - t0
        cols = [d[0] for d in cur.description]
    r = dict(zip(cols, row))
    return elapsed, r["inertia"], {"server_seconds": r.get("seconds"), "iterations": r.get("iterations")}


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
        Xs = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
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


# --------------------------------------------------------------------------
# reporting

def machine_info(conn):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0]
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    threads = ""
    try:
        from threadpoolctl import threadpool_info
        threads = ", ".join(f"{p.get('internal_api')} {p.get('num_threads')} threads"
                            for p in threadpool_info())
    except Exception:  # noqa: BLE001 - informational only
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "postgresql": pg,
        "python": f"{platform.python_version()} ({sys.executable})",
        "libraries": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}"
                     + (f"; {threads}" if threads else ""),
    }


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
    ]
    out = []
    out.append(f"## ccseg_train vs scikit-learn: k={K}, n_init={N_INIT}, "
               f"{results['n_rows']} x {results['n_features']} credit-card matrix\n")
    out.append(f"{args.repeat} timed repetition(s) each, interleaved, "
               f"{'after one warm-up round' if not args.no_warmup else 'no warm-up'}; seed {args.seed}; "
               f"ccseg {extversion}.\n")
    out.append("| run | what is timed | median s | min s | time / ccseg_train | inertia |")
    out.append("|---|---|---:|---:|---:|---:|")
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
                   f"(> 1 means ccseg is faster, although it also scans and preprocesses the table).")
    ex, cl = results.get("export pipeline"), results.get("ccseg train + label")
    if ex and cl and not ex.get("error") and not cl.get("error"):
        out.append(f"- export pipeline / (ccseg train + label): "
                   f"{statistics.median(ex['times']) / statistics.median(cl['times']):.2f}x.")
    out.append(f"- inertia ccseg / scikit-learn lloyd: "
               f"{statistics.median(results['ccseg_train']['inertias']) / statistics.median(sk['inertias']):.6f}."
               if sk and not sk.get("error") else "")
    out.append("")
    out.append("| machine | |")
    out.append("|---|---|")
    for key, val in info.items():
        out.append(f"| {key} | {val} |")
    return "\n".join(line for line in out if line is not None)


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions of each run (default 5)")
    ap.add_argument("--quick", action="store_true", help="one repetition (for CI)")
    ap.add_argument("--seed", type=int, default=42, help="seed for ccseg and random_state for scikit-learn")
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up round")
    ap.add_argument("--dbname", default="ccseg_bench", help="database to create and drop (default ccseg_bench)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--output", help="also write the markdown table to this file")
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    recreate_database(args.dbname)
    conn = psycopg2.connect(dbname=args.dbname)
    conn.autocommit = True
    try:
        _, extversion = setup_extension(conn)
        features = load_table(conn)

        # the in-memory matrix for the scikit-learn fit: read back from the
        # database, imputed and scaled once, outside the timings
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
                sql.SQL(", ").join(map(sql.Identifier, features)), sql.Identifier(TABLE),
                sql.Identifier(ID_COLUMN)))
            X = np.array(cur.fetchall(), dtype=np.float64)   # NULL -> nan
        Xs = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))

        jobs = [
            ("ccseg_train", lambda: run_ccseg(conn, args.seed)),
            ("sklearn lloyd", lambda: run_sklearn(Xs, args.seed, "lloyd")),
            ("sklearn elkan", lambda: run_sklearn(Xs, args.seed, "elkan")),
            ("export pipeline", lambda: run_export_pipeline(conn, features, args.seed)),
            ("ccseg train + label", lambda: run_ccseg_label(conn, args.seed)),
        ]
        results = {name: {"times": [], "inertias": [], "server_seconds": []} for name, _ in jobs}
        results["n_rows"], results["n_features"] = X.shape
        rounds = ([] if args.no_warmup else [False]) + [True] * args.repeat
        for rnd, timed in enumerate(rounds):
            for name, job in jobs:
                r = results[name]
                if r.get("error"):
                    continue
                try:
                    seconds, inertia, extra = job()
                except Exception as exc:  # noqa: BLE001 - report and keep the other runs
                    r["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                    print(f"# {name}: {r['error']}", file=sys.stderr)
                    continue
                # keep the write-back runs comparable: no dead tuples left behind
                if name in ("export pipeline", "ccseg train + label"):
                    with conn.cursor() as cur:
                        cur.execute(sql.SQL("VACUUM {}").format(sql.Identifier(EXPORT_TABLE)))
                print(f"# {'round ' + str(rnd) if timed else 'warm-up'}: {name} "
                      f"{seconds:.3f} s, inertia {inertia:.4f}", file=sys.stderr, flush=True)
                if timed:
                    r["times"].append(seconds)
                    r["inertias"].append(inertia)
                    r["server_seconds"].append(extra.get("server_seconds"))
        if results["ccseg_train"].get("error"):
            print(f"ccseg_train failed: {results['ccseg_train']['error']}", file=sys.stderr)
            return 1
        text = markdown(results, machine_info(conn), args, extversion)
    finally:
        conn.close()
        if not args.keep:
            recreate_database(args.dbname, create=False)

    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 1 if any(isinstance(v, dict) and v.get("error") for v in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
