/*
 * seed_model.c
 *		Writes a small valid model in its flat, JSON and binary forms: the
 *		seeds of the fuzzers' corpora, so that they start from a valid value.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "model_io.h"
#include "pass.h"

/* The JSON text form of m, as ccseg_model's output writes it (%.17g numbers). */
static void
write_json(FILE *f, const CcModel *m)
{
	int			c,
				j;

	fprintf(f, "{\"format\": %d, \"k\": %d, \"features\": [", CC_MODEL_FORMAT, m->k);
	for (j = 0; j < m->d; j++)
		fprintf(f, "%s\"%s\"", j ? ", " : "", m->features[j]);
	fprintf(f, "], \"impute\": \"%s\", \"scale\": \"%s\"", cc_impute_name(m->impute),
			cc_scale_name(m->scale));
#define ARR(key, v, n) do { fprintf(f, ", \"%s\": [", key); \
		for (j = 0; j < (n); j++) fprintf(f, "%s%.17g", j ? ", " : "", (v)[j]); \
		fprintf(f, "]"); } while (0)
	ARR("impute_values", m->impute_values, m->d);
	ARR("scale_center", m->center, m->d);
	ARR("scale_scale", m->scale_values, m->d);
	fprintf(f, ", \"centroids\": [");
	for (c = 0; c < m->k; c++)
	{
		fprintf(f, "%s[", c ? ", " : "");
		for (j = 0; j < m->d; j++)
			fprintf(f, "%s%.17g", j ? ", " : "", m->centroids[c * m->d + j]);
		fprintf(f, "]");
	}
	fprintf(f, "], \"sizes\": [");
	for (c = 0; c < m->k; c++)
		fprintf(f, "%s%lld", c ? ", " : "", (long long) m->sizes[c]);
	fprintf(f, "]");
	ARR("sse", m->sse, m->k);
	fprintf(f, ", \"inertia\": %.17g, \"iterations\": %d, \"rows\": %lld",
			m->inertia, m->iterations, (long long) m->rows);
	fprintf(f, ", \"silhouette\": %.17g, \"silhouette_rows\": %lld", m->silhouette,
			(long long) m->silhouette_rows);
	ARR("segment_silhouette", m->segment_silhouette, m->k);
	fprintf(f, ", \"calinski_harabasz\": %.17g, \"davies_bouldin\": %.17g",
			m->calinski_harabasz, m->davies_bouldin);
	ARR("feature_mean", m->feature_mean, m->d);
	ARR("feature_std", m->feature_std, m->d);
	ARR("pca_ratio", m->pca_ratio, m->d);
	fprintf(f, ", \"pca_components\": [[1, 0], [0, 1], [null, null]]");
	fprintf(f, ", \"changed_share\": null, \"segment_drift\": [null, null, null]}");
#undef ARR
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
	f = fopen(argv[1], "wb");
	if (f == NULL || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
	{
		perror(argv[1]);
		return 1;
	}
	free(buf);
	f = fopen(argv[2], "w");
	if (f == NULL)
	{
		perror(argv[2]);
		return 1;
	}
	write_json(f, &m);
	fclose(f);
	size = cc_model_wire_size(&m);
	buf = malloc(size);
	cc_model_to_wire(&m, (unsigned char *) buf);
	f = fopen(argv[3], "wb");
	if (f == NULL || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
	{
		perror(argv[3]);
		return 1;
	}
	free(buf);
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
