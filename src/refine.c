/*
 * refine.c
 *		Lloyd passes over every row of a relation, for a model whose k-means
 *		ran on a sample of it because all rows would not fit in
 *		ccseg.max_train_memory.  Rows are read batch by batch, imputed and
 *		scaled exactly as the sample was, so memory stays bounded by the
 *		batch whatever the size of the relation.
 */
#include "ccseg.h"

#include "preprocess.h"

#define REFINE_BATCH_ROWS 4096

/* per-cluster statistics of one pass */
typedef struct RefinePass
{
	double	   *sums;			/* k x d */
	int64_t    *counts;			/* k */
	double	   *sse;			/* k */
	size_t		rows;			/* rows kept (after impute = drop) */
} RefinePass;

/* One pass over every row: statistics of the nearest centroid of each. */
static void
refine_pass(const CcsegPrepared *p, const double *centroids, int k,
			double *batch, RefinePass *out)
{
	int			d = p->f.d;
	CcsegScan	scan;
	size_t		got;

	memset(out->sums, 0, sizeof(double) * k * d);
	memset(out->counts, 0, sizeof(int64_t) * k);
	memset(out->sse, 0, sizeof(double) * k);
	out->rows = 0;
	ccseg_scan_begin(&scan, p->relid, &p->f, p->order_by);
	while ((got = ccseg_scan_next(&scan, batch, REFINE_BATCH_ROWS)) > 0)
	{
		size_t		kept = cc_impute_apply(batch, got, d, p->impute,
										   p->impute_values);

		cc_scale_apply(batch, kept, d, p->center, p->scale_values);
		ccseg_check_scaled(p, batch, kept);
		cc_kmeans_accumulate(batch, kept, d, centroids, k, out->sums,
							 out->counts, out->sse, NULL);
		out->rows += kept;
	}
	ccseg_scan_end(&scan);
}

/* Refine the centroids of kr over every row of p's relation; see ccseg.h. */
void
ccseg_refine_full(const CcsegPrepared *p, CcKmeansResult *kr, int k,
				  double tol, int max_iter, size_t *rows)
{
	int			d = p->f.d;
	double	   *batch = palloc(sizeof(double) * REFINE_BATCH_ROWS * d);
	RefinePass	pass;
	int			passes = 0;
	bool		done = (max_iter <= 0);
	int			c,
				j;

	pass.sums = palloc(sizeof(double) * k * d);
	pass.counts = palloc(sizeof(int64_t) * k);
	pass.sse = palloc(sizeof(double) * k);
	kr->converged = false;

	/* each pass measures the current centroids; the last one is kept */
	for (;;)
	{
		double		shift = 0.0;

		refine_pass(p, kr->centroids, k, batch, &pass);
		if (done)
			break;
		for (c = 0; c < k; c++)
		{
			double	   *cen = kr->centroids + (size_t) c * d;

			if (pass.counts[c] == 0)
				continue;		/* an empty cluster keeps its centroid */
			for (j = 0; j < d; j++)
			{
				double		v = pass.sums[(size_t) c * d + j] / (double) pass.counts[c];

				shift += (v - cen[j]) * (v - cen[j]);
				cen[j] = v;
			}
		}
		passes++;
		if (shift <= tol)
			kr->converged = true;
		done = kr->converged || passes >= max_iter;
	}

	kr->inertia = 0.0;
	for (c = 0; c < k; c++)
	{
		kr->sizes[c] = pass.counts[c];
		kr->sse[c] = pass.sse[c];
		kr->inertia += pass.sse[c];
	}
	kr->iterations += passes;
	*rows = pass.rows;
	pfree(batch);
	pfree(pass.sums);
	pfree(pass.counts);
	pfree(pass.sse);
}
