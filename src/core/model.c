/*
 * model.c
 *		The description of a model's fields, and from it allocation,
 *		validation and the flat serialization; scoring with a model.
 *
 * Flat form of format 2 (native byte order; the portable forms are the
 * JSON text and the network-order binary form, model_io.c):
 *
 *	uint32 magic "CCSM", int32 format = 2, int32 k, int32 d, int32 nfields,
 *	then the first nfields fields of cc_model_fields, each as
 *	cc_model_fields_write puts it.  A value written with fewer fields than
 *	this build knows reads the missing (optional) ones as their initial
 *	values.
 *
 * Flat form of format 1 (releases 0.2.0 to 0.4.0), still read, as is that
 * of release 0.1.0, which lacks changed_share and segment_drift:
 *
 *	uint32 magic, int32 format = 1, int32 k, int32 d, int32 impute,
 *	int32 scale, int32 iterations, int32 reserved (0), int64 rows,
 *	double inertia, double silhouette, int64 silhouette_rows,
 *	double calinski_harabasz, double davies_bouldin, double changed_share,
 *	double impute_values[d], center[d], scale_values[d], centroids[k*d],
 *	int64 sizes[k], double sse[k], double segment_silhouette[k],
 *	double segment_drift[k],
 *	double feature_mean[d], feature_std[d], pca_ratio[d],
 *	pca_components[CC_PCA_COMPONENTS * d],
 *	then d NUL-terminated feature names.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "category.h"
#include "matrix.h"
#include "model.h"

#define CC_MODEL_MAGIC	0x4D534343	/* "CCSM" */
#define HEADER_BYTES	(5 * 4)
#define TEXT_NULL		0xFFFFFFFFu /* the length of a NULL text */
#define V1_HEADER_BYTES (8 * 4 + 8 + 8 + 5 * 8)

#define F(member)	offsetof(CcModel, member)
#define ANY			-HUGE_VAL, HUGE_VAL
#define INT64_HI	9223372036854775807.0
#define DBL_TINY	4.9406564584124654e-324 /* the smallest positive double */

/*
 * The fields (see model.h).  Columns: name, kind, shape, member, initial
 * value, NaN allowed, range of the other values, message when out of it,
 * optional in stored values, summary NULL with the first value of, summary
 * NULL elements.
 */
