/*
 * seed_model.c
 *		Writes a small valid model in its flat, JSON and binary forms: the
 *		seeds of the fuzzers' corpora, so that they start from a valid value.
 *		Next to the flat and binary seeds go the format-1 values of the unit
 *		tests' fixture (FILE.v1, and FILE.v1_010 for 0.1.0's flat form), so
 *		that the readers of format 1 are fuzzed too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fixture_model_v1.h"
#include "matrix.h"
#include "model_io.h"
#include "pass.h"

/* CcJsonOut callbacks writing to a FILE: numbers with 17 digits. */
static void
f_text(void *arg, const char *s)
{
	fputs(s, (FILE *) arg);
}

static void
f_number(void *arg, double v)
{
	fprintf((FILE *) arg, "%.17g", v);
}

/* The seed's names need no escaping. */
static void
f_string(void *arg, const char *s)
{
	fprintf((FILE *) arg, "\"%s\"", s);
}

/* Write len bytes to path; false (with a message) on failure. */
static bool
write_file(const char *path, const void *buf, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		return false;
	}
	return true;
}

/* The flat, JSON and wire forms of m, to argv[1..3] with suffix appended. */
static bool
write_forms(const CcModel *m, char **argv, const char *suffix)
{
	char		path[4096];
	char	   *buf;
	size_t		size;
	FILE	   *f;
	bool		ok;

	size = cc_model_flat_size(m);
	buf = malloc(size);
	cc_model_flatten(m, buf);
	snprintf(path, sizeof(path), "%s%s", argv[1], suffix);
	ok = write_file(path, buf, size);
	free(buf);
	if (!ok)
		return false;
	snprintf(path, sizeof(path), "%s%s", argv[2], suffix);
	f = fopen(path, "w");
	if (f == NULL)
	{
		perror(path);
		return false;
	}
	{
		CcJsonOut	out = {f_text, f_number, f_string, f};

		cc_model_to_json(m, &out);
	}
	fclose(f);
	size = cc_model_wire_size(m);
	buf = malloc(size);
	cc_model_to_wire(m, (unsigned char *) buf);
	snprintf(path, sizeof(path), "%s%s", argv[3], suffix);
	ok = write_file(path, buf, size);
	free(buf);
	return ok;
}

