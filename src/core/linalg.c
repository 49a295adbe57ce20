/*
 * linalg.c
 *		Covariance and symmetric eigen-decomposition (cyclic Jacobi).
 */
#include <math.h>
#include <string.h>

#include "linalg.h"
#include "matrix.h"
#include "parallel.h"

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

#if defined(__GNUC__)
/* the vectors of four columns b of a block of CC_COV_BLOCK columns */
#define CC_COV_GROUPS (CC_COV_BLOCK / 4)

/*
 * One tile of a group's products: the centered columns a and, when two is
 * set, a + 1 (rows of ta, sa doubles apart) against the vectors g0 .. g0 +
 * W - 1 of the centered columns b (rows of tb, sb doubles apart), each
 * summed over the rows in order from zero into p[a][g0 ..] (and p[a +
 * 1][g0 ..]).  W is a constant where this is inlined, so that the 2 x W
 * sums stay in registers for the whole group.
 */
static CC_ALWAYS_INLINE void
cov_tile(const double *ta, const double *tb, size_t rows, int sa, int sb,
		 int a, bool two, int g0, int W, CcV4d p[][CC_COV_GROUPS])
{
	const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
	CcV4d		s0[4],
				s1[4];
	size_t		r;
	int			g;

	for (g = 0; g < W; g++)
		s0[g] = s1[g] = zero;
	for (r = 0; r < rows; r++)
	{
		const double *rb = tb + r * sb + 4 * g0;
		double		x0 = ta[r * sa + a];
		double		x1 = two ? ta[r * sa + a + 1] : 0.0;
		CcV4d		v0 = {x0, x0, x0, x0};
		CcV4d		v1 = {x1, x1, x1, x1};

		for (g = 0; g < W; g++)
		{
			CcV4d		vb;

			memcpy(&vb, rb + 4 * g, sizeof(vb));
			s0[g] += vb * v0;
			if (two)
				s1[g] += vb * v1;
		}
	}
	for (g = 0; g < W; g++)
	{
		p[a][g0 + g] = s0[g];
		if (two)
			p[a + 1][g0 + g] = s1[g];
	}
}

/*
 * The plain sums of the products of rows [i0, i1) (one group of
 * CC_COV_ROWS rows) for the columns a0 .. a0 + wa - 1 against b0 .. b0 + wb
 * - 1, into p[a][g] from zero: the group's rows are centered once into ta
 * (columns a) and tb (columns b, four to a vector, the lanes past wb
 * zero), then summed a tile of two columns a by up to four vectors b at a
 * time (cov_tile), each sum over the rows in order: the same bits as a row
 * at a time.  In a diagonal block (b0 == a0) the vectors left of the
 * diagonal are not computed.
 */
static CC_ALWAYS_INLINE void
cov_group(const double *x, int d, const double *mean, int a0, int wa, int b0,
		  int wb, size_t i0, size_t i1, CcV4d p[][CC_COV_GROUPS])
{
	double		ta[CC_COV_ROWS * CC_COV_BLOCK];
	double		tb[CC_COV_ROWS * CC_COV_BLOCK];
	int			groups = (wb + 3) / 4;
	int			stride = groups * 4;
	bool		diagonal = b0 == a0;
	/* in a diagonal block the columns a are the columns b */
	const double *ca = diagonal ? tb : ta;
	int			sa = diagonal ? stride : wa;
	size_t		rows = i1 - i0;
	size_t		r;
	int			a,
				b,
				g0;

	for (r = 0; r < rows; r++)
	{
		const double *row = x + (i0 + r) * d;

		if (!diagonal)
			for (a = 0; a < wa; a++)
				ta[r * wa + a] = row[a0 + a] - mean[a0 + a];
		for (b = 0; b < wb; b++)
			tb[r * stride + b] = row[b0 + b] - mean[b0 + b];
		for (b = wb; b < stride; b++)
			tb[r * stride + b] = 0.0;
	}
	for (a = 0; a < wa; a += 2)
	{
		bool		two = a + 1 < wa;

		/* a is even: a and a + 1 start at the same vector */
		for (g0 = diagonal ? a / 4 : 0; g0 < groups; g0 += 4)
		{
			int			w = groups - g0 < 4 ? groups - g0 : 4;

			switch (w)
			{
				case 1:
					cov_tile(ca, tb, rows, sa, stride, a, two, g0, 1, p);
					break;
				case 2:
					cov_tile(ca, tb, rows, sa, stride, a, two, g0, 2, p);
					break;
				case 3:
					cov_tile(ca, tb, rows, sa, stride, a, two, g0, 3, p);
					break;
				default:
					cov_tile(ca, tb, rows, sa, stride, a, two, g0, 4, p);
					break;
			}
		}
	}
}