const CcModelField cc_model_fields[] = {
	{"features", CC_FIELD_NAMES, CC_SHAPE_D, F(features), 0, false, 0, 0, NULL, false, NULL, false},
	{"impute", CC_FIELD_IMPUTE, CC_SHAPE_SCALAR, F(impute), 0, false, 0, CC_IMPUTE_COUNT - 1,
	"unknown imputation method", false, NULL, false},
	{"impute_values", CC_FIELD_DOUBLE, CC_SHAPE_D, F(impute_values), 0, true, ANY,
	"imputation values must be finite (null for impute = drop)", false, "impute_values", false},
	{"scale", CC_FIELD_SCALE, CC_SHAPE_SCALAR, F(scale), 0, false, 0, CC_SCALE_COUNT - 1,
	"unknown scaling method", false, NULL, false},
	{"scale_center", CC_FIELD_DOUBLE, CC_SHAPE_D, F(center), 0, false, ANY,
	"scaler centers must be finite", false, NULL, false},
	{"scale_scale", CC_FIELD_DOUBLE, CC_SHAPE_D, F(scale_values), 0, false, DBL_TINY, HUGE_VAL,
	"scaler scales must be finite and positive", false, NULL, false},
	{"centroids", CC_FIELD_DOUBLE, CC_SHAPE_KD, F(centroids), 0, false, ANY,
	"centroids must be finite", false, NULL, false},
	{"sizes", CC_FIELD_INT64, CC_SHAPE_K, F(sizes), 0, false, 0, INT64_HI,
	"segment sizes must be non-negative", false, NULL, false},
	{"sse", CC_FIELD_DOUBLE, CC_SHAPE_K, F(sse), 0, false, 0, HUGE_VAL,
	"segment squared errors must be finite and non-negative", false, NULL, false},
	{"inertia", CC_FIELD_DOUBLE, CC_SHAPE_SCALAR, F(inertia), 0, false, 0, HUGE_VAL,
	"inertia must be finite and non-negative", false, NULL, false},
	{"iterations", CC_FIELD_INT, CC_SHAPE_SCALAR, F(iterations), 0, false, 0, INT_MAX,
	"iterations must be non-negative", false, NULL, false},
	{"rows", CC_FIELD_INT64, CC_SHAPE_SCALAR, F(rows), 0, false, 0, INT64_HI,
	"segment sizes do not add up to the number of rows", false, NULL, false},
	{"silhouette", CC_FIELD_DOUBLE, CC_SHAPE_SCALAR, F(silhouette), NAN, true, -1, 1,
	"silhouette must be between -1 and 1", false, NULL, false},
	{"silhouette_rows", CC_FIELD_INT64, CC_SHAPE_SCALAR, F(silhouette_rows), 0, false, 0, INT64_HI,
		"silhouette rows must be between 1 and the rows when a silhouette is present, else 0",
	false, NULL, false},
	{"segment_silhouette", CC_FIELD_DOUBLE, CC_SHAPE_K, F(segment_silhouette), NAN, true, -1, 1,
	"segment silhouettes must be between -1 and 1", false, NULL, true},
	{"calinski_harabasz", CC_FIELD_DOUBLE, CC_SHAPE_SCALAR, F(calinski_harabasz), NAN, true, 0, HUGE_VAL,
	"the Calinski-Harabasz index must be finite and non-negative", false, NULL, false},
	{"davies_bouldin", CC_FIELD_DOUBLE, CC_SHAPE_SCALAR, F(davies_bouldin), NAN, true, 0, HUGE_VAL,
	"the Davies-Bouldin index must be finite and non-negative", false, NULL, false},
	{"changed_share", CC_FIELD_DOUBLE, CC_SHAPE_SCALAR, F(changed_share), NAN, true, 0, 1,
	"the share of changed rows must be between 0 and 1", true, NULL, false},
	{"segment_drift", CC_FIELD_DOUBLE, CC_SHAPE_K, F(segment_drift), NAN, true, 0, HUGE_VAL,
	"segment drifts must be finite and non-negative", true, NULL, true},
	{"feature_mean", CC_FIELD_DOUBLE, CC_SHAPE_D, F(feature_mean), 0, false, ANY,
	"feature means must be finite", false, NULL, false},
	{"feature_std", CC_FIELD_DOUBLE, CC_SHAPE_D, F(feature_std), 0, false, 0, HUGE_VAL,
	"feature standard deviations must be finite and non-negative", false, NULL, false},
	{"pca_ratio", CC_FIELD_DOUBLE, CC_SHAPE_D, F(pca_ratio), NAN, true, 0, 1.0 + 1e-9,
	"explained variance ratios must be between 0 and 1", false, "pca_ratio", false},
	{"pca_components", CC_FIELD_DOUBLE, CC_SHAPE_PD, F(pca_components), NAN, true, ANY,
	"principal components must be finite", false, "pca_ratio", false},
	{"transform", CC_FIELD_TRANSFORM, CC_SHAPE_D, F(transform), CC_TRANSFORM_NONE, false, 0, CC_TRANSFORM_COUNT - 1,
	"unknown transform", true, NULL, false},
	{"transform_a", CC_FIELD_DOUBLE, CC_SHAPE_D, F(transform_a), NAN, true, ANY,
	"transform parameters must be finite or null", true, NULL, true},
	{"transform_b", CC_FIELD_DOUBLE, CC_SHAPE_D, F(transform_b), NAN, true, ANY,
	"transform parameters must be finite or null", true, NULL, true},
	{"transform_mean", CC_FIELD_DOUBLE, CC_SHAPE_D, F(transform_mean), NAN, true, ANY,
	"transformed feature means must be finite or null", true, NULL, true},
	{"weights", CC_FIELD_DOUBLE, CC_SHAPE_D, F(weights), 1.0, false, DBL_TINY, HUGE_VAL,
	"feature weights must be finite and positive", true, NULL, false},
	{"category_column", CC_FIELD_TEXTS, CC_SHAPE_D, F(category_column), 0, false, 0, 0,
	NULL, true, NULL, false},
	{"category", CC_FIELD_TEXTS, CC_SHAPE_D, F(category), 0, false, 0, 0,
	NULL, true, NULL, false},
};

const int	cc_model_nfields = (int) (sizeof(cc_model_fields) / sizeof(cc_model_fields[0]));

/* Number of values of field f in m. */
size_t
cc_model_field_count(const CcModelField *f, const CcModel *m)
{
	switch (f->shape)
	{
		case CC_SHAPE_SCALAR:
			return 1;
		case CC_SHAPE_K:
			return (size_t) m->k;
		case CC_SHAPE_D:
			return (size_t) m->d;
		case CC_SHAPE_KD:
			return (size_t) m->k * m->d;
		case CC_SHAPE_PD:
			return (size_t) CC_PCA_COMPONENTS * m->d;
	}
	return 0;
}

/* Address of the first value of f in m: the member, or what it points to. */
void *
cc_model_field_values(const CcModelField *f, const CcModel *m)
{
	char	   *member = (char *) m + f->offset;

	return f->shape == CC_SHAPE_SCALAR ? (void *) member : *(void **) member;
}

/* The field called name, or NULL. */
const CcModelField *
cc_model_field_find(const char *name)
{
	int			i;

	for (i = 0; i < cc_model_nfields; i++)
		if (strcmp(cc_model_fields[i].name, name) == 0)
			return &cc_model_fields[i];
	return NULL;
}

/* Bytes of one value of a numeric kind, in CcModel. */
static size_t
value_bytes(CcFieldKind kind)
{
	switch (kind)
	{
		case CC_FIELD_INT:
		case CC_FIELD_TRANSFORM:
			return sizeof(int);
		case CC_FIELD_INT64:
			return sizeof(int64_t);
		case CC_FIELD_DOUBLE:
			return sizeof(double);
		case CC_FIELD_NAMES:
		case CC_FIELD_TEXTS:
			return sizeof(char *);
		case CC_FIELD_IMPUTE:
			return sizeof(CcImpute);
		case CC_FIELD_SCALE:
			return sizeof(CcScale);
	}
	return 0;
}

