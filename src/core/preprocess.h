/*
 * preprocess.h
 *		Imputation of missing values and feature scaling, fitted once on the
 *		training matrix and stored in the model so scoring repeats them.
 */
#ifndef CC_PREPROCESS_H
#define CC_PREPROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

typedef enum CcImpute
{
	CC_IMPUTE_MEDIAN = 0,
	CC_IMPUTE_MEAN = 1,
	CC_IMPUTE_ZERO = 2,
	CC_IMPUTE_DROP = 3,			/* rows with a missing value are left out */
	CC_IMPUTE_COUNT				/* the number of methods, not one of them */
} CcImpute;

typedef enum CcScale
{
	CC_SCALE_STANDARD = 0,		/* (x - mean) / population std */
	CC_SCALE_MINMAX = 1,		/* (x - min) / (max - min) */
	CC_SCALE_ROBUST = 2,		/* (x - median) / (q75 - q25) */
	CC_SCALE_NONE = 3,
	CC_SCALE_COUNT				/* the number of methods, not one of them */
} CcScale;

/* Parse and name the methods; parse returns -1 for an unknown word. */
extern int	cc_impute_parse(const char *word);
extern const char *cc_impute_name(CcImpute how);
extern int	cc_scale_parse(const char *word);
extern const char *cc_scale_name(CcScale how);

/*
 * Fit imputation values for the d columns of x (n rows, NaN = missing).
 * values[j] is NaN for CC_IMPUTE_DROP.  Returns -1 on success, or the index
 * of the first column without any value (which cannot be imputed).
 */
extern int	cc_impute_fit(const double *x, size_t n, int d, CcImpute how,
						  double *values, const CcAllocator *alloc);

/*
 * Replace missing values in place.  For CC_IMPUTE_DROP rows with a missing
 * value are removed and the remaining rows moved up; returns the new count.
 */
extern size_t cc_impute_apply(double *x, size_t n, int d, CcImpute how,
							  const double *values);

/*
 * Fit a scaler on a matrix without missing values: x' = (x - center) / scale.
 * Columns whose spread is zero (within rounding) get scale 1; constant[j]
 * (may be NULL) reports them.
 */
extern void cc_scale_fit(const double *x, size_t n, int d, CcScale how,
						 double *center, double *scale, bool *constant,
						 const CcAllocator *alloc);

/* Apply a fitted scaler to n rows in place. */
extern void cc_scale_apply(double *x, size_t n, int d, const double *center,
						   const double *scale);

/*
 * Values of ranks k and k + 1 of the present values of w <= 32 columns in
 * one walk over the rows, by sampling (see preprocess.c); returns the mask
 * of the columns it found.  The imputers and scalers use it from
 * CC_ORDER_PAIRS_MIN_ROWS rows on.
 */
#define CC_ORDER_PAIRS_MIN_ROWS 32768
extern uint32_t cc_order_pairs(const double *x, size_t n, int d, int j0, int w,
							   int npairs, const size_t *present,
							   const size_t *rank, double *lo_out,
							   double *hi_out, const CcAllocator *alloc);

#endif							/* CC_PREPROCESS_H */
