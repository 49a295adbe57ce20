/*
 * test_linalg.c
 *		Unit tests of linalg.c: covariance, the symmetric eigensolver
 *		and principal components.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "linalg.h"
#include "matrix.h"

/* Count a call of a CcCheckFn into the int at arg. */
static void
bump_counter(void *arg)
{
	(*(int *) arg)++;
}

/* Covariance (over n) around the given means by definition, compensated long double sums. */
static void
ref_covariance(const double *x, size_t n, int d, const double *mean,
			   long double *cov)
{
	int			a,
				b;

	for (a = 0; a < d; a++)
		for (b = 0; b < d; b++)
		{
			long double s[2] = {0.0L, 0.0L};
			size_t		i;

			for (i = 0; i < n; i++)
				ld_sum_add(s, ((long double) x[i * d + a] - mean[a]) *
						   ((long double) x[i * d + b] - mean[b]));
			cov[a * d + b] = (s[0] + s[1]) / (long double) n;
		}
}

/* Fill x (n x d) with correlated columns of different scales and offsets. */
static void
make_correlated(TRand *r, double *x, size_t n, int d)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		z1 = tr_normal(r),
					z2 = tr_normal(r);

		for (j = 0; j < d; j++)
		{
			double		e = tr_normal(r);

			switch (j % 4)
			{
				case 0:
					x[i * d + j] = z1 + 0.1 * e;
					break;
				case 1:
					x[i * d + j] = 2.0 * z1 - z2 + 0.1 * e;
					break;
				case 2:
					x[i * d + j] = 100.0 + 0.5 * z2 + 0.1 * e;
					break;
				default:
					x[i * d + j] = 0.3 * e;
					break;
			}
		}
	}
}

/* Check cc_covariance against ref_covariance, around the means and around other points. */
static void
test_covariance(void)
{
	static const size_t sizes[] = {1, 2, 7, 300};
	const int	d = 5;
	TRand		r;
	size_t		si;

	tr_seed(&r, 6000);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		double	   *x = dalloc(n * d);
		double	   *cov = dalloc((size_t) d * d);
		long double *want = talloc((size_t) d * d, sizeof(long double));
		double		mean[5];
		int			around;

		make_correlated(&r, x, n, d);
		/* the last column: tiny spread around a large offset */
		{
			size_t		i;

			for (i = 0; i < n; i++)
				x[i * d + 4] = 1e6 + 1e-3 * tr_normal(&r);
		}
		for (around = 0; around < 2; around++)
		{
			bool		ok_ref = true,
						ok_sym = true;
			int			calls = 0,
						a,
						b;

			for (a = 0; a < d; a++)
			{
				long double m,
							v;

				ref_mean_var(x, n, d, a, &m, &v);
				mean[a] = around == 0 ? (double) m : (double) m + tr_normal(&r);
			}
			set_ctx("covariance n=%zu around %s", n, around == 0 ? "means" : "other points");
			cc_covariance(x, n, d, mean, cov, bump_counter, &calls);
			ref_covariance(x, n, d, mean, want);
			for (a = 0; a < d; a++)
				for (b = 0; b < d; b++)
				{
					long double scale = sqrtl(want[a * d + a] * want[b * d + b]);

					if (!(fabsl(cov[a * d + b] - want[a * d + b]) <= 1e-13L * scale + 1e-300L))
						ok_ref = false;
					if (cov[a * d + b] != cov[b * d + a])
						ok_sym = false;
				}
			CHECK(ok_ref);
			CHECK(ok_sym);
			CHECK(calls > 0);
		}
		tfree(x);
		tfree(cov);
		tfree(want);
	}
	/* closed form: rows (1, 2), (3, 6) around (2, 4): [[1, 2], [2, 4]] */
	{
		double		y[4] = {1, 2, 3, 6};
		double		m[2] = {2, 4};
		double		c[4];

		set_ctx("covariance closed form");
		cc_covariance(y, 2, 2, m, c, NULL, NULL);
		CHECK(c[0] == 1.0 && c[1] == 2.0 && c[2] == 2.0 && c[3] == 4.0);
	}
	set_ctx("%s", "");
}

/*
 * Check an eigen-decomposition of the symmetric d x d matrix a: A v =
 * lambda v to 1e-10 of the Frobenius norm of A, orthonormal vectors,
 * decreasing values, the largest-magnitude entry of each vector positive,
 * trace and sum of squares preserved.  Failures clear ok[0..4].
 */