/* The value i of an integer-like field (int, int64, enumeration). */
static int64_t
int_value(const CcModelField *f, const void *values, size_t i)
{
	switch (f->kind)
	{
		case CC_FIELD_INT:
		case CC_FIELD_TRANSFORM:
			return ((const int *) values)[i];
		case CC_FIELD_INT64:
			return ((const int64_t *) values)[i];
		case CC_FIELD_IMPUTE:
			return (int64_t) ((const CcImpute *) values)[i];
		case CC_FIELD_SCALE:
			return (int64_t) ((const CcScale *) values)[i];
		default:
			return 0;
	}
}

/* Set value i of an integer-like field. */
static void
set_int_value(const CcModelField *f, void *values, size_t i, int64_t v)
{
	switch (f->kind)
	{
		case CC_FIELD_INT:
		case CC_FIELD_TRANSFORM:
			((int *) values)[i] = (int) v;
			break;
		case CC_FIELD_INT64:
			((int64_t *) values)[i] = v;
			break;
		case CC_FIELD_IMPUTE:
			((CcImpute *) values)[i] = (CcImpute) v;
			break;
		case CC_FIELD_SCALE:
			((CcScale *) values)[i] = (CcScale) v;
			break;
		default:
			break;
	}
}

/*
 * Allocate the arrays of a model of k segments and d features, every value
 * at its field's initial value (names NULL, quality measures NaN).
 */
void
cc_model_alloc(CcModel *m, int k, int d, const CcAllocator *alloc)
{
	int			i;

	memset(m, 0, sizeof(*m));
	m->k = k;
	m->d = d;
	for (i = 0; i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		size_t		n = cc_model_field_count(f, m),
					j;
		void	   *values;

		if (f->shape != CC_SHAPE_SCALAR)
			*(void **) ((char *) m + f->offset) =
				cc_alloc_array(alloc, n, value_bytes(f->kind));
		values = cc_model_field_values(f, m);
		if (f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS)
			memset(values, 0, sizeof(char *) * n);
		else if (f->kind == CC_FIELD_DOUBLE)
			for (j = 0; j < n; j++)
				((double *) values)[j] = f->init;
		else
			for (j = 0; j < n; j++)
				set_int_value(f, values, j, (int64_t) f->init);
	}
}

/* Release the arrays and names of a model; arrays and names may be NULL. */
void
cc_model_free(CcModel *m, const CcAllocator *alloc)
{
	int			i,
				j;

	for (i = 0; i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		void	  **array = (void **) ((char *) m + f->offset);

		if (f->shape == CC_SHAPE_SCALAR)
			continue;
		if ((f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS) && *array != NULL)
			for (j = 0; j < m->d; j++)
				cc_release(alloc, ((char **) *array)[j]);
		cc_release(alloc, *array);
	}
	memset(m, 0, sizeof(*m));
}

/* Check the feature names: present, at most 63 bytes, unique. */
static const char *
check_names(const CcModel *m)
{
	int			j,
				j2;

	for (j = 0; j < m->d; j++)
	{
		const char *f = m->features[j];
		size_t		len;

		if (f == NULL || (len = strlen(f)) == 0)
			return "a feature name is empty";
		if (len > (cc_model_is_indicator(m, j) ?
					CC_MAX_NAME_BYTES + 1 + CC_MAX_CATEGORY_BYTES : CC_MAX_NAME_BYTES))
			return "a feature name is longer than 63 bytes";
		for (j2 = 0; j2 < j; j2++)
			if (strcmp(f, m->features[j2]) == 0)
				return "feature names are not unique";
	}
	return NULL;
}

/* Check every value of field f against its kind and range. */
static const char *
check_field(const CcModelField *f, const CcModel *m)
{
	size_t		n = cc_model_field_count(f, m),
				i;
	const void *values = cc_model_field_values(f, m);

	if (f->kind == CC_FIELD_NAMES)
		return check_names(m);
	if (f->bad == NULL || f->kind == CC_FIELD_TEXTS)
		return NULL;			/* checked by hand in cc_model_validate */
	for (i = 0; i < n; i++)
	{
		if (f->kind == CC_FIELD_DOUBLE)
		{
			double		v = ((const double *) values)[i];

			if (isnan(v) ? !f->nulls : !(isfinite(v) && v >= f->lo && v <= f->hi))
				return f->bad;
		}
		else
		{
			double		v = (double) int_value(f, values, i);

			if (!(v >= f->lo && v <= f->hi))
				return f->bad;
		}
	}
	return NULL;
}

/*
 * Check the indicators: a category only for an indicator; the indicators
 * after the numeric features, those of a column consecutive, its categories
 * distinct, at most CC_MAX_CATEGORIES, the NULL category last; no
 * transform, center 0 and scale 1; a categorical column not also a numeric
 * feature.
 */
