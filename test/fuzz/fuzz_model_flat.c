/*
 * fuzz_model_flat.c
 *		libFuzzer target: cc_model_unflatten on arbitrary bytes.  The stored
 *		form of ccseg_model goes through this parser whenever a value is read
 *		back, so no input may crash it or read out of bounds; a value it
 *		accepts must be valid, flatten back to the same bytes, and score.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CcModel		m;
	const char *bad;

	memset(&m, 0, sizeof(m));
	bad = cc_model_unflatten((const char *) data, size, &m, &cc_malloc_allocator);
	if (bad == NULL)
	{
		size_t		flat = cc_model_flat_size(&m);
		char	   *buf = malloc(flat);
		double	   *raw = calloc(m.d, sizeof(double));
		double	   *z = calloc(m.d, sizeof(double));
		double	   *dist = calloc(m.k, sizeof(double));

		if (cc_model_validate(&m) != NULL)
			abort();
		cc_model_flatten(&m, buf);
		if (flat != size || memcmp(buf, data, size) != 0)
			abort();
		if (cc_model_transform(&m, raw, z))
		{
			int			c = cc_model_assign(&m, z, dist);

			if (c < 0 || c >= m.k)
				abort();
		}
		free(buf);
		free(raw);
		free(z);
		free(dist);
	}
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
