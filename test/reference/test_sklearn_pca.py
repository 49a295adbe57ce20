#!/usr/bin/python3
"""PCA of a ccseg model against scikit-learn's PCA on the same scaled matrix.

The model's explained variance ratios (ccseg_pca) must equal
PCA().explained_variance_ratio_ to 1e-9 where they are not vanishingly
small (ratios below 1e-6 belong to nearly collinear features, where both
sides only see rounding: compared to 1e-12 absolute), and the first three
axes must match up to sign to 1e-9.
"""
import sys
from pathlib import Path

import numpy as np
import psycopg2
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[2]
DB = "ccseg_ref_pca"
passed = failed = 0


def check(name, ok, detail):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name + (f"  ({detail})" if ok else f": {detail}"))
    if ok:
        passed += 1
    else:
        failed += 1


admin = psycopg2.connect(dbname="postgres")
admin.autocommit = True
with admin.cursor() as cur:
    cur.execute(f"DROP DATABASE IF EXISTS {DB}")
    cur.execute(f"CREATE DATABASE {DB}")
conn = None
try:
    conn = psycopg2.connect(dbname=DB)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute((ROOT / "data" / "cc_general.sql").read_text())
        with open(ROOT / "data" / "cc_general.csv") as f:
            cur.copy_expert("COPY cc_general FROM STDIN WITH (FORMAT csv, HEADER true)", f)
        cur.execute("CREATE EXTENSION ccseg")
        cur.execute("SELECT k FROM ccseg_train('p', 'cc_general', 8, id_column => 'cust_id',"
                    " silhouette_sample => 0)")
        cur.execute("SELECT features FROM ccseg_models WHERE model = 'p'")
        features = cur.fetchone()[0]
        cur.execute("SELECT " + ", ".join(features) + " FROM cc_general ORDER BY cust_id")
        X = np.array([[np.nan if v is None else float(v) for v in row] for row in cur.fetchall()])
        cur.execute("SELECT explained_variance_ratio, loadings FROM ccseg_pca('p') ORDER BY component")
        rows = cur.fetchall()
    Xs = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
    pca = PCA().fit(Xs)
    ours = np.array([r[0] for r in rows])
    theirs = pca.explained_variance_ratio_
    big = theirs > 1e-6
    rel = np.max(np.abs(ours[big] - theirs[big]) / theirs[big])
    absd = np.max(np.abs(ours[~big] - theirs[~big])) if (~big).any() else 0.0
    check("explained_variance_ratio", rel <= 1e-9 and absd <= 1e-12,
          f"max rel diff {rel:.3g} on {big.sum()} ratios, max abs diff {absd:.3g} on {(~big).sum()} tiny ones")
    for c in range(3):
        a = np.array(rows[c][1])
        b = pca.components_[c]
        diff = min(np.max(np.abs(a - b)), np.max(np.abs(a + b)))
        check(f"axis_{c + 1}", diff <= 1e-9, f"max loading diff up to sign {diff:.3g}")
finally:
    if conn is not None:
        conn.close()
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DB}")
    admin.close()

print(f"reference: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
