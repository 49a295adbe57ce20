/*
 * fuzz_kmeans.c
 *		libFuzzer target: the core's training path on arbitrary small
 *		matrices.  The bytes choose n, d, k, the algorithm, the seed and the
 *		values (including repeated values, zeros and huge or tiny ones).
 *		Imputation, scaling, k-means, quality measures and PCA must not crash,
 *		and the result must hold its invariants: every label in range and the
 *		nearest centroid, sizes adding up to n, all algorithms equal.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"
#include "linalg.h"
#include "matrix.h"
#include "metrics.h"
#include "preprocess.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double
value_of(const uint8_t *p)
{
	int16_t		v;

	memcpy(&v, p, 2);
	switch (p[2] % 4)
	{
		case 0:
			return (double) v;
		case 1:
			return (double) v / 1000.0;
		case 2:
			return (double) (v % 4);	/* many ties */
		default:
			return (double) v * 1e12;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const CcAllocator *a = &cc_malloc_allocator;
	size_t		n;
	int			d,
				k,
				algo,
				threads;
	double	   *x;
	double	   *impute;
	double	   *center;
	double	   *scale;
	CcKmeansParams p;
	CcKmeansResult first;
	size_t		i;
	int			j;

	if (size < 6)
		return 0;
	n = 1 + data[0] % 48;
	d = 1 + data[1] % 6;
	k = 1 + (int) (data[2] % n);
	algo = data[3] % 4;
	threads = 1 + data[4] % 3;
	data += 6;
	size -= 6;
	if (size < n * d * 3)
		return 0;

	x = malloc(sizeof(double) * n * d);
	for (i = 0; i < n * (size_t) d; i++)
		x[i] = (data[3 * i + 2] & 0x80) ? NAN : value_of(data + 3 * i);
	impute = malloc(sizeof(double) * d);
	center = malloc(sizeof(double) * d);
	scale = malloc(sizeof(double) * d);
	if (cc_impute_fit(x, n, d, CC_IMPUTE_MEDIAN, impute, a) >= 0)
		goto done;				/* an all-missing column: refused upstream */
	cc_impute_apply(x, n, d, CC_IMPUTE_MEDIAN, impute);
	cc_scale_fit(x, n, d, (CcScale) (data[0] % 4), center, scale, NULL, a);
	cc_scale_apply(x, n, d, center, scale);
	for (i = 0; i < n * (size_t) d; i++)
		if (!isfinite(x[i]) || fabs(x[i]) > 1e150)
			goto done;			/* refused upstream: out of range */

	memset(&p, 0, sizeof(p));
	p.k = k;
	p.n_init = 2;
	p.max_iter = 50;
	p.tol = 0.0;
	p.seed = data[1];
	p.init = CC_INIT_KMEANSPP;
	p.threads = threads;		/* threads must not change the result */
	for (j = 0; j < 4; j++)
	{
		CcKmeansResult r;
		int64_t		total = 0;
		int			c;

		p.algorithm = (CcAlgorithm) ((algo + j) % 4);
		cc_kmeans(x, n, d, &p, &r, a);
		for (c = 0; c < k; c++)
			total += r.sizes[c];
		if (total != (int64_t) n || !(r.inertia >= 0.0))
			abort();
		for (i = 0; i < n; i++)
		{
			double		best;
			double		own;

			if (r.labels[i] < 0 || r.labels[i] >= k)
				abort();
			/* every run ends with labels of the final centroids: the nearest */
			(void) cc_nearest(x + i * d, r.centroids, k, d, &best);
			own = cc_sqdist(x + i * d, r.centroids + (size_t) r.labels[i] * d, d);
			if (own > best)
				abort();
		}
		if (j == 0)
			first = r;
		else
		{
			if (memcmp(first.labels, r.labels, sizeof(int) * n) != 0 ||
				memcmp(first.centroids, r.centroids, sizeof(double) * k * d) != 0)
				abort();
			cc_release(a, r.centroids);
			cc_release(a, r.labels);
			cc_release(a, r.sizes);
			cc_release(a, r.sse);
		}
	}
	{
		CcQualityParams qp = {0};
		CcQuality	q = {0};
		double	   *segsil = malloc(sizeof(double) * k);
		double	   *ratio = malloc(sizeof(double) * d);
		double	   *comp = malloc(sizeof(double) * 3 * d);

		qp.sample = (int64_t) (data[2] % 3) - 1;
		qp.seed = 1;
		qp.threads = 1;
		q.segment_silhouette = segsil;
		cc_quality(x, n, d, first.labels, k, &qp, &q, a);
		if (!isnan(q.silhouette) &&
			!(q.silhouette >= -1.0 - 1e-12 && q.silhouette <= 1.0 + 1e-12))
			abort();
		cc_pca(x, n, d, 3, ratio, comp, a, NULL, NULL);
		free(segsil);
		free(ratio);
		free(comp);
	}
	cc_release(a, first.centroids);
	cc_release(a, first.labels);
	cc_release(a, first.sizes);
	cc_release(a, first.sse);
done:
	free(x);
	free(impute);
	free(center);
	free(scale);
	return 0;
}
