"""ccsegtest: what the Python reference tests and benchmarks share.

Used by test/reference/test_sklearn_*.py and test/bench/bench_*.py, which run
under Debian's interpreter (/usr/bin/python3: scikit-learn, pandas, numpy,
psycopg2) against a server reachable through the libpq environment (PGHOST,
PGPORT, PGUSER).  The scripts find this module by putting its directory on
sys.path from their own location:

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))

What is here:

  - paths and names: ROOT, CSV_PATH, DDL_PATH, TABLE, ID_COLUMN
  - reporting: Report (PASS/FAIL lines and the final "reference: N passed,
    M failed" line), note(), rel_diff()
  - database setup: create_database(), drop_database(), connect(),
    load_table() (data/cc_general.sql, then data/cc_general.csv through
    COPY FROM STDIN: the server never reads the file), setup_extension()
  - reading back: query(), timed_query(), timed_query_phases() (with the
    phase lines of a verbose training), read_matrix() (ORDER BY cust_id),
    predict_labels(), and preprocess(), the scikit-learn side's
    SimpleImputer(strategy='median') -> StandardScaler() pipeline
  - the reference tests' skeleton: run_reference() (with
    reference_arguments(), open_reference_database(),
    close_reference_database()), setup_note()
  - the benchmarks' skeleton: bench_arguments() (with rows_option() and
    rows_and_cap_options()),
    bench_database(), emit(),
    run_rounds(), machine_info(), table_head(), machine_table(), and
    PeakMemory (a process's peak private memory while a run lasts)

scikit-learn and pandas are imported only where they are used, so that
quiet_warnings() can run before a script imports scikit-learn itself.
"""

import argparse
import contextlib
import csv
import datetime
import os
import platform
import re
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
CSV_PATH = ROOT / "data" / "cc_general.csv"
DDL_PATH = ROOT / "data" / "cc_general.sql"
TABLE = "cc_general"
ID_COLUMN = "cust_id"


def quiet_warnings():
    """Ignore FutureWarning and DeprecationWarning (scikit-learn's), for the whole process.

    Call it before importing scikit-learn.
    """
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


# --------------------------------------------------------------------------
# reporting

class Report:
    """Counts checks and prints one "PASS name" or "FAIL name: detail" line each."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name, detail=None):
        """Print "PASS name" (with "  (detail)" when there is one) and count it."""
        self.passed += 1
        print(f"PASS {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def fail(self, name, detail):
        """Print "FAIL name: detail" (white space folded to single spaces) and count it."""
        self.failed += 1
        detail = " ".join(str(detail).split())
        print(f"FAIL {name}: {detail}", flush=True)

    def check(self, name, cond, detail_fail, detail_ok=None):
        """PASS (with detail_ok) if cond is true, else FAIL with detail_fail; returns cond."""
        if cond:
            self.ok(name, detail_ok)
        else:
            self.fail(name, detail_fail)
        return cond

    def guarded(self, name, fn, *args):
        """Run fn(*args); an exception becomes one FAIL line named name.

        With CCSEG_TEST_TRACEBACK set in the environment the traceback is
        printed as well.  Returns fn's result, or None after an exception.
        """
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - report every error as a FAIL
            self.fail(name, f"{type(exc).__name__}: {exc}")
            if os.environ.get("CCSEG_TEST_TRACEBACK"):
                traceback.print_exc()
            return None

    def finish(self, t_start=None):
        """Print the final "reference: N passed, M failed" line; returns the exit status.

        With t_start (a time.perf_counter() value) a "# S s" line comes first.
        The exit status is 1 if any check failed, else 0.
        """
        if t_start is not None:
            note(f"{time.perf_counter() - t_start:.1f} s")
        print(f"reference: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


class Ctx:
    """An empty namespace for the state a test's checks share (connection, matrix, ...)."""


def note(msg, file=None):
    """Print a commentary line "# msg" to file (default stdout), flushed."""
    print(f"# {msg}", file=sys.stdout if file is None else file, flush=True)


