/*
 * linalg.c
 *		Covariance and symmetric eigen-decomposition (cyclic Jacobi).
 */
#include <math.h>
#include <string.h>

#include "linalg.h"
#include "matrix.h"

/*
 * Covariance around given means; see linalg.h.  The matrix is read row by
 * row, a block of column pairs per pass.  The products of CC_COV_ROWS rows
 * at a time are summed plainly, and each such partial sum goes into a
 * compensated sum: the compensation's extra operations then cost once per
 * CC_COV_ROWS rows instead of once per row, and the partial sums of a few
 * dozen terms lose nothing that matters to the axes.  With GCC or clang,
 * each row's products with column a go four columns b at a time (vector
 * types, cc_sum4_add; the same bits as the one-at-a-time code); in the
 * diagonal blocks the lanes left of the diagonal are computed and not
 * used.
 */
#define CC_COV_BLOCK 32

CC_SIMD_CLONES void
cc_covariance(const double *x, size_t n, int d, const double *mean,
			  double *cov, CcCheckFn check, void *arg)
{
	int			a0,
				b0;

	for (a0 = 0; a0 < d; a0 += CC_COV_BLOCK)
	{
		int			wa = (d - a0 < CC_COV_BLOCK) ? d - a0 : CC_COV_BLOCK;

		for (b0 = a0; b0 < d; b0 += CC_COV_BLOCK)
		{
			int			wb = (d - b0 < CC_COV_BLOCK) ? d - b0 : CC_COV_BLOCK;
			double		tb[CC_COV_BLOCK];
			size_t		i;
			int			a,
						b;
#if defined(__GNUC__)
			const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
			CcV4d		s[CC_COV_BLOCK][CC_COV_BLOCK / 4],
						c[CC_COV_BLOCK][CC_COV_BLOCK / 4],
						p[CC_COV_BLOCK][CC_COV_BLOCK / 4],
						ta4[CC_COV_BLOCK];
			int			groups = (wb + 3) / 4;
			int			g;

			if (check)
				check(arg);
			for (a = 0; a < wa; a++)
				for (g = 0; g < groups; g++)
					s[a][g] = c[a][g] = p[a][g] = zero;
			for (b = wb; b < groups * 4; b++)
				tb[b] = 0.0;
			for (i = 0; i < n; i++)
			{
				const double *row = x + i * d;

				/*
				 * the column a terms four times over, all of them written before
				 * the first is read: SSE2 code builds them in memory, and a read
				 * right after its writes would wait for them
				 */
				for (a = 0; a < wa; a++)
				{
					double		t = row[a0 + a] - mean[a0 + a];
					CcV4d		v = {t, t, t, t};

					ta4[a] = v;
				}
				for (b = 0; b < wb; b++)
					tb[b] = row[b0 + b] - mean[b0 + b];
				for (a = 0; a < wa; a++)
					for (g = (b0 == a0) ? a / 4 : 0; g < groups; g++)
					{
						CcV4d		vb;

						memcpy(&vb, tb + 4 * g, sizeof(vb));
						p[a][g] += vb * ta4[a];
					}
				/* every CC_COV_ROWS rows, and after the last */
				if ((i + 1) % CC_COV_ROWS == 0 || i + 1 == n)
					for (a = 0; a < wa; a++)
						for (g = (b0 == a0) ? a / 4 : 0; g < groups; g++)
						{
							cc_sum4_add(&s[a][g], &c[a][g], &p[a][g]);
							p[a][g] = zero;
						}
			}
			for (a = 0; a < wa; a++)
				for (b = (b0 == a0) ? a : 0; b < wb; b++)
					cov[(a0 + a) * d + b0 + b] = cov[(b0 + b) * d + a0 + a] =
						(s[a][b / 4][b % 4] + c[a][b / 4][b % 4]) / (double) n;
#else
			CcSum		s[CC_COV_BLOCK][CC_COV_BLOCK];
			double		p[CC_COV_BLOCK][CC_COV_BLOCK];
			double		ta[CC_COV_BLOCK];

			if (check)
				check(arg);
			memset(s, 0, sizeof(s));
			memset(p, 0, sizeof(p));
			for (i = 0; i < n; i++)
			{
				const double *row = x + i * d;

				for (a = 0; a < wa; a++)
					ta[a] = row[a0 + a] - mean[a0 + a];
				for (b = 0; b < wb; b++)
					tb[b] = row[b0 + b] - mean[b0 + b];
				for (a = 0; a < wa; a++)
					for (b = (b0 == a0) ? a : 0; b < wb; b++)
						p[a][b] += ta[a] * tb[b];
				/* every CC_COV_ROWS rows, and after the last */
				if ((i + 1) % CC_COV_ROWS == 0 || i + 1 == n)
					for (a = 0; a < wa; a++)
						for (b = (b0 == a0) ? a : 0; b < wb; b++)
						{
							cc_sum_add(&s[a][b], p[a][b]);
							p[a][b] = 0.0;
						}
			}
			for (a = 0; a < wa; a++)
				for (b = (b0 == a0) ? a : 0; b < wb; b++)
					cov[(a0 + a) * d + b0 + b] = cov[(b0 + b) * d + a0 + a] =
						cc_sum_value(&s[a][b]) / (double) n;
#endif
		}
	}
}