static void
check_eigen(const double *a, int d, const double *values,
			const double *vectors, bool *ok)
{
	long double frob2 = 0.0L,
				trace = 0.0L,
				sv = 0.0L,
				sv2 = 0.0L;
	long double frob;
	int			i,
				k,
				c;

	for (i = 0; i < d; i++)
	{
		trace += a[i * d + i];
		for (k = 0; k < d; k++)
			frob2 += (long double) a[i * d + k] * a[i * d + k];
	}
	frob = sqrtl(frob2);
	for (i = 0; i < d; i++)
	{
		const double *v = vectors + (size_t) i * d;
		int			big = 0;

		for (k = 0; k < d; k++)
		{
			long double s = 0.0L,
						dot = 0.0L;

			for (c = 0; c < d; c++)
			{
				s += (long double) a[k * d + c] * v[c];
				dot += (long double) v[c] * vectors[(size_t) k * d + c];
			}
			s -= (long double) values[i] * v[k];
			if (!(fabsl(s) <= 1e-10L * frob))
				ok[0] = false;
			if (!(fabsl(dot - (i == k ? 1.0L : 0.0L)) <= 1e-12L))
				ok[1] = false;
			if (fabs(v[k]) > fabs(v[big]))
				big = k;
		}
		if (i > 0 && !(values[i] <= values[i - 1]))
			ok[2] = false;
		if (!(v[big] > 0.0))
			ok[3] = false;
		sv += values[i];
		sv2 += (long double) values[i] * values[i];
	}
	if (!(fabsl(sv - trace) <= 1e-12L * d * frob + 1e-300L) ||
		!(fabsl(sv2 - frob2) <= 1e-12L * frob2 + 1e-300L))
		ok[4] = false;
}

/* Run cc_symmetric_eigen on a copy of a; values and vectors as it returns them. */
static void
run_eigen(const double *a, int d, double *values, double *vectors,
		  const CcAllocator *alloc)
{
	double	   *work = dalloc((size_t) d * d);

	memcpy(work, a, (size_t) d * d * sizeof(double));
	cc_symmetric_eigen(work, d, values, vectors, alloc);
	tfree(work);
}

/* Check cc_symmetric_eigen on diagonal matrices: the diagonal, sorted, and unit vectors. */
static void
test_eigen_diagonal(void)
{
	static const double diag5[5] = {3, -1, 7, 0, 7};
	static const double sorted5[5] = {7, 7, 3, 0, -1};
	double		a[25],
				values[5],
				vectors[25];
	bool		ok_vec = true,
				seen[5] = {false, false, false, false, false};
	int			i,
				k;

	set_ctx("eigen diagonal");
	memset(a, 0, sizeof(a));
	for (i = 0; i < 5; i++)
		a[i * 5 + i] = diag5[i];
	run_eigen(a, 5, values, vectors, A);
	CHECK(memcmp(values, sorted5, sizeof(sorted5)) == 0);
	/* vector i: the unit vector of a diagonal entry equal to values[i] */
	for (i = 0; i < 5; i++)
	{
		int			at = -1;

		for (k = 0; k < 5; k++)
		{
			double		v = vectors[i * 5 + k];

			if (fabs(v - 1.0) <= 1e-15 && at < 0)
				at = k;
			else if (!(fabs(v) <= 1e-15))
				ok_vec = false;
		}
		if (at < 0 || seen[at] || diag5[at] != values[i])
			ok_vec = false;
		else
			seen[at] = true;
	}
	CHECK(ok_vec);

	/* 1 x 1: the entry, vector +1 */
	{
		double		one = -4.0,
					val,
					vec;

		set_ctx("eigen 1 x 1");
		run_eigen(&one, 1, &val, &vec, A);
		CHECK(val == -4.0 && vec == 1.0);
	}
	/* zero matrix: zero values, an orthonormal basis */
	{
		bool		ok[5] = {true, true, true, true, true};

		set_ctx("eigen zero matrix");
		memset(a, 0, sizeof(a));
		run_eigen(a, 4, values, vectors, A);
		CHECK(values[0] == 0.0 && values[1] == 0.0 && values[2] == 0.0 &&
			  values[3] == 0.0);
		check_eigen(a, 4, values, vectors, ok);
		CHECK(ok[0] && ok[1] && ok[2] && ok[3] && ok[4]);
	}
	set_ctx("%s", "");
}

