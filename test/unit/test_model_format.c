/*
 * test_model_format.c
 *		Unit tests of the description of a model's fields (cc_model_fields)
 *		and of the forms it drives: values of format 1 as releases 0.4.0
 *		and 0.1.0 wrote them (fixture_model_v1.h) read back to the model
 *		they were written from, and the JSON writer's text reads back to
 *		its model.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture_model_v1.h"
#include "harness.h"
#include "model.h"
#include "model_io.h"
#include "preprocess.h"

/*
 * The model whose format-1 forms fixture_model_v1.h holds: every kind of
 * field, NaN among the quality measures, a UTF-8 name, aligned.
 */
static void
fixture_model(CcModel *m)
{
	static const char *const names[] = {"balance", "gr\xc3\xb6\xc3\x9f" "e", "visits_per_month"};
	static const double comps[9] = {0.6, 0.8, 0.0, -0.8, 0.6, 0.0, 0.0, 0.0, 1.0};
	int			k = 3,
				d = 3,
				c,
				j;

	cc_model_alloc(m, k, d, A);
	m->impute = CC_IMPUTE_MEAN;
	m->scale = CC_SCALE_ROBUST;
	for (j = 0; j < d; j++)
	{
		m->features[j] = talloc(strlen(names[j]) + 1, 1);
		strcpy(m->features[j], names[j]);
		m->impute_values[j] = 1.25 * (j + 1);
		m->center[j] = -0.5 + j;
		m->scale_values[j] = 0.1 + 2.0 * j;
		m->feature_mean[j] = 3.0 - j / 3.0;
		m->feature_std[j] = 0.75 * j;
		m->pca_ratio[j] = j == 0 ? 0.7 : j == 1 ? 0.2 : 0.1;
	}
	memcpy(m->pca_components, comps, sizeof(comps));
	for (c = 0; c < k; c++)
	{
		for (j = 0; j < d; j++)
			m->centroids[c * d + j] = c - 1.0 + 0.1 * j + 1e-17 * c;
		m->sizes[c] = 100 + 7 * c;
		m->sse[c] = 2.5 * c + 1.0 / 3.0;
		m->segment_silhouette[c] = c == 1 ? NAN : 0.2 * c - 0.1;
		m->segment_drift[c] = 0.125 * c;
	}
	m->rows = 100 + 107 + 114;
	m->inertia = m->sse[0] + m->sse[1] + m->sse[2];
	m->iterations = 12;
	m->silhouette = 0.3125;
	m->silhouette_rows = 200;
	m->calinski_harabasz = 123.456;
	m->davies_bouldin = NAN;
	m->changed_share = 0.0625;
}

/* Whether a and b hold the same value in every field (NaN bits included). */
static bool
models_equal(const CcModel *a, const CcModel *b)
{
	int			i;
	size_t		j;

	if (a->k != b->k || a->d != b->d)
		return false;
	for (i = 0; i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		size_t		n = cc_model_field_count(f, a);
		const void *va = cc_model_field_values(f, a);
		const void *vb = cc_model_field_values(f, b);
		size_t		bytes = f->kind == CC_FIELD_INT || f->kind == CC_FIELD_TRANSFORM ? sizeof(int) :
			f->kind == CC_FIELD_IMPUTE ? sizeof(CcImpute) :
			f->kind == CC_FIELD_SCALE ? sizeof(CcScale) : 8;

		if (f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_TEXTS)
		{
			for (j = 0; j < n; j++)
			{
				const char *ta = ((char *const *) va)[j];
				const char *tb = ((char *const *) vb)[j];

				if ((ta == NULL) != (tb == NULL) ||
					(ta != NULL && strcmp(ta, tb) != 0))
					return false;
			}
		}
		else if (memcmp(va, vb, bytes * n) != 0)
		{
			set_ctx("field %s differs", f->name);
			return false;
		}
	}
	return true;
}