/* Eigen-decomposition of a symmetric matrix by cyclic Jacobi; see linalg.h. */
void
cc_symmetric_eigen(double *a, int d, double *values, double *vectors,
				   const CcAllocator *alloc)
{
	double	   *v = cc_alloc_array(alloc, (size_t) d * d, sizeof(double));
	int		   *order = cc_alloc_array(alloc, d, sizeof(int));
	int			sweep,
				p,
				q,
				i,
				j;

	for (i = 0; i < d; i++)
		for (j = 0; j < d; j++)
			v[i * d + j] = (i == j) ? 1.0 : 0.0;

	for (sweep = 0; sweep < 100; sweep++)
	{
		double		off = 0.0,
					diag = 0.0;

		for (p = 0; p < d; p++)
		{
			diag += a[p * d + p] * a[p * d + p];
			for (q = p + 1; q < d; q++)
				off += a[p * d + q] * a[p * d + q];
		}
		if (off <= 1e-30 * diag || off == 0.0)
			break;
		for (p = 0; p < d; p++)
			for (q = p + 1; q < d; q++)
			{
				double		apq = a[p * d + q];
				double		theta,
							t,
							c,
							s;

				if (apq == 0.0)
					continue;
				/* rotation that zeroes a[p][q] (the smaller angle) */
				theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
				t = (theta >= 0 ? 1.0 : -1.0) /
					(fabs(theta) + sqrt(theta * theta + 1.0));
				c = 1.0 / sqrt(t * t + 1.0);
				s = t * c;
				for (i = 0; i < d; i++)
				{
					double		aip = a[i * d + p],
								aiq = a[i * d + q];

					a[i * d + p] = c * aip - s * aiq;
					a[i * d + q] = s * aip + c * aiq;
				}
				for (i = 0; i < d; i++)
				{
					double		api = a[p * d + i],
								aqi = a[q * d + i];

					a[p * d + i] = c * api - s * aqi;
					a[q * d + i] = s * api + c * aqi;
				}
				for (i = 0; i < d; i++)
				{
					double		vip = v[i * d + p],
								viq = v[i * d + q];

					v[i * d + p] = c * vip - s * viq;
					v[i * d + q] = s * vip + c * viq;
				}
			}
	}

	/* order by decreasing eigenvalue (insertion sort, stable) */
	for (i = 0; i < d; i++)
	{
		int			k = i;

		for (j = i; j > 0 && a[order[j - 1] * d + order[j - 1]] < a[k * d + k]; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
	for (i = 0; i < d; i++)
	{
		int			col = order[i];
		int			big = 0;
		double		sign;

		values[i] = a[col * d + col];
		for (j = 1; j < d; j++)
			if (fabs(v[j * d + col]) > fabs(v[big * d + col]))
				big = j;
		sign = v[big * d + col] < 0 ? -1.0 : 1.0;
		for (j = 0; j < d; j++)
			vectors[i * d + j] = sign * v[j * d + col];
	}
	cc_release(alloc, v);
	cc_release(alloc, order);
}

/* PCA by the eigen-decomposition of the covariance; see linalg.h. */
void
cc_pca(const double *x, size_t n, int d, int ncomp, double *ratio,
	   double *components, const CcAllocator *alloc, CcCheckFn check,
	   void *arg)
{
	cc_pca_mean(x, n, d, NULL, ncomp, ratio, components, alloc, check, arg);
}

/* The same with the columns' means given (or NULL); see linalg.h. */
void
cc_pca_mean(const double *x, size_t n, int d, const double *given_mean,
			int ncomp, double *ratio, double *components,
			const CcAllocator *alloc, CcCheckFn check, void *arg)
{
	double	   *mean = cc_alloc_array(alloc, d, sizeof(double));
	double	   *cov = cc_alloc_array(alloc, (size_t) d * d, sizeof(double));
	double	   *values = cc_alloc_array(alloc, d, sizeof(double));
	double	   *vectors = cc_alloc_array(alloc, (size_t) d * d, sizeof(double));
	double		total = 0.0;
	int			j,
				c;

	if (given_mean)
		memcpy(mean, given_mean, sizeof(double) * d);
	else
		cc_columns_mean_var(x, n, d, 0, d, mean, cov);	/* cov: room for the
														 * variances */
	cc_covariance(x, n, d, mean, cov, check, arg);
	cc_symmetric_eigen(cov, d, values, vectors, alloc);
	for (j = 0; j < d; j++)
	{
		if (values[j] < 0.0)
			values[j] = 0.0;	/* rounding below zero on a singular matrix */
		total += values[j];
	}
	for (j = 0; j < d; j++)
		ratio[j] = total > 0.0 ? values[j] / total : 0.0;
	for (c = 0; c < ncomp; c++)
		for (j = 0; j < d; j++)
			components[(size_t) c * d + j] = (c < d) ? vectors[(size_t) c * d + j] : NAN;
	cc_release(alloc, mean);
	cc_release(alloc, cov);
	cc_release(alloc, values);
	cc_release(alloc, vectors);
}