/*
 * Make a = Q diag(D) Q^T (d x d) with Q the product of two Householder
 * reflections of random vectors: symmetric, eigenvalues D.
 */
static void
make_known_spectrum(TRand *r, const double *D, int d, double *a)
{
	long double *q = talloc((size_t) d * d, sizeof(long double));
	long double *t = talloc((size_t) d * d, sizeof(long double));
	double	   *u = dalloc(d);
	int			refl,
				i,
				k,
				l;

	for (i = 0; i < d; i++)
		for (k = 0; k < d; k++)
			q[i * d + k] = (i == k) ? 1.0L : 0.0L;
	for (refl = 0; refl < 2; refl++)
	{
		long double uu = 0.0L;

		for (i = 0; i < d; i++)
		{
			u[i] = tr_normal(r);
			uu += (long double) u[i] * u[i];
		}
		/* q = q (I - 2 u u^T / u^T u) */
		for (i = 0; i < d; i++)
			for (k = 0; k < d; k++)
			{
				long double s = 0.0L;

				for (l = 0; l < d; l++)
					s += q[i * d + l] * ((l == k ? 1.0L : 0.0L) -
										 2.0L * u[l] * u[k] / uu);
				t[i * d + k] = s;
			}
		memcpy(q, t, (size_t) d * d * sizeof(long double));
	}
	for (i = 0; i < d; i++)
		for (k = i; k < d; k++)
		{
			long double s = 0.0L;

			for (l = 0; l < d; l++)
				s += q[i * d + l] * D[l] * q[k * d + l];
			a[i * d + k] = a[k * d + i] = (double) s;
		}
	tfree(q);
	tfree(t);
	tfree(u);
}

/*
 * Check cc_symmetric_eigen on matrices of known spectrum (repeated, zero,
 * negative and widely spread eigenvalues) and on random symmetric
 * matrices, and that it releases what it allocates.
 */
static void
test_eigen_random(void)
{
	static const struct
	{
		int			d;
		double		D[8];
	}			spectra[] = {
		{1, {5}},
		{2, {2, 1}},
		{2, {-3, -3}},
		{3, {0, 0, 0}},
		{4, {5, 5, 5, 5}},
		{5, {1, 0, 0, 0, -1}},
		{6, {3, 3, 1, -2, -2, 0}},
		{4, {1e6, 1, 1e-6, -1}},
		{8, {8, 7, 6, 5, 4, 3, 2, 1}},
		{8, {1, 1, 1, 1, 1, 1, 1, 2}},
	};
	static const int dims[] = {2, 3, 4, 5, 8, 12};
	double		a[144],
				values[12],
				vectors[144];
	TRand		r;
	size_t		si;
	int			trial;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);

	tr_seed(&r, 6100);
	for (si = 0; si < sizeof(spectra) / sizeof(spectra[0]); si++)
		for (trial = 0; trial < 3; trial++)
		{
			int			d = spectra[si].d;
			double		sorted[8];
			double		big = 0.0;
			bool		ok[5] = {true, true, true, true, true};
			bool		ok_values = true;
			int			i;

			memcpy(sorted, spectra[si].D, d * sizeof(double));
			qsort(sorted, d, sizeof(double), cmp_double);
			for (i = 0; i < d; i++)
				big = fabs(sorted[i]) > big ? fabs(sorted[i]) : big;
			make_known_spectrum(&r, spectra[si].D, d, a);
			run_eigen(a, d, values, vectors, &ca);
			for (i = 0; i < d; i++)
				if (!(fabs(values[i] - sorted[d - 1 - i]) <= 1e-12 * big))
					ok_values = false;
			check_eigen(a, d, values, vectors, ok);
			set_ctx("eigen known spectrum %zu trial %d (d=%d)", si, trial, d);
			CHECK(ok_values);
			CHECK(ok[0]);
			CHECK(ok[1]);
			CHECK(ok[2]);
			CHECK(ok[3]);
			CHECK(ok[4]);
		}

	for (si = 0; si < sizeof(dims) / sizeof(dims[0]); si++)
		for (trial = 0; trial < 6; trial++)
		{
			int			d = dims[si];
			double		scale[12];
			bool		ok[5] = {true, true, true, true, true};
			int			i,
						k;

			/* trials 3..5: rows and columns scaled from 1e-3 to 1e3 */
			for (i = 0; i < d; i++)
				scale[i] = trial < 3 ? 1.0 : pow(10.0, -3.0 + 6.0 * tr_unif(&r));
			for (i = 0; i < d; i++)
				for (k = i; k < d; k++)
					a[i * d + k] = a[k * d + i] = scale[i] * scale[k] * tr_normal(&r);
			run_eigen(a, d, values, vectors, &ca);
			check_eigen(a, d, values, vectors, ok);
			set_ctx("eigen random d=%d trial %d", d, trial);
			CHECK(ok[0]);
			CHECK(ok[1]);
			CHECK(ok[2]);
			CHECK(ok[3]);
			CHECK(ok[4]);
		}
	set_ctx("eigen allocations");
	CHECK(ctx.live == 0 && !ctx.bad_release && ctx.calls > 0);
	set_ctx("%s", "");
}

