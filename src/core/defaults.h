/*
 * defaults.h
 *		The default settings of a training, in one place.
 *
 * ccseg_fit, which takes no settings, trains with these values; the
 * parameters of ccseg_train, ccseg_build_model and ccseg_elbow default to
 * the same values in the install script.  test/sql/aggregate.sql fails when
 * the two drift apart: it compares ccseg_fit's model with that of
 * ccseg_build_model left at its defaults, and the defaults of the three
 * functions with one another.
 */
#ifndef CC_DEFAULTS_H
#define CC_DEFAULTS_H

#include "kmeans.h"
#include "preprocess.h"

#define CC_DEFAULT_IMPUTE		CC_IMPUTE_MEDIAN	/* impute => 'median' */
#define CC_DEFAULT_SCALE		CC_SCALE_STANDARD	/* scale => 'standard' */
#define CC_DEFAULT_INIT			CC_INIT_KMEANSPP	/* init => 'k-means++' */
#define CC_DEFAULT_N_INIT		10	/* n_init => 10 */
#define CC_DEFAULT_MAX_ITER		300 /* max_iter => 300 */
#define CC_DEFAULT_TOL			1e-4	/* tol => 1e-4, relative (see
										 * cc_kmeans_tolerance) */
#define CC_DEFAULT_SEED			0	/* seed => 0 */
#define CC_DEFAULT_ALGORITHM	CC_ALGO_AUTO	/* algorithm => 'auto' */

/*
 * ccseg.restart_rows: with more training rows than this, the n_init
 * restarts run on a seeded sample of this many rows and the best one then
 * runs on every row (cc_kmeans, CcKmeansParams.restart_rows).
 */
#define CC_DEFAULT_RESTART_ROWS	524288

/*
 * silhouette_sample => NULL: the exact silhouette up to
 * CC_SILHOUETTE_EXACT_ROWS rows, else a stratified sample of that many
 * (CcQualityParams.sample).  ccseg_fit leaves the silhouette out
 * (CC_SILHOUETTE_NONE): it is quadratic in the rows of each group.
 */
#define CC_SILHOUETTE_AUTO		(-1)
#define CC_SILHOUETTE_NONE		0
#define CC_DEFAULT_SILHOUETTE_SAMPLE CC_SILHOUETTE_AUTO

/*
 * The k-means settings above as a CcKmeansParams initialiser, for k
 * clusters; tol is still relative, callbacks and threads are unset.
 */
#define CC_KMEANS_PARAMS_DEFAULT(k_) \
	{ \
		.k = (k_), \
		.n_init = CC_DEFAULT_N_INIT, \
		.max_iter = CC_DEFAULT_MAX_ITER, \
		.tol = CC_DEFAULT_TOL, \
		.seed = CC_DEFAULT_SEED, \
		.init = CC_DEFAULT_INIT, \
		.algorithm = CC_DEFAULT_ALGORITHM \
	}

#endif							/* CC_DEFAULTS_H */
