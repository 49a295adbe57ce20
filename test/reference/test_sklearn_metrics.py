#!/usr/bin/python3
"""Reference test: ccseg's quality measures and statistics against scikit-learn and pandas.

Run with Debian's interpreter (/usr/bin/python3: scikit-learn 1.2.1, pandas,
numpy, psycopg2) against a running server reachable through the libpq
environment (PGHOST, PGPORT, PGUSER) on which the ccseg extension is installed:

    /usr/bin/python3 test/reference/test_sklearn_metrics.py

The script creates its own database (default ccseg_ref_metrics, dropped first
if it exists), loads data/cc_general.csv through COPY FROM STDIN (the server
never reads the file), runs the checks and drops the database again.  It
prints one "PASS name" or "FAIL name: detail" line per check (lines starting
with "#" are commentary) and a final "reference: N passed, M failed"; the exit
status is 1 if any check failed.

Both sides see identical float8 values: the Python side reads the matrix back
from the database ORDER BY cust_id, imputes it with
SimpleImputer(strategy='median') and scales it with StandardScaler(), and takes
ccseg's own labels (ccseg_predict ORDER BY cust_id).  What is checked:

  a. k = 2..10, models trained with seed 0: silhouette, Calinski-Harabasz and
     Davies-Bouldin from scikit-learn on ccseg's labels against
     ccseg_evaluate (stored at training time, exact silhouette),
     ccseg_silhouette (overall and per segment) and the ccseg_elbow row of
     the same k (same seed, so the same labels); 1e-9 relative.  The
     scikit-learn silhouette is np.mean(silhouette_samples(...)), which is
     exactly what silhouette_score computes, so the per-row values are
     computed once and serve both the overall and the per-segment checks.
  b. sampled silhouette (sample_size 3000) close to the exact one
  c. ccseg_correlation against pandas DataFrame.corr() (pairwise complete)
  d. ccseg_describe against pandas (count, mean, std, quartiles, skew, ...)
  e. ccseg_histogram against numpy.histogram
  f. the elbow table, printed, with exactly one recommended k
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402
from ccsegtest import ID_COLUMN, TABLE, note, predict_labels, query, rel_diff  # noqa: E402

ccsegtest.quiet_warnings()
from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,  # noqa: E402
                             silhouette_samples)

KS = tuple(range(2, 11))
SEED = 0
METRIC_RTOL = 1e-9
SAMPLE_SIZE = 3000
SAMPLE_SEED = 1
SAMPLE_K = 8
SAMPLE_ATOL = 0.02
CORR_ATOL = 1e-12
DESCRIBE_RTOL = 1e-9
DESCRIBE_ATOL = 1e-12
HIST_FEATURE = "balance"
HIST_BINS = 20
HIST_RTOL = 1e-9


# --------------------------------------------------------------------------
# comparisons

def close(a, b, rtol, atol=0.0):
    """|a - b| <= max(rtol * max(|a|, |b|), atol); None counts as NaN, NaN equals NaN."""
    a = np.nan if a is None else float(a)
    b = np.nan if b is None else float(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= max(rtol * max(abs(a), abs(b)), atol)


def fnum(x):
    return "NULL" if x is None else f"{x!r}"


# --------------------------------------------------------------------------
# ccseg calls

def train(conn, model, k, seed=SEED):
    q = ("SELECT * FROM ccseg_train(%s, %s::regclass, %s, id_column => %s, seed => %s::bigint)")
    return query(conn, q, (model, TABLE, k, ID_COLUMN, seed))[0]


# --------------------------------------------------------------------------
# checks

def sklearn_metrics(Xs, labels):
    """scikit-learn's silhouette (mean of silhouette_samples = silhouette_score),
    per-label mean silhouette, Calinski-Harabasz, Davies-Bouldin."""
    s = silhouette_samples(Xs, labels)
    per = {int(seg): float(np.mean(s[labels == seg])) for seg in np.unique(labels)}
    return {
        "silhouette": float(np.mean(s)),
        "segments": per,
        "calinski_harabasz": float(calinski_harabasz_score(Xs, labels)),
        "davies_bouldin": float(davies_bouldin_score(Xs, labels)),
    }


def compare_metrics(rep, name, got, want):
    """got: dict with silhouette / calinski_harabasz / davies_bouldin from ccseg."""
    diffs = {m: rel_diff(got[m], want[m]) if got[m] is not None else float("inf")
             for m in ("silhouette", "calinski_harabasz", "davies_bouldin")}
    ok = all(d <= METRIC_RTOL for d in diffs.values())
    detail = ", ".join(f"{m} ccseg {fnum(got[m])} sklearn {want[m]!r} rel {diffs[m]:.2g}"
                       for m in diffs)
    short = ", ".join(f"{m} rel {d:.2g}" for m, d in diffs.items())
    rep.check(name, ok, detail + f" (tolerance {METRIC_RTOL:g})", short)
    return diffs


def check_k(rep, ctx, k):
    """a. one k: training, evaluate, ccseg_silhouette, elbow row against scikit-learn."""
    model = f"m_{k}"
    res = train(ctx.conn, model, k)
    ids, labels = predict_labels(ctx.conn, model)
    if ids != ctx.ids:
        raise RuntimeError("ccseg_predict rows are not the table rows ordered by cust_id")
    if labels.min() < 1 or labels.max() > k:
        raise RuntimeError(f"labels outside 1..{k}: {sorted(set(labels.tolist()))[:12]}")
    want = sklearn_metrics(ctx.Xs, labels)
    ctx.sk[k] = want
    ctx.labels[k] = labels

    # (i) stored at training time
    ev = query(ctx.conn, "SELECT * FROM ccseg_evaluate(%s)", (model,))[0]
    rep.check(f"k{k}_evaluate_exact", ev["silhouette_rows"] == len(ctx.ids),
              f"silhouette_rows {ev['silhouette_rows']} != {len(ctx.ids)} (not exact)",
              f"silhouette_rows {ev['silhouette_rows']}")
    rd = rel_diff(ev["inertia"], res["inertia"])
    rep.check(f"k{k}_evaluate_inertia", rd == 0.0,
              f"ccseg_evaluate inertia {ev['inertia']!r} != ccseg_train inertia {res['inertia']!r}")
    compare_metrics(rep, f"k{k}_evaluate", ev, want)

    # (ii) recomputed from the source
    sil = query(ctx.conn, "SELECT * FROM ccseg_silhouette(%s) ORDER BY segment NULLS FIRST", (model,))
    overall = [r for r in sil if r["segment"] is None]
    segs = {r["segment"]: r for r in sil if r["segment"] is not None}
    if len(overall) != 1:
        raise RuntimeError(f"ccseg_silhouette returned {len(overall)} overall rows")
    o = overall[0]
    rd = rel_diff(o["silhouette"], want["silhouette"]) if o["silhouette"] is not None else float("inf")
    rep.check(f"k{k}_silhouette_overall",
              rd <= METRIC_RTOL and o["rows"] == len(ctx.ids) and o["sample_rows"] == len(ctx.ids),
              f"ccseg {fnum(o['silhouette'])} sklearn {want['silhouette']!r} rel {rd:.2g}; "
              f"rows {o['rows']} sample_rows {o['sample_rows']} (want {len(ctx.ids)})",
              f"rel {rd:.2g}")
    counts = {int(s): int(c) for s, c in zip(*np.unique(labels, return_counts=True))}
    bad = []
    worst = 0.0
    for seg in range(1, k + 1):
        r = segs.get(seg)
        w = want["segments"].get(seg)
        if r is None or w is None or r["silhouette"] is None:
            bad.append(f"segment {seg}: ccseg {None if r is None else fnum(r['silhouette'])} sklearn {w}")
            continue
        d = rel_diff(r["silhouette"], w)
        worst = max(worst, d)
        if d > METRIC_RTOL or r["rows"] != counts.get(seg):
            bad.append(f"segment {seg}: ccseg {r['silhouette']!r} sklearn {w!r} rel {d:.2g}, "
                       f"rows {r['rows']} vs {counts.get(seg)}")
    if set(segs) != set(range(1, k + 1)):
        bad.append(f"segments returned {sorted(segs)}")
    rep.check(f"k{k}_silhouette_segments", not bad, "; ".join(bad),
              f"{k} segments, max rel {worst:.2g}")

    # (iii) the elbow row of the same k
    row = ctx.elbow.get(k)
    if row is None:
        rep.fail(f"k{k}_elbow", f"no elbow row for k={k}")
        return
    rd = rel_diff(row["inertia"], res["inertia"])
    rep.check(f"k{k}_elbow_inertia", rd <= METRIC_RTOL,
              f"elbow inertia {row['inertia']!r} vs ccseg_train {res['inertia']!r} rel {rd:.2g} "
              f"(same seed and k should give the same labels)",
              f"rel {rd:.2g}, iterations elbow {row['iterations']} train {res['iterations']}")
    compare_metrics(rep, f"k{k}_elbow", row, want)


def check_sampled(rep, ctx):
    """b. sampled silhouette of m_8 against the exact one."""
    k = SAMPLE_K
    model = f"m_{k}"
    sil = query(ctx.conn, "SELECT * FROM ccseg_silhouette(%s, sample_size => %s, seed => %s) "
                          "ORDER BY segment NULLS FIRST", (model, SAMPLE_SIZE, SAMPLE_SEED))
    overall = [r for r in sil if r["segment"] is None]
    segs = [r for r in sil if r["segment"] is not None]
    if len(overall) != 1:
        raise RuntimeError(f"ccseg_silhouette returned {len(overall)} overall rows")
    o = overall[0]
    exact = ctx.sk[k]["silhouette"] if k in ctx.sk else None
    rep.check("sampled_rows", o["sample_rows"] is not None and o["sample_rows"] >= SAMPLE_SIZE
              and o["rows"] == len(ctx.ids),
              f"sample_rows {o['sample_rows']} (want >= {SAMPLE_SIZE}), rows {o['rows']}",
              f"sample_rows {o['sample_rows']} of {o['rows']}")
    nulls = [r["segment"] for r in segs if r["silhouette"] is None]
    rep.check("sampled_segments", len(segs) == k and not nulls,
              f"{len(segs)} segment rows, null silhouette for segments {nulls}",
              f"{k} segments, all non-null")
    if exact is None or o["silhouette"] is None:
        rep.fail("sampled_overall", f"sampled {fnum(o['silhouette'])}, exact {exact}")
        return
    diff = o["silhouette"] - exact
    detail = f"sampled {o['silhouette']:.6f} exact {exact:.6f} difference {diff:+.2e}"
    rep.check("sampled_overall", abs(diff) <= SAMPLE_ATOL, detail + f" > {SAMPLE_ATOL}", detail)
    if segs and not nulls:
        per = [f"{r['segment']}:{r['silhouette'] - ctx.sk[k]['segments'][r['segment']]:+.3f}" for r in segs]
        note(f"sampled - exact per segment: {' '.join(per)}")


def numeric_frame(ctx):
    return pd.DataFrame(ctx.X, columns=ctx.features)


def check_correlation(rep, ctx):
    """c. ccseg_correlation against pandas DataFrame.corr()."""
    rows = query(ctx.conn, "SELECT * FROM ccseg_correlation(%s::regclass)", (TABLE,))
    df = numeric_frame(ctx)
    corr = df.corr()
    present = (~np.isnan(ctx.X)).astype(np.int64)
    pairs = present.T @ present
    col = {f: j for j, f in enumerate(ctx.features)}
    names = sorted({r["a"] for r in rows} | {r["b"] for r in rows})
    rep.check("correlation_features", names == sorted(ctx.features) and len(rows) == len(ctx.features) ** 2,
              f"{len(rows)} rows over columns {names}; want {len(ctx.features)}^2 over {ctx.features}",
              f"{len(rows)} ordered pairs, {ID_COLUMN} left out")
    worst, worst_pair, bad_r, bad_n = 0.0, None, [], []
    for r in rows:
        if r["a"] not in col or r["b"] not in col:
            continue
        i, j = col[r["a"]], col[r["b"]]
        want = float(corr.iat[i, j])
        got = np.nan if r["r"] is None else r["r"]
        d = abs(got - want) if not (np.isnan(got) or np.isnan(want)) else (0.0 if np.isnan(got) and np.isnan(want) else np.inf)
        if d > worst:
            worst, worst_pair = d, (r["a"], r["b"], got, want)
        if d > CORR_ATOL:
            bad_r.append(f"{r['a']}/{r['b']} ccseg {got!r} pandas {want!r} diff {d:.2g}")
        if r["pairs"] != pairs[i, j]:
            bad_n.append(f"{r['a']}/{r['b']} pairs {r['pairs']} vs {pairs[i, j]}")
    rep.check("correlation_r", not bad_r, f"{len(bad_r)} values differ by more than {CORR_ATOL:g}: "
              + "; ".join(bad_r[:5]), f"max abs diff {worst:.2g}"
              + (f" at {worst_pair[0]}/{worst_pair[1]}" if worst_pair else ""))
    rep.check("correlation_pairs", not bad_n, "; ".join(bad_n[:5]),
              f"pairwise-complete counts, min {int(pairs.min())} max {int(pairs.max())}")
    sym = [(r["a"], r["b"]) for r in rows for s in rows
           if r["a"] == s["b"] and r["b"] == s["a"] and r["r"] != s["r"]]
    rep.check("correlation_symmetric", not sym, f"r(a,b) != r(b,a) for {sym[:5]}")


def check_describe(rep, ctx):
    """d. ccseg_describe against pandas."""
    rows = query(ctx.conn, "SELECT * FROM ccseg_describe(%s::regclass) ORDER BY \"position\"", (TABLE,))
    df = numeric_frame(ctx)
    got_names = [r["feature"] for r in rows]
    rep.check("describe_features", got_names == ctx.features
              and [r["position"] for r in rows] == list(range(1, len(rows) + 1)),
              f"features {got_names} positions {[r['position'] for r in rows]}; want {ctx.features}",
              f"{len(rows)} numeric columns in table order")
    stats = ("mean", "std", "min", "p25", "median", "p75", "max", "skewness")
    worst = {s: (0.0, None) for s in stats}
    bad = []
    for r in rows:
        f = r["feature"]
        if f not in df:
            continue
        s = df[f]
        v = s.dropna().to_numpy()
        q25, q50, q75 = (float(x) for x in s.quantile([0.25, 0.5, 0.75]))
        want = {"count": int(s.count()), "missing": int(s.isna().sum()),
                "mean": float(s.mean()), "std": float(s.std(ddof=1)),
                "min": float(s.min()), "p25": q25, "median": q50, "p75": q75,
                "max": float(s.max()), "skewness": float(s.skew())}
        p25, p75 = np.percentile(v, [25, 75])
        iqr = p75 - p25
        want["outliers"] = int(np.count_nonzero((v < p25 - 1.5 * iqr) | (v > p75 + 1.5 * iqr)))
        for key in ("count", "missing", "outliers"):
            if r[key] != want[key]:
                bad.append(f"{f}.{key} ccseg {r[key]} want {want[key]}")
        for key in stats:
            got = r[key]
            if not close(got, want[key], DESCRIBE_RTOL, DESCRIBE_ATOL):
                bad.append(f"{f}.{key} ccseg {fnum(got)} pandas {want[key]!r} rel {rel_diff(got, want[key]) if got is not None else 'NULL'}")
            elif got is not None:
                d = rel_diff(got, want[key])
                if d > worst[key][0]:
                    worst[key] = (d, f)
    rep.check("describe", not bad, f"{len(bad)} values differ: " + "; ".join(bad[:8]),
              "max rel diff " + ", ".join(f"{k} {v[0]:.2g}" for k, v in worst.items()))


def check_histogram(rep, ctx):
    """e. ccseg_histogram against numpy.histogram."""
    rows = query(ctx.conn, "SELECT * FROM ccseg_histogram(%s::regclass, %s, %s) ORDER BY bucket",
                 (TABLE, HIST_FEATURE, HIST_BINS))
    v = ctx.X[:, ctx.features.index(HIST_FEATURE)]
    v = v[~np.isnan(v)]
    counts, edges = np.histogram(v, bins=HIST_BINS)
    if [r["bucket"] for r in rows] != list(range(1, HIST_BINS + 1)):
        rep.fail("histogram", f"buckets {[r['bucket'] for r in rows]}, want 1..{HIST_BINS}")
        return
    lower = np.array([r["lower"] for r in rows], dtype=float)
    upper = np.array([r["upper"] for r in rows], dtype=float)
    got_edges = np.append(lower, upper[-1])
    contiguous = bool(np.array_equal(lower[1:], upper[:-1]))
    rd = rel_diff(got_edges, edges)
    rep.check("histogram_edges", rd <= HIST_RTOL and contiguous,
              f"max rel diff {rd:.2g}, contiguous {contiguous}; ccseg {got_edges.tolist()} numpy {edges.tolist()}",
              f"{HIST_BINS + 1} edges, max rel diff {rd:.2g}, exact {np.array_equal(got_edges, edges)}")
    got_counts = [r["count"] for r in rows]
    rep.check("histogram_counts", got_counts == counts.tolist(),
              f"ccseg {got_counts} numpy {counts.tolist()}",
              f"total {sum(got_counts)} of {len(v)}")


def check_elbow_table(rep, ctx):
    """f. the elbow table, printed; exactly one recommended row."""
    note("elbow: ccseg_elbow('cc_general', 2, 10, id_column => 'cust_id', seed => 0)")
    note(f"{'k':>3} {'inertia':>14} {'silhouette':>11} {'calinski_h':>11} {'davies_b':>9} "
         f"{'iter':>4} {'seconds':>8}  recommended")
    for k in sorted(ctx.elbow):
        r = ctx.elbow[k]
        sil = "NULL" if r["silhouette"] is None else f"{r['silhouette']:.6f}"
        ch = "NULL" if r["calinski_harabasz"] is None else f"{r['calinski_harabasz']:.3f}"
        db = "NULL" if r["davies_bouldin"] is None else f"{r['davies_bouldin']:.6f}"
        note(f"{k:>3} {r['inertia']:>14.4f} {sil:>11} {ch:>11} {db:>9} {r['iterations']:>4} "
             f"{r['seconds']:>8.3f}  {'yes' if r['recommended'] else ''}")
    rec = [k for k, r in ctx.elbow.items() if r["recommended"]]
    rep.check("elbow_one_recommended", len(rec) == 1 and sorted(ctx.elbow) == list(KS),
              f"recommended rows {rec}, ks {sorted(ctx.elbow)}", f"k = {rec[0] if rec else None}")
    inertias = [ctx.elbow[k]["inertia"] for k in sorted(ctx.elbow)]
    rep.check("elbow_inertia_decreasing", all(a > b for a, b in zip(inertias, inertias[1:])),
              f"inertia not strictly decreasing in k: {inertias}")


# --------------------------------------------------------------------------

def run_checks(rep, ctx):
    ctx.sk, ctx.labels = {}, {}
    ccsegtest.setup_note(ctx, f"pandas {pd.__version__}, ")

    ctx.elbow = {}
    rows = rep.guarded("elbow", query, ctx.conn,
                       "SELECT * FROM ccseg_elbow(%s::regclass, %s, %s, id_column => %s, seed => %s::bigint) "
                       "ORDER BY k", (TABLE, KS[0], KS[-1], ID_COLUMN, SEED))
    if rows:
        ctx.elbow = {r["k"]: r for r in rows}
    for k in KS:
        rep.guarded(f"k{k}", check_k, rep, ctx, k)
    rep.guarded("sampled", check_sampled, rep, ctx)
    rep.guarded("correlation", check_correlation, rep, ctx)
    rep.guarded("describe", check_describe, rep, ctx)
    rep.guarded("histogram", check_histogram, rep, ctx)
    if ctx.elbow:
        rep.guarded("elbow_table", check_elbow_table, rep, ctx)


def main():
    return ccsegtest.run_reference(__doc__, "ccseg_ref_metrics", run_checks)


if __name__ == "__main__":
    sys.exit(main())
