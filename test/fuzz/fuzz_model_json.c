/*
 * fuzz_model_json.c
 *		libFuzzer target: the JSON text form of ccseg_model (what a cast from
 *		text runs).  No input may crash the parser, leak, or read outside
 *		the buffer; a model it accepts must be valid and survive the binary
 *		form.
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
	char		err[256];
	const char *bad;

	bad = cc_model_from_json((const char *) data, size, &m, &cc_malloc_allocator,
							 err, sizeof(err));
	if (bad == NULL)
	{
		size_t		wire = cc_model_wire_size(&m);
		unsigned char *buf = malloc(wire);
		CcModel		back;

		if (cc_model_validate(&m) != NULL)
			abort();
		cc_model_to_wire(&m, buf);
		if (cc_model_from_wire(buf, wire, &back, &cc_malloc_allocator) != NULL)
			abort();
		cc_model_free(&back, &cc_malloc_allocator);
		free(buf);
	}
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