/*
 * Check cc_symmetric_eigen on 2 x 2 matrices against the closed form:
 * lambda = (a + c) / 2 +- sqrt(((a - c) / 2)^2 + b^2), vector (b, lambda - a).
 */
static void
test_eigen_2x2(void)
{
	static const double abc[][3] = {
		{4, 1, 2}, {1, -3, 2}, {-1, 0.5, -5}, {1e3, 1, -1e3}, {0, 1e-8, 1},
		{7, 0, 3}, {3, 0, 7}, {1, 1e-3, 1.001}, {-2, 5, 1}
	};
	double		values[2],
				vectors[4];
	size_t		ti;

	/* [[2, 2], [2, 5]]: 6 and 1, (1, 2) / sqrt(5) and (2, -1) / sqrt(5) */
	{
		double		a[4] = {2, 2, 2, 5};

		set_ctx("eigen 2 x 2 [[2, 2], [2, 5]]");
		run_eigen(a, 2, values, vectors, A);
		CHECK(close_to(values[0], 6.0, 1e-15, 0) && fabs(values[1] - 1.0) <= 1e-15 * 6.0);
		CHECK(close_to(vectors[0], 1.0 / sqrt(5.0), 1e-14, 0) &&
			  close_to(vectors[1], 2.0 / sqrt(5.0), 1e-14, 0));
		CHECK(close_to(vectors[2], 2.0 / sqrt(5.0), 1e-14, 0) &&
			  close_to(vectors[3], -1.0 / sqrt(5.0), 1e-14, 0));
	}

	for (ti = 0; ti < sizeof(abc) / sizeof(abc[0]); ti++)
	{
		long double a = abc[ti][0],
					b = abc[ti][1],
					c = abc[ti][2];
		long double h = sqrtl((a - c) * (a - c) / 4.0L + b * b);
		long double lam[2] = {(a + c) / 2.0L + h, (a + c) / 2.0L - h};
		double		m[4] = {abc[ti][0], abc[ti][1], abc[ti][1], abc[ti][2]};
		long double scale = fabsl(lam[0]) > fabsl(lam[1]) ? fabsl(lam[0]) : fabsl(lam[1]);
		bool		ok_val = true,
					ok_vec = true;
		int			i;

		run_eigen(m, 2, values, vectors, A);
		for (i = 0; i < 2; i++)
		{
			/* (b, lambda - a) and (lambda - c, b) both solve; take the longer */
			long double v0 = b,
						v1 = lam[i] - a,
						w0 = lam[i] - c,
						w1 = b,
						norm;

			if (w0 * w0 + w1 * w1 > v0 * v0 + v1 * v1)
			{
				v0 = w0;
				v1 = w1;
			}
			norm = sqrtl(v0 * v0 + v1 * v1);
			v0 /= norm;
			v1 /= norm;
			if ((fabsl(v0) >= fabsl(v1) ? v0 : v1) < 0)
			{
				v0 = -v0;
				v1 = -v1;
			}
			if (!(fabsl(values[i] - lam[i]) <= 1e-15L * scale))
				ok_val = false;
			if (!(fabsl(vectors[i * 2] - v0) <= 1e-12L &&
				  fabsl(vectors[i * 2 + 1] - v1) <= 1e-12L))
				ok_vec = false;
		}
		set_ctx("eigen 2 x 2 [[%g, %g], [%g, %g]]", m[0], m[1], m[2], m[3]);
		CHECK(ok_val);
		CHECK(ok_vec);
	}
	set_ctx("%s", "");
}

