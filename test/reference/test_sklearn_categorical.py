#!/usr/bin/python3
"""Reference test: ccseg's one-hot categorical columns against scikit-learn's ColumnTransformer.

Run with Debian's interpreter against a running server reachable through the
libpq environment, on which the ccseg extension is installed:

    /usr/bin/python3 test/reference/test_sklearn_categorical.py

It creates its own database (default ccseg_ref_categorical), generates a
table of customers (three skewed spending columns with missing values, an
integer-coded channel and region, a text tier with NULLs), runs the checks
and drops the database.  One "PASS name" or "FAIL name: detail" line per
check, then "reference: N passed, M failed"; the exit status is 1 if any
check failed.

The scikit-learn pipeline is
ColumnTransformer([('num', Pipeline([SimpleImputer(strategy='median'),
(FunctionTransformer(np.log1p),) StandardScaler()]), numeric columns),
('cat', OneHotEncoder(handle_unknown='ignore'), categorical columns)]),
times the feature weights (one per column, a categorical column's for each
of its indicators) when given, then KMeans started from the same rows as
ccseg (init_centroids: the rows' numeric values and indicators).  Checks:
the categories and their order (the encoder's categories_, NULL last), the
stored centering and scaling (the numeric pipeline's, 0 and 1 for the
indicators), the distances of every row to every centroid (ccseg_distances
against KMeans.transform of the encoded matrix, which checks the encoding
of every row), the labels (adjusted Rand index 1) and the inertia (1e-9),
the centroids in original units, and scoring rows with categories unknown
to the model (all their indicators 0, as handle_unknown='ignore').
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

ccsegtest.quiet_warnings()
import pandas as pd  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler  # noqa: E402

RTOL = 1e-9
ROWS = 3000
DATA_SEED = 20261205
NUMS = ["grocery", "fresh", "frozen"]
CATS = ["channel", "region", "tier"]
TABLE = "customers"


def generate():
    """A DataFrame of ROWS customers in three groups; None where a value is missing."""
    rng = np.random.RandomState(DATA_SEED)
    group = rng.randint(0, 3, ROWS)
    df = pd.DataFrame({"id": np.arange(1, ROWS + 1)})
    for j, c in enumerate(NUMS):
        mu = np.array([6.0, 7.5, 5.0])[group] + 0.3 * j
        v = np.round(np.exp(rng.normal(mu, 0.8)), 2)
        v = v.astype(object)
        v[rng.rand(ROWS) < 0.03] = None
        df[c] = v
    df["channel"] = np.where(rng.rand(ROWS) < 0.8, np.array([1, 2, 2])[group], 3 - np.array([1, 2, 2])[group])
    df["region"] = np.where(rng.rand(ROWS) < 0.5, np.array([1, 2, 3])[group], rng.randint(1, 4, ROWS))
    tiers = np.array(["gold", "Silver", "bronze", "\u00e9lite"], dtype=object)
    t = tiers[np.where(rng.rand(ROWS) < 0.6, group, rng.randint(0, 4, ROWS))]
    t[rng.rand(ROWS) < 0.05] = None
    df["tier"] = t
    return df


def load(conn, df):
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, grocery float8, fresh float8, "
                    "frozen float8, channel integer, region smallint, tier text)")
        rows = [tuple(None if (isinstance(v, float) and np.isnan(v)) else
                      (int(v) if isinstance(v, (np.integer,)) else v) for v in r)
                for r in df[["id"] + NUMS + CATS].itertuples(index=False)]
        cur.executemany(f"INSERT INTO {TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        cur.execute(f"ANALYZE {TABLE}")


def frame(df):
    """The columns as scikit-learn takes them: floats with NaN, ints, object with None."""
    out = pd.DataFrame({c: df[c].astype(float) for c in NUMS})
    out["channel"] = df["channel"].astype(np.int64)
    out["region"] = df["region"].astype(np.int64)
    out["tier"] = df["tier"].astype(object)
    return out


def pipeline(log1p):
    steps = [("impute", SimpleImputer(strategy="median"))]
    if log1p:
        steps.append(("log1p", FunctionTransformer(np.log1p, inverse_func=np.expm1)))
    steps.append(("scale", StandardScaler()))
    return ColumnTransformer([("num", Pipeline(steps), NUMS),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), CATS)],
                             sparse_threshold=0)


def sk_category_text(v):
    """A category of the encoder as ccseg writes it (None: NULL)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return str(v)