static const char *
check_categories(const CcModel *m)
{
	int			j,
				j2;
	bool		seen_indicator = false;

	for (j = 0; j < m->d; j++)
	{
		const char *col = m->category_column[j];
		const char *cat = m->category[j];

		if (col == NULL)
		{
			if (cat != NULL)
				return "a category is given for a feature that is not an indicator";
			if (seen_indicator)
				return "indicator features must come after the numeric features";
			continue;
		}
		seen_indicator = true;
		if (col[0] == '\0' || strlen(col) > CC_MAX_NAME_BYTES)
			return "a categorical column name must have 1 to 63 bytes";
		if (cat != NULL && strlen(cat) > CC_MAX_CATEGORY_BYTES)
			return "a category is longer than 200 bytes";
		if (m->transform[j] != CC_TRANSFORM_NONE || m->center[j] != 0.0 ||
			m->scale_values[j] != 1.0)
			return "indicator features must have no transform, center 0 and scale 1";
		if (j > 0 && m->category_column[j - 1] != NULL &&
			strcmp(m->category_column[j - 1], col) == 0)
		{
			if (m->category[j - 1] == NULL)
				return "the null category of a categorical column must be its last";
			continue;
		}
		/* the first indicator of its column */
		for (j2 = 0; j2 < m->d; j2++)
		{
			const char *other = m->category_column[j2];

			if (other == NULL && strcmp(m->features[j2], col) == 0)
				return "a categorical column must not also be a numeric feature";
			if (j2 < j && other != NULL && strcmp(other, col) == 0)
				return "the indicators of a categorical column must be consecutive";
		}
		if (cc_model_category_count(m, j) > CC_MAX_CATEGORIES)
			return "a categorical column has more than 100 categories";
		for (j2 = j + 1; j2 < j + cc_model_category_count(m, j); j2++)
		{
			int			j3;

			for (j3 = j; j3 < j2; j3++)
				if (m->category[j2] != NULL && m->category[j3] != NULL &&
					strcmp(m->category[j2], m->category[j3]) == 0)
					return "the categories of a categorical column must be distinct";
		}
	}
	return NULL;
}

/* Whether m has any indicator feature. */
bool
cc_model_has_categories(const CcModel *m)
{
	return m->category_column != NULL && m->d > 0 &&
		m->category_column[m->d - 1] != NULL;
}

/* The consecutive indicators of the column of indicator first. */
int
cc_model_category_count(const CcModel *m, int first)
{
	int			j = first + 1;

	while (j < m->d && m->category_column[j] != NULL &&
		   strcmp(m->category_column[j], m->category_column[first]) == 0)
		j++;
	return j - first;
}

/*
 * Check a model's fields; return NULL if valid, else what is wrong.  Each
 * field is checked against its description, then the relations between
 * fields by hand.
 */
const char *
cc_model_validate(const CcModel *m)
{
	const char *bad;
	int			i,
				j,
				c;
	int64_t		total = 0;

	if (m->k < 1 || m->k > CC_MAX_K)
		return "k is out of range";
	if (m->d < 1 || m->d > CC_MAX_FEATURES)
		return "number of features is out of range";
	for (i = 0; i < cc_model_nfields; i++)
		if ((bad = check_field(&cc_model_fields[i], m)) != NULL)
			return bad;

	for (j = 0; j < m->d; j++)
		if (isnan(m->impute_values[j]) != (m->impute == CC_IMPUTE_DROP))
			return "imputation values must be finite (null for impute = drop)";
	for (j = 0; j < m->d; j++)
	{
		bool		clip = m->transform[j] == CC_TRANSFORM_CLIP;

		if (clip ? !(m->transform_a[j] <= m->transform_b[j]) :
			!(isnan(m->transform_a[j]) && isnan(m->transform_b[j])))
			return "clip bounds must be finite and in order, and null for other transforms";
		if ((m->transform[j] == CC_TRANSFORM_NONE) != isnan(m->transform_mean[j]))
			return "transformed feature means must be present exactly for the transformed features";
	}
	if ((bad = check_categories(m)) != NULL)
		return bad;
	for (c = 0; c < m->k; c++)
	{
		if (m->sizes[c] > INT64_MAX - total)
			return "segment sizes must be non-negative";
		total += m->sizes[c];
	}
	if (total != m->rows)
		return "segment sizes do not add up to the number of rows";
	if (m->silhouette_rows > m->rows ||
		(m->silhouette_rows == 0) != isnan(m->silhouette))
		return "silhouette rows must be between 1 and the rows when a silhouette is present, else 0";
	if (!isnan(m->pca_ratio[0]))
	{
		for (j = 0; j < m->d; j++)
			if (isnan(m->pca_ratio[j]))
				return "explained variance ratios must be between 0 and 1";
		/* rows past the d-th may be NaN: there are only d axes */
		for (j = 0; j < CC_PCA_COMPONENTS * m->d; j++)
			if (!isfinite(m->pca_components[j]) &&
				!(j >= m->d * m->d && isnan(m->pca_components[j])))
				return "principal components must be finite";
		/* unit rows: projections stay within the norm of the scaled row */
		for (c = 0; c < CC_PCA_COMPONENTS && c < m->d; c++)
		{
			double		norm = 0.0;

			for (j = 0; j < m->d; j++)
				norm += m->pca_components[(size_t) c * m->d + j] *
					m->pca_components[(size_t) c * m->d + j];
			if (!(fabs(norm - 1.0) <= 1e-6))
				return "principal components must be unit vectors";
		}
	}
	else
	{
		for (j = 0; j < m->d; j++)
			if (!isnan(m->pca_ratio[j]))
				return "explained variance ratios must be all present or all null";
	}
	return NULL;
}

