/*
 * model.h
 *		A trained segmentation model: preprocessing, centroids and summary,
 *		everything scoring needs, with a flat binary form for storage.
 */
#ifndef CC_MODEL_H
#define CC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "preprocess.h"

#define CC_MODEL_FORMAT		2		/* of the flat, binary and JSON forms written */
#define CC_MODEL_FORMAT_MIN 1		/* the oldest format still read */
#define CC_MAX_K			10000
#define CC_MAX_FEATURES		1600	/* PostgreSQL's column limit */
#define CC_MAX_NAME_BYTES	63		/* NAMEDATALEN - 1 */
#define CC_PCA_COMPONENTS	3		/* principal axes kept in a model */
#define CC_PCA_MAX_FEATURES 256		/* PCA is skipped above this many features */

typedef struct CcModel
{
	int			k;
	int			d;
	CcImpute	impute;
	CcScale		scale;
	char	  **features;		/* d names */
	double	   *impute_values;	/* d; NaN for CC_IMPUTE_DROP */
	double	   *center;			/* d */
	double	   *scale_values;	/* d, > 0 */
	double	   *centroids;		/* k x d, in the scaled space */
	int64_t    *sizes;			/* k: training rows per segment */
	double	   *sse;			/* k: squared distances per segment */
	double		inertia;
	int			iterations;
	int64_t		rows;			/* training rows used */
	/* quality on the training rows; NaN when not computed or undefined (k = 1) */
	double		silhouette;
	int64_t		silhouette_rows;	/* rows it was computed on; 0 when not */
	double	   *segment_silhouette;	/* k */
	double		calinski_harabasz;
	double		davies_bouldin;
	/* the training rows in original units, after imputation */
	double	   *feature_mean;	/* d */
	double	   *feature_std;	/* d, population */
	/* PCA of the scaled training rows; NaN when not computed */
	double	   *pca_ratio;		/* d: explained variance ratio, decreasing */
	double	   *pca_components; /* CC_PCA_COMPONENTS x d, unit rows */
	/* against the version it was aligned to; NaN when not aligned */
	double		changed_share;	/* training rows whose segment changed */
	double	   *segment_drift;	/* k: distance moved by each centroid */
	/* per-feature transforms between imputation and scaling (preprocess.h) */
	int		   *transform;		/* d: CcTransform */
	double	   *transform_a;	/* d: parameters (clip: lower bound); NaN when unused */
	double	   *transform_b;	/* d: (clip: upper bound) */
	double	   *transform_mean; /* d: mean of the transformed training column;
								 * NaN for a feature without a transform */
	double	   *weights;		/* d: > 0, multiply the scaled values (1: none) */
	/* one-hot indicators of categorical columns (category.h) */
	char	  **category_column;	/* d: the categorical column of an
									 * indicator; NULL for a numeric feature */
	char	  **category;		/* d: an indicator's category (text form);
								 * NULL for the NULL category and numeric features */
} CcModel;

/*
 * The model's fields, described once.  cc_model_fields lists every field of
 * CcModel but k (the number of segments, and of rows of the per-segment
 * arrays), in the order of the JSON text form and of the flat and binary
 * forms; d is the number of feature names.  Allocation, release, the
 * shape and range checks of validation, the flat, binary and JSON forms,
 * and ccseg_model_summary's columns (which carry the same names) all come
 * from this table: a new field is one line in it (appended at the end and
 * optional, so that values stored before it still read), a member of
 * CcModel, an OUT column of ccseg_model_summary in the SQL scripts, and
 * the code that computes it.
 */
typedef enum CcFieldKind
{
	CC_FIELD_INT,				/* int; int32 in the flat and binary forms */
	CC_FIELD_INT64,				/* int64_t */
	CC_FIELD_DOUBLE,			/* double; NaN is null in JSON and SQL */
	CC_FIELD_NAMES,				/* char *: the feature names */
	CC_FIELD_IMPUTE,			/* CcImpute: by name in JSON and SQL, int32 in binary */
	CC_FIELD_SCALE,				/* CcScale: likewise */
	CC_FIELD_TRANSFORM,			/* int (CcTransform): by name in JSON and SQL,
								 * int32 in the flat and binary forms */
	CC_FIELD_TEXTS				/* char *, NULL allowed: strings or null in
								 * JSON and SQL; in the flat and binary forms
								 * a uint32 length (0xFFFFFFFF: NULL) and the
								 * bytes; initial value NULL */
} CcFieldKind;

typedef enum CcFieldShape
{
	CC_SHAPE_SCALAR,			/* one value, a member of CcModel */
	CC_SHAPE_K,					/* an array of k values, one per segment */
	CC_SHAPE_D,					/* an array of d values, one per feature */
	CC_SHAPE_KD,				/* k x d, row-major */
	CC_SHAPE_PD					/* CC_PCA_COMPONENTS x d, row-major */
} CcFieldShape;

typedef struct CcModelField
{
	const char *name;			/* JSON key and ccseg_model_summary column */
	CcFieldKind kind;
	CcFieldShape shape;
	size_t		offset;			/* of the member, or of the array pointer, in CcModel */
	double		init;			/* each value after cc_model_alloc (numbers) */
	bool		nulls;			/* NaN is a valid value (doubles) */
	double		lo;				/* any other value is finite and in [lo, hi] */
	double		hi;
	const char *bad;			/* validation message when it is not; NULL:
								 * cc_model_validate checks the field by hand */
	bool		optional;		/* may be missing from a stored value, read as init:
								 * anywhere in JSON, at the end in the flat and
								 * binary forms */
	const char *absent_with;	/* ccseg_model_summary: SQL NULL when the first
								 * value of this field is NaN */
	bool		null_elements;	/* ccseg_model_summary: NaN values are NULL elements */
} CcModelField;