/* The table describes each member once, and cc_model_alloc follows it. */
static void
test_model_fields_table(void)
{
	CcModel		m;
	int			i,
				i2;
	bool		unique = true,
				found = true,
				initial = true;

	set_ctx("model fields table");
	CHECK(cc_model_nfields == 30);
	for (i = 0; i < cc_model_nfields; i++)
	{
		for (i2 = 0; i2 < i; i2++)
			if (strcmp(cc_model_fields[i].name, cc_model_fields[i2].name) == 0 ||
				cc_model_fields[i].offset == cc_model_fields[i2].offset)
				unique = false;
		if (cc_model_field_find(cc_model_fields[i].name) != &cc_model_fields[i])
			found = false;
	}
	CHECK(unique);
	CHECK(found);
	CHECK(cc_model_field_find("k") == NULL && cc_model_field_find("format") == NULL);
	CHECK(cc_model_fields[0].kind == CC_FIELD_NAMES);

	cc_model_alloc(&m, 4, 3, A);
	for (i = 0; i < cc_model_nfields; i++)
	{
		const CcModelField *f = &cc_model_fields[i];
		size_t		n = cc_model_field_count(f, &m),
					j;
		const void *v = cc_model_field_values(f, &m);

		for (j = 0; j < n; j++)
			if (f->kind == CC_FIELD_DOUBLE &&
				memcmp(&((const double *) v)[j], &f->init, 8) != 0)
				initial = false;
	}
	CHECK(initial);
	CHECK(cc_model_field_count(cc_model_field_find("centroids"), &m) == 12);
	CHECK(cc_model_field_count(cc_model_field_find("pca_components"), &m) ==
		  (size_t) CC_PCA_COMPONENTS * 3);
	CHECK(cc_model_field_values(cc_model_field_find("sse"), &m) == (void *) m.sse);
	CHECK(cc_model_field_values(cc_model_field_find("inertia"), &m) == (void *) &m.inertia);
	cc_model_free(&m, A);

	/* the bound checked before allocating is that of names of length 0 */
	fixture_model(&m);
	CHECK(cc_model_fields_min_size(3, 3, cc_model_fields_used(&m)) + strlen(m.features[0]) +
		  strlen(m.features[1]) + strlen(m.features[2]) == cc_model_fields_size(&m));
	CHECK(cc_model_validate(&m) == NULL);
	cc_model_free(&m, A);
	set_ctx("%s", "");
}

/* Read len bytes of a copy of buf (an exact block) with the flat or binary reader. */
static const char *
read_exact(const unsigned char *buf, size_t len, bool wire, CcModel *out)
{
	unsigned char *copy = talloc(len > 0 ? len : 1, 1);
	const char *err;

	memcpy(copy, buf, len);
	err = wire ? cc_model_from_wire(copy, len, out, A) :
		cc_model_unflatten((const char *) copy, len, out, A);
	tfree(copy);
	return err;
}