/* Fold a group's sums p into the compensated sums s, c (cc_sum4_add). */
static CC_ALWAYS_INLINE void
cov_fold(int wa, int wb, bool diagonal, CcV4d p[][CC_COV_GROUPS],
		 CcV4d s[][CC_COV_GROUPS], CcV4d c[][CC_COV_GROUPS])
{
	int			groups = (wb + 3) / 4;
	int			a,
				g;

	for (a = 0; a < wa; a++)
		for (g = diagonal ? a / 4 : 0; g < groups; g++)
			cc_sum4_add(&s[a][g], &c[a][g], &p[a][g]);
}

/* The covariance entries of a block from its compensated sums. */
static void
cov_store(int d, size_t n, int a0, int wa, int b0, int wb,
		  CcV4d s[][CC_COV_GROUPS], CcV4d c[][CC_COV_GROUPS], double *cov)
{
	int			a,
				b;

	for (a = 0; a < wa; a++)
		for (b = (b0 == a0) ? a : 0; b < wb; b++)
			cov[(a0 + a) * d + b0 + b] = cov[(b0 + b) * d + a0 + a] =
				(s[a][b / 4][b % 4] + c[a][b / 4][b % 4]) / (double) n;
}
#endif

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
#if defined(__GNUC__)
			const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
			CcV4d		s[CC_COV_BLOCK][CC_COV_GROUPS],
						c[CC_COV_BLOCK][CC_COV_GROUPS],
						p[CC_COV_BLOCK][CC_COV_GROUPS];
			size_t		i0;
			int			a,
						g;

			if (check)
				check(arg);
			for (a = 0; a < wa; a++)
				for (g = 0; g < CC_COV_GROUPS; g++)
					s[a][g] = c[a][g] = zero;
			for (i0 = 0; i0 < n; i0 += CC_COV_ROWS)
			{
				size_t		i1 = (n - i0 < CC_COV_ROWS) ? n : i0 + CC_COV_ROWS;

				cov_group(x, d, mean, a0, wa, b0, wb, i0, i1, p);
				cov_fold(wa, wb, b0 == a0, p, s, c);
			}
			cov_store(d, n, a0, wa, b0, wb, s, c, cov);
#else
			CcSum		s[CC_COV_BLOCK][CC_COV_BLOCK];
			double		p[CC_COV_BLOCK][CC_COV_BLOCK];
			double		ta[CC_COV_BLOCK],
						tb[CC_COV_BLOCK];
			size_t		i;
			int			a,
						b;

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

#if defined(__GNUC__)
/*
 * cc_covariance_parallel's state for one block of column pairs: a chunk of
 * groups of CC_COV_ROWS rows, whose sums the parts compute into sums (a
 * slot of wa x (wb + 3) / 4 vectors per group, as doubles: heap memory is
 * not aligned for vector types) for the calling thread to fold in order.
 */
typedef struct CovChunk
{
	const double *x;
	size_t		n;
	int			d;
	const double *mean;
	int			a0,
				wa,
				b0,
				wb;
	size_t		first;			/* the chunk's first group */
	size_t		groups;			/* groups in the chunk */
	int			parts;
	double	   *sums;			/* groups x cov_slot() */
} CovChunk;

/* doubles in a group's slot: wa rows of (wb + 3) / 4 vectors */
static size_t
cov_slot(int wa, int wb)
{
	return (size_t) wa * ((wb + 3) / 4) * 4;
}

/* Copy a group's sums between its vectors and its slot, one way or the other. */
static CC_ALWAYS_INLINE void
cov_slot_copy(double *slot, CcV4d p[][CC_COV_GROUPS], int wa, int wb,
			  bool to_slot)
{
	size_t		row = (size_t) ((wb + 3) / 4) * sizeof(CcV4d);
	int			a;

	for (a = 0; a < wa; a++)
	{
		if (to_slot)
			memcpy(slot + a * row / sizeof(double), p[a], row);
		else
			memcpy(p[a], slot + a * row / sizeof(double), row);
	}
}
/* groups of rows per part of a chunk */
#define CC_COV_PART_GROUPS 256

