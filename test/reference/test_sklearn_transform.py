#!/usr/bin/python3
"""Reference test: ccseg's transforms and weights against scikit-learn on the credit-card data.

Run with Debian's interpreter against a running server reachable through the
libpq environment, on which the ccseg extension is installed:

    /usr/bin/python3 test/reference/test_sklearn_transform.py

It creates its own database (default ccseg_ref_transform), loads
data/cc_general.csv, runs the checks and drops the database.  One "PASS
name" or "FAIL name: detail" line per check, then "reference: N passed, M
failed"; the exit status is 1 if any check failed.

The scikit-learn pipeline is SimpleImputer(strategy='median') ->
FunctionTransformer(np.log1p) (or np.clip at np.quantile bounds fitted on
the imputed column, or a mix of them per column) -> StandardScaler() ->
multiplication by the feature weights (when given) -> KMeans, started from the same rows as ccseg (init_centroids, given in
original units, mapped through the same pipeline), so the labels must agree
exactly (adjusted Rand index 1) and the inertia to 1e-9; the centroids in
original units (ccseg_centroids) must equal the pipeline's inverse
(StandardScaler.inverse_transform, then np.expm1 for log1p features).
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402
from ccsegtest import ID_COLUMN, TABLE, predict_labels  # noqa: E402

ccsegtest.quiet_warnings()
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402

INERTIA_RTOL = 1e-9
CENTROID_RTOL = 1e-9
INIT_ROW_SEED = 20240611


def pick_init_rows(Xi, k, seed):
    rng = np.random.RandomState(seed)
    while True:
        idx = rng.choice(Xi.shape[0], size=k, replace=False)
        if len(np.unique(Xi[idx], axis=0)) == k:
            return idx


def sklearn_transform(Xi, features, spec):
    """Per-column forward map and inverse, fitted on Xi, for ccseg's transform spec.

    spec: list of 'transform' or 'feature:transform' (as ccseg takes it).
    Returns (forward(X) -> X', inverse(X') -> X) built from numpy/scikit-learn.
    """
    default = "none"
    per = {}
    for e in spec:
        if ":" in e:
            f, t = e.rsplit(":", 1)
            per[f] = t
        else:
            default = e
    kinds = [per.get(f, default) for f in features]
    cols = []
    for j, t in enumerate(kinds):
        if t == "log1p":
            ft = FunctionTransformer(np.log1p, inverse_func=np.expm1).fit(Xi[:, [j]])
            cols.append((ft.transform, ft.inverse_transform))
        elif t.startswith("clip"):
            lo, hi = (0.01, 0.99) if t == "clip" else map(float, t[5:-1].split(","))
            a, b = np.quantile(Xi[:, j], lo), np.quantile(Xi[:, j], hi)
            cols.append(((lambda c, a=a, b=b: np.clip(c, a, b)), (lambda c: c)))
        else:
            cols.append(((lambda c: c), (lambda c: c)))

    def forward(X):
        return np.hstack([cols[j][0](X[:, [j]]) for j in range(X.shape[1])])

    def inverse(X):
        return np.hstack([cols[j][1](X[:, [j]]) for j in range(X.shape[1])])
    return forward, inverse


def check_pipeline(rep, ctx, name, spec, k, weights=None):
    """spec: ccseg's transform array; weights: one per feature (None: none).

    scikit-learn multiplies the StandardScaler's output column by column by
    the weights before KMeans, as ccseg does.
    """
    fwd, inv = sklearn_transform(ctx.Xi, ctx.features, spec)
    Xt = fwd(ctx.Xi)
    scaler = StandardScaler().fit(Xt)
    w = np.ones(Xt.shape[1]) if weights is None else np.array(weights, dtype=float)
    Xs = scaler.transform(Xt) * w
    idx = pick_init_rows(ctx.Xi, k, INIT_ROW_SEED + k)
    init_orig = ctx.Xi[idx]
    km = KMeans(n_clusters=k, init=scaler.transform(fwd(init_orig)) * w, n_init=1,
                algorithm="lloyd", max_iter=300, tol=1e-4).fit(Xs)
    model = f"ref_{name}"
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT inertia FROM ccseg_train(%s, %s::regclass, %s, id_column => %s, "
                    "init_centroids => %s::float8[], n_init => 1, silhouette_sample => 0, "
                    "transform => %s::text[], weights => %s::float8[])",
                    (model, TABLE, k, ID_COLUMN, init_orig.tolist(), spec or None, weights))
        inertia = cur.fetchone()[0]
        cur.execute("SELECT segment, feature, value FROM ccseg_centroids(%s)", (model,))
        rows = cur.fetchall()
    ids, labels = predict_labels(ctx.conn, model)
    if ids != ctx.ids:
        raise RuntimeError("ccseg_predict rows are not the table rows ordered by cust_id")
    ari = adjusted_rand_score(km.labels_, labels)
    rd = ccsegtest.rel_diff(inertia, km.inertia_)
    detail = (f"ARI {ari:.6f}, inertia ccseg {inertia:.10g} sklearn {km.inertia_:.10g} rel diff {rd:.3g}")
    rep.check(f"{name}_labels_inertia", ari == 1.0 and rd <= INERTIA_RTOL, detail, detail)

    # centroids in original units: segment s of ccseg is the cluster of its rows
    col = {f: j for j, f in enumerate(ctx.features)}
    got = np.full((k, len(ctx.features)), np.nan)
    for seg, feat, v in rows:
        got[seg - 1, col[feat]] = v
    want = inv(scaler.inverse_transform(km.cluster_centers_ / w))
    order = [int(np.bincount(km.labels_[labels == s + 1]).argmax()) for s in range(k)]
    want = want[order]
    scale = np.maximum(np.abs(want), 1.0)
    cd = float(np.max(np.abs(got - want) / scale))
    rep.check(f"{name}_centroids_original", cd <= CENTROID_RTOL,
              f"max relative difference {cd:.3g}", f"max relative difference {cd:.3g}")


def check_clip_bounds(rep, ctx):
    """The clip bounds stored in the model are numpy's quantiles of the imputed columns."""
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT (ccseg_get_model('ref_clip')::text)::jsonb")
        js = cur.fetchone()[0]
    a = np.array(js["transform_a"], dtype=float)
    b = np.array(js["transform_b"], dtype=float)
    qa = np.quantile(ctx.Xi, 0.05, axis=0)
    qb = np.quantile(ctx.Xi, 0.95, axis=0)
    ok = np.array_equal(a, qa) and np.array_equal(b, qb)
    rep.check("clip_bounds", ok, f"ccseg {a.tolist()} {b.tolist()} numpy {qa.tolist()} {qb.tolist()}",
              "bit-identical to np.quantile")