/* Values of format 1 written by 0.4.0 read back to their model, and only whole. */
static void
test_model_format1(void)
{
	CcModel		want,
				got,
				again;
	int			wire;

	fixture_model(&want);
	for (wire = 0; wire < 2; wire++)
	{
		const unsigned char *v1 = wire ? model_wire_v1 : model_flat_v1;
		size_t		size = wire ? sizeof(model_wire_v1) : sizeof(model_flat_v1);
		size_t		len;
		bool		all_refused = true;
		unsigned char *buf,
				   *big;
		size_t		size2;
		const char *err;

		set_ctx("format 1 %s", wire ? "binary" : "flat");
		err = read_exact(v1, size, wire, &got);
		CHECK(err == NULL);
		if (err != NULL)
			printf("  said: %s\n", err);
		CHECK(err == NULL && models_equal(&want, &got));

		/* written again in format 2, it reads back the same */
		size2 = wire ? cc_model_wire_size(&got) : cc_model_flat_size(&got);
		buf = talloc(size2, 1);
		if (wire)
			cc_model_to_wire(&got, buf);
		else
			cc_model_flatten(&got, (char *) buf);
		CHECK(buf[wire ? 3 : 4] == CC_MODEL_FORMAT);
		CHECK(read_exact(buf, size2, wire, &again) == NULL && models_equal(&want, &again));
		cc_model_free(&again, A);
		/* format 2 without its last field: that field is not optional */
		if (wire)
			buf[15]--;
		else
			buf[16]--;
		CHECK(read_exact(buf, size2, wire, &again) != NULL);
		cc_model_free(&again, A);
		tfree(buf);
		cc_model_free(&got, A);

		for (len = 0; len < size; len++)
		{
			if (read_exact(v1, len, wire, &got) == NULL)
				all_refused = false;
			cc_model_free(&got, A);
		}
		CHECK(all_refused);
		big = talloc(size + 1, 1);
		memcpy(big, v1, size);
		big[size] = 0;
		CHECK(read_exact(big, size + 1, wire, &got) != NULL);
		cc_model_free(&got, A);
		if (!wire)
		{
			/* the reserved word of format 1 must be 0 */
			big[28] = 1;
			CHECK(read_exact(big, size, wire, &got) != NULL);
			cc_model_free(&got, A);
		}
		tfree(big);
	}
	cc_model_free(&want, A);

	/* 0.1.0's flat form: the same format, without the alignment fields */
	{
		size_t		size = sizeof(model_flat_v1_010),
					len;
		bool		all_refused = true;
		int			c;

		set_ctx("format 1 flat of 0.1.0");
		fixture_model(&want);
		want.changed_share = NAN;
		for (c = 0; c < want.k; c++)
			want.segment_drift[c] = NAN;
		CHECK(read_exact(model_flat_v1_010, size, false, &got) == NULL &&
			  models_equal(&want, &got));
		cc_model_free(&got, A);
		for (len = 0; len < size; len++)
		{
			if (read_exact(model_flat_v1_010, len, false, &got) == NULL)
				all_refused = false;
			cc_model_free(&got, A);
		}
		CHECK(all_refused);
		cc_model_free(&want, A);
	}
	set_ctx("%s", "");
}

/* A CcJsonOut writing into a fixed buffer, numbers with 17 digits. */
typedef struct TextBuf
{
	char		data[16384];
	size_t		len;
} TextBuf;

static void
tb_text(void *arg, const char *s)
{
	TextBuf    *tb = arg;
	size_t		n = strlen(s);

	if (tb->len + n < sizeof(tb->data))
	{
		memcpy(tb->data + tb->len, s, n + 1);
		tb->len += n;
	}
}

static void
tb_number(void *arg, double v)
{
	char		num[40];

	snprintf(num, sizeof(num), "%.17g", v);
	tb_text(arg, num);
}

static void
tb_string(void *arg, const char *s)
{
	char		c[8];

	tb_text(arg, "\"");
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof(c), "\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			snprintf(c, sizeof(c), "\\u%04x", (unsigned) *s);
		else
			snprintf(c, sizeof(c), "%c", *s);
		tb_text(arg, c);
	}
	tb_text(arg, "\"");
}

