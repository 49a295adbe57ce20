/*
 * seed_model.c
 *		Writes the flat form of a small valid model to a file: the seed of
 *		fuzz_model_flat's corpus, so that the fuzzer starts past the magic
 *		number and the header.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

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

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
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
	for (j = 0; j < d; j++)
		m.features[j] = NULL;	/* static names: not ours to free */
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
