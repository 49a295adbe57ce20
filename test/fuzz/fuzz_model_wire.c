/*
 * fuzz_model_wire.c
 *		libFuzzer target: the binary form of ccseg_model (what binary COPY
 *		and the binary protocol run through the receive function).  A value
 *		it accepts must be valid and write back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CcModel		m;
	const char *bad;

	bad = cc_model_from_wire(data, size, &m, &cc_malloc_allocator);
	if (bad == NULL)
	{
		size_t		wire = cc_model_wire_size(&m);
		unsigned char *buf = malloc(wire);

		if (cc_model_validate(&m) != NULL)
			abort();
		cc_model_to_wire(&m, buf);
		if (wire != size || memcmp(buf, data, size) != 0)
			abort();
		free(buf);
	}
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