/* The JSON writer's text reads back to its model, in format 2 and 1. */
static void
test_model_json_writer(void)
{
	static TextBuf tb;
	CcJsonOut	out = {tb_text, tb_number, tb_string, &tb};
	CcModel		m,
				back;
	char		err[256];
	int			trial;

	for (trial = 0; trial < 5; trial++)
	{
		char	   *at;

		if (trial == 0)
			fixture_model(&m);
		else
			make_model(&m, trial * 3 - 2, trial, (CcImpute) (trial % 4),
					   (CcScale) ((trial + 1) % 4), 1200 + trial);
		if (trial == 2)
			set_name(&m, 0, "q\"uote\\back\tslash");
		set_ctx("json writer, trial %d", trial);
		tb.len = 0;
		cc_model_to_json(&m, &out);
		CHECK(strncmp(tb.data, "{\"format\": 2, \"k\": ", 19) == 0);
		CHECK(strstr(tb.data, "\"features\": [") == strstr(tb.data, "\"k\": ") +
			  strlen("\"k\": ") + (m.k >= 10 ? 2 : 1) + 2);
		if (!CHECK(cc_model_from_json(tb.data, tb.len, &back, A, err, sizeof(err)) == NULL))
			printf("  said: %s\n  of: %s\n", err, tb.data);
		CHECK(models_equal(&m, &back));
		cc_model_free(&back, A);

		/* the same text as format 1 */
		tb.data[11] = '1';
		CHECK(cc_model_from_json(tb.data, tb.len, &back, A, err, sizeof(err)) == NULL);
		CHECK(models_equal(&m, &back));
		cc_model_free(&back, A);

		/* without the optional alignment fields (as 0.1.0 wrote): NaN */
		at = strstr(tb.data, ", \"changed_share\"");
		CHECK(at != NULL);
		if (at != NULL)
		{
			char	   *after = strstr(at, ", \"feature_mean\"");

			memmove(at, after, strlen(after) + 1);
			CHECK(cc_model_from_json(tb.data, strlen(tb.data), &back, A, err,
									 sizeof(err)) == NULL);
			CHECK(isnan(back.changed_share) && isnan(back.segment_drift[0]) &&
				  isnan(back.segment_drift[back.k - 1]));
			CHECK(back.inertia == m.inertia &&
				  memcmp(&back.pca_ratio[0], &m.pca_ratio[0], 8) == 0);
			cc_model_free(&back, A);
		}
		cc_model_free(&m, A);
	}
	set_ctx("%s", "");
}

/*
 * Transforms and weights in a model: left out of the stored forms when unused (the
 * stored value is that of a model without the fields), kept through the
 * flat, binary and JSON forms when used, applied by scoring and undone
 * for the centroids in original units; a value outside the domain is
 * CC_ROW_DOMAIN.
 */