/* ---------- fields in the flat and binary forms ---------- */

/* Bytes of one value of f in the flat and binary forms (names aside). */
static size_t
stored_bytes(const CcModelField *f)
{
	return f->kind == CC_FIELD_INT64 || f->kind == CC_FIELD_DOUBLE ? 8 : 4;
}

static unsigned char *
put_u32(unsigned char *p, uint32_t v, bool network)
{
	int			i;

	if (!network)
	{
		memcpy(p, &v, 4);
		return p + 4;
	}
	for (i = 3; i >= 0; i--)
		*p++ = (unsigned char) (v >> (8 * i));
	return p;
}

static unsigned char *
put_u64(unsigned char *p, uint64_t v, bool network)
{
	int			i;

	if (!network)
	{
		memcpy(p, &v, 8);
		return p + 8;
	}
	for (i = 7; i >= 0; i--)
		*p++ = (unsigned char) (v >> (8 * i));
	return p;
}

static uint32_t
get_u32(const unsigned char *p, bool network)
{
	uint32_t	v = 0;
	int			i;

	if (!network)
		memcpy(&v, p, 4);
	else
		for (i = 0; i < 4; i++)
			v = (v << 8) | p[i];
	return v;
}

static uint64_t
get_u64(const unsigned char *p, bool network)
{
	uint64_t	v = 0;
	int			i;

	if (!network)
		memcpy(&v, p, 8);
	else
		for (i = 0; i < 8; i++)
			v = (v << 8) | p[i];
	return v;
}

/* Whether every value of field f of m is its initial value. */
static bool
field_is_initial(const CcModelField *f, const CcModel *m)
{
	size_t		n = cc_model_field_count(f, m),
				i;
	const void *values = cc_model_field_values(f, m);

	if (f->kind == CC_FIELD_NAMES)
		return false;
	for (i = 0; i < n; i++)
		if (f->kind == CC_FIELD_TEXTS)
		{
			if (((char *const *) values)[i] != NULL)
				return false;
		}
		else if (f->kind == CC_FIELD_DOUBLE)
		{
			double		v = ((const double *) values)[i];

			if (isnan(f->init) ? !isnan(v) : v != f->init)
				return false;
		}
		else if (int_value(f, values, i) != (int64_t) f->init)
			return false;
	return true;
}

/*
 * The fields of m stored: all but the optional fields at the end of the
 * table whose values are all initial.
 */
int
cc_model_fields_used(const CcModel *m)
{
	int			n = cc_model_nfields;

	while (n > 0 && cc_model_fields[n - 1].optional &&
		   field_is_initial(&cc_model_fields[n - 1], m))
		n--;
	return n;
}

/* Bytes of the fields of m in the flat and binary forms. */
size_t
cc_model_fields_size(const CcModel *m)
{
	size_t		size = 0;
	int			used = cc_model_fields_used(m);
	int			i,
				j;

	for (i = 0; i < used; i++)
	{
		const CcModelField *f = &cc_model_fields[i];

		if (f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS)
			for (j = 0; j < m->d; j++)
			{
				const char *t = ((char *const *) cc_model_field_values(f, m))[j];

				size += 4 + (t != NULL ? strlen(t) : 0);
			}
		else
			size += stored_bytes(f) * cc_model_field_count(f, m);
	}
	return size;
}

/* The fewest bytes nfields fields of a k x d model can take (empty names). */
size_t
cc_model_fields_min_size(int k, int d, int nfields)
{
	CcModel		shape;
	size_t		size = 0;
	int			i;

	memset(&shape, 0, sizeof(shape));
	shape.k = k;
	shape.d = d;
	for (i = 0; i < nfields && i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];

		size += f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS ? 4 * (size_t) d :
			stored_bytes(f) * cc_model_field_count(f, &shape);
	}
	return size;
}

/* Write every field of m at p in the chosen byte order; return the end. */
unsigned char *
cc_model_fields_write(const CcModel *m, unsigned char *p, bool network)
{
	int			used = cc_model_fields_used(m);
	int			i;
	size_t		j;

	for (i = 0; i < used; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		size_t		n = cc_model_field_count(f, m);
		const void *values = cc_model_field_values(f, m);

		if (f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS)
			for (j = 0; j < n; j++)
			{
				const char *name = ((char *const *) values)[j];
				size_t		len = name != NULL ? strlen(name) : 0;

				p = put_u32(p, name != NULL ? (uint32_t) len : TEXT_NULL, network);
				if (len > 0)
					memcpy(p, name, len);
				p += len;
			}
		else if (f->kind == CC_FIELD_DOUBLE && !network)
		{
			memcpy(p, values, sizeof(double) * n);
			p += sizeof(double) * n;
		}
		else if (f->kind == CC_FIELD_DOUBLE)
			for (j = 0; j < n; j++)
			{
				uint64_t	u;

				memcpy(&u, &((const double *) values)[j], 8);
				p = put_u64(p, u, network);
			}
		else if (f->kind == CC_FIELD_INT64)
			for (j = 0; j < n; j++)
				p = put_u64(p, (uint64_t) int_value(f, values, j), network);
		else
			for (j = 0; j < n; j++)
				p = put_u32(p, (uint32_t) (int32_t) int_value(f, values, j), network);
	}
	return p;
}

