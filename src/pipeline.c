/*
 * pipeline.c
 *		Training a prepared matrix: k-means on the rows prepare.c imputed
 *		and scaled, its quality measures, and for a model the refinement
 *		over every row, the numbering of the segments, their alignment
 *		with the previous version and the principal components.
 *
 * ccseg_build_model, ccseg_elbow and ccseg_fit differ only in where their
 * rows come from and in the options they pass, so that a model trained by
 * any of them with the same settings on the same rows is the same, bit for
 * bit.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "portability/instr_time.h"

#include "ccseg.h"
#include "pipeline.h"
#include "prepare.h"
#include "refine.h"

#include "align.h"
#include "kmeans.h"
#include "linalg.h"
#include "matrix.h"
#include "metrics.h"
#include "model.h"

/*
 * verbose: one INFO line per restart; the time of each phase goes out as
 * LOG, to the server log and to clients that SET client_min_messages = log.
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

/* Whether model a has the features of p in the same order. */
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
refine_over_all_rows(const CcsegPrepared *p, CcKmeansResult *kr,
					 const CcKmeansParams *kp, double rel_tol, size_t *rows,
					 int *passes)
{
	int			d = p->f.d;
	double	   *sums = palloc0(sizeof(double) * kp->k * d);
	int64_t    *counts = palloc0(sizeof(int64_t) * kp->k);
	double	   *sse = palloc0(sizeof(double) * kp->k);

	ccseg_refine_full(p, kr, kp->k, kp->tol, rel_tol, kp->max_iter, rows,
					  passes);
	cc_kmeans_accumulate(p->x, p->n, d, kr->centroids, kp->k, sums,
						 counts, sse, kr->labels);
	pfree(sums);
	pfree(counts);
	pfree(sse);
}

/*
 * Number the segments of kr (k of them) as those of prev do, when prev has
 * the features of p; m receives the drift of each segment and the share of
 * rows that changed segment.
 */
static void
align_with_previous(const CcsegPrepared *p, const CcModel *prev,
					CcKmeansResult *kr, int k, CcModel *m,
					const CcAllocator *alloc)
{
	int			d = p->f.d;
	double		need;
	CcFeatureMap fm;

	if (!same_features(prev, p))
	{
		ereport(NOTICE,
				(errmsg("segment numbers are not aligned with the previous version"),
				 errdetail("The previous version has other features.")));
		return;
	}
	/* the k x prev->k cost matrix next to the rows: within the memory in force */
	need = cc_align_bytes(k, prev->k, d, ccseg_threads_in_force()) +
		(8.0 * d + 4.0) * (double) p->n_read;
	if (need > ccseg_memory_budget())
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("aligning the segments with the previous version needs more memory than ccseg.max_train_memory allows"),
				 errdetail("Matching %d segments with the %d of the previous version next to %zu training rows needs about %s, more than %s.",
						   k, prev->k, p->n_read, ccseg_bytes_text(need),
						   ccseg_memory_in_force_text()),
				 ccseg_errhint_memory("train with fewer segments")));
	ccseg_prepared_map(p, &fm);
	if (!cc_align_to_previous(prev, p->x, p->n, d, &fm, kr,
							  k, m->segment_drift, &m->changed_share,
							  ccseg_threads_in_force(), alloc,
							  ccseg_check_interrupts, ccseg_stop_requested,
							  NULL))
		ccseg_interrupted("the alignment with the previous version");
}

/*
 * The quality measures' settings: the silhouette's sample and seed, the
 * threads in force, the interrupt check and the stop request.
 */
void
ccseg_quality_params(int64 sample, uint64 seed, CcQualityParams *qp)
{
	memset(qp, 0, sizeof(*qp));
	qp->sample = sample;
	qp->seed = seed;
	qp->threads = ccseg_threads_in_force();
	qp->check = ccseg_check_interrupts;
	qp->poll = ccseg_stop_requested;
}

/*
 * Train o->kmeans.k clusters on the rows of p (at least k of them: the
 * caller checks) and measure them, allocating with alloc in the current
 * memory context.  With o->model, m receives the model: p's preprocessing,
 * the centroids numbered by decreasing size (or as o->previous numbers
 * them), the statistics over every row, the quality measures and the
 * principal components; without it m is not used (may be NULL) and t
 * holds k-means' result on p's rows as cc_kmeans gives it.
 */