static void
test_model_transforms(void)
{
	CcModel		m,
				back;
	size_t		size,
				plain;
	char	   *buf;
	double		raw[3] = {2.0, 5.0, 1.0},
				z[3],
				orig[3];
	static TextBuf tb;
	CcJsonOut	out = {tb_text, tb_number, tb_string, &tb};
	char		err[256];
	int			j;

	make_model(&m, 2, 3, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 1200);
	CHECK(cc_model_fields_used(&m) == cc_model_nfields - 7);
	plain = cc_model_flat_size(&m);
	m.transform[0] = CC_TRANSFORM_LOG1P;
	m.transform_mean[0] = 0.7;
	m.transform[2] = CC_TRANSFORM_CLIP;
	m.transform_a[2] = 0.5;
	m.transform_b[2] = 3.0;
	m.transform_mean[2] = 1.5;
	CHECK(cc_model_validate(&m) == NULL);
	CHECK(cc_model_fields_used(&m) == cc_model_nfields - 3);
	CHECK(cc_model_flat_size(&m) == plain + 3 * 4 + 3 * 3 * 8);
	m.weights[1] = 2.5;
	CHECK(cc_model_fields_used(&m) == cc_model_nfields - 2);
	CHECK(cc_model_flat_size(&m) == plain + 3 * 4 + 4 * 3 * 8);

	size = cc_model_flat_size(&m);
	buf = talloc(size, 1);
	cc_model_flatten(&m, buf);
	CHECK(cc_model_unflatten(buf, size, &back, A) == NULL);
	CHECK(models_equal(&m, &back));
	cc_model_free(&back, A);
	tfree(buf);
	{
		unsigned char *w = talloc(cc_model_wire_size(&m), 1);

		cc_model_to_wire(&m, w);
		CHECK(cc_model_from_wire(w, cc_model_wire_size(&m), &back, A) == NULL);
		CHECK(models_equal(&m, &back));
		cc_model_free(&back, A);
		tfree(w);
	}
	tb.len = 0;
	tb.data[0] = '\0';
	cc_model_to_json(&m, &out);
	CHECK(strstr(tb.data, "\"transform\": [\"log1p\", \"none\", \"clip\"]") != NULL);
	CHECK(cc_model_from_json(tb.data, tb.len, &back, A, err, sizeof(err)) == NULL);
	CHECK(models_equal(&m, &back));
	cc_model_free(&back, A);

	/* scoring: log1p then scaling; clip at the bounds */
	CHECK(cc_model_transform_checked(&m, raw, z, INFINITY) == CC_ROW_OK);
	CHECK(z[0] == (log1p(2.0) - m.center[0]) / m.scale_values[0]);
	CHECK(z[1] == (5.0 - m.center[1]) / m.scale_values[1] * 2.5);
	CHECK(z[2] == (1.0 - m.center[2]) / m.scale_values[2]);
	raw[2] = 10.0;
	CHECK(cc_model_transform_checked(&m, raw, z, INFINITY) == CC_ROW_OK);
	CHECK(z[2] == (3.0 - m.center[2]) / m.scale_values[2]);
	raw[0] = -1.0;
	CHECK(cc_model_transform_checked(&m, raw, z, INFINITY) == CC_ROW_DOMAIN);
	CHECK(cc_model_domain_error(&m, raw) == 0);
	CHECK(!cc_model_transform(&m, raw, z));

	/* centroids in original units: expm1 of the unscaled log */
	cc_model_centroid_original(&m, 1, orig);
	CHECK(fabs(orig[0] - expm1(m.centroids[3] * m.scale_values[0] + m.center[0])) <=
		  1e-12 * fabs(orig[0]));
	CHECK(orig[1] == m.centroids[4] / 2.5 * m.scale_values[1] + m.center[1]);
	CHECK(cc_model_scaled_mean(&m, 0) == (0.7 - m.center[0]) / m.scale_values[0]);
	CHECK(cc_model_scaled_mean(&m, 1) ==
		  (m.feature_mean[1] - m.center[1]) / m.scale_values[1] * 2.5);

	/* invalid: a weight of 0 or infinity */
	m.weights[1] = 0.0;
	CHECK(cc_model_validate(&m) != NULL);
	m.weights[1] = INFINITY;
	CHECK(cc_model_validate(&m) != NULL);
	m.weights[1] = 2.5;

	/* invalid: clip without bounds, a mean for an untransformed feature */
	m.transform_a[2] = NAN;
	CHECK(cc_model_validate(&m) != NULL);
	m.transform_a[2] = 4.0;
	CHECK(cc_model_validate(&m) != NULL);
	m.transform_a[2] = 0.5;
	m.transform_mean[1] = 1.0;
	CHECK(cc_model_validate(&m) != NULL);
	m.transform_mean[1] = NAN;
	for (j = 0; j < 3; j++)
		m.transform[j] = CC_TRANSFORM_COUNT;
	CHECK(cc_model_validate(&m) != NULL);
	cc_model_free(&m, A);
}

/* Sets text field values of m (copies; NULL stays NULL). */
static void
set_text(char **field, int j, const char *s)
{
	tfree(field[j]);
	if (s == NULL)
	{
		field[j] = NULL;
		return;
	}
	field[j] = talloc(strlen(s) + 1, 1);
	strcpy(field[j], s);
}

/*
 * Indicator features of a categorical column: stored as two optional text
 * fields (left out when unused), kept through the flat, binary and JSON
 * forms with their NULLs, scored as 0/1 values with center 0 and scale 1,
 * and validated.
 */
