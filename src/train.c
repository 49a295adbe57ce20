/*
 * train.c
 *		ccseg_build_model(): read a relation, impute, scale and cluster it,
 *		measure the result, and return the model value.  Storing it is the
 *		catalog's business (ccseg_train in the install script).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "modeltype.h"
#include "options.h"
#include "prepare.h"
#include "refine.h"

#include "align.h"
#include "kmeans.h"
#include "linalg.h"
#include "model.h"
#include "preprocess.h"

PG_FUNCTION_INFO_V1(ccseg_build_model);

/* Arguments of ccseg_build_model, in order. */
enum
{
	ARG_SOURCE, ARG_K, ARG_FEATURES, ARG_ID_COLUMN, ARG_IMPUTE, ARG_SCALE,
	ARG_INIT, ARG_INIT_CENTROIDS, ARG_N_INIT, ARG_MAX_ITER, ARG_TOL, ARG_SEED,
	ARG_ALGORITHM, ARG_SILHOUETTE_SAMPLE, ARG_VERBOSE, ARG_PREVIOUS
};

/* Check init_centroids against k and d and return them as a k x d matrix. */
static double *
given_centroids(ArrayType *arr, int k, int d)
{
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double	   *c;
	int			i;

	if (ndim != 2 || dims[0] != k || dims[1] != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("init_centroids must be a %d x %d array, one row per segment and one column per feature",
						k, d)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	c = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("init_centroids must not contain null elements")));
		c[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("init_centroids must not contain NaN or infinity")));
	}
	return c;
}

/*
 * verbose: one INFO line per restart; the threads and memory in force and
 * the time of each phase (reading, k-means, scores) go out as LOG, to the
 * server log and to clients that SET client_min_messages = log.
 */
static void
report_run(void *arg, int run, int iterations, double inertia, bool converged)
{
	const CcKmeansParams *kp = arg;

	CHECK_FOR_INTERRUPTS();
	ereport(INFO,
			(errmsg("restart %d of %d: %d iterations, inertia %.6f%s",
					run + 1, kp->init == CC_INIT_GIVEN ? 1 : kp->n_init,
					iterations, inertia,
					converged ? "" : " (did not converge within max_iter)")));
}

/* Whether two models have the same features in the same order. */
static bool
same_features(const CcModel *a, const CcsegPrepared *p)
{
	int			j;

	if (a->d != p->f.d)
		return false;
	for (j = 0; j < a->d; j++)
		if (strcmp(a->features[j], p->f.names[j]) != 0)
			return false;
	return true;
}

/*
 * k-means ran on a sample: refine its centroids over every row, then label
 * the sample with them (the labels feed alignment and the quality scores).
 */
static void
refine_over_all_rows(const CcsegPrepared *prep, CcKmeansResult *kr,
					 const CcKmeansParams *kp, size_t *rows)
{
	int			d = prep->f.d;
	double	   *sums = palloc0(sizeof(double) * kp->k * d);
	int64_t    *counts = palloc0(sizeof(int64_t) * kp->k);
	double	   *sse = palloc0(sizeof(double) * kp->k);

	ccseg_refine_full(prep, kr, kp->k, kp->tol, kp->max_iter, rows);
	cc_kmeans_accumulate(prep->x, prep->n, d, kr->centroids, kp->k, sums,
						 counts, sse, kr->labels);
	pfree(sums);
	pfree(counts);
	pfree(sse);
}