def check_log1p_domain(rep, ctx):
    """A value of -1 or less is refused at scoring with SQLSTATE 2201E."""
    import psycopg2
    try:
        with ctx.conn.cursor() as cur:
            cur.execute("SELECT ccseg_predict('ref_log1p', ROW(c.*)::cc_general) FROM "
                        "(SELECT cust_id, -2.0::float8 AS balance, balance_frequency, purchases, "
                        "oneoff_purchases, installments_purchases, cash_advance, purchases_frequency, "
                        "oneoff_purchases_frequency, purchases_installments_frequency, "
                        "cash_advance_frequency, cash_advance_trx, purchases_trx, credit_limit, "
                        "payments, minimum_payments, prc_full_payment, tenure FROM cc_general LIMIT 1) c")
        code = None
    except psycopg2.Error as exc:
        code = exc.pgcode
        ctx.conn.rollback()
    rep.check("log1p_domain_at_scoring", code == "2201E", f"SQLSTATE {code}", f"SQLSTATE {code}")


def run_checks(rep, ctx):
    ccsegtest.setup_note(ctx)
    ctx.conn.autocommit = True
    rep.guarded("log1p", check_pipeline, rep, ctx, "log1p", ["log1p"], 5)
    rep.guarded("log1p_k3", check_pipeline, rep, ctx, "log1p_k3", ["log1p"], 3)
    rep.guarded("clip", check_pipeline, rep, ctx, "clip", ["clip(0.05,0.95)"], 4)
    rep.guarded("clip_bounds", check_clip_bounds, rep, ctx)
    rep.guarded("mixed", check_pipeline, rep, ctx, "mixed",
                ["log1p", "tenure:none", "balance:clip", "prc_full_payment:clip(0,0.9)"], 6)
    rep.guarded("log1p_domain", check_log1p_domain, rep, ctx)
    # weights: the money columns count twice, the frequencies half
    weights = [2.0 if f in ("balance", "purchases", "payments", "credit_limit") else
               0.5 if f.endswith("frequency") else 1.0 for f in ctx.features]
    rep.guarded("weights", check_pipeline, rep, ctx, "weights", [], 5, weights)
    rep.guarded("log1p_weights", check_pipeline, rep, ctx, "log1p_weights", ["log1p"], 4, weights)


def main():
    return ccsegtest.run_reference(__doc__, "ccseg_ref_transform", run_checks)


if __name__ == "__main__":
    sys.exit(main())
