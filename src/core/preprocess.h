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
#include "parallel.h"

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

/*
 * Per-feature transforms, applied after imputation and before scaling, with
 * parameters fitted on the training rows (a and b below; NaN when unused).
 * Every scoring path goes through cc_map_forward and every report in
 * original units through cc_map_inverse, so a new transform is a member of
 * this enumeration, a row of cc_transforms (preprocess.c), its parsing in
 * cc_transform_parse and, when it is fitted, its fitting in
 * cc_transform_fit.
 */
typedef enum CcTransform
{
	CC_TRANSFORM_NONE = 0,
	CC_TRANSFORM_LOG1P = 1,		/* log(1 + x), for x > -1; inverse expm1 */
	CC_TRANSFORM_CLIP = 2,		/* min(max(x, a), b): a and b are quantiles
								 * of the training column; inverse the identity */
	CC_TRANSFORM_COUNT			/* the number of transforms, not one of them */
} CcTransform;

typedef struct CcTransformOps
{
	const char *name;
	double		domain_lo;		/* values up to this one are refused (NaN: none) */
	double		(*forward) (double v, double a, double b);
	double		(*inverse) (double v, double a, double b);
} CcTransformOps;

extern const CcTransformOps cc_transforms[CC_TRANSFORM_COUNT];

/*
 * Parse a transform as the SQL parameter spells it: "none", "log1p",
 * "clip" (quantiles 0.01 and 0.99) or "clip(lo,hi)" with 0 <= lo < hi <= 1.
 * Returns the transform, or -1 for an unknown word and -2 for quantiles
 * out of range; *qlo and *qhi get the quantiles (NaN unless clip).
 */
extern int	cc_transform_parse(const char *word, double *qlo, double *qhi);

/*
 * Fit the parameters of the transform of column j of x (n rows, d columns,
 * no missing value): for clip, the quantiles qlo and qhi (numpy's linear
 * interpolation) into *a and *b; NaN for the others.
 */
extern void cc_transform_fit(const double *x, size_t n, int d, int j,
							 CcTransform how, double qlo, double qhi,
							 double *a, double *b, const CcAllocator *alloc);

/*
 * The preprocessing after imputation, one value per feature: transform,
 * then (x - center) / scale, then times weight.  transform and weight may
 * be NULL (none, and 1).  cc_map_forward maps a row of imputed original
 * values into the space k-means works in, returning -1, or the first
 * feature whose value is outside its transform's domain; cc_map_inverse
 * maps a point of that space back to original units (clipping is not
 * undone).
 */
typedef struct CcFeatureMap
{
	int			d;
	const int  *transform;		/* CcTransform per feature, or NULL */
	const double *ta;			/* transform parameters, or NULL */
	const double *tb;
	const double *center;
	const double *scale;
	const double *weight;		/* or NULL */
} CcFeatureMap;

extern int	cc_map_forward(const CcFeatureMap *fm, const double *in, double *out);
extern void cc_map_inverse(const CcFeatureMap *fm, const double *in, double *out);

/* Whether any feature of the map has a transform other than none. */
extern bool cc_map_has_transform(const CcFeatureMap *fm);

/*
 * Apply the transforms of fm (not the scaling) to n rows in place; returns
 * -1, or the index of the first value (row * d + feature) outside its
 * transform's domain, leaving the rows partly transformed.
 */
extern ptrdiff_t cc_transform_apply(double *x, size_t n, const CcFeatureMap *fm);

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
 * cc_impute_fit with its walks over the rows (the count of each column's
 * values, the medians) split between up to threads threads: the same
 * values.  Returns what cc_impute_fit returns, or CC_IMPUTE_FIT_STOPPED
 * when poll asked to stop (values then not filled).
 */
#define CC_IMPUTE_FIT_STOPPED (-2)
extern int	cc_impute_fit_parallel(const double *x, size_t n, int d,
								   CcImpute how, double *values, int threads,
								   CcPollFn poll, void *poll_arg,
								   const CcAllocator *alloc);

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

/*
 * The standard scaler from the columns' means and population variances over
 * n rows (as cc_columns_mean_var gives them): the same bits as cc_scale_fit
 * with CC_SCALE_STANDARD, without another walk over the rows.
 */
extern void cc_scale_fit_standard_moments(const double *mean, const double *var,
										  size_t n, int d, double *center,
										  double *scale, bool *constant);

/*
 * cc_impute_apply for a method other than CC_IMPUTE_DROP, the rows in parts
 * shared between up to threads threads: the same values.  With sums (not
 * NULL) and d at most CC_COLUMN_BLOCK, the walk also leaves there the first
 * sums of the imputed rows' moments, for cc_columns_mean_var_given
 * (matrix.h; one row of d per CC_MOMENT_ROWS rows); with more columns sums
 * is not touched.  false when poll asked to stop (some rows then left as
 * they were).
 */
extern bool cc_impute_apply_parallel(double *x, size_t n, int d,
									 const double *values, int threads,
									 CcPollFn poll, void *poll_arg,
									 double *sums);

/*
 * Scale n rows in place, (x - center) / scale, then times weight (NULL: no
 * weights), the rows in parts shared between up to threads threads: the
 * values cc_scale_apply and a multiplication give.  *first_big receives -1,
 * or the index (row * d + feature) of the first value whose magnitude then
 * exceeds limit.  sums as for cc_impute_apply_parallel, of the scaled
 * rows.  false when poll asked to stop.
 */
extern bool cc_scale_rows_parallel(double *x, size_t n, int d,
								   const double *center, const double *scale,
								   const double *weight, double limit,
								   int threads, CcPollFn poll, void *poll_arg,
								   ptrdiff_t *first_big, double *sums,
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
							   double *hi_out, int threads, CcPollFn poll,
							   void *poll_arg, bool *stopped,
							   const CcAllocator *alloc);

#endif							/* CC_PREPROCESS_H */