static void
test_model_categories(void)
{
	CcModel		m,
				back;
	size_t		size,
				plain;
	char	   *buf;
	static TextBuf tb;
	CcJsonOut	out = {tb_text, tb_number, tb_string, &tb};
	char		err[256];
	double		raw[4] = {3.0, 0.0, 1.0, 0.0},
				z[4],
				orig[4];
	int			j;

	set_ctx("model categories");
	make_model(&m, 2, 4, CC_IMPUTE_MEDIAN, CC_SCALE_STANDARD, 77);
	plain = cc_model_flat_size(&m);
	set_name(&m, 1, "channel=1");
	set_name(&m, 2, "channel=2");
	set_name(&m, 3, "channel IS NULL");
	set_text(m.category_column, 1, "channel");
	set_text(m.category_column, 2, "channel");
	set_text(m.category_column, 3, "channel");
	set_text(m.category, 1, "1");
	set_text(m.category, 2, "2");
	for (j = 1; j < 4; j++)
	{
		m.center[j] = 0.0;
		m.scale_values[j] = 1.0;
	}
	CHECK(cc_model_validate(&m) == NULL);
	CHECK(cc_model_has_categories(&m));
	CHECK(cc_model_category_count(&m, 1) == 3);
	CHECK(cc_model_fields_used(&m) == cc_model_nfields);
	/* 7 more fields: transform (int32), four of doubles, the two texts */
	CHECK(cc_model_flat_size(&m) == plain - strlen("feature_3") -
		  strlen("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") -
		  strlen("gr\xc3\xb6\xc3\x9f" "e") + strlen("channel=1channel=2channel IS NULL") +
		  4 * 4 + 4 * 4 * 8 + 4 * 4 + 3 * 7 + 4 * 4 + 2);

	size = cc_model_flat_size(&m);
	buf = talloc(size, 1);
	cc_model_flatten(&m, buf);
	CHECK(cc_model_unflatten(buf, size, &back, A) == NULL);
	CHECK(models_equal(&m, &back));
	CHECK(back.category[3] == NULL && back.category_column[0] == NULL);
	cc_model_free(&back, A);
	tfree(buf);
	{
		unsigned char *w = talloc(cc_model_wire_size(&m), 1);

		cc_model_to_wire(&m, w);
		CHECK(cc_model_from_wire(w, cc_model_wire_size(&m), &back, A) == NULL);
		CHECK(models_equal(&m, &back));
		cc_model_free(&back, A);
		tfree(w);
	}
	tb.len = 0;
	tb.data[0] = '\0';
	cc_model_to_json(&m, &out);
	CHECK(strstr(tb.data, "\"category_column\": [null, \"channel\", \"channel\", \"channel\"]") != NULL);
	CHECK(strstr(tb.data, "\"category\": [null, \"1\", \"2\", null]") != NULL);
	CHECK(cc_model_from_json(tb.data, tb.len, &back, A, err, sizeof(err)) == NULL);
	CHECK(models_equal(&m, &back));
	cc_model_free(&back, A);

	/* scoring: the indicators pass through unscaled */
	CHECK(cc_model_transform_checked(&m, raw, z, INFINITY) == CC_ROW_OK);
	CHECK(z[1] == 0.0 && z[2] == 1.0 && z[3] == 0.0);
	cc_model_centroid_original(&m, 1, orig);
	CHECK(orig[2] == m.centroids[6]);

	/* invalid forms */
	m.center[2] = 0.5;
	CHECK(cc_model_validate(&m) != NULL);
	m.center[2] = 0.0;
	m.transform[2] = CC_TRANSFORM_LOG1P;
	m.transform_mean[2] = 0.1;
	CHECK(cc_model_validate(&m) != NULL);
	m.transform[2] = CC_TRANSFORM_NONE;
	m.transform_mean[2] = NAN;
	set_text(m.category, 3, "1");	/* the same category twice */
	CHECK(cc_model_validate(&m) != NULL);
	set_text(m.category, 3, NULL);
	set_text(m.category, 1, NULL);	/* the NULL category not last */
	CHECK(cc_model_validate(&m) != NULL);
	set_text(m.category, 1, "1");
	set_text(m.category, 0, "x");	/* a category of a numeric feature */
	CHECK(cc_model_validate(&m) != NULL);
	set_text(m.category, 0, NULL);
	set_text(m.category_column, 2, "feature_0");	/* a numeric feature's name */
	CHECK(cc_model_validate(&m) != NULL);
	set_text(m.category_column, 2, "region");	/* channel split in two */
	CHECK(cc_model_validate(&m) != NULL);
	set_text(m.category_column, 2, "channel");
	CHECK(cc_model_validate(&m) == NULL);
	cc_model_free(&m, A);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(model_fields_table, 635),
	UNIT_TEST(model_format1, 645),
	UNIT_TEST(model_json_writer, 655),
	UNIT_TEST(model_transforms, 695),
	UNIT_TEST(model_categories, 697),
};

const UnitModule model_format_module = {"model_format", tests, lengthof(tests)};
