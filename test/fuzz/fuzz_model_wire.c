/*
 * fuzz_model_wire.c
 *		libFuzzer target: the binary form of ccseg_model (what binary COPY
 *		and the binary protocol run through the receive function).  A value
 *		it accepts must be valid; one of format 2 writes back to the same
 *		bytes, one of format 1 to a format-2 value that reads back and
 *		writes the same bytes again.
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
		if ((size >= 4 && data[3] == 1) || size > wire)
		{
			/*
			 * format 1, or optional trailing fields written at their initial
			 * values (the writer leaves those out): rewritten in the current,
			 * shortest form, which must read back to itself
			 */
			CcModel		again;
			unsigned char *buf2 = malloc(wire);

			if (cc_model_from_wire(buf, wire, &again, &cc_malloc_allocator) != NULL ||
				cc_model_wire_size(&again) != wire)
				abort();
			cc_model_to_wire(&again, buf2);
			if (memcmp(buf, buf2, wire) != 0)
				abort();
			free(buf2);
			cc_model_free(&again, &cc_malloc_allocator);
		}
		else if (wire != size || memcmp(buf, data, size) != 0)
			abort();
		free(buf);
	}
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