/* Read the values of one numeric field f of m from *p..end. */
static bool
read_values(const unsigned char **p, const unsigned char *end,
			const CcModelField *f, bool network, CcModel *m)
{
	size_t		n = cc_model_field_count(f, m),
				w = stored_bytes(f),
				j;
	void	   *values = cc_model_field_values(f, m);

	if ((size_t) (end - *p) / w < n)
		return false;
	for (j = 0; j < n; j++, *p += w)
	{
		if (f->kind == CC_FIELD_DOUBLE)
		{
			uint64_t	u = get_u64(*p, network);

			memcpy(&((double *) values)[j], &u, 8);
		}
		else if (f->kind == CC_FIELD_INT64)
			set_int_value(f, values, j, (int64_t) get_u64(*p, network));
		else
			set_int_value(f, values, j, (int32_t) get_u32(*p, network));
	}
	return true;
}

/* Read the first nfields fields into m; see model.h. */
const char *
cc_model_fields_read(const unsigned char **p, const unsigned char *end,
					 int nfields, bool network, CcModel *m,
					 const CcAllocator *alloc)
{
	int			i,
				j;

	if (nfields > cc_model_nfields)
		return "model value has fields this build does not know";
	for (i = nfields; i < cc_model_nfields; i++)
		if (!cc_model_fields[i].optional)
			return "model value lacks a field";
	for (i = 0; i < nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];

		if (f->kind != CC_FIELD_NAMES && f->kind != CC_FIELD_TEXTS)
		{
			if (!read_values(p, end, f, network, m))
				return "model value is truncated";
			continue;
		}
		for (j = 0; j < m->d; j++)
		{
			uint32_t	len;
			char	   *name;

			if (end - *p < 4)
				return "model value is truncated";
			len = get_u32(*p, network);
			*p += 4;
			if (f->kind == CC_FIELD_TEXTS && len == TEXT_NULL)
				continue;		/* NULL, as allocated */
			if (len > (uint32_t) (end - *p))
				return "model value has a feature name of an invalid length";
			if (memchr(*p, '\0', len) != NULL)
				return "model value has a feature name with a zero byte";
			name = cc_alloc_array(alloc, (size_t) len + 1, 1);
			memcpy(name, *p, len);
			name[len] = '\0';
			((char **) cc_model_field_values(f, m))[j] = name;
			*p += len;
		}
	}
	return NULL;
}

/* ---------- the flat form ---------- */

/* Bytes of the flat form of m. */
size_t
cc_model_flat_size(const CcModel *m)
{
	return HEADER_BYTES + cc_model_fields_size(m);
}

/* Write the flat form of m (format 2) into buf. */
void
cc_model_flatten(const CcModel *m, char *buf)
{
	unsigned char *p = (unsigned char *) buf;

	p = put_u32(p, CC_MODEL_MAGIC, false);
	p = put_u32(p, CC_MODEL_FORMAT, false);
	p = put_u32(p, (uint32_t) m->k, false);
	p = put_u32(p, (uint32_t) m->d, false);
	p = put_u32(p, (uint32_t) cc_model_fields_used(m), false);
	cc_model_fields_write(m, p, false);
}

/*
 * The order of the fields in a flat value of format 1: three int32 in the
 * header, a reserved int32, 8-byte numbers (scalars, then arrays), and then
 * the names, NUL-terminated.  Release 0.1.0 wrote it without changed_share
 * and segment_drift, under the same format number: such a value is told
 * from a later one by whether it reads and validates as one.
 */
static const char *const v1_header[] = {"impute", "scale", "iterations"};
static const char *const v1_numbers[] = {
	"rows", "inertia", "silhouette", "silhouette_rows", "calinski_harabasz",
	"davies_bouldin", "changed_share", "impute_values", "scale_center",
	"scale_scale", "centroids", "sizes", "sse", "segment_silhouette",
	"segment_drift", "feature_mean", "feature_std", "pca_ratio",
	"pca_components"
};
static const char *const v1_numbers_010[] = {
	"rows", "inertia", "silhouette", "silhouette_rows", "calinski_harabasz",
	"davies_bouldin", "impute_values", "scale_center", "scale_scale",
	"centroids", "sizes", "sse", "segment_silhouette", "feature_mean",
	"feature_std", "pca_ratio", "pca_components"
};

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Read a flat value of format 1 (after its magic and format) into m, its
 * 8-byte numbers in the order of numbers[0..nnumbers-1].
 */