extern const CcModelField cc_model_fields[];
extern const int cc_model_nfields;

/* Number of values of field f in model m (d names for CC_FIELD_NAMES). */
extern size_t cc_model_field_count(const CcModelField *f, const CcModel *m);

/* Address of field f's first value in m (the member itself for a scalar). */
extern void *cc_model_field_values(const CcModelField *f, const CcModel *m);

/* The field of that name, or NULL. */
extern const CcModelField *cc_model_field_find(const char *name);

/*
 * The fields in the flat and binary forms of format 2: the first
 * cc_model_fields_used(m) fields (the optional fields at the end whose
 * values are all initial are left out, so that a model that does not use
 * them is stored as before they existed), field after field in
 * the table's order, numbers in native (flat) or network (binary) byte
 * order, names as a uint32 length and their bytes.  Size of all the fields
 * of m; writing them at p (returns the end); and reading the first
 * nfields fields into m, allocated for k and d by cc_model_alloc, from
 * *p..end (advancing *p), with the fields after them left at their
 * initial values.  The reader never reads past end and returns NULL or a
 * message; cc_model_fields_min_size bounds the bytes before allocating.
 */
extern int	cc_model_fields_used(const CcModel *m);
extern size_t cc_model_fields_size(const CcModel *m);
extern size_t cc_model_fields_min_size(int k, int d, int nfields);
extern unsigned char *cc_model_fields_write(const CcModel *m, unsigned char *p,
											bool network);
extern const char *cc_model_fields_read(const unsigned char **p,
										const unsigned char *end, int nfields,
										bool network, CcModel *m,
										const CcAllocator *alloc);

/* Allocate the arrays of a model with k segments and d features (names NULL, metrics NaN). */
extern void cc_model_alloc(CcModel *m, int k, int d, const CcAllocator *alloc);

/* Release what cc_model_alloc or cc_model_unflatten allocated. */
extern void cc_model_free(CcModel *m, const CcAllocator *alloc);

/* Check every field for consistency; NULL when valid, else a message. */
extern const char *cc_model_validate(const CcModel *m);

/* Size of the flat form, and writing it into buf (which must be that big). */
extern size_t cc_model_flat_size(const CcModel *m);
extern void cc_model_flatten(const CcModel *m, char *buf);

/*
 * Read a flat form (format 2, or 1 as releases up to 0.4.0 stored it) of
 * len bytes into m, copying arrays and names with alloc.
 * Returns NULL on success or a message saying what is wrong; never reads
 * outside buf.
 */
extern const char *cc_model_unflatten(const char *buf, size_t len, CcModel *m,
									  const CcAllocator *alloc);

/*
 * Impute, transform, scale and weight one row of raw feature values (NaN =
 * missing) into z.  Returns false when a value is missing and the model
 * drops such rows, or outside the domain of its transform (callers that
 * score a user's rows use cc_model_transform_checked to tell them apart).
 */
extern bool cc_model_transform(const CcModel *m, const double *raw, double *z);

/*
 * The same, also telling whether a scaled value exceeds limit in absolute
 * value (checked in the same loop).
 */
typedef enum CcRowStatus
{
	CC_ROW_OK,
	CC_ROW_MISSING,				/* a missing value the model cannot fill */
	CC_ROW_TOO_LARGE,			/* a scaled value beyond the limit */
	CC_ROW_DOMAIN				/* a value outside its transform's domain
								 * (cc_model_domain_error names it) */
} CcRowStatus;

extern CcRowStatus cc_model_transform_checked(const CcModel *m, const double *raw,
											  double *z, double limit);

/*
 * The first feature of raw (imputed as the model imputes) outside the
 * domain of its transform, or -1.
 */
extern int	cc_model_domain_error(const CcModel *m, const double *raw);

/*
 * Nearest segment (0-based) of a transformed row; the squared distance to
 * every centroid goes to dist when it is not NULL.
 */
extern int	cc_model_assign(const CcModel *m, const double *z, double *dist);
extern void cc_model_transpose(const CcModel *m, double *ct);
extern int	cc_model_assign_t(const CcModel *m, const double *ct, const double *z,
							  double *dist);

/*
 * How much each feature makes the transformed row z prefer segment a over
 * segment b: contrib[j] = (z_j - b_j)^2 - (z_j - a_j)^2, which sums to the
 * difference of the squared distances.
 */
extern void cc_model_contributions(const CcModel *m, const double *z, int a,
								   int b, double *contrib);

/*
 * Coordinates of the transformed row z on the first ncomp principal axes
 * (ncomp <= CC_PCA_COMPONENTS), centred on the training mean.  False when
 * the model has no PCA.
 */
extern bool cc_model_project(const CcModel *m, const double *z, int ncomp,
							 double *out);

/* Whether feature j is the indicator of a category (of a categorical column). */
static inline bool
cc_model_is_indicator(const CcModel *m, int j)
{
	return m->category_column[j] != NULL;
}

/* Whether m has any indicator feature. */
extern bool cc_model_has_categories(const CcModel *m);

/*
 * The indicators of the categorical column whose first indicator is
 * feature first: their number (consecutive features of the same column).
 */
extern int	cc_model_category_count(const CcModel *m, int first);

/* The mean of the training rows of feature j in the scaled (and weighted) space. */
extern double cc_model_scaled_mean(const CcModel *m, int j);

/* The preprocessing of m after imputation, pointing into m. */
extern void cc_model_map(const CcModel *m, CcFeatureMap *fm);

/*
 * Centroid c in original units (inverse weight, scaling and transform) into out[d];
 * a clipped feature's value is not unclipped.
 */
extern void cc_model_centroid_original(const CcModel *m, int c, double *out);

#endif							/* CC_MODEL_H */