def rel_diff(a, b, nan_aware=True):
    """max |a - b| / max(|a|, |b|) elementwise, 0 where both are 0.

    nan_aware (the default): a shape mismatch or a NaN (None) on one side
    only is inf, NaN on both sides counts as equal.  nan_aware=False is the
    plain formula, which lets a NaN through as NaN (test_sklearn_kmeans.py's
    variant, kept so that its failure details read as before).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if not nan_aware:
        denom = np.maximum(np.abs(a), np.abs(b))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(denom == 0, 0.0, np.abs(a - b) / denom)
        return float(np.max(r)) if r.size else 0.0
    if a.shape != b.shape:
        return float("inf")
    both_nan = np.isnan(a) & np.isnan(b)
    one_nan = np.isnan(a) ^ np.isnan(b)
    if one_nan.any():
        return float("inf")
    denom = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(both_nan | (denom == 0), 0.0, np.abs(a - b) / denom)
    return float(np.max(r)) if r.size else 0.0


# --------------------------------------------------------------------------
# database setup

def csv_header():
    """The column names of data/cc_general.csv, stripped and lower-cased."""
    with open(CSV_PATH, newline="") as f:
        return [h.strip().lower() for h in next(csv.reader(f))]


def admin_connect():
    """An autocommit connection to the admin database (CCSEG_ADMIN_DB, default postgres)."""
    conn = psycopg2.connect(dbname=os.environ.get("CCSEG_ADMIN_DB", "postgres"))
    conn.autocommit = True
    return conn


def create_database(dbname):
    """Create dbname afresh: DROP DATABASE IF EXISTS ... WITH (FORCE), then CREATE DATABASE."""
    conn = admin_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()


def drop_database(dbname):
    """DROP DATABASE IF EXISTS dbname WITH (FORCE)."""
    conn = admin_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
    finally:
        conn.close()


def connect(dbname):
    """An autocommit connection to dbname."""
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def fallback_ddl(header):
    """Table DDL used when data/cc_general.sql is not there yet."""
    int_cols = {"cash_advance_trx", "purchases_trx", "tenure"}
    cols = [f"{ID_COLUMN} text PRIMARY KEY"]
    for h in header[1:]:
        cols.append(f"{h} {'integer' if h in int_cols else 'float8'}")
    return f"CREATE TABLE {TABLE} (\n  " + ",\n  ".join(cols) + "\n)"


def load_table(conn, vacuum=False, log=None):
    """Create cc_general (DDL from data/cc_general.sql) and COPY the CSV in; returns the CSV header.

    The CSV goes through COPY ... FROM STDIN, so the server never reads the
    file; it is copied only if the table is empty.  Then ANALYZE, or VACUUM
    ANALYZE with vacuum=True.  The note about a missing DDL file goes to log
    (a file; default stdout).
    """
    header = csv_header()
    with conn.cursor() as cur:
        if DDL_PATH.exists():
            # psql meta-commands (\copy, \echo, ...) are not SQL: drop them.
            ddl = "\n".join(line for line in DDL_PATH.read_text().splitlines()
                            if not line.lstrip().startswith("\\"))
            cur.execute(ddl)
        else:
            note(f"{DDL_PATH.relative_to(ROOT)} not found, using a built-in DDL", file=log)
            cur.execute(fallback_ddl(header))
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE)))
        if cur.fetchone()[0] == 0:
            copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
                sql.Identifier(TABLE), sql.SQL(", ").join(map(sql.Identifier, header)))
            with open(CSV_PATH) as f:
                cur.copy_expert(copy.as_string(conn), f)
        cur.execute(sql.SQL("VACUUM ANALYZE {}" if vacuum else "ANALYZE {}").format(sql.Identifier(TABLE)))
    return header


def setup_extension(conn, extra_float_digits=None):
    """CREATE EXTENSION ccseg; returns (schema, version).

    If the extension's schema is not public it goes first on the search_path.
    With extra_float_digits, SET extra_float_digits to it.
    """
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION ccseg")
        cur.execute("""SELECT n.nspname, e.extversion FROM pg_extension e
                       JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'ccseg'""")
        schema, version = cur.fetchone()
        if schema != "public":
            cur.execute(sql.SQL("SET search_path = {}, public").format(sql.Identifier(schema)))
        if extra_float_digits is not None:
            cur.execute("SET extra_float_digits = %s", (extra_float_digits,))
    return schema, version


def server_version(conn):
    """SHOW server_version."""
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


# --------------------------------------------------------------------------
# reading back

def query(conn, q, params=None):
    """Rows of a query as a list of dicts."""
    with conn.cursor() as cur:
        cur.execute(q, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def timed_query(conn, q, params=None):
    """Run a query timed from the client; returns (seconds, rows as a list of dicts).

    The time covers the execution and the fetch of all rows.
    """
    with conn.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(q, params)
        rows = cur.fetchall()
        elapsed = time.perf_counter() - t0
        cols = [d[0] for d in cur.description]
    return elapsed, [dict(zip(cols, r)) for r in rows]


# The phase lines that ccseg_build_model and ccseg_train log with verbose => true
# (LOG level), each with the numbers it carries.
PHASE_LINES = {
    "read": re.compile(r"read (\d+) rows of relation .* in ([0-9.]+) s, imputed and scaled them in ([0-9.]+) s"),
    "kmeans": re.compile(r"k-means in ([0-9.]+) s"),
    "passes": re.compile(r"(\d+) passes over all (\d+) rows in ([0-9.]+) s"),
    "scores": re.compile(r"alignment, quality scores and principal components in ([0-9.]+) s"),
}


def timed_query_phases(conn, q, params=None):
    """timed_query() with client_min_messages = log, for a query that trains with verbose => true.

    Returns (seconds, rows, phases): phases maps each name of PHASE_LINES
    whose line came to the numbers it matched (strings), the last such line
    if several did.
    """
    with conn.cursor() as cur:
        cur.execute("SET client_min_messages = log")
    del conn.notices[:]
    try:
        elapsed, rows = timed_query(conn, q, params)
    finally:
        with conn.cursor() as cur:
            cur.execute("RESET client_min_messages")
    phases = {}
    for notice in conn.notices:
        for name, rx in PHASE_LINES.items():
            m = rx.search(notice)
            if m:
                phases[name] = m.groups()
    return elapsed, rows, phases


def read_matrix(conn, features):
    """The feature matrix (NaN for NULL) and ids, ordered by cust_id; returns (ids, X)."""
    q = sql.SQL("SELECT {}, {} FROM {} ORDER BY {}").format(
        sql.Identifier(ID_COLUMN), sql.SQL(", ").join(map(sql.Identifier, features)),
        sql.Identifier(TABLE), sql.Identifier(ID_COLUMN))
    with conn.cursor() as cur:
        cur.execute(q)
        rows = cur.fetchall()
    ids = [r[0] for r in rows]
    X = np.array([[np.nan if v is None else float(v) for v in r[1:]] for r in rows], dtype=np.float64)
    return ids, X


def predict_labels(conn, model):
    """ccseg_predict(model, c) over the whole table, ordered by cust_id; returns (ids, labels).

    labels is an int64 array, -1 where ccseg_predict returned NULL.
    """
    q = sql.SQL("SELECT c.{id}, ccseg_predict(%s, c) FROM {t} c ORDER BY c.{id}").format(
        id=sql.Identifier(ID_COLUMN), t=sql.Identifier(TABLE))
    with conn.cursor() as cur:
        cur.execute(q, (model,))
        rows = cur.fetchall()
    return [r[0] for r in rows], np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int64)


class Preprocessed:
    """The fitted pipeline and its matrices: imputer, scaler, Xi (imputed), Xs (scaled)."""

    def __init__(self, imputer, scaler, Xi, Xs):
        self.imputer = imputer
        self.scaler = scaler
        self.Xi = Xi
        self.Xs = Xs


def preprocess(X):
    """scikit-learn's side of ccseg's preprocessing: SimpleImputer(strategy='median') -> StandardScaler().

    Returns a Preprocessed; .Xs is the matrix to cluster.  (fit then
    transform, which is what fit_transform does for both steps.)
    """
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler
    imputer = SimpleImputer(strategy="median").fit(X)
    Xi = imputer.transform(X)
    scaler = StandardScaler().fit(Xi)
    return Preprocessed(imputer, scaler, Xi, scaler.transform(Xi))


# --------------------------------------------------------------------------
# reference tests: arguments, database, end

def reference_arguments(doc, dbname):
    """Parse a reference test's options --dbname (default dbname) and --keep.

    doc is the script's __doc__; its first paragraph is the description.
    """
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--dbname", default=dbname, help=f"database to create and drop (default {dbname})")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return ap.parse_args()


def open_reference_database(rep, dbname):
    """Create dbname, create the extension (extra_float_digits 3) and load the table.

    Returns (conn, schema, extversion, features), features being the CSV's
    columns after cust_id; on an error, one "FAIL setup" line and None.
    """
    try:
        create_database(dbname)
        conn = connect(dbname)
        schema, extversion = setup_extension(conn, extra_float_digits=3)
        header = load_table(conn)
    except Exception as exc:  # noqa: BLE001
        rep.fail("setup", f"{type(exc).__name__}: {exc}")
        return None
    return conn, schema, extversion, header[1:]


def close_reference_database(conn, dbname, keep=False):
    """Close conn and drop dbname unless keep; a failed drop is only a "#" note."""
    conn.close()
    if not keep:
        try:
            drop_database(dbname)
        except Exception as exc:  # noqa: BLE001
            note(f"could not drop database {dbname}: {exc}")


def run_reference(doc, dbname, checks):
    """A reference test's main(): options, database, matrix, checks(rep, ctx), final line.

    Parses --dbname (default dbname) and --keep (reference_arguments), sets
    the database up (open_reference_database: a failure is one "FAIL setup"
    line), reads the matrix back ORDER BY cust_id and preprocesses it, then
    runs checks(rep, ctx) with ctx holding conn, schema, extversion,
    pg_version, features, ids, X, imputer, Xi, scaler and Xs.  Afterwards
    the database is dropped (unless --keep), and the "# S s" and
    "reference: N passed, M failed" lines are printed.  Returns the exit
    status: 1 if any check failed.
    """
    args = reference_arguments(doc, dbname)
    rep = Report()
    t_start = time.perf_counter()
    ctx = Ctx()
    setup = open_reference_database(rep, args.dbname)
    if setup is None:
        return rep.finish()
    ctx.conn, ctx.schema, ctx.extversion, ctx.features = setup
    try:
        ctx.ids, ctx.X = read_matrix(ctx.conn, ctx.features)
        pre = preprocess(ctx.X)
        ctx.imputer, ctx.Xi, ctx.scaler, ctx.Xs = pre.imputer, pre.Xi, pre.scaler, pre.Xs
        ctx.pg_version = server_version(ctx.conn)
        checks(rep, ctx)
    finally:
        close_reference_database(ctx.conn, args.dbname, args.keep)
    return rep.finish(t_start)


def setup_note(ctx, libraries=""):
    """The "# ccseg V in schema S, PostgreSQL V, scikit-learn V, ..." line about a reference run.

    libraries (e.g. "pandas 1.5.3, ") goes right after the scikit-learn version.
    """
    import sklearn
    note(f"ccseg {ctx.extversion} in schema {ctx.schema}, PostgreSQL {ctx.pg_version}, "
         f"scikit-learn {sklearn.__version__}, {libraries}"
         f"{ctx.X.shape[0]} rows x {ctx.X.shape[1]} features, {int(np.isnan(ctx.X).sum())} missing values")


# --------------------------------------------------------------------------
# benchmarks: arguments, database, rounds, report

def bench_arguments(doc, seed, dbname, quick_no_warmup=False, add_options=None):
    """Parse a benchmark's options; --quick sets --repeat 1 (and --no-warmup if quick_no_warmup).

    Options: --repeat N (default 5), --quick, --seed S (default seed),
    --no-warmup, --dbname (default dbname), --keep, --output FILE, and
    whatever add_options(parser) adds.  doc is the script's __doc__; its
    first paragraph is the description.
    """
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions of each run (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="one repetition, no warm-up (for CI)" if quick_no_warmup else "one repetition (for CI)")
    ap.add_argument("--seed", type=int, default=seed, help="seed for ccseg and random_state for scikit-learn")
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up round")
    ap.add_argument("--dbname", default=dbname, help=f"database to create and drop (default {dbname})")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--output", help="also write the markdown table to this file")
    if add_options:
        add_options(ap)
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
        if quick_no_warmup:
            args.no_warmup = True
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def rows_option(default):
    """An add_options for bench_arguments: --rows N (generated customers), default default."""
    def add(ap):
        ap.add_argument("--rows", type=int, default=default, help=f"generated customers (default {default})")
    return add


def rows_and_cap_options(rows, cap, what):
    """An add_options for bench_arguments: --rows N as rows_option(rows), and --cap SIZE
    (ccseg.max_train_memory of what, default cap)."""
    def add(ap):
        rows_option(rows)(ap)
        ap.add_argument("--cap", default=cap, help=f"ccseg.max_train_memory of {what} (default {cap})")
    return add


def emit(text, args, failed):
    """Print a benchmark's markdown, write it to --output if given; the exit status (1 if failed)."""
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 1 if failed else 0