static const char *
unflatten_v1(const unsigned char *p, const unsigned char *end,
			 const char *const *numbers, size_t nnumbers, CcModel *m,
			 const CcAllocator *alloc)
{
	int32_t		k,
				d,
				reserved;
	size_t		fixed = 0,
				i;
	int			j;

	if (end - p < V1_HEADER_BYTES - 8)
		return "model value is truncated";
	k = (int32_t) get_u32(p, false);
	d = (int32_t) get_u32(p + 4, false);
	reserved = (int32_t) get_u32(p + 20, false);
	if (reserved != 0)
		return "model value has a reserved field set";
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES)
		return "model value has k or the number of features out of range";
	{
		CcModel		shape;

		memset(&shape, 0, sizeof(shape));
		shape.k = k;
		shape.d = d;
		for (i = 0; i < nnumbers; i++)
			fixed += 8 * cc_model_field_count(cc_model_field_find(numbers[i]), &shape);
	}
	if ((size_t) (end - p) < 24 + fixed + (size_t) d)
		return "model value is truncated";

	cc_model_alloc(m, k, d, alloc);
	p += 8;
	for (i = 0; i < LENGTH(v1_header); i++)
		read_values(&p, end, cc_model_field_find(v1_header[i]), false, m);
	p += 4;
	for (i = 0; i < nnumbers; i++)
		read_values(&p, end, cc_model_field_find(numbers[i]), false, m);
	for (j = 0; j < d; j++)
	{
		const unsigned char *nul = memchr(p, '\0', (size_t) (end - p));
		size_t		nlen;

		if (nul == NULL)
			return "model value has an unterminated feature name";
		nlen = (size_t) (nul - p);
		m->features[j] = cc_alloc_array(alloc, nlen + 1, 1);
		memcpy(m->features[j], p, nlen + 1);
		p = nul + 1;
	}
	if (p != end)
		return "model value has trailing bytes";
	return cc_model_validate(m);
}

/* Read a flat form of format 1 or 2 into m; see model.h. */
const char *
cc_model_unflatten(const char *buf, size_t len, CcModel *m,
				   const CcAllocator *alloc)
{
	const unsigned char *p = (const unsigned char *) buf;
	const unsigned char *end = p + len;
	int32_t		format,
				k,
				d,
				nfields;
	const char *bad;

	memset(m, 0, sizeof(*m));
	if (len < 8)
		return "model value is truncated";
	if (get_u32(p, false) != CC_MODEL_MAGIC)
		return "model value has a wrong magic number";
	format = (int32_t) get_u32(p + 4, false);
	if (format == 1)
	{
		/* the layout of 0.2.0 to 0.4.0, else that of 0.1.0 */
		bad = unflatten_v1(p + 8, end, v1_numbers, LENGTH(v1_numbers), m, alloc);
		if (bad != NULL)
		{
			cc_model_free(m, alloc);
			if (unflatten_v1(p + 8, end, v1_numbers_010, LENGTH(v1_numbers_010),
							 m, alloc) != NULL)
			{
				cc_model_free(m, alloc);
				return bad;
			}
		}
		return NULL;
	}
	if (format != CC_MODEL_FORMAT)
		return "model value has an unsupported format version";
	if (len < HEADER_BYTES)
		return "model value is truncated";
	k = (int32_t) get_u32(p + 8, false);
	d = (int32_t) get_u32(p + 12, false);
	nfields = (int32_t) get_u32(p + 16, false);
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES)
		return "model value has k or the number of features out of range";
	if (nfields < 0 || nfields > cc_model_nfields)
		return "model value has fields this build does not know";
	p += HEADER_BYTES;
	if ((size_t) (end - p) < cc_model_fields_min_size(k, d, nfields))
		return "model value is truncated";
	cc_model_alloc(m, k, d, alloc);
	if ((bad = cc_model_fields_read(&p, end, nfields, false, m, alloc)) != NULL)
		return bad;
	if (p != end)
		return "model value has trailing bytes";
	return cc_model_validate(m);
}

/* The preprocessing of m after imputation, pointing into m. */
void
cc_model_map(const CcModel *m, CcFeatureMap *fm)
{
	fm->d = m->d;
	fm->transform = m->transform;
	fm->ta = m->transform_a;
	fm->tb = m->transform_b;
	fm->center = m->center;
	fm->scale = m->scale_values;
	fm->weight = m->weights;
}

/* Whether m transforms or weights any feature. */
static bool
has_transform(const CcModel *m)
{
	int			j;

	for (j = 0; j < m->d; j++)
		if (m->transform[j] != CC_TRANSFORM_NONE || m->weights[j] != 1.0)
			return true;
	return false;
}

/*
 * Impute and scale one raw row into z, and tell whether it has a missing
 * value the model cannot fill or, if not, a scaled value beyond limit in
 * absolute value.  Branch-free over the features, so that the divisions go
 * several at a time (the same IEEE quotients as one at a time).  A model
 * with transforms or weights goes through cc_map_forward instead.
 */
