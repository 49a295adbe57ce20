/*
 * fuzz_model_flat.c
 *		libFuzzer target: cc_model_unflatten on arbitrary bytes.  The stored
 *		form of ccseg_model goes through this parser whenever a value is read
 *		back, so no input may crash it or read out of bounds; a value it
 *		accepts must be valid and score; one of format 2 flattens back to
 *		the same bytes, one of format 1 to a format-2 value that reads back
 *		and flattens to the same bytes again.
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
		if ((size >= 8 && data[4] == 1) || size > flat)
		{
			/*
			 * format 1, or optional trailing fields written at their initial
			 * values (the writer leaves those out): rewritten in the current,
			 * shortest form, which must read back to itself
			 */
			CcModel		again;
			char	   *buf2 = malloc(flat);

			if (cc_model_unflatten(buf, flat, &again, &cc_malloc_allocator) != NULL ||
				cc_model_flat_size(&again) != flat)
				abort();
			cc_model_flatten(&again, buf2);
			if (memcmp(buf, buf2, flat) != 0)
				abort();
			free(buf2);
			cc_model_free(&again, &cc_malloc_allocator);
		}
		else if (flat != size || memcmp(buf, data, size) != 0)
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