int
main(int argc, char **argv)
{
	CcModel		m;
	char	   *buf;
	size_t		size;
	int			k = 3,
				d = 2,
				c,
				j;
	static char *names[] = {"spend", "visits"};
	FILE	   *f;
	char		path[4096];

	if (argc != 4 && argc != 5)
	{
		fprintf(stderr, "usage: %s FLAT_FILE JSON_FILE WIRE_FILE [PASS_FILE]\n", argv[0]);
		return 2;
	}
	cc_model_alloc(&m, k, d, &cc_malloc_allocator);
	for (j = 0; j < d; j++)
	{
		m.features[j] = names[j];
		m.impute_values[j] = 1.0;
		m.center[j] = 0.5;
		m.scale_values[j] = 2.0;
		m.feature_mean[j] = 0.5;
		m.feature_std[j] = 2.0;
		m.pca_ratio[j] = j == 0 ? 0.75 : 0.25;
		m.pca_components[j] = j == 0 ? 1.0 : 0.0;
		m.pca_components[d + j] = j == 0 ? 0.0 : 1.0;
	}
	for (c = 0; c < k; c++)
	{
		for (j = 0; j < d; j++)
			m.centroids[c * d + j] = c - 1.0 + 0.5 * j;
		m.sizes[c] = 10 + c;
		m.sse[c] = 1.5 * c;
		m.segment_silhouette[c] = 0.1 * c;
	}
	m.rows = 33;
	m.inertia = 4.5;
	m.iterations = 7;
	m.silhouette = 0.2;
	m.silhouette_rows = 33;
	m.calinski_harabasz = 12.0;
	m.davies_bouldin = 0.8;
	if (cc_model_validate(&m) != NULL)
	{
		fprintf(stderr, "seed model invalid: %s\n", cc_model_validate(&m));
		return 1;
	}
	size = cc_model_flat_size(&m);
	buf = malloc(size);
	cc_model_flatten(&m, buf);
	if (!write_file(argv[1], buf, size))
		return 1;
	free(buf);
	snprintf(path, sizeof(path), "%s.v1", argv[1]);
	if (!write_file(path, model_flat_v1, sizeof(model_flat_v1)))
		return 1;
	snprintf(path, sizeof(path), "%s.v1_010", argv[1]);
	if (!write_file(path, model_flat_v1_010, sizeof(model_flat_v1_010)))
		return 1;
	f = fopen(argv[2], "w");
	if (f == NULL)
	{
		perror(argv[2]);
		return 1;
	}
	{
		CcJsonOut	out = {f_text, f_number, f_string, f};

		cc_model_to_json(&m, &out);
	}
	fclose(f);
	size = cc_model_wire_size(&m);
	buf = malloc(size);
	cc_model_to_wire(&m, (unsigned char *) buf);
	if (!write_file(argv[3], buf, size))
		return 1;
	free(buf);
	snprintf(path, sizeof(path), "%s.v1", argv[3]);
	if (!write_file(path, model_wire_v1, sizeof(model_wire_v1)))
		return 1;
	/* the same model with a transform per feature and weights */
	m.transform[0] = CC_TRANSFORM_LOG1P;
	m.transform_mean[0] = 0.3;
	m.transform[1] = CC_TRANSFORM_CLIP;
	m.transform_a[1] = 0.0;
	m.transform_b[1] = 9.0;
	m.transform_mean[1] = 1.0;
	m.weights[0] = 2.0;
	m.weights[1] = 0.5;
	if (cc_model_validate(&m) != NULL)
	{
		fprintf(stderr, "seed model with transforms invalid: %s\n", cc_model_validate(&m));
		return 1;
	}
	size = cc_model_flat_size(&m);
	buf = malloc(size);
	cc_model_flatten(&m, buf);
	snprintf(path, sizeof(path), "%s.transform", argv[1]);
	if (!write_file(path, buf, size))
		return 1;
	free(buf);
	snprintf(path, sizeof(path), "%s.transform", argv[2]);
	f = fopen(path, "w");
	if (f == NULL)
	{
		perror(path);
		return 1;
	}
	{
		CcJsonOut	out = {f_text, f_number, f_string, f};

		cc_model_to_json(&m, &out);
	}
	fclose(f);
	size = cc_model_wire_size(&m);
	buf = malloc(size);
	cc_model_to_wire(&m, (unsigned char *) buf);
	snprintf(path, sizeof(path), "%s.transform", argv[3]);
	if (!write_file(path, buf, size))
		return 1;
	free(buf);
	/* the model with its second feature a category indicator */
	{
		static char *ind_names[] = {"spend", "channel=2"};
		static char *ind_column[] = {NULL, "channel"};
		static char *ind_category[] = {NULL, "2"};

		m.features[1] = ind_names[1];
		m.category_column[1] = ind_column[1];
		m.category[1] = ind_category[1];
		m.transform[1] = CC_TRANSFORM_NONE;
		m.transform_a[1] = m.transform_b[1] = m.transform_mean[1] = NAN;
		m.center[1] = 0.0;
		m.scale_values[1] = 1.0;
		if (cc_model_validate(&m) != NULL)
		{
			fprintf(stderr, "seed model with a category invalid: %s\n", cc_model_validate(&m));
			return 1;
		}
		if (!write_forms(&m, argv, ".category"))
			return 1;
		m.category_column[1] = NULL;	/* static: not ours to free */
		m.category[1] = NULL;
	}
	if (argc == 5)
	{
		/* a pass of the model over a few rows, behind fuzz_exact's selector byte 0 */
		CcPass		p;
		double		ct[3 * 2],
					dist[3],
					z[2];
		int			i;

		cc_pass_init(&p, k, d, &cc_malloc_allocator);
		cc_transpose(m.centroids, k, d, ct);
		for (i = 0; i < 20; i++)
		{
			z[0] = 0.37 * i - 3.0;
			z[1] = 1e-3 * i * i;
			cc_pass_add(&p, z, ct, dist);
		}
		size = cc_pass_flat_size(k, d);
		buf = malloc(size + 1);
		buf[0] = 0;
		cc_pass_flatten(&p, buf + 1);
		f = fopen(argv[4], "wb");
		if (f == NULL || fwrite(buf, 1, size + 1, f) != size + 1 || fclose(f) != 0)
		{
			perror(argv[4]);
			return 1;
		}
		free(buf);
		cc_pass_release(&p, &cc_malloc_allocator);
	}
	for (j = 0; j < d; j++)
		m.features[j] = NULL;	/* static names: not ours to free */
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
