/*
 * model.c
 *		Validation, flat serialization and scoring of ccseg models.
 *
 * Flat form (native byte order; the portable forms are the JSON text and
 * the network-order binary send/receive, both in the PostgreSQL glue):
 *
 *	uint32 magic, int32 format, int32 k, int32 d, int32 impute, int32 scale,
 *	int32 iterations, int32 reserved, int64 rows, double inertia,
 *	double silhouette, int64 silhouette_rows, double calinski_harabasz,
 *	double davies_bouldin, double changed_share,
 *	double impute_values[d], center[d], scale_values[d], centroids[k*d],
 *	int64 sizes[k], double sse[k], double segment_silhouette[k],
 *	double segment_drift[k],
 *	double feature_mean[d], feature_std[d], pca_ratio[d],
 *	pca_components[CC_PCA_COMPONENTS * d],
 *	then d NUL-terminated feature names.
 */
#include <math.h>
#include <string.h>

#include "matrix.h"
#include "model.h"

#define CC_MODEL_MAGIC	0x4D534343	/* "CCSM" */
#define HEADER_BYTES	(8 * 4 + 8 + 8 + 5 * 8)

/* Allocate the arrays of a model of k segments and d features. */
void
cc_model_alloc(CcModel *m, int k, int d, const CcAllocator *alloc)
{
	int			c;

	memset(m, 0, sizeof(*m));
	m->k = k;
	m->d = d;
	m->features = cc_alloc_array(alloc, d, sizeof(char *));
	memset(m->features, 0, sizeof(char *) * d);
	m->impute_values = cc_alloc_array(alloc, d, sizeof(double));
	m->center = cc_alloc_array(alloc, d, sizeof(double));
	m->scale_values = cc_alloc_array(alloc, d, sizeof(double));
	m->centroids = cc_alloc_array(alloc, (size_t) k * d, sizeof(double));
	m->sizes = cc_alloc_array(alloc, k, sizeof(int64_t));
	m->sse = cc_alloc_array(alloc, k, sizeof(double));
	m->segment_silhouette = cc_alloc_array(alloc, k, sizeof(double));
	m->segment_drift = cc_alloc_array(alloc, k, sizeof(double));
	for (c = 0; c < k; c++)
		m->segment_silhouette[c] = m->segment_drift[c] = NAN;
	m->changed_share = NAN;
	m->feature_mean = cc_alloc_array(alloc, d, sizeof(double));
	m->feature_std = cc_alloc_array(alloc, d, sizeof(double));
	m->pca_ratio = cc_alloc_array(alloc, d, sizeof(double));
	m->pca_components = cc_alloc_array(alloc, (size_t) CC_PCA_COMPONENTS * d,
									   sizeof(double));
	for (c = 0; c < d; c++)
	{
		m->feature_mean[c] = 0.0;
		m->feature_std[c] = 0.0;
		m->pca_ratio[c] = NAN;
	}
	for (c = 0; c < CC_PCA_COMPONENTS * d; c++)
		m->pca_components[c] = NAN;
	m->silhouette = NAN;
	m->silhouette_rows = 0;
	m->calinski_harabasz = NAN;
	m->davies_bouldin = NAN;
}

/* Release the arrays and names of a model; fields may be NULL. */
void
cc_model_free(CcModel *m, const CcAllocator *alloc)
{
	int			j;

	if (m->features)
		for (j = 0; j < m->d; j++)
			cc_release(alloc, m->features[j]);
	cc_release(alloc, m->features);
	cc_release(alloc, m->impute_values);
	cc_release(alloc, m->center);
	cc_release(alloc, m->scale_values);
	cc_release(alloc, m->centroids);
	cc_release(alloc, m->sizes);
	cc_release(alloc, m->sse);
	cc_release(alloc, m->segment_silhouette);
	cc_release(alloc, m->segment_drift);
	cc_release(alloc, m->feature_mean);
	cc_release(alloc, m->feature_std);
	cc_release(alloc, m->pca_ratio);
	cc_release(alloc, m->pca_components);
	memset(m, 0, sizeof(*m));
}

