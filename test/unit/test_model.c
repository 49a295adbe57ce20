/*
 * test_model.c
 *		Unit tests of model.c and model_io.c: flat form, validation,
 *		transform and assignment, the binary and JSON forms, and a whole
 *		training pipeline scored with its model.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kmeans.h"
#include "model.h"
#include "model_io.h"
#include "preprocess.h"

/* Check that two models are equal in every field (NaN bits included). */
static void
check_models_equal(const CcModel *a, const CcModel *b)
{
	int			i;
	size_t		j;

	CHECK(a->k == b->k);
	CHECK(a->d == b->d);
	if (a->k != b->k || a->d != b->d)
		return;
	for (i = 0; i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		size_t		n = cc_model_field_count(f, a);
		const void *va = cc_model_field_values(f, a);
		const void *vb = cc_model_field_values(f, b);
		bool		same = true;

		for (j = 0; j < n; j++)
			switch (f->kind)
			{
				case CC_FIELD_NAMES:
					same &= strcmp(((char *const *) va)[j], ((char *const *) vb)[j]) == 0;
					break;
				case CC_FIELD_TEXTS:
					{
						const char *ta = ((char *const *) va)[j];
						const char *tb = ((char *const *) vb)[j];

						same &= (ta == NULL && tb == NULL) ||
							(ta != NULL && tb != NULL && strcmp(ta, tb) == 0);
					}
					break;
				case CC_FIELD_INT:
				case CC_FIELD_TRANSFORM:
					same &= ((const int *) va)[j] == ((const int *) vb)[j];
					break;
				case CC_FIELD_IMPUTE:
					same &= ((const CcImpute *) va)[j] == ((const CcImpute *) vb)[j];
					break;
				case CC_FIELD_SCALE:
					same &= ((const CcScale *) va)[j] == ((const CcScale *) vb)[j];
					break;
				default:
					same &= memcmp((const char *) va + 8 * j, (const char *) vb + 8 * j, 8) == 0;
					break;
			}
		if (!same)
			printf("  field %s differs\n", f->name);
		CHECK(same);
	}
}

/* Offset of the first occurrence of the 8 bytes of v in buf, or -1. */
static long
find_double(const char *buf, size_t size, double v)
{
	size_t		i;

	for (i = 0; i + sizeof(double) <= size; i++)
		if (memcmp(buf + i, &v, sizeof(double)) == 0)
			return (long) i;
	return -1;
}

/* Flatten m into a buffer of exactly its flat size. */
static char *
flatten(const CcModel *m, size_t *size)
{
	char	   *buf;

	*size = cc_model_flat_size(m);
	buf = talloc(*size, 1);
	cc_model_flatten(m, buf);
	return buf;
}

/* Unflatten a copy of buf[0..len-1] held in a block of exactly len bytes. */
static const char *
unflatten_exact(const char *buf, size_t len, CcModel *out)
{
	char	   *copy = talloc(len, 1);
	const char *err;

	if (len > 0)
		memcpy(copy, buf, len);
	/* a failed unflatten may leave arrays in out: start from zero, free after */
	memset(out, 0, sizeof(*out));
	err = cc_model_unflatten(copy, len, out, A);
	tfree(copy);
	return err;
}

