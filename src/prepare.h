/*
 * prepare.h
 *		A relation read, imputed and scaled: the matrix k-means works on,
 *		with the preprocessing fitted on it (prepare.c).  Training and the
 *		elbow share it, so both see exactly the same data; ccseg_fit imputes
 *		and scales the rows it collected with its second half
 *		(ccseg_prepare_matrix).
 */
#ifndef CCSEG_PREPARE_H
#define CCSEG_PREPARE_H

#include "utils/array.h"

#include "model.h"
#include "preprocess.h"
#include "reader.h"

typedef struct CcsegPrepared
{
	CcsegFeatures f;
	const char *relname;		/* NULL for ccseg_fit's rows */
	CcImpute	impute;
	CcScale		scale;
	double	   *impute_values;	/* d */
	double	   *center;			/* d */
	double	   *scale_values;	/* d */
	/* per-feature transforms (ccseg_resolve_transforms); NULL: none */
	int		   *transform;		/* d: CcTransform */
	double	   *tq_lo;			/* d: clip quantiles asked for; NaN otherwise */
	double	   *tq_hi;
	double	   *transform_a;	/* d: fitted parameters (clip bounds) */
	double	   *transform_b;
	double	   *transform_mean; /* d: mean of the transformed column, NaN when none */
	double	   *weights;		/* d: multiply the scaled values; NULL: none */
	/* one-hot indicators (ccseg_prepare with categorical columns); NULL: none */
	char	  **category_column;	/* d: an indicator's column, NULL for numeric */
	char	  **category;		/* d: an indicator's category, NULL for NULL */
	double	   *feature_mean;	/* d: imputed rows, original units */
	double	   *feature_std;	/* d: population */
	double	   *x;				/* n x d, imputed and scaled */
	double	   *scaled_sums;	/* the first sums of x's column moments, taken
								 * by the scaling (cc_columns_mean_var_given),
								 * or NULL */
	size_t		n_read;			/* rows read */
	size_t		n;				/* rows kept (impute = drop drops some) */
	size_t		n_source;		/* rows in the relation */
	bool		sampled;		/* x holds a sample of them */
	const char *order_by;		/* id column, or NULL */
	Oid			relid;
	double		read_seconds;	/* reading the rows into x */
	double		preprocess_seconds; /* imputing and scaling them */
} CcsegPrepared;

extern void ccseg_prepare(Oid relid, ArrayType *features, const char *id_column,
						  CcImpute impute, CcScale scale, ArrayType *transforms,
						  ArrayType *weights, ArrayType *categorical, int k,
						  uint64 seed,
						  MemoryContext cxt, CcsegPrepared *p);
extern void ccseg_resolve_weights(ArrayType *weights, CcsegPrepared *p,
								  MemoryContext cxt);
extern void ccseg_weight_rows(const CcsegPrepared *p, double *x, size_t n);
extern void ccseg_resolve_transforms(ArrayType *spec, CcsegPrepared *p,
									 MemoryContext cxt);
extern void ccseg_transform_rows(const CcsegPrepared *p, double *x, size_t n);
extern void ccseg_prepared_map(const CcsegPrepared *p, CcFeatureMap *fm);
extern void ccseg_prepare_matrix(CcsegPrepared *p, MemoryContext cxt);
extern void ccseg_check_k_rows(const CcsegPrepared *p, const char *what, int k);
extern void ccseg_check_scaled(const CcsegPrepared *p, const double *x, size_t n);
extern void ccseg_prepared_to_model(const CcsegPrepared *p, CcModel *m);

#endif							/* CCSEG_PREPARE_H */
