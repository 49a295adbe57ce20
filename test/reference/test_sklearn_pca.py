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
from sklearn.decomposition import PCA

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import ccsegtest  # noqa: E402

DB = "ccseg_ref_pca"
rep = ccsegtest.Report()

ccsegtest.create_database(DB)
conn = None
try:
    conn = ccsegtest.connect(DB)
    ccsegtest.load_table(conn)
    ccsegtest.setup_extension(conn)
    with conn.cursor() as cur:
        cur.execute("SELECT k FROM ccseg_train('p', 'cc_general', 8, id_column => 'cust_id',"
                    " silhouette_sample => 0)")
        cur.execute("SELECT features FROM ccseg_models WHERE model = 'p'")
        features = cur.fetchone()[0]
        cur.execute("SELECT explained_variance_ratio, loadings FROM ccseg_pca('p') ORDER BY component")
        rows = cur.fetchall()
    _, X = ccsegtest.read_matrix(conn, features)
    Xs = ccsegtest.preprocess(X).Xs
    pca = PCA().fit(Xs)
    ours = np.array([r[0] for r in rows])
    theirs = pca.explained_variance_ratio_
    big = theirs > 1e-6
    rel = np.max(np.abs(ours[big] - theirs[big]) / theirs[big])
    absd = np.max(np.abs(ours[~big] - theirs[~big])) if (~big).any() else 0.0
    detail = f"max rel diff {rel:.3g} on {big.sum()} ratios, max abs diff {absd:.3g} on {(~big).sum()} tiny ones"
    rep.check("explained_variance_ratio", rel <= 1e-9 and absd <= 1e-12, detail, detail)
    for c in range(3):
        a = np.array(rows[c][1])
        b = pca.components_[c]
        diff = min(np.max(np.abs(a - b)), np.max(np.abs(a + b)))
        detail = f"max loading diff up to sign {diff:.3g}"
        rep.check(f"axis_{c + 1}", diff <= 1e-9, detail, detail)
finally:
    if conn is not None:
        conn.close()
    ccsegtest.drop_database(DB)

sys.exit(rep.finish())