/* Check flatten -> unflatten round trips, byte for byte and field by field. */
static void
test_model_round_trip(void)
{
	static const struct
	{
		int			k;
		int			d;
		CcImpute	imp;
		CcScale		sc;
	}			cfg[] = {
		{1, 1, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD},
		{3, 4, CC_IMPUTE_MEAN, CC_SCALE_MINMAX},
		{5, 3, CC_IMPUTE_DROP, CC_SCALE_ROBUST},
		{12, 7, CC_IMPUTE_ZERO, CC_SCALE_NONE},
	};
	size_t		ci;

	for (ci = 0; ci < sizeof(cfg) / sizeof(cfg[0]); ci++)
	{
		CcModel		m,
					u;
		char	   *buf,
				   *buf2;
		size_t		size,
					size2,
					names = 0;
		const char *err;
		int			j;

		set_ctx("round trip k=%d d=%d", cfg[ci].k, cfg[ci].d);
		make_model(&m, cfg[ci].k, cfg[ci].d, cfg[ci].imp, cfg[ci].sc, 90 + ci);
		if (ci == 0)
		{
			/* k = 1: quality measures undefined, as cc_model_alloc leaves them */
			m.silhouette = NAN;
			m.silhouette_rows = 0;
			m.segment_silhouette[0] = NAN;
			m.calinski_harabasz = NAN;
			m.davies_bouldin = NAN;
		}
		CHECK(cc_model_validate(&m) == NULL);
		buf = flatten(&m, &size);
		/* the flat form starts with its header, then the names: length, bytes */
		{
			size_t		pos = 20;
			uint32_t	word;

			memcpy(&word, buf + 4, 4);
			CHECK(word == CC_MODEL_FORMAT);
			memcpy(&word, buf + 16, 4);
			CHECK(word == (uint32_t) cc_model_fields_used(&m));
			for (j = 0; j < m.d; j++)
			{
				size_t		len = strlen(m.features[j]);

				memcpy(&word, buf + pos, 4);
				CHECK(word == len && memcmp(buf + pos + 4, m.features[j], len) == 0);
				pos += 4 + len;
				names += 4 + len;
			}
			CHECK(size == 20 + names + 4 * 3 + 8 * (m.k * (m.d + 4) + m.d * (6 + CC_PCA_COMPONENTS) + 7));
		}
		err = unflatten_exact(buf, size, &u);
		CHECK(err == NULL);
		if (err == NULL)
		{
			check_models_equal(&m, &u);
			CHECK(cc_model_validate(&u) == NULL);
			buf2 = flatten(&u, &size2);
			CHECK(size2 == size && memcmp(buf, buf2, size) == 0);
			tfree(buf2);
		}
		else
			printf("  unflatten said: %s\n", err);
		cc_model_free(&u, A);
		tfree(buf);

		/* one more byte in a name is one more byte in the flat form */
		{
			char		longer[80];

			snprintf(longer, sizeof(longer), "%s+", m.features[0]);
			set_name(&m, 0, longer);
			CHECK(cc_model_flat_size(&m) == size + 1);
		}
		cc_model_free(&m, A);
		CHECK(m.features == NULL && m.centroids == NULL);
	}

	/* cc_model_alloc leaves the quality measures undefined */
	{
		CcModel		m;

		set_ctx("model alloc defaults");
		cc_model_alloc(&m, 3, 2, A);
		CHECK(isnan(m.silhouette) && m.silhouette_rows == 0);
		CHECK(isnan(m.segment_silhouette[0]) && isnan(m.segment_silhouette[2]));
		CHECK(isnan(m.calinski_harabasz) && isnan(m.davies_bouldin));
		CHECK(m.features[0] == NULL && m.features[1] == NULL);
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check that cc_model_validate rejects each kind of broken model. */
static void
test_model_validate(void)
{
	enum
	{
		V_K0, V_KBIG, V_D0, V_DBIG, V_IMPUTE_UNKNOWN, V_SCALE_UNKNOWN,
		V_NAN_CENTROID, V_INF_CENTROID, V_SCALE0, V_SCALE_NEG, V_SCALE_NAN,
		V_CENTER_NAN, V_DUP_NAMES, V_EMPTY_NAME, V_NULL_NAME, V_NAME64,
		V_SIZES_SUM, V_SIZE_NEG, V_SSE_NEG, V_SSE_NAN, V_INERTIA_NEG,
		V_INERTIA_INF, V_ITER_NEG, V_ROWS_NEG, V_DROP_NOT_NAN, V_MEDIAN_NAN,
		V_SIL_HIGH, V_SIL_LOW, V_SIL_NAN_WITH_ROWS, V_SIL_WITHOUT_ROWS,
		V_SIL_ROWS_OVER, V_SIL_ROWS_NEG, V_SEG_SIL, V_SEG_SIL_INF, V_CH_NEG,
		V_CH_INF, V_DB_NEG, V_DB_INF,
		V_COUNT
	};
	int			v;

	for (v = 0; v < V_COUNT; v++)
	{
		CcModel		m;
		bool		drop = (v == V_DROP_NOT_NAN);
		int			saved_k,
					saved_d;

		make_model(&m, 4, 5, drop ? CC_IMPUTE_DROP : CC_IMPUTE_MEDIAN,
				   CC_SCALE_STANDARD, 500 + v);
		set_ctx("validate case %d (valid before)", v);
		CHECK(cc_model_validate(&m) == NULL);
		saved_k = m.k;
		saved_d = m.d;
		switch (v)
		{
			case V_K0:
				m.k = 0;
				break;
			case V_KBIG:
				m.k = CC_MAX_K + 1;
				break;
			case V_D0:
				m.d = 0;
				break;
			case V_DBIG:
				m.d = CC_MAX_FEATURES + 1;
				break;
			case V_IMPUTE_UNKNOWN:
				m.impute = (CcImpute) 4;
				break;
			case V_SCALE_UNKNOWN:
				m.scale = (CcScale) -1;
				break;
			case V_NAN_CENTROID:
				m.centroids[7] = NAN;
				break;
			case V_INF_CENTROID:
				m.centroids[19] = -INFINITY;
				break;
			case V_SCALE0:
				m.scale_values[3] = 0.0;
				break;
			case V_SCALE_NEG:
				m.scale_values[0] = -1.0;
				break;
			case V_SCALE_NAN:
				m.scale_values[4] = NAN;
				break;
			case V_CENTER_NAN:
				m.center[2] = NAN;
				break;
			case V_DUP_NAMES:
				set_name(&m, 4, "feature_0");
				break;
			case V_EMPTY_NAME:
				set_name(&m, 3, "");
				break;
			case V_NULL_NAME:
				cc_release(A, m.features[4]);
				m.features[4] = NULL;
				break;
			case V_NAME64:
				set_name(&m, 0,
						 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_x");
				break;
			case V_SIZES_SUM:
				m.rows += 1;
				break;
			case V_SIZE_NEG:
				/* the total still adds up */
				m.sizes[3] = -1;
				m.rows = m.sizes[0] + m.sizes[1] + m.sizes[2] + m.sizes[3];
				break;
			case V_SSE_NEG:
				m.sse[2] = -0.5;
				break;
			case V_SSE_NAN:
				m.sse[1] = NAN;
				break;
			case V_INERTIA_NEG:
				m.inertia = -1.0;
				break;
			case V_INERTIA_INF:
				m.inertia = INFINITY;
				break;
			case V_ITER_NEG:
				m.iterations = -1;
				break;
			case V_ROWS_NEG:
				m.rows = -5;
				break;
			case V_DROP_NOT_NAN:
				m.impute_values[2] = 0.0;
				break;
			case V_MEDIAN_NAN:
				m.impute_values[1] = NAN;
				break;
			case V_SIL_HIGH:
				m.silhouette = 1.0 + 1e-12;
				break;
			case V_SIL_LOW:
				m.silhouette = -1.5;
				break;
			case V_SIL_NAN_WITH_ROWS:
				m.silhouette = NAN;
				break;
			case V_SIL_WITHOUT_ROWS:
				m.silhouette_rows = 0;
				break;
			case V_SIL_ROWS_OVER:
				m.silhouette_rows = m.rows + 1;
				break;
			case V_SIL_ROWS_NEG:
				m.silhouette_rows = -1;
				m.silhouette = NAN;
				break;
			case V_SEG_SIL:
				m.segment_silhouette[3] = -2.0;
				break;
			case V_SEG_SIL_INF:
				m.segment_silhouette[0] = INFINITY;
				break;
			case V_CH_NEG:
				m.calinski_harabasz = -0.5;
				break;
			case V_CH_INF:
				m.calinski_harabasz = INFINITY;
				break;
			case V_DB_NEG:
				m.davies_bouldin = -1e-9;
				break;
			case V_DB_INF:
				m.davies_bouldin = INFINITY;
				break;
		}
		set_ctx("validate case %d", v);
		CHECK(cc_model_validate(&m) != NULL);
		m.k = saved_k;
		m.d = saved_d;
		cc_model_free(&m, A);
	}

	/* principal components: present, finite and of unit length, or absent */
	{
		CcModel		m;
		int			c,
					j;

		set_ctx("validate principal components");
		make_model(&m, 3, 5, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 598);
		for (j = 0; j < 5; j++)
			m.pca_ratio[j] = 0.2;
		for (c = 0; c < CC_PCA_COMPONENTS; c++)
			for (j = 0; j < 5; j++)
				m.pca_components[c * 5 + j] = (j == c || j == c + 1) ? sqrt(0.5) : 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.pca_components[5 + 1] *= 2.0;		/* a longer second axis */
		CHECK(cc_model_validate(&m) != NULL);
		m.pca_components[5 + 1] = sqrt(0.5);
		CHECK(cc_model_validate(&m) == NULL);
		for (j = 0; j < 5; j++)
			m.pca_components[2 * 5 + j] *= 1e-200;	/* a third axis of length ~0 */
		CHECK(cc_model_validate(&m) != NULL);
		for (j = 0; j < 5; j++)
			m.pca_components[2 * 5 + j] = (j == 2 || j == 3) ? -sqrt(0.5) : 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.pca_components[0] = 1e300;
		CHECK(cc_model_validate(&m) != NULL);
		cc_model_free(&m, A);
	}

	/* the names checked above really were the boundaries */
	{
		CcModel		m;

		set_ctx("validate boundaries");
		make_model(&m, 2, 3, CC_IMPUTE_DROP, CC_SCALE_ROBUST, 599);
		CHECK(strlen(m.features[1]) == 63);
		CHECK(cc_model_validate(&m) == NULL);
		m.sizes[0] = 0;
		m.rows = m.sizes[1];
		m.sse[0] = 0.0;
		m.inertia = 0.0;
		m.iterations = 0;
		m.silhouette = -1.0;
		m.silhouette_rows = m.rows;
		m.segment_silhouette[0] = NAN;
		m.segment_silhouette[1] = 1.0;
		m.calinski_harabasz = 0.0;
		m.davies_bouldin = 0.0;
		CHECK(cc_model_validate(&m) == NULL);
		m.silhouette = NAN;
		m.silhouette_rows = 0;
		m.calinski_harabasz = NAN;
		m.davies_bouldin = NAN;
		CHECK(cc_model_validate(&m) == NULL);
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check that unflatten rejects damaged flat forms without reading outside them. */
static void
test_model_unflatten_rejects(void)
{
	CcModel		m,
				u;
	char	   *buf;
	char	   *big;
	size_t		size,
				len;
	bool		all_rejected = true;
	const char *err;
	uint32_t	u32;
	int32_t		i32;

	make_model(&m, 3, 4, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 700);
	buf = flatten(&m, &size);

	/* truncated at every length */
	for (len = 0; len < size; len++)
	{
		err = unflatten_exact(buf, len, &u);
		if (err == NULL)
		{
			all_rejected = false;
			printf("  truncation to %zu of %zu bytes was accepted\n", len, size);
		}
		cc_model_free(&u, A);
	}
	set_ctx("unflatten truncated");
	CHECK(all_rejected);

	/* trailing bytes */
	big = talloc(size + 3, 1);
	memcpy(big, buf, size);
	big[size] = '\0';
	big[size + 1] = 'x';
	big[size + 2] = '\0';
	set_ctx("unflatten trailing bytes");
	CHECK(unflatten_exact(big, size + 1, &u) != NULL);
	cc_model_free(&u, A);
	CHECK(unflatten_exact(big, size + 3, &u) != NULL);
	cc_model_free(&u, A);
	tfree(big);

	/* the original still passes */
	set_ctx("unflatten original");
	CHECK(unflatten_exact(buf, size, &u) == NULL);
	cc_model_free(&u, A);

	/* header damage */
	big = talloc(size, 1);
#define DAMAGED(stmt) \
	(memcpy(big, buf, size), (stmt), unflatten_exact(big, size, &u) != NULL)

	set_ctx("unflatten flipped magic");
	CHECK(DAMAGED(big[0] ^= 0x01));
	cc_model_free(&u, A);
	CHECK(DAMAGED(big[3] ^= (char) 0x80));
	cc_model_free(&u, A);
	memcpy(&u32, buf, 4);
	CHECK(u32 == 0x4D534343);	/* "CCSM" in native order */

	set_ctx("unflatten format version");
	i32 = CC_MODEL_FORMAT + 1;
	CHECK(DAMAGED(memcpy(big + 4, &i32, 4)));
	cc_model_free(&u, A);
	i32 = 0;
	CHECK(DAMAGED(memcpy(big + 4, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten k and d out of range");
	i32 = 0;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	i32 = -3;
	CHECK(DAMAGED(memcpy(big + 12, &i32, 4)));
	cc_model_free(&u, A);
	i32 = CC_MAX_K + 1;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	/* k larger than what the bytes hold: truncated */
	i32 = 4;
	CHECK(DAMAGED(memcpy(big + 8, &i32, 4)));
	cc_model_free(&u, A);
	i32 = 5;
	CHECK(DAMAGED(memcpy(big + 12, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten number of fields");
	i32 = cc_model_nfields + 1;
	CHECK(DAMAGED(memcpy(big + 16, &i32, 4)));
	cc_model_free(&u, A);
	i32 = cc_model_nfields - 1;
	CHECK(DAMAGED(memcpy(big + 16, &i32, 4)));
	cc_model_free(&u, A);
	i32 = -1;
	CHECK(DAMAGED(memcpy(big + 16, &i32, 4)));
	cc_model_free(&u, A);

	set_ctx("unflatten unknown methods");
	{
		/* the method follows the names, which follow the header */
		size_t		at = 20;
		int			j;

		for (j = 0; j < m.d; j++)
			at += 4 + strlen(m.features[j]);
		memcpy(&i32, buf + at, 4);
		CHECK(i32 == (int32_t) m.impute);
		i32 = CC_IMPUTE_COUNT;
		CHECK(DAMAGED(memcpy(big + at, &i32, 4)));
		cc_model_free(&u, A);
		i32 = -1;
		CHECK(DAMAGED(memcpy(big + at, &i32, 4)));
		cc_model_free(&u, A);
	}

	set_ctx("unflatten name lengths");
	u32 = (uint32_t) size;
	CHECK(DAMAGED(memcpy(big + 20, &u32, 4)));
	cc_model_free(&u, A);
	u32 = 0;
	CHECK(DAMAGED(memcpy(big + 20, &u32, 4)));
	cc_model_free(&u, A);
	CHECK(DAMAGED(big[24] = '\0'));
	cc_model_free(&u, A);

	set_ctx("unflatten invalid contents");
	/* a NaN centroid, found by its bytes (its offset is the layout's business) */
	{
		double		nan = NAN;
		long		at = find_double(buf, size, m.centroids[5]);

		CHECK(at > 0);
		if (at > 0)
		{
			CHECK(DAMAGED(memcpy(big + at, &nan, 8)));
			cc_model_free(&u, A);
		}
		at = find_double(buf, size, m.scale_values[2]);
		CHECK(at > 0);
		if (at > 0)
		{
			double		zero = 0.0;

			CHECK(DAMAGED(memcpy(big + at, &zero, 8)));
			cc_model_free(&u, A);
		}
	}
#undef DAMAGED
	tfree(big);

	/* well-formed bytes of invalid models: only validation can catch them */
	{
		CcModel		bad;
		char	   *bb;
		size_t		bs;

		make_model(&bad, 3, 4, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 701);
		set_name(&bad, 2, "");
		bb = flatten(&bad, &bs);
		set_ctx("unflatten empty name");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);

		set_name(&bad, 2, "feature_3");
		bb = flatten(&bad, &bs);
		set_ctx("unflatten duplicate names");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);

		set_name(&bad, 2, "ok");
		bad.rows++;
		bb = flatten(&bad, &bs);
		set_ctx("unflatten sizes not adding up");
		CHECK(unflatten_exact(bb, bs, &u) != NULL);
		cc_model_free(&u, A);
		tfree(bb);
		cc_model_free(&bad, A);
	}
	set_ctx("%s", "");
	tfree(buf);
	cc_model_free(&m, A);
}

/*
 * Flip random bytes of a flat form: unflatten must either reject it or
 * accept a valid model that flattens back to the same bytes.  Run under ASan or valgrind this also shows that no
 * damaged input makes it read outside the buffer.
 */
static void
test_model_unflatten_fuzz(void)
{
	CcModel		m,
				u;
	char	   *buf,
			   *dam;
	size_t		size;
	TRand		r;
	int			t,
				accepted = 0;
	bool		consistent = true;

	make_model(&m, 2, 3, CC_IMPUTE_DROP, CC_SCALE_MINMAX, 800);
	buf = flatten(&m, &size);
	dam = talloc(size, 1);
	tr_seed(&r, 801);
	for (t = 0; t < 3000; t++)
	{
		int			flips = 1 + (int) tr_below(&r, 3);
		size_t		len = size;
		int			f;
		const char *err;

		memcpy(dam, buf, size);
		for (f = 0; f < flips; f++)
			dam[tr_below(&r, size)] ^= (char) (1 + tr_below(&r, 255));
		if (t % 4 == 0)
			len = size - tr_below(&r, 8);
		err = unflatten_exact(dam, len, &u);
		if (err == NULL)
		{
			size_t		s2;
			char	   *again;

			accepted++;
			if (cc_model_validate(&u) != NULL)
				consistent = false;
			again = flatten(&u, &s2);
			if (s2 != len || memcmp(again, dam, len) != 0)
				consistent = false;
			tfree(again);
		}
		cc_model_free(&u, A);
	}
	set_ctx("unflatten fuzz (%d of 3000 accepted)", accepted);
	CHECK(consistent);
	/* flips in the centroids and sse usually leave a valid model */
	CHECK(accepted > 0);
	set_ctx("%s", "");
	tfree(dam);
	tfree(buf);
	cc_model_free(&m, A);
}

/* Check cc_model_transform against the imputation and scaling formulas (even and odd d). */
static void
test_model_transform(void)
{
	CcImpute	imp;
	int			d;

	for (d = 6; d <= 7; d++)
	{
		for (imp = CC_IMPUTE_MEDIAN; imp <= CC_IMPUTE_DROP; imp++)
		{
			CcModel		m;
			TRand		r;
			double		raw[7],
						z[7];
			int			t,
						j;
			bool		exact = true,
						result_ok = true;

			set_ctx("transform d=%d impute=%s", d, cc_impute_name(imp));
			make_model(&m, 3, d, imp, CC_SCALE_STANDARD, 900 + imp + 10 * d);
			tr_seed(&r, 910 + imp + 10 * d);
			for (t = 0; t < 200; t++)
			{
				bool		has_nan = false;
				bool		ok;

				for (j = 0; j < d; j++)
				{
					raw[j] = tr_unif(&r) < 0.1 ? NAN : 100.0 * tr_normal(&r);
					has_nan = has_nan || isnan(raw[j]);
				}
				ok = cc_model_transform(&m, raw, z);
				if (ok != !(has_nan && imp == CC_IMPUTE_DROP))
					result_ok = false;
				if (!ok)
					continue;
				for (j = 0; j < d; j++)
				{
					double		v = isnan(raw[j]) ? m.impute_values[j] : raw[j];
					double		want = (v - m.center[j]) / m.scale_values[j];

					if (memcmp(&z[j], &want, sizeof(double)) != 0)
						exact = false;
				}
			}
			CHECK(result_ok);
			CHECK(exact);
			cc_model_free(&m, A);
		}
	}
	set_ctx("%s", "");

	/* closed form: impute 3, center 1, scale 2 -> (3 - 1) / 2 = 1 */
	{
		CcModel		m;
		double		raw[2] = {NAN, 9.0};
		double		z[2];

		set_ctx("transform closed form");
		make_model(&m, 1, 2, CC_IMPUTE_ZERO, CC_SCALE_STANDARD, 950);
		m.impute_values[0] = 3.0;
		m.center[0] = 1.0;
		m.scale_values[0] = 2.0;
		m.center[1] = -1.0;
		m.scale_values[1] = 4.0;
		CHECK(cc_model_transform(&m, raw, z));
		CHECK(z[0] == 1.0 && z[1] == 2.5);
		/* the limit: at it is fine, beyond it is not; a missing value to drop comes first */
		set_ctx("transform checked");
		CHECK(cc_model_transform_checked(&m, raw, z, 2.5) == CC_ROW_OK);
		CHECK(cc_model_transform_checked(&m, raw, z, 2.0) == CC_ROW_TOO_LARGE);
		CHECK(z[0] == 1.0 && z[1] == 2.5);
		raw[1] = -1e300;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_TOO_LARGE);
		m.impute = CC_IMPUTE_DROP;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_MISSING);
		CHECK(!cc_model_transform(&m, raw, z));
		raw[0] = 5.0;
		CHECK(cc_model_transform_checked(&m, raw, z, 1e150) == CC_ROW_TOO_LARGE);
		CHECK(cc_model_transform(&m, raw, z));
		m.impute = CC_IMPUTE_ZERO;
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/* Check cc_model_assign and cc_model_centroid_original against brute force. */
static void
test_model_assign(void)
{
	CcModel		m;
	TRand		r;
	double		z[4],
				dist[9],
				dist_t[9],
				ct[9 * 4],
				orig[4],
				back[4];
	int			t,
				c,
				j;
	bool		nearest = true,
				dists = true,
				same = true,
				same_t = true,
				inverse = true;

	make_model(&m, 9, 4, CC_IMPUTE_MEAN, CC_SCALE_STANDARD, 1000);
	tr_seed(&r, 1001);
	for (t = 0; t < 500; t++)
	{
		int			got,
					got2,
					want = 0;
		long double best = INFINITY;

		for (j = 0; j < 4; j++)
			z[j] = 1.5 * tr_normal(&r);
		got = cc_model_assign(&m, z, dist);
		got2 = cc_model_assign(&m, z, NULL);
		/* the transposed form: the same choice and bit-identical distances */
		cc_model_transpose(&m, ct);
		if (cc_model_assign_t(&m, ct, z, dist_t) != got ||
			memcmp(dist, dist_t, sizeof(dist)) != 0)
			same_t = false;
		for (c = 0; c < 9; c++)
		{
			long double dd = ref_sqdist(z, m.centroids + (size_t) c * 4, 4);

			if (dd < best)
			{
				best = dd;
				want = c;
			}
			if (fabsl(dist[c] - dd) > 1e-13L * dd)
				dists = false;
		}
		if (got != want)
			nearest = false;
		if (got2 != got)
			same = false;
	}
	set_ctx("assign");
	CHECK(nearest);
	CHECK(dists);
	CHECK(same);
	CHECK(same_t);

	/* ties go to the lowest index, with and without distances */
	set_ctx("assign ties");
	for (j = 0; j < 4; j++)
	{
		m.centroids[1 * 4 + j] = (j == 0) ? 1.0 : 0.0;
		m.centroids[5 * 4 + j] = (j == 0) ? -1.0 : 0.0;
		m.centroids[2 * 4 + j] = (j == 1) ? 1.0 : 0.0;
		z[j] = 0.0;
	}
	for (c = 0; c < 9; c++)
		if (c != 1 && c != 2 && c != 5)
			for (j = 0; j < 4; j++)
				m.centroids[c * 4 + j] = 50.0 + c;
	CHECK(cc_model_assign(&m, z, NULL) == 1);
	CHECK(cc_model_assign(&m, z, dist) == 1);
	CHECK(dist[1] == 1.0 && dist[2] == 1.0 && dist[5] == 1.0);
	cc_model_transpose(&m, ct);
	CHECK(cc_model_assign_t(&m, ct, z, dist_t) == 1);

	/* centroid_original undoes scaling; transforming it gives the centroid back */
	set_ctx("centroid_original");
	for (c = 0; c < 9; c++)
	{
		cc_model_centroid_original(&m, c, orig);
		CHECK(cc_model_transform(&m, orig, back));
		for (j = 0; j < 4; j++)
		{
			double		want = m.centroids[c * 4 + j];

			if (fabs(back[j] - want) > 1e-12 * (fabs(want) + fabs(m.center[j]) + 1.0))
				inverse = false;
		}
	}
	CHECK(inverse);
	{
		CcModel		m2;
		double		o[2];

		make_model(&m2, 1, 2, CC_IMPUTE_MEDIAN, CC_SCALE_MINMAX, 1002);
		m2.center[0] = 1.0;
		m2.scale_values[0] = 2.0;
		m2.centroids[0] = 0.5;
		m2.center[1] = 2.0;
		m2.scale_values[1] = 4.0;
		m2.centroids[1] = -1.0;
		cc_model_centroid_original(&m2, 0, o);
		CHECK(o[0] == 2.0 && o[1] == -2.0);
		cc_model_free(&m2, A);
	}
	set_ctx("%s", "");
	cc_model_free(&m, A);
}

/*
 * Train through the whole pipeline (impute, scale, k-means, model) and
 * check that scoring the training rows with the model gives their labels.
 */
static void
test_pipeline(void)
{
	const size_t n = 1200;
	const int	d = 4;
	const int	k = 5;
	CcImpute	imp;

	for (imp = CC_IMPUTE_MEDIAN; imp <= CC_IMPUTE_DROP; imp++)
	{
		double	   *raw = dalloc(n * d);
		double	   *x = dalloc(n * d);
		double	   *z = dalloc(d);
		CcModel		m;
		CcKmeansParams p;
		CcKmeansResult res;
		TRand		r;
		size_t		i,
					rows,
					kept_i = 0;
		int			j;
		bool		scores = true,
					transform_ok = true;
		char	   *buf;
		size_t		size;
		CcModel		u;

		set_ctx("pipeline impute=%s", cc_impute_name(imp));
		make_data(DATA_BLOBS, 1100 + imp, raw, NULL, n, d, k);
		tr_seed(&r, 1110 + imp);
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
			{
				raw[i * d + j] = raw[i * d + j] * (j + 1) + 10.0 * j;
				if (tr_unif(&r) < 0.03)
					raw[i * d + j] = NAN;
			}
		memcpy(x, raw, n * d * sizeof(double));
		cc_model_alloc(&m, k, d, A);
		m.impute = imp;
		m.scale = (CcScale) (imp % 3);	/* standard, minmax, robust, standard */
		for (j = 0; j < d; j++)
		{
			char		name[16];

			snprintf(name, sizeof(name), "x%d", j);
			set_name(&m, j, name);
		}
		CHECK(cc_impute_fit(x, n, d, imp, m.impute_values, A) == -1);
		rows = cc_impute_apply(x, n, d, imp, m.impute_values);
		cc_scale_fit(x, rows, d, m.scale, m.center, m.scale_values, NULL, A);
		cc_scale_apply(x, rows, d, m.center, m.scale_values);
		p = km_params(k, CC_INIT_KMEANSPP, CC_ALGO_AUTO, 3, 3, 300, 0.0, NULL);
		cc_kmeans(x, rows, d, &p, &res, A);
		cc_kmeans_sort_by_size(&res, rows, k, d, A);
		memcpy(m.centroids, res.centroids, (size_t) k * d * sizeof(double));
		memcpy(m.sizes, res.sizes, k * sizeof(int64_t));
		memcpy(m.sse, res.sse, k * sizeof(double));
		m.inertia = res.inertia;
		m.iterations = res.iterations;
		m.rows = (int64_t) rows;
		CHECK(cc_model_validate(&m) == NULL);

		/* score the raw rows through the flat form */
		buf = flatten(&m, &size);
		CHECK(unflatten_exact(buf, size, &u) == NULL);
		for (i = 0; i < n; i++)
		{
			bool		ok = cc_model_transform(&u, raw + i * d, z);

			if (!ok)
				continue;
			if (kept_i >= rows ||
				memcmp(z, x + kept_i * d, d * sizeof(double)) != 0)
				transform_ok = false;
			else if (cc_model_assign(&u, z, NULL) != res.labels[kept_i])
				scores = false;
			kept_i++;
		}
		CHECK(kept_i == rows);
		CHECK(transform_ok);
		CHECK(scores);
		if (imp == CC_IMPUTE_DROP)
			CHECK(rows < n);
		else
			CHECK(rows == n);
		cc_model_free(&u, A);
		tfree(buf);
		km_free(&res);
		cc_model_free(&m, A);
		tfree(raw);
		tfree(x);
		tfree(z);
	}
	set_ctx("%s", "");
}

/*
 * Check the binary form: a round trip gives the same model, every shorter
 * buffer and a trailing byte are refused, and a flipped byte is refused or
 * gives a valid model.
 */
static void
test_model_wire(void)
{
	CcModel		m;
	int			trial;

	for (trial = 0; trial < 4; trial++)
	{
		size_t		size,
					len;
		unsigned char *buf;
		CcModel		back;

		make_model(&m, 1 + trial * 2, 1 + trial, (CcImpute) (trial % 4),
				   (CcScale) (trial % 4), 900 + trial);
		size = cc_model_wire_size(&m);
		buf = talloc(size + 1, 1);
		cc_model_to_wire(&m, buf);
		set_ctx("wire round trip, trial %d", trial);
		CHECK(cc_model_from_wire(buf, size, &back, A) == NULL);
		check_models_equal(&m, &back);
		cc_model_free(&back, A);
		for (len = 0; len < size; len++)
		{
			CHECK(cc_model_from_wire(buf, len, &back, A) != NULL);
			cc_model_free(&back, A);
		}
		buf[size] = 0;
		CHECK(cc_model_from_wire(buf, size + 1, &back, A) != NULL);
		cc_model_free(&back, A);
		for (len = 0; len < size; len += 7)
		{
			const char *bad;

			buf[len] ^= 0x5a;
			bad = cc_model_from_wire(buf, size, &back, A);
			CHECK(bad != NULL || cc_model_validate(&back) == NULL);
			cc_model_free(&back, A);
			buf[len] ^= 0x5a;
		}
		tfree(buf);
		cc_model_free(&m, A);
	}
}

/* Check the JSON reader on a valid text and on many broken ones. */
static void
test_model_json(void)
{
	static const char *valid =
	"{\"format\": 1, \"k\": 2, \"features\": [\"a\\u00e9\", \"b\\\"q\"], "
	"\"impute\": \"mean\", \"scale\": \"minmax\", \"impute_values\": [1, 2], "
	"\"scale_center\": [0, 1e-3], \"scale_scale\": [2, 0.5], "
	"\"centroids\": [[-1, 0.25], [1, -0.25]], \"sizes\": [3, 4], \"sse\": [1.5, 2.5], "
	"\"inertia\": 4, \"iterations\": 9, \"rows\": 7, \"silhouette\": null, "
	"\"silhouette_rows\": 0, \"segment_silhouette\": [null, null], "
	"\"calinski_harabasz\": 12.5, \"davies_bouldin\": null, \"feature_mean\": [1, 2], "
	"\"feature_std\": [0.5, 0], \"pca_ratio\": [0.75, 0.25], "
	"\"pca_components\": [[1, 0], [0, 1], [null, null]], \"changed_share\": 0.5, "
	"\"segment_drift\": [0, null]}";
	static const struct
	{
		const char *from;
		const char *to;
	}			breaks[] = {
		{"\"k\": 2", "\"k\": 2.5"}, {"\"k\": 2", "\"k\": 0"}, {"\"k\": 2", "\"k\": \"2\""},
		{"[\"a\\u00e9\"", "[\"a\\ud800\""}, {"\"mean\"", "\"average\""},
		{"[1, 2], \"scale_center\"", "[1], \"scale_center\""},
		{"\"inertia\": 4", "\"inertia\": 1e999"}, {"\"rows\": 7", "\"rows\": 8"},
		{"\"format\": 1", "\"format\": 3"}, {"\"format\": 1", "\"format\": 0"}, {"\"iterations\": 9", "\"iterations\": -9"},
		{"\"silhouette\": null", "\"silhouette\": 2"}, {"[0, null]}", "[0, null]} x"},
		{"\"sse\"", "\"sse2\""}, {"\"changed_share\": 0.5", "\"changed_share\": 0.5, \"changed_share\": 0.5"},
		{"[[1, 0]", "[[1, 0x]"}, {"\"b\\\"q\"", "\"b\\q\""}, {"12.5", "012"},
	};
	CcModel		m;
	char		err[256];
	size_t		i,
				len = strlen(valid);

	set_ctx("json valid");
	CHECK(cc_model_from_json(valid, len, &m, A, err, sizeof(err)) == NULL);
	CHECK(m.k == 2 && m.d == 2);
	CHECK(strcmp(m.features[0], "a\xc3\xa9") == 0 && strcmp(m.features[1], "b\"q") == 0);
	CHECK(m.impute == CC_IMPUTE_MEAN && m.scale == CC_SCALE_MINMAX);
	CHECK(m.center[1] == 1e-3 && m.centroids[3] == -0.25 && m.sizes[1] == 4);
	CHECK(isnan(m.silhouette) && isnan(m.davies_bouldin) && m.changed_share == 0.5);
	cc_model_free(&m, A);
	/* every prefix is refused */
	for (i = 0; i < len; i++)
	{
		set_ctx("json prefix of %zu bytes", i);
		CHECK(cc_model_from_json(valid, i, &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
	for (i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++)
	{
		const char *at = strstr(valid, breaks[i].from);
		char		text[2048];

		set_ctx("json broken: %s", breaks[i].to);
		CHECK(at != NULL);
		if (at == NULL)
			continue;
		snprintf(text, sizeof(text), "%.*s%s%s", (int) (at - valid), valid,
				 breaks[i].to, at + strlen(breaks[i].from));
		CHECK(cc_model_from_json(text, strlen(text), &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
	{
		char		deep[64];

		memset(deep, '[', 40);
		memset(deep + 40, ']', 20);
		set_ctx("json nested too deeply");
		CHECK(cc_model_from_json(deep, 60, &m, A, err, sizeof(err)) != NULL);
		cc_model_free(&m, A);
	}
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(model_wire, 230),
	UNIT_TEST(model_json, 240),
	UNIT_TEST(model_round_trip, 640),
	UNIT_TEST(model_validate, 650),
	UNIT_TEST(model_unflatten_rejects, 660),
	UNIT_TEST(model_unflatten_fuzz, 670),
	UNIT_TEST(model_transform, 680),
	UNIT_TEST(model_assign, 690),
	UNIT_TEST(pipeline, 720),
};

const UnitModule model_module = {"model", tests, lengthof(tests)};