static bool
all_finite(const double *v, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* Check a model's fields; return NULL if valid, else what is wrong. */
const char *
cc_model_validate(const CcModel *m)
{
	int			j,
				j2,
				c;
	int64_t		total = 0;

	if (m->k < 1 || m->k > CC_MAX_K)
		return "k is out of range";
	if (m->d < 1 || m->d > CC_MAX_FEATURES)
		return "number of features is out of range";
	if ((int) m->impute < CC_IMPUTE_MEDIAN || (int) m->impute >= CC_IMPUTE_COUNT)
		return "unknown imputation method";
	if ((int) m->scale < CC_SCALE_STANDARD || (int) m->scale >= CC_SCALE_COUNT)
		return "unknown scaling method";
	for (j = 0; j < m->d; j++)
	{
		const char *f = m->features[j];
		size_t		len;

		if (f == NULL || (len = strlen(f)) == 0)
			return "a feature name is empty";
		if (len > CC_MAX_NAME_BYTES)
			return "a feature name is longer than 63 bytes";
		for (j2 = 0; j2 < j; j2++)
			if (strcmp(f, m->features[j2]) == 0)
				return "feature names are not unique";
		if (m->impute == CC_IMPUTE_DROP ? !isnan(m->impute_values[j])
			: !isfinite(m->impute_values[j]))
			return "imputation values must be finite (null for impute = drop)";
		if (!isfinite(m->center[j]))
			return "scaler centers must be finite";
		if (!isfinite(m->scale_values[j]) || !(m->scale_values[j] > 0.0))
			return "scaler scales must be finite and positive";
	}
	if (!all_finite(m->centroids, (size_t) m->k * m->d))
		return "centroids must be finite";
	for (c = 0; c < m->k; c++)
	{
		if (m->sizes[c] < 0 || m->sizes[c] > INT64_MAX - total)
			return "segment sizes must be non-negative";
		total += m->sizes[c];
		if (!isfinite(m->sse[c]) || m->sse[c] < 0.0)
			return "segment squared errors must be finite and non-negative";
	}
	if (m->rows < 0 || total != m->rows)
		return "segment sizes do not add up to the number of rows";
	if (!isfinite(m->inertia) || m->inertia < 0.0)
		return "inertia must be finite and non-negative";
	if (m->iterations < 0)
		return "iterations must be non-negative";
	if (m->silhouette_rows < 0 || m->silhouette_rows > m->rows ||
		(m->silhouette_rows == 0) != isnan(m->silhouette))
		return "silhouette rows must be between 1 and the rows when a silhouette is present, else 0";
	if (!isnan(m->silhouette) && !(m->silhouette >= -1.0 && m->silhouette <= 1.0))
		return "silhouette must be between -1 and 1";
	for (c = 0; c < m->k; c++)
		if (!isnan(m->segment_silhouette[c]) &&
			!(m->segment_silhouette[c] >= -1.0 && m->segment_silhouette[c] <= 1.0))
			return "segment silhouettes must be between -1 and 1";
	if (!isnan(m->calinski_harabasz) &&
		!(isfinite(m->calinski_harabasz) && m->calinski_harabasz >= 0.0))
		return "the Calinski-Harabasz index must be finite and non-negative";
	if (!isnan(m->davies_bouldin) &&
		!(isfinite(m->davies_bouldin) && m->davies_bouldin >= 0.0))
		return "the Davies-Bouldin index must be finite and non-negative";
	if (!isnan(m->changed_share) &&
		!(m->changed_share >= 0.0 && m->changed_share <= 1.0))
		return "the share of changed rows must be between 0 and 1";
	for (c = 0; c < m->k; c++)
		if (!isnan(m->segment_drift[c]) &&
			!(isfinite(m->segment_drift[c]) && m->segment_drift[c] >= 0.0))
			return "segment drifts must be finite and non-negative";
	if (!all_finite(m->feature_mean, m->d))
		return "feature means must be finite";
	for (j = 0; j < m->d; j++)
		if (!isfinite(m->feature_std[j]) || m->feature_std[j] < 0.0)
			return "feature standard deviations must be finite and non-negative";
	if (!isnan(m->pca_ratio[0]))
	{
		for (j = 0; j < m->d; j++)
			if (!(m->pca_ratio[j] >= 0.0 && m->pca_ratio[j] <= 1.0 + 1e-9))
				return "explained variance ratios must be between 0 and 1";
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

/* Bytes of the flat form of m. */
size_t
cc_model_flat_size(const CcModel *m)
{
	size_t		size = HEADER_BYTES;
	int			j;

	size += sizeof(double) * (size_t) m->d * 3;
	size += sizeof(double) * (size_t) m->k * m->d;
	size += (sizeof(int64_t) + 3 * sizeof(double)) * (size_t) m->k;
	size += sizeof(double) * (size_t) m->d * (3 + CC_PCA_COMPONENTS);
	for (j = 0; j < m->d; j++)
		size += strlen(m->features[j]) + 1;
	return size;
}

static char *
put(char *p, const void *src, size_t len)
{
	memcpy(p, src, len);
	return p + len;
}

/* Write the flat form of m into buf. */
void
cc_model_flatten(const CcModel *m, char *buf)
{
	uint32_t	magic = CC_MODEL_MAGIC;
	int32_t		hdr[7];
	char	   *p = buf;
	int			j;

	hdr[0] = CC_MODEL_FORMAT;
	hdr[1] = m->k;
	hdr[2] = m->d;
	hdr[3] = (int32_t) m->impute;
	hdr[4] = (int32_t) m->scale;
	hdr[5] = m->iterations;
	hdr[6] = 0;
	p = put(p, &magic, 4);
	p = put(p, hdr, sizeof(hdr));
	p = put(p, &m->rows, 8);
	p = put(p, &m->inertia, 8);
	p = put(p, &m->silhouette, 8);
	p = put(p, &m->silhouette_rows, 8);
	p = put(p, &m->calinski_harabasz, 8);
	p = put(p, &m->davies_bouldin, 8);
	p = put(p, &m->changed_share, 8);
	p = put(p, m->impute_values, sizeof(double) * m->d);
	p = put(p, m->center, sizeof(double) * m->d);
	p = put(p, m->scale_values, sizeof(double) * m->d);
	p = put(p, m->centroids, sizeof(double) * (size_t) m->k * m->d);
	p = put(p, m->sizes, sizeof(int64_t) * m->k);
	p = put(p, m->sse, sizeof(double) * m->k);
	p = put(p, m->segment_silhouette, sizeof(double) * m->k);
	p = put(p, m->segment_drift, sizeof(double) * m->k);
	p = put(p, m->feature_mean, sizeof(double) * m->d);
	p = put(p, m->feature_std, sizeof(double) * m->d);
	p = put(p, m->pca_ratio, sizeof(double) * m->d);
	p = put(p, m->pca_components, sizeof(double) * m->d * CC_PCA_COMPONENTS);
	for (j = 0; j < m->d; j++)
		p = put(p, m->features[j], strlen(m->features[j]) + 1);
}

/* Read a flat form into m; see model.h. */
const char *
cc_model_unflatten(const char *buf, size_t len, CcModel *m,
				   const CcAllocator *alloc)
{
	uint32_t	magic;
	int32_t		hdr[7];
	int64_t		rows;
	double		inertia;
	double		quality[5];
	size_t		fixed;
	const char *p = buf;
	const char *end = buf + len;
	int			k,
				d,
				j;

	if (len < HEADER_BYTES)
		return "model value is truncated";
	memcpy(&magic, p, 4);
	memcpy(hdr, p + 4, sizeof(hdr));
	memcpy(&rows, p + 32, 8);
	memcpy(&inertia, p + 40, 8);
	memcpy(quality, p + 48, sizeof(quality));
	p += HEADER_BYTES;
	if (magic != CC_MODEL_MAGIC)
		return "model value has a wrong magic number";
	if (hdr[0] != CC_MODEL_FORMAT)
		return "model value has an unsupported format version";
	if (hdr[6] != 0)
		return "model value has a reserved field set";
	k = hdr[1];
	d = hdr[2];
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES)
		return "model value has k or the number of features out of range";
	if (hdr[3] < CC_IMPUTE_MEDIAN || hdr[3] >= CC_IMPUTE_COUNT ||
		hdr[4] < CC_SCALE_STANDARD || hdr[4] >= CC_SCALE_COUNT)
		return "model value has an unknown preprocessing method";
	fixed = sizeof(double) * ((size_t) d * (6 + CC_PCA_COMPONENTS) +
							  (size_t) k * d + 3 * (size_t) k) +
		sizeof(int64_t) * k;
	if ((size_t) (end - p) < fixed + (size_t) d)
		return "model value is truncated";

	cc_model_alloc(m, k, d, alloc);
	m->impute = (CcImpute) hdr[3];
	m->scale = (CcScale) hdr[4];
	m->iterations = hdr[5];
	m->rows = rows;
	m->inertia = inertia;
	m->silhouette = quality[0];
	memcpy(&m->silhouette_rows, &quality[1], 8);
	m->calinski_harabasz = quality[2];
	m->davies_bouldin = quality[3];
	m->changed_share = quality[4];
	memcpy(m->impute_values, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->center, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->scale_values, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->centroids, p, sizeof(double) * (size_t) k * d);
	p += sizeof(double) * (size_t) k * d;
	memcpy(m->sizes, p, sizeof(int64_t) * k);
	p += sizeof(int64_t) * k;
	memcpy(m->sse, p, sizeof(double) * k);
	p += sizeof(double) * k;
	memcpy(m->segment_silhouette, p, sizeof(double) * k);
	p += sizeof(double) * k;
	memcpy(m->segment_drift, p, sizeof(double) * k);
	p += sizeof(double) * k;
	memcpy(m->feature_mean, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->feature_std, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->pca_ratio, p, sizeof(double) * d);
	p += sizeof(double) * d;
	memcpy(m->pca_components, p, sizeof(double) * d * CC_PCA_COMPONENTS);
	p += sizeof(double) * d * CC_PCA_COMPONENTS;
	for (j = 0; j < d; j++)
	{
		const char *nul = memchr(p, '\0', (size_t) (end - p));
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

/*
 * Impute and scale one raw row into z, and tell whether it has a missing
 * value the model cannot fill or, if not, a scaled value beyond limit in
 * absolute value.  Branch-free over the features, so that the divisions go
 * several at a time (the same IEEE quotients as one at a time).
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

/* The same without a limit: false when a value is missing and cannot be filled. */
bool
cc_model_transform(const CcModel *m, const double *raw, double *z)
{
	return cc_model_transform_checked(m, raw, z, INFINITY) != CC_ROW_MISSING;
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
			double		mean = (m->feature_mean[j] - m->center[j]) / m->scale_values[j];

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
	int			j;

	for (j = 0; j < m->d; j++)
		out[j] = m->centroids[(size_t) c * m->d + j] * m->scale_values[j] +
			m->center[j];
}
