/*
 * matrix.c
 *		Allocation helpers, selection and quantiles for the ccseg core.
 */
#include <stdlib.h>

#include "matrix.h"

static void *
malloc_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void
malloc_release(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

const CcAllocator cc_malloc_allocator = {malloc_alloc, malloc_release, NULL};

/* Allocate n * size bytes through the allocator, NULL on overflow. */
void *
cc_alloc_array(const CcAllocator *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return a->alloc(a->ctx, n * size);
}

/* Release memory obtained from cc_alloc_array; NULL is ignored. */
void
cc_release(const CcAllocator *a, void *ptr)
{
	if (ptr != NULL)
		a->release(a->ctx, ptr);
}

/* Mean and population variance of one column of a row-major matrix. */
void
cc_column_mean_var(const double *x, size_t n, int d, int j, double *mean,
				   double *var)
{
	CcSum		s = {0, 0};
	CcSum		q = {0, 0};
	double		mu;
	size_t		i;

	for (i = 0; i < n; i++)
		cc_sum_add(&s, x[i * d + j]);
	mu = cc_sum_value(&s) / (double) n;
	for (i = 0; i < n; i++)
	{
		double		t = x[i * d + j] - mu;

		cc_sum_add(&q, t * t);
	}
	*mean = mu;
	*var = cc_sum_value(&q) / (double) n;
}

/*
 * Mean and population variance of columns j0 .. j0 + w - 1 into mean[0..w-1]
 * and var[0..w-1], bit-identical to calling cc_column_mean_var for each: the
 * same compensated sums in the same row order, but up to CC_COLUMN_BLOCK
 * columns per pass, reading the matrix row by row instead of striding down
 * one column at a time.
 */
void
cc_columns_mean_var(const double *x, size_t n, int d, int j0, int w,
					double *mean, double *var)
{
	int			b0;

	for (b0 = 0; b0 < w; b0 += CC_COLUMN_BLOCK)
	{
		int			bw = (w - b0 < CC_COLUMN_BLOCK) ? w - b0 : CC_COLUMN_BLOCK;
		CcSum		s[CC_COLUMN_BLOCK];
		CcSum		q[CC_COLUMN_BLOCK];
		double		mu[CC_COLUMN_BLOCK];
		size_t		i;
		int			j;

		for (j = 0; j < bw; j++)
			s[j].sum = s[j].comp = q[j].sum = q[j].comp = 0.0;
		for (i = 0; i < n; i++)
		{
			const double *row = x + i * d + j0 + b0;

			for (j = 0; j < bw; j++)
				cc_sum_add(&s[j], row[j]);
		}
		for (j = 0; j < bw; j++)
			mu[j] = cc_sum_value(&s[j]) / (double) n;
		for (i = 0; i < n; i++)
		{
			const double *row = x + i * d + j0 + b0;

			for (j = 0; j < bw; j++)
			{
				double		t = row[j] - mu[j];

				cc_sum_add(&q[j], t * t);
			}
		}
		for (j = 0; j < bw; j++)
		{
			mean[b0 + j] = mu[j];
			var[b0 + j] = cc_sum_value(&q[j]) / (double) n;
		}
	}
}

static inline void
swap_d(double *a, size_t i, size_t j)
{
	double		t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Quickselect (Hoare, "Algorithm 65: Find", 1961) with median-of-three pivots. */
void
cc_select(double *a, size_t n, size_t kth)
{
	size_t		lo = 0;
	size_t		hi = n - 1;

	while (hi > lo)
	{
		size_t		mid = lo + (hi - lo) / 2;
		double		pivot;
		size_t		i,
					j;

		/* order a[lo], a[mid], a[hi] and use the middle one as pivot */
		if (a[mid] < a[lo])
			swap_d(a, mid, lo);
		if (a[hi] < a[lo])
			swap_d(a, hi, lo);
		if (a[hi] < a[mid])
			swap_d(a, hi, mid);
		if (hi - lo < 3)
			return;
		pivot = a[mid];
		swap_d(a, mid, hi - 1);
		i = lo;
		j = hi - 1;
		for (;;)
		{
			while (a[++i] < pivot)
				;
			while (pivot < a[--j])
				;
			if (i >= j)
				break;
			swap_d(a, i, j);
		}
		swap_d(a, i, hi - 1);
		if (kth == i)
			return;
		if (kth < i)
			hi = i - 1;
		else
			lo = i + 1;
	}
}

/* Return the smallest of a[0..n-1]. */
double
cc_min(const double *a, size_t n)
{
	double		m = a[0];
	size_t		i;

	for (i = 1; i < n; i++)
		if (a[i] < m)
			m = a[i];
	return m;
}

/* Linear-interpolated quantile, reordering a; same convention as numpy. */
double
cc_quantile(double *a, size_t n, double q)
{
	double		pos = q * (double) (n - 1);
	size_t		lo = (size_t) pos;
	double		t = pos - (double) lo;
	double		vlo,
				vhi,
				diff;

	if (lo >= n - 1)
	{
		cc_select(a, n, n - 1);
		return a[n - 1];
	}
	cc_select(a, n, lo);
	vlo = a[lo];
	if (t == 0.0)
		return vlo;
	vhi = cc_min(a + lo + 1, n - lo - 1);
	diff = vhi - vlo;
	/* numpy's lerp: interpolate from the nearer end for accuracy */
	if (t >= 0.5)
		return vhi - diff * (1.0 - t);
	return vlo + diff * t;
}