/*
 * Check cc_pca of x (n x d) with ncomp components against the covariance
 * computed here: ratios non-negative, decreasing, summing to 1; component
 * rows unit-norm, orthogonal, largest loading positive, and eigenvectors
 * of the covariance for ratio * trace; rows beyond d NaN.  Returns the
 * ratios in ratio (d).
 */
static void
check_pca(const double *x, size_t n, int d, int ncomp, double *ratio)
{
	double	   *comp = dalloc((size_t) ncomp * d);
	long double *cov = talloc((size_t) d * d, sizeof(long double));
	double	   *mean = dalloc(d);
	long double trace = 0.0L,
				sum = 0.0L;
	bool		ok_ratio = true,
				ok_unit = true,
				ok_eigen = true,
				ok_sign = true,
				ok_nan = true;
	CountCtx	ctx;
	CcAllocator ca = counting_allocator(&ctx);
	int			calls = 0,
				c,
				j,
				k;

	for (j = 0; j < d; j++)
	{
		long double m,
					v;

		ref_mean_var(x, n, d, j, &m, &v);
		mean[j] = (double) m;
	}
	ref_covariance(x, n, d, mean, cov);
	for (j = 0; j < d; j++)
		trace += cov[j * d + j];

	cc_pca(x, n, d, ncomp, ratio, comp, &ca, bump_counter, &calls);
	for (j = 0; j < d; j++)
	{
		sum += ratio[j];
		if (!(ratio[j] >= 0.0) || (j > 0 && !(ratio[j] <= ratio[j - 1])))
			ok_ratio = false;
	}
	if (!(fabsl(sum - 1.0L) <= 1e-12L))
		ok_ratio = false;
	for (c = 0; c < ncomp; c++)
	{
		const double *v = comp + (size_t) c * d;
		int			big = 0;

		if (c >= d)
		{
			for (j = 0; j < d; j++)
				if (!isnan(v[j]))
					ok_nan = false;
			continue;
		}
		for (k = 0; k <= c; k++)
		{
			long double dot = 0.0L;

			for (j = 0; j < d; j++)
				dot += (long double) v[j] * comp[(size_t) k * d + j];
			if (!(fabsl(dot - (k == c ? 1.0L : 0.0L)) <= 1e-12L))
				ok_unit = false;
		}
		for (j = 0; j < d; j++)
		{
			long double s = 0.0L;

			for (k = 0; k < d; k++)
				s += cov[j * d + k] * v[k];
			s -= (long double) ratio[c] * trace * v[j];
			if (!(fabsl(s) <= 1e-10L * trace))
				ok_eigen = false;
			if (fabs(v[j]) > fabs(v[big]))
				big = j;
		}
		if (!(v[big] > 0.0))
			ok_sign = false;
	}
	CHECK(ok_ratio);
	CHECK(ok_unit);
	CHECK(ok_eigen);
	CHECK(ok_sign);
	CHECK(ok_nan);
	CHECK(calls > 0);
	CHECK(ctx.live == 0 && !ctx.bad_release);
	tfree(comp);
	tfree(cov);
	tfree(mean);
}

/*
 * Check cc_pca on correlated, uniform, two-column (closed form) and
 * rank-deficient (duplicated column) data, with fewer, as many and more
 * components than columns.
 */