CC_SIMD_CLONES CcRowStatus
cc_model_transform_checked(const CcModel *m, const double *raw, double *z,
						   double limit)
{
	const double *impute = m->impute_values;
	const double *center = m->center;
	const double *scale = m->scale_values;
	int			missing = 0;
	int			over = 0;
	int			j;

	if (has_transform(m))
	{
		CcFeatureMap fm;

		for (j = 0; j < m->d; j++)
		{
			missing |= isnan(raw[j]);
			z[j] = isnan(raw[j]) ? impute[j] : raw[j];
		}
		if (missing && m->impute == CC_IMPUTE_DROP)
			return CC_ROW_MISSING;
		cc_model_map(m, &fm);
		if (cc_map_forward(&fm, z, z) >= 0)
			return CC_ROW_DOMAIN;
		for (j = 0; j < m->d; j++)
			over |= fabs(z[j]) > limit;
		return over ? CC_ROW_TOO_LARGE : CC_ROW_OK;
	}
	for (j = 0; j < m->d; j++)
	{
		double		v = raw[j];
		int			nan = isnan(v);
		double		t;

		missing |= nan;
		t = ((nan ? impute[j] : v) - center[j]) / scale[j];
		over |= fabs(t) > limit;
		z[j] = t;
	}
	if (missing && m->impute == CC_IMPUTE_DROP)
		return CC_ROW_MISSING;
	return over ? CC_ROW_TOO_LARGE : CC_ROW_OK;
}

/* The first feature of raw outside its transform's domain, or -1. */
int
cc_model_domain_error(const CcModel *m, const double *raw)
{
	int			j;

	for (j = 0; j < m->d; j++)
	{
		double		v = isnan(raw[j]) ? m->impute_values[j] : raw[j];

		if (v <= cc_transforms[m->transform[j]].domain_lo)
			return j;
	}
	return -1;
}

/* The same without a limit: false when a value is missing and cannot be filled. */
bool
cc_model_transform(const CcModel *m, const double *raw, double *z)
{
	CcRowStatus st = cc_model_transform_checked(m, raw, z, INFINITY);

	return st != CC_ROW_MISSING && st != CC_ROW_DOMAIN;
}

/* Nearest centroid of a transformed row, optionally all squared distances. */
int
cc_model_assign(const CcModel *m, const double *z, double *dist)
{
	double		best;
	int			c;

	if (dist == NULL)
		return cc_nearest(z, m->centroids, m->k, m->d, &best);
	for (c = 0; c < m->k; c++)
		dist[c] = cc_sqdist(z, m->centroids + (size_t) c * m->d, m->d);
	{
		int			arg = 0;

		for (c = 1; c < m->k; c++)
			if (dist[c] < dist[arg])
				arg = c;
		return arg;
	}
}

/*
 * cc_model_assign for many rows in a row: ct holds the centroids transposed
 * (cc_model_transpose), dist room for k squared distances.  The distances
 * are bit-identical to cc_model_assign's and so is the choice (lowest index
 * on ties); the loop over centroids vectorizes.
 */
void
cc_model_transpose(const CcModel *m, double *ct)
{
	cc_transpose(m->centroids, m->k, m->d, ct);
}

CC_SIMD_CLONES int
cc_model_assign_t(const CcModel *m, const double *ct, const double *z, double *dist)
{
	int			arg = 0;
	int			c;

	cc_sqdist_many(z, ct, m->k, m->d, dist);
	for (c = 1; c < m->k; c++)
		if (dist[c] < dist[arg])
			arg = c;
	return arg;
}

/* Per-feature preference of z for segment a over segment b. */
void
cc_model_contributions(const CcModel *m, const double *z, int a, int b,
					   double *contrib)
{
	const double *ca = m->centroids + (size_t) a * m->d;
	const double *cb = m->centroids + (size_t) b * m->d;
	int			j;

	for (j = 0; j < m->d; j++)
	{
		double		ta = z[j] - ca[j],
					tb = z[j] - cb[j];

		contrib[j] = tb * tb - ta * ta;
	}
}

/*
 * The mean of the training rows of feature j in the scaled space: from the
 * mean of the transformed column when the feature has a transform.
 */
double
cc_model_scaled_mean(const CcModel *m, int j)
{
	double		mean = m->transform[j] == CC_TRANSFORM_NONE ?
		m->feature_mean[j] : m->transform_mean[j];

	return (mean - m->center[j]) / m->scale_values[j] * m->weights[j];
}

/* Coordinates of z on the first principal axes of the training data. */
bool
cc_model_project(const CcModel *m, const double *z, int ncomp, double *out)
{
	int			c,
				j;

	if (isnan(m->pca_ratio[0]))
		return false;
	for (c = 0; c < ncomp; c++)
	{
		const double *axis = m->pca_components + (size_t) c * m->d;
		double		s = 0.0;

		for (j = 0; j < m->d; j++)
		{
			double		mean = cc_model_scaled_mean(m, j);

			s += (z[j] - mean) * (isnan(axis[j]) ? 0.0 : axis[j]);
		}
		out[c] = s;
	}
	return true;
}

/* Centroid c mapped back to original units. */
void
cc_model_centroid_original(const CcModel *m, int c, double *out)
{
	CcFeatureMap fm;

	cc_model_map(m, &fm);
	cc_map_inverse(&fm, m->centroids + (size_t) c * m->d, out);
}