CC_SIMD_CLONES static void
cov_chunk_part(void *arg, int part)
{
	const CovChunk *cc = arg;
	size_t		g0 = cc->groups * part / cc->parts;
	size_t		g1 = cc->groups * (part + 1) / cc->parts;
	size_t		slot = cov_slot(cc->wa, cc->wb);
	CcV4d		p[CC_COV_BLOCK][CC_COV_GROUPS];
	size_t		g;

	for (g = g0; g < g1; g++)
	{
		size_t		i0 = (cc->first + g) * CC_COV_ROWS;
		size_t		i1 = (cc->n - i0 < CC_COV_ROWS) ? cc->n : i0 + CC_COV_ROWS;

		cov_group(cc->x, cc->d, cc->mean, cc->a0, cc->wa, cc->b0, cc->wb, i0, i1,
				  p);
		cov_slot_copy(cc->sums + g * slot, p, cc->wa, cc->wb, true);
	}
}
#endif

/*
 * cc_covariance with the groups' sums computed by up to threads threads, a
 * chunk of groups at a time, and folded in row order by the calling thread:
 * the same bits.  See linalg.h.
 */
bool
cc_covariance_parallel(const double *x, size_t n, int d, const double *mean,
					   double *cov, int threads, CcCheckFn check,
					   CcPollFn poll, void *arg, const CcAllocator *alloc)
{
#if defined(__GNUC__)
	size_t		ngroups = (n + CC_COV_ROWS - 1) / CC_COV_ROWS;
	int			parts = threads > 1 ? threads : 1;
	size_t		chunk = (size_t) parts * CC_COV_PART_GROUPS;
	CovChunk	cc;
	int			a0,
				b0;

	if (parts == 1 || ngroups <= CC_COV_PART_GROUPS)
	{
		cc_covariance(x, n, d, mean, cov, check, arg);
		return true;
	}
	cc.sums = cc_alloc_array(alloc, chunk * cov_slot(CC_COV_BLOCK, CC_COV_BLOCK),
							 sizeof(double));
	cc.x = x;
	cc.n = n;
	cc.d = d;
	cc.mean = mean;
	for (a0 = 0; a0 < d; a0 += CC_COV_BLOCK)
		for (b0 = a0; b0 < d; b0 += CC_COV_BLOCK)
		{
			const CcV4d zero = {0.0, 0.0, 0.0, 0.0};
			CcV4d		s[CC_COV_BLOCK][CC_COV_GROUPS],
						c[CC_COV_BLOCK][CC_COV_GROUPS],
						p[CC_COV_BLOCK][CC_COV_GROUPS];
			size_t		first,
						slot,
						g;
			int			a,
						j;

			cc.a0 = a0;
			cc.wa = (d - a0 < CC_COV_BLOCK) ? d - a0 : CC_COV_BLOCK;
			cc.b0 = b0;
			cc.wb = (d - b0 < CC_COV_BLOCK) ? d - b0 : CC_COV_BLOCK;
			slot = cov_slot(cc.wa, cc.wb);
			for (a = 0; a < cc.wa; a++)
				for (j = 0; j < CC_COV_GROUPS; j++)
					s[a][j] = c[a][j] = zero;
			for (first = 0; first < ngroups; first += chunk)
			{
				if (check)
					check(arg);
				cc.first = first;
				cc.groups = (ngroups - first < chunk) ? ngroups - first : chunk;
				cc.parts = parts;
				if (!cc_run_parts(cov_chunk_part, &cc, parts, threads, poll, arg))
				{
					cc_release(alloc, cc.sums);
					return false;
				}
				for (g = 0; g < cc.groups; g++)
				{
					cov_slot_copy(cc.sums + g * slot, p, cc.wa, cc.wb, false);
					cov_fold(cc.wa, cc.wb, b0 == a0, p, s, c);
				}
			}
			cov_store(d, n, a0, cc.wa, b0, cc.wb, s, c, cov);
		}
	cc_release(alloc, cc.sums);
	return true;
#else
	(void) threads;
	(void) poll;
	(void) alloc;
	cc_covariance(x, n, d, mean, cov, check, arg);
	return true;
#endif
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
	(void) cc_pca_parallel(x, n, d, given_mean, ncomp, ratio, components, 1,
						   check, NULL, arg, alloc);
}

/* cc_pca_mean with the covariance in threads; see linalg.h. */
bool
cc_pca_parallel(const double *x, size_t n, int d, const double *given_mean,
				int ncomp, double *ratio, double *components, int threads,
				CcCheckFn check, CcPollFn poll, void *arg,
				const CcAllocator *alloc)
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
	if (!cc_covariance_parallel(x, n, d, mean, cov, threads, check, poll, arg,
								alloc))
	{
		cc_release(alloc, mean);
		cc_release(alloc, cov);
		cc_release(alloc, values);
		cc_release(alloc, vectors);
		return false;
	}
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
	return true;
}