static void
test_pca(void)
{
	const size_t n = 400;
	double	   *x = dalloc(n * 6);
	double		ratio[6];
	TRand		r;
	int			d,
				ncomp;
	size_t		i;

	tr_seed(&r, 6200);
	for (d = 1; d <= 6; d++)
	{
		make_correlated(&r, x, n, d);
		for (ncomp = 1; ncomp <= d + 2; ncomp++)
		{
			set_ctx("pca correlated d=%d ncomp=%d", d, ncomp);
			check_pca(x, n, d, ncomp, ratio);
		}
	}
	for (i = 0; i < n * 6; i++)
		x[i] = tr_unif(&r);
	set_ctx("pca uniform d=6");
	check_pca(x, n, 6, 6, ratio);

	/* two columns: ratios from the closed-form eigenvalues */
	{
		long double cov[4],
					h,
					l1,
					l2;
		double		mean[2];
		int			j;

		make_correlated(&r, x, n, 2);
		for (j = 0; j < 2; j++)
		{
			long double m,
						v;

			ref_mean_var(x, n, 2, j, &m, &v);
			mean[j] = (double) m;
		}
		ref_covariance(x, n, 2, mean, cov);
		h = sqrtl((cov[0] - cov[3]) * (cov[0] - cov[3]) / 4.0L + cov[1] * cov[1]);
		l1 = (cov[0] + cov[3]) / 2.0L + h;
		l2 = (cov[0] + cov[3]) / 2.0L - h;
		set_ctx("pca closed form d=2");
		check_pca(x, n, 2, 2, ratio);
		CHECK(fabsl(ratio[0] - l1 / (l1 + l2)) <= 1e-12L);
		CHECK(fabsl(ratio[1] - l2 / (l1 + l2)) <= 1e-12L);
	}

	/* a duplicated column: one ratio ~0 */
	for (d = 3; d <= 4; d++)
	{
		make_correlated(&r, x, n, d);
		for (i = 0; i < n; i++)
			x[i * d + d - 1] = x[i * d + 0];
		set_ctx("pca duplicated column d=%d", d);
		check_pca(x, n, d, d + 1, ratio);
		CHECK(ratio[d - 1] >= 0.0 && ratio[d - 1] <= 1e-12);
		CHECK(ratio[d - 2] > 1e-6);
	}
	tfree(x);
	set_ctx("%s", "");
}

/* The tests of this file; the order numbers place them in a full run. */
/* A poll function that always asks to stop. */
static bool
stop_now(void *arg)
{
	(void) arg;
	return true;
}

/*
 * cc_covariance_parallel and cc_pca_parallel against the serial ones, bit
 * for bit, with 1 to 3 threads: rows over several chunks and not a multiple
 * of CC_COV_ROWS, columns over two blocks; a stop request ends them.
 */
static void
test_covariance_parallel(void)
{
	const size_t n = 70001;
	const int	d = 37;
	double	   *x = dalloc(n * d);
	double	   *mean = dalloc(d);
	double	   *var = dalloc(d);
	double	   *want = dalloc((size_t) d * d);
	double	   *got = dalloc((size_t) d * d);
	double		ratio[37],
				comp[3 * 37],
				ratio_t[37],
				comp_t[3 * 37];
	TRand		r;
	size_t		i;
	int			t,
				calls = 0;

	tr_seed(&r, 8128);
	for (i = 0; i < n * (size_t) d; i++)
		x[i] = tr_normal(&r) * (1.0 + (double) (i % d)) + (double) (i % 5);
	cc_columns_mean_var(x, n, d, 0, d, mean, var);
	cc_covariance(x, n, d, mean, want, NULL, NULL);
	cc_pca_mean(x, n, d, mean, 3, ratio, comp, A, NULL, NULL);
	for (t = 1; t <= 3; t++)
	{
		set_ctx("covariance threads=%d", t);
		CHECK(cc_covariance_parallel(x, n, d, mean, got, t, bump_counter, NULL,
									 &calls, A));
		CHECK(memcmp(got, want, sizeof(double) * d * d) == 0);
		CHECK(cc_pca_parallel(x, n, d, mean, 3, ratio_t, comp_t, t, NULL, NULL,
							  NULL, A));
		CHECK(memcmp(ratio_t, ratio, sizeof(ratio)) == 0 &&
			  memcmp(comp_t, comp, sizeof(comp)) == 0);
	}
	CHECK(calls > 0);
	set_ctx("covariance stopped");
	CHECK(!cc_covariance_parallel(x, n, d, mean, got, 2, NULL, stop_now, NULL, A));
	CHECK(!cc_pca_parallel(x, n, d, mean, 3, ratio_t, comp_t, 2, NULL, stop_now,
						   NULL, A));
	set_ctx("%s", "");
	tfree(x);
	tfree(mean);
	tfree(var);
	tfree(want);
	tfree(got);
}

static const UnitTest tests[] = {
	UNIT_TEST(covariance, 550),
	UNIT_TEST(covariance_parallel, 555),
	UNIT_TEST(eigen_diagonal, 560),
	UNIT_TEST(eigen_random, 570),
	UNIT_TEST(eigen_2x2, 580),
	UNIT_TEST(pca, 590),
};

const UnitModule linalg_module = {"linalg", tests, lengthof(tests)};