void
ccseg_train_prepared(const CcsegPrepared *p, const CcsegTrainOptions *o,
					 CcsegTrained *t, CcModel *m, const CcAllocator *alloc)
{
	CcKmeansParams kp = o->kmeans;
	CcKmeansResult *kr = &t->kmeans;
	CcQualityParams qp;
	int			k = kp.k;
	int			d = p->f.d;
	instr_time	phase;
	double	   *mean = palloc(sizeof(double) * d);
	double	   *var = palloc(sizeof(double) * d);

	INSTR_TIME_SET_CURRENT(phase);
	/* the scaled columns' moments: for the tolerance, the CH index and PCA */
	if (p->scaled_sums != NULL ?
		!cc_columns_mean_var_given(p->x, p->n, d, p->scaled_sums, mean, var,
								   ccseg_threads_in_force(),
								   ccseg_stop_requested, NULL, alloc) :
		!cc_columns_mean_var_parallel(p->x, p->n, d, mean, var,
									  ccseg_threads_in_force(),
									  ccseg_stop_requested, NULL, alloc))
		ccseg_interrupted("k-means");
	kp.tol = cc_kmeans_tolerance_var(var, p->n, d, kp.tol);
	kp.check = ccseg_check_interrupts;
	kp.report = o->verbose ? report_run : NULL;
	kp.cb_arg = &kp;
	ccseg_kmeans(p->x, p->n, d, &kp, kr, alloc);
	t->rows = p->n;
	ccseg_quality_params(o->silhouette_sample, kp.seed, &qp);
	/* the moments are of the rows k-means saw: a sample's, not every row's */
	qp.mean = mean;

	if (!o->model)
	{
		t->quality.segment_silhouette = cc_alloc_array(alloc, k, sizeof(double));
		t->quality.segment_rows = NULL;
		if (!cc_quality(p->x, p->n, d, kr->labels, k, &qp, &t->quality, alloc))
			ccseg_interrupted("the silhouette computation");
		return;
	}

	if (o->verbose && cc_kmeans_restarts_sampled(&kp, p->n))
		ereport(LOG,
				(errmsg("k-means in %.3f s: %d restarts on a sample of %zu rows (ccseg.restart_rows), the best of them, restart %d, then on all %zu rows: %d iterations, inertia %.6f",
						ccseg_seconds_since(phase), kp.n_init, kp.restart_rows,
						kr->best_run + 1, p->n, kr->iterations, kr->inertia)));
	else if (o->verbose)
		ereport(LOG,
				(errmsg("k-means in %.3f s", ccseg_seconds_since(phase))));
	if (p->sampled)
	{
		int			passes = 0;

		INSTR_TIME_SET_CURRENT(phase);
		refine_over_all_rows(p, kr, &kp, o->kmeans.tol, &t->rows, &passes);
		if (o->verbose)
			ereport(LOG,
					(errmsg("%d passes over all %zu rows in %.3f s",
							passes, t->rows,
							ccseg_seconds_since(phase))));
	}
	INSTR_TIME_SET_CURRENT(phase);
	cc_kmeans_sort_by_size(kr, p->n, k, d, alloc);
	cc_model_alloc(m, k, d, alloc);
	if (o->previous != NULL)
		align_with_previous(p, o->previous, kr, k, m, alloc);
	if (o->warn_unconverged && !kr->converged)
		ereport(NOTICE,
				(errmsg_plural("k-means did not converge within %d iteration",
							   "k-means did not converge within %d iterations",
							   kp.max_iter, kp.max_iter),
				 errhint("Raise max_iter or tol.")));

	ccseg_prepared_to_model(p, m);
	memcpy(m->centroids, kr->centroids, sizeof(double) * k * d);
	memcpy(m->sizes, kr->sizes, sizeof(int64_t) * k);
	memcpy(m->sse, kr->sse, sizeof(double) * k);
	m->inertia = kr->inertia;
	m->iterations = kr->iterations;
	m->rows = (int64_t) t->rows;

	t->quality.segment_silhouette = m->segment_silhouette;
	t->quality.segment_rows = NULL;
	if (!cc_quality(p->x, p->n, d, kr->labels, k, &qp, &t->quality, alloc))
		ccseg_interrupted("the silhouette computation");
	m->silhouette = t->quality.silhouette;
	m->silhouette_rows = t->quality.silhouette_rows;
	m->calinski_harabasz = t->quality.calinski_harabasz;
	m->davies_bouldin = t->quality.davies_bouldin;

	if (d <= CC_PCA_MAX_FEATURES)
	{
		if (!cc_pca_parallel(p->x, p->n, d, mean, CC_PCA_COMPONENTS,
							 m->pca_ratio, m->pca_components,
							 ccseg_threads_in_force(), ccseg_check_interrupts,
							 ccseg_stop_requested, NULL, alloc))
			ccseg_interrupted("the principal components");
	}
	if (o->verbose)
		ereport(LOG,
				(errmsg("alignment, quality scores and principal components in %.3f s",
						ccseg_seconds_since(phase))));
}