/* Train a model from a relation; see the install script for the arguments. */
Datum
ccseg_build_model(PG_FUNCTION_ARGS)
{
	CcsegPrepared prep;
	CcKmeansParams kp;
	CcKmeansResult kr;
	CcModel		m;
	CcAllocator alloc;
	MemoryContext cxt;
	MemoryContext old;
	ArrayType  *features;
	ArrayType  *init_arr;
	char	   *id_column;
	CcImpute	impute;
	CcScale		scale;
	int64		sample;
	double	   *init = NULL;
	size_t		rows;
	Datum		result;
	bool		verbose;
	instr_time	phase;
	int			k,
				d;

	ccseg_require_arg(fcinfo, ARG_SOURCE, "source");
	ccseg_require_arg(fcinfo, ARG_K, "k");
	ccseg_require_arg(fcinfo, ARG_VERBOSE, "verbose");
	verbose = PG_GETARG_BOOL(ARG_VERBOSE);
	k = PG_GETARG_INT32(ARG_K);
	if (k < 1 || k > CC_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d", CC_MAX_K)));
	features = PG_ARGISNULL(ARG_FEATURES) ? NULL : PG_GETARG_ARRAYTYPE_P(ARG_FEATURES);
	id_column = PG_ARGISNULL(ARG_ID_COLUMN) ? NULL :
		text_to_cstring(PG_GETARG_TEXT_PP(ARG_ID_COLUMN));
	impute = ccseg_impute_arg(fcinfo, ARG_IMPUTE);
	scale = ccseg_scale_arg(fcinfo, ARG_SCALE);
	memset(&kp, 0, sizeof(kp));
	kp.k = k;
	kp.init = ccseg_init_arg(fcinfo, ARG_INIT);
	init_arr = PG_ARGISNULL(ARG_INIT_CENTROIDS) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_INIT_CENTROIDS);
	if (init_arr != NULL)
		kp.init = CC_INIT_GIVEN;
	ccseg_kmeans_args(fcinfo, ARG_N_INIT, &kp);
	kp.algorithm = ccseg_algorithm_arg(fcinfo, ARG_ALGORITHM);
	sample = ccseg_silhouette_sample_arg(fcinfo, ARG_SILHOUETTE_SAMPLE);

	/* the resource settings in force, after their limits */
	if (verbose)
		ereport(LOG,
				(errmsg_plural("training with %d thread and %s of memory for the rows (the values of ccseg.threads and ccseg.max_train_memory in force)",
							   "training with %d threads and %s of memory for the rows (the values of ccseg.threads and ccseg.max_train_memory in force)",
							   ccseg_threads_in_force(),
							   ccseg_threads_in_force(),
							   ccseg_memory_text(ccseg_max_train_memory_in_force()))));

	/* all training memory lives here and goes at once, even on cancel */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg training",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	ccseg_prepare(PG_GETARG_OID(ARG_SOURCE), features, id_column, impute,
				  scale, k, kp.seed, cxt, &prep);
	d = prep.f.d;
	/* phase timings: LOG, so the server log keeps them and tests stay stable */
	if (verbose)
		ereport(LOG,
				(errmsg("read %zu rows of relation \"%s\" in %.3f s, imputed and scaled them in %.3f s",
						prep.n_read, prep.relname, prep.read_seconds,
						prep.preprocess_seconds)));
	INSTR_TIME_SET_CURRENT(phase);
	ccseg_check_k_rows(&prep, "k", k);
	if (init_arr != NULL)
	{
		init = given_centroids(init_arr, k, d);
		cc_scale_apply(init, k, d, prep.center, prep.scale_values);
	}

	old = MemoryContextSwitchTo(cxt);
	kp.tol = cc_kmeans_tolerance(prep.x, prep.n, d, kp.tol);
	kp.init_centroids = init;
	kp.check = ccseg_check_interrupts;
	kp.report = verbose ? report_run : NULL;
	kp.cb_arg = &kp;
	ccseg_kmeans(prep.x, prep.n, d, &kp, &kr, &alloc);
	rows = prep.n;
	if (verbose)
		ereport(LOG,
				(errmsg("k-means in %.3f s", ccseg_seconds_since(phase))));
	if (prep.sampled)
	{
		int			before = kr.iterations;

		INSTR_TIME_SET_CURRENT(phase);
		refine_over_all_rows(&prep, &kr, &kp, &rows);
		if (verbose)
			ereport(LOG,
					(errmsg("%d passes over all %zu rows in %.3f s",
							kr.iterations - before + 1, rows, ccseg_seconds_since(phase))));
	}
	INSTR_TIME_SET_CURRENT(phase);
	cc_kmeans_sort_by_size(&kr, prep.n, k, d, &alloc);
	cc_model_alloc(&m, k, d, &alloc);

	/* the version this one replaces: take its segment numbers (0.2.0 and later) */
	if (PG_NARGS() > ARG_PREVIOUS && !PG_ARGISNULL(ARG_PREVIOUS))
	{
		CcModel		prev;

		ccseg_model_parse(PG_GETARG_VARLENA_P(ARG_PREVIOUS), &prev, cxt);
		if (same_features(&prev, &prep))
		{
			/* the k x prev.k cost matrix next to the rows: within the memory in force */
			double		need = cc_align_bytes(k, prev.k, d) +
				(8.0 * d + 4.0) * (double) prep.n_read;

			if (need > ccseg_memory_budget())
				ereport(ERROR,
						(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
						 errmsg("aligning the segments with the previous version needs more memory than ccseg.max_train_memory allows"),
						 errdetail("Matching %d segments with the %d of the previous version next to %zu training rows needs about %s, more than %s.",
								   k, prev.k, prep.n_read, ccseg_bytes_text(need),
								   ccseg_memory_in_force_text()),
						 ccseg_errhint_memory("train with fewer segments")));
			cc_align_to_previous(&prev, prep.x, prep.n, d, prep.center,
								 prep.scale_values, &kr, k, m.segment_drift,
								 &m.changed_share, &alloc,
								 ccseg_check_interrupts, NULL);
		}
		else
			ereport(NOTICE,
					(errmsg("segment numbers are not aligned with the previous version"),
					 errdetail("The previous version has other features.")));
	}
	if (!kr.converged)
		ereport(NOTICE,
				(errmsg_plural("k-means did not converge within %d iteration",
							   "k-means did not converge within %d iterations",
							   kp.max_iter, kp.max_iter),
				 errhint("Raise max_iter or tol.")));

	ccseg_prepared_to_model(&prep, &m);
	memcpy(m.centroids, kr.centroids, sizeof(double) * k * d);
	memcpy(m.sizes, kr.sizes, sizeof(int64_t) * k);
	memcpy(m.sse, kr.sse, sizeof(double) * k);
	m.inertia = kr.inertia;
	m.iterations = kr.iterations;
	m.rows = (int64_t) rows;
	ccseg_quality(prep.x, prep.n, d, kr.labels, k, sample, kp.seed, &m, &alloc);
	if (d <= CC_PCA_MAX_FEATURES)
		cc_pca(prep.x, prep.n, d, CC_PCA_COMPONENTS, m.pca_ratio,
			   m.pca_components, &alloc, ccseg_check_interrupts, NULL);
	if (verbose)
		ereport(LOG,
				(errmsg("alignment, quality scores and principal components in %.3f s",
						ccseg_seconds_since(phase))));

	MemoryContextSwitchTo(old);
	result = ccseg_model_datum(&m);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}