@contextlib.contextmanager
def bench_database(dbname, keep=False):
    """A benchmark's database, created afresh with the extension and the table (VACUUM ANALYZEd).

    Yields (conn, extversion, features), features being the CSV's columns
    after cust_id; on leaving, closes conn and drops the database unless keep.
    """
    create_database(dbname)
    conn = connect(dbname)
    try:
        _, extversion = setup_extension(conn)
        features = load_table(conn, vacuum=True, log=sys.stderr)[1:]
        yield conn, extversion, features
    finally:
        conn.close()
        if not keep:
            drop_database(dbname)


def run_rounds(jobs, results, repeat, warmup, record):
    """Run the jobs interleaved: one of each per round, an untimed warm-up round first if warmup.

    jobs is a list of (name, job); job() returns whatever record expects.
    results[name] is a dict per job; a job that raises gets results[name]
    ["error"] (with a "# name: error" line on stderr) and is skipped from then
    on.  Otherwise record(name, results[name], job's result, label, timed)
    is called, label being "warm-up" or "round N" (rounds numbered from 0,
    the warm-up included).
    """
    rounds = ([False] if warmup else []) + [True] * repeat
    for rnd, timed in enumerate(rounds):
        for name, job in jobs:
            r = results[name]
            if r.get("error"):
                continue
            try:
                out = job()
            except Exception as exc:  # noqa: BLE001 - report and keep the other runs
                r["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                print(f"# {name}: {r['error']}", file=sys.stderr)
                continue
            record(name, r, out, "round " + str(rnd) if timed else "warm-up", timed)


def backend_pid(conn):
    """The process id of the server backend serving conn."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


class PeakMemory:
    """Peak private memory (RssAnon of /proc/PID/status) of a process while a block runs.

    with PeakMemory(pid) as peak: ...; then peak.mb is the largest value seen,
    in MB, sampled every interval seconds from a thread (and once before and
    after), or None when /proc/PID/status cannot be read (another user's
    process when not root, or no /proc).  Private memory leaves out shared
    buffers, which every backend touches and the server owns; it is what a
    run adds to the machine.  Parallel workers are other processes and are
    not counted.
    """

    def __init__(self, pid, interval=0.02):
        self.pid, self.interval, self.mb = pid, interval, None
        self.samples = []           # (seconds since the block began, MB)
        self.start = None
        self._stop = threading.Event()
        self._thread = None

    def _read(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        kb = int(line.split()[1])
                        mb = kb / 1024.0
                        self.mb = mb if self.mb is None else max(self.mb, mb)
                        self.samples.append((time.perf_counter() - self.start, mb))
                        return True
        except (OSError, ValueError):
            pass
        return False

    def peak_between(self, t0, t1=None):
        """Largest sample from t0 to t1 seconds after the block began (t1 None: to the end), or None."""
        vals = [mb for t, mb in self.samples if t >= t0 and (t1 is None or t < t1)]
        return max(vals) if vals else None

    def _run(self):
        while not self._stop.wait(self.interval):
            self._read()

    def __enter__(self):
        self.start = time.perf_counter()
        if self._read():
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._read()
        return False


def machine_info(conn, load_average=False):
    """CPU, cores, PostgreSQL, Python, libraries and their threads, date: a dict for machine_table().

    With load_average, the cores entry also gives os.getloadavg() ("at the end").
    """
    import pandas as pd
    import sklearn
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
    load = ""
    if load_average:
        try:
            load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (at the end)"
        except OSError:
            load = ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)" + (f"; {load}" if load else ""),
        "postgresql": pg,
        "python": f"{platform.python_version()} ({sys.executable})",
        "libraries": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}"
                     + (f"; {threads}" if threads else ""),
    }


def rounds_line(args, extversion):
    """The markdown line under a benchmark's heading: repetitions, warm-up, seed, ccseg version."""
    return (f"{args.repeat} timed repetition(s) each, interleaved, "
            f"{'after one warm-up round' if not args.no_warmup else 'no warm-up'}; seed {args.seed}; "
            f"ccseg {extversion}.\n")


def table_head(title, args, extversion, ratio_column, result_column, result_numeric):
    """The start of a benchmark's markdown, as a list of lines.

    "## title", rounds_line(), then the header of the results table: run |
    what is timed | median s | min s | ratio_column | result_column, the
    last one right-aligned if result_numeric.
    """
    return [f"## {title}\n", rounds_line(args, extversion),
            f"| run | what is timed | median s | min s | {ratio_column} | {result_column} |",
            "|---|---|---:|---:|---:|" + ("---:|" if result_numeric else "---|")]


def machine_table(info):
    """The markdown "| machine | |" table of machine_info(), as a list of lines."""
    return ["| machine | |", "|---|---|"] + [f"| {key} | {val} |" for key, val in info.items()]