def check_model(rep, ctx, name, k, log1p=False, weights=None):
    X = ctx.X
    ct = pipeline(log1p).fit(X)
    enc = ct.named_transformers_["cat"]
    num = ct.named_transformers_["num"]
    Xe = ct.transform(X)
    n_ind = Xe.shape[1] - len(NUMS)
    w_col = np.ones(len(NUMS) + len(CATS)) if weights is None else np.array(weights, dtype=float)
    w = np.concatenate([w_col[:len(NUMS)]] +
                       [np.full(len(c), w_col[len(NUMS) + i]) for i, c in enumerate(enc.categories_)])
    Xs = Xe * w

    # the same starting rows: distinct in the encoded space
    rng = np.random.RandomState(DATA_SEED + k)
    while True:
        idx = rng.choice(X.shape[0], size=k, replace=False)
        if len(np.unique(Xs[idx], axis=0)) == k:
            break
    # init_centroids in original units: the imputed numeric values (and the
    # indicators); ccseg maps them through its own preprocessing
    imputed = num.named_steps["impute"].transform(X[NUMS])[idx]
    init = np.hstack([imputed, Xe[idx, len(NUMS):]])
    km = KMeans(n_clusters=k, init=Xs[idx], n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(Xs)

    model = f"ref_{name}"
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT inertia FROM ccseg_train(%s, %s::regclass, %s, id_column => 'id', "
                    "features => %s::text[], categorical => %s::text[], init_centroids => %s::float8[], "
                    "n_init => 1, silhouette_sample => 0, transform => %s::text[], weights => %s::float8[])",
                    (model, TABLE, k, NUMS, CATS, init.tolist(), ["log1p"] if log1p else None, weights))
        inertia = cur.fetchone()[0]
        cur.execute("SELECT features, category_column, category, scale_center, scale_scale "
                    "FROM ccseg_model_summary(ccseg_get_model(%s))", (model,))
        features, cat_col, cat, center, scale = cur.fetchone()
        cur.execute(f"SELECT ccseg_predict(%s, c), ccseg_distances(%s, c) FROM {TABLE} c ORDER BY c.id",
                    (model, model))
        scored = cur.fetchall()
        cur.execute("SELECT segment, feature, value FROM ccseg_centroids(%s)", (model,))
        centroid_rows = cur.fetchall()

    # the categories: the encoder's, in its order, None (NULL) last
    want_cat = [None] * len(NUMS) + [sk_category_text(v) for c in enc.categories_ for v in c]
    want_col = [None] * len(NUMS) + [CATS[i] for i, c in enumerate(enc.categories_) for _ in c]
    rep.check(f"{name}_categories", cat == want_cat and cat_col == want_col,
              f"ccseg {cat} {cat_col}, scikit-learn {want_cat} {want_col}",
              f"{n_ind} indicators")

    # the stored centering and scaling: the numeric pipeline's; 0 and 1 for indicators
    sc = num.named_steps["scale"]
    want_center = np.concatenate([sc.mean_, np.zeros(n_ind)])
    want_scale = np.concatenate([sc.scale_, np.ones(n_ind)])
    dc = float(np.max(np.abs(np.array(center) - want_center) / np.maximum(np.abs(want_center), 1)))
    ds = float(np.max(np.abs(np.array(scale) - want_scale) / want_scale))
    rep.check(f"{name}_scaler", dc <= RTOL and ds <= RTOL,
              f"center diff {dc:.3g}, scale diff {ds:.3g}", f"center diff {dc:.3g}, scale diff {ds:.3g}")

    # labels and inertia
    labels = np.array([r[0] for r in scored])
    ari = adjusted_rand_score(km.labels_, labels)
    rd = ccsegtest.rel_diff(inertia, km.inertia_)
    detail = f"ARI {ari:.6f}, inertia ccseg {inertia:.10g} sklearn {km.inertia_:.10g} rel diff {rd:.3g}"
    rep.check(f"{name}_labels_inertia", ari == 1.0 and rd <= RTOL, detail, detail)

    # every row's distance to every centroid: the encoded matrix row by row
    order = [int(np.bincount(km.labels_[labels == s + 1]).argmax()) for s in range(k)]
    got = np.array([r[1] for r in scored], dtype=float)
    want = km.transform(Xs)[:, order]
    dd = float(np.max(np.abs(got - want) / np.maximum(want, 1)))
    rep.check(f"{name}_distances", dd <= RTOL, f"max relative difference {dd:.3g}",
              f"{got.shape[0]} rows x {k} centroids, max relative difference {dd:.3g}")

    # centroids in original units: the indicators' shares, the numeric inverse
    col = {f: j for j, f in enumerate(features)}
    got_c = np.full((k, len(features)), np.nan)
    for seg, feat, v in centroid_rows:
        got_c[seg - 1, col[feat]] = v
    cc = km.cluster_centers_[order] / w
    num_part = cc[:, :len(NUMS)]
    want_num = sc.inverse_transform(num_part)
    if log1p:
        want_num = np.expm1(want_num)
    want_c = np.hstack([want_num, cc[:, len(NUMS):]])
    # an indicator's centroid is a share: those of a column sum to 1 (every
    # training row has one category, NULL included)
    dcen = float(np.max(np.abs(got_c - want_c) / np.maximum(np.abs(want_c), 1)))
    pos, dshare = len(NUMS), 0.0
    for c in enc.categories_:
        dshare = max(dshare, float(np.max(np.abs(got_c[:, pos:pos + len(c)].sum(axis=1) - 1))))
        pos += len(c)
    in_unit = bool(np.all((got_c[:, len(NUMS):] >= 0) & (got_c[:, len(NUMS):] <= 1)))
    rep.check(f"{name}_centroids_original", dcen <= RTOL and dshare <= 1e-12 and in_unit,
              f"max relative difference {dcen:.3g}, shares sum to 1 within {dshare:.3g}, in [0, 1]: {in_unit}",
              f"max relative difference {dcen:.3g}; each column's shares sum to 1 within {dshare:.3g}")

    # rows with categories the model does not know: every indicator of the column 0
    probe = pd.DataFrame({"grocery": [500.0, np.nan], "fresh": [2000.0, 40.0], "frozen": [90.0, 300.0],
                          "channel": [7, 1], "region": [2, 9], "tier": ["platinum", None]})
    pe = ct.transform(probe) * w
    want_p = km.transform(pe)[:, order]
    with ctx.conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS probe (LIKE customers)")
        cur.execute("TRUNCATE probe")
        cur.execute("INSERT INTO probe VALUES (1, 500, 2000, 90, 7, 2, 'platinum'), (2, NULL, 40, 300, 1, 9, NULL)")
        cur.execute("SELECT ccseg_distances(%s, p) FROM probe p ORDER BY p.id", (model,))
        got_p = np.array([r[0] for r in cur.fetchall()], dtype=float)
    dp = float(np.max(np.abs(got_p - want_p) / np.maximum(want_p, 1)))
    rep.check(f"{name}_unknown_categories", dp <= RTOL, f"max relative difference {dp:.3g}",
              f"max relative difference {dp:.3g}")


def run_checks(rep, ctx):
    import sklearn
    ccsegtest.note(f"ccseg {ctx.extversion} in schema {ctx.schema}, PostgreSQL {ctx.pg_version}, "
                   f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}, {ctx.X.shape[0]} rows, "
                   f"{int(ctx.X[NUMS].isna().sum().sum())} missing amounts, "
                   f"{int(ctx.X['tier'].isna().sum())} NULL tiers")
    rep.guarded("plain", check_model, rep, ctx, "plain", 3)
    rep.guarded("plain_k5", check_model, rep, ctx, "plain_k5", 5)
    rep.guarded("log1p", check_model, rep, ctx, "log1p", 4, True)
    # the money columns twice, the channel half, the tier 1.5
    rep.guarded("log1p_weights", check_model, rep, ctx, "log1p_weights", 4, True,
                [2.0, 2.0, 1.0, 0.5, 1.0, 1.5])


def main():
    args = ccsegtest.reference_arguments(__doc__, "ccseg_ref_categorical")
    rep = ccsegtest.Report()
    ctx = ccsegtest.Ctx()
    try:
        ccsegtest.create_database(args.dbname)
        ctx.conn = ccsegtest.connect(args.dbname)
        ctx.schema, ctx.extversion = ccsegtest.setup_extension(ctx.conn, extra_float_digits=3)
        ctx.pg_version = ccsegtest.server_version(ctx.conn)
        df = generate()
        load(ctx.conn, df)
        ctx.X = frame(df)
    except Exception as exc:  # noqa: BLE001
        rep.fail("setup", f"{type(exc).__name__}: {exc}")
        return rep.finish()
    try:
        run_checks(rep, ctx)
    finally:
        ccsegtest.close_reference_database(ctx.conn, args.dbname, args.keep)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
