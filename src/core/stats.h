/*
 * stats.h
 *		Exploratory statistics of feature columns, with pandas' conventions:
 *		describe, Pearson correlation on pairwise-complete rows, histograms.
 */
#ifndef CC_STATS_H
#define CC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

typedef struct CcColumnStats
{
	int64_t		count;			/* non-missing values */
	int64_t		missing;
	double		mean;
	double		std;			/* sample standard deviation (n - 1), NaN below 2 values */
	double		min;
	double		p25;
	double		median;
	double		p75;
	double		max;
	double		skewness;		/* adjusted Fisher-Pearson, NaN below 3 values */
	int64_t		outliers;		/* values beyond 1.5 IQR from the quartiles */
} CcColumnStats;

/* Statistics of column j of an n x d matrix (NaN = missing); NaN fields when count is 0. */
extern void cc_describe_column(const double *x, size_t n, int d, int j,
							   CcColumnStats *out, const CcAllocator *alloc);

/*
 * Pearson correlation of columns a and b over the rows where both are
 * present; NaN when fewer than two such rows or a column is constant there.
 * *pairs gets the number of rows used.
 */
extern double cc_pearson(const double *x, size_t n, int d, int a, int b,
						 int64_t *pairs);

/*
 * Equal-width histogram of column j: bins + 1 edges from the minimum to the
 * maximum, counts per bin (the last bin includes the maximum).  A value
 * falls in bin b when edges[b] <= v < edges[b + 1].  Returns the number of
 * non-missing values; with none, edges are NaN and counts 0.
 */
extern int64_t cc_histogram(const double *x, size_t n, int d, int j, int bins,
							double *edges, int64_t *counts);

#endif							/* CC_STATS_H */
