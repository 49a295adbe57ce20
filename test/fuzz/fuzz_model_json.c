/*
 * fuzz_model_json.c
 *		libFuzzer target: the JSON text form of ccseg_model (what a cast from
 *		text runs).  No input may crash the parser, leak, or read outside
 *		the buffer; a model it accepts must be valid and survive the binary
 *		form, and the text cc_model_to_json writes of it (numbers with 17
 *		digits) must read back to a model with the same flat bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A growing text buffer as a CcJsonOut. */
typedef struct Text
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Text;

static void
t_text(void *arg, const char *s)
{
	Text	   *t = arg;
	size_t		n = strlen(s);

	if (t->len + n + 1 > t->cap)
	{
		t->cap = 2 * (t->len + n + 1);
		t->data = realloc(t->data, t->cap);
		if (t->data == NULL)
			abort();
	}
	memcpy(t->data + t->len, s, n + 1);
	t->len += n;
}

static void
t_number(void *arg, double v)
{
	char		num[40];

	snprintf(num, sizeof(num), "%.17g", v);
	t_text(arg, num);
}

/* Names as JSON strings: quotes, backslashes and control characters escaped. */
static void
t_string(void *arg, const char *s)
{
	char		c[8];

	t_text(arg, "\"");
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof(c), "\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			snprintf(c, sizeof(c), "\\u%04x", (unsigned) *s);
		else
			snprintf(c, sizeof(c), "%c", *s);
		t_text(arg, c);
	}
	t_text(arg, "\"");
}

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

		{
			Text		t = {NULL, 0, 0};
			CcJsonOut	out = {t_text, t_number, t_string, &t};
			size_t		flat = cc_model_flat_size(&m);
			char	   *a = malloc(flat),
					   *b;

			cc_model_to_json(&m, &out);
			if (cc_model_from_json(t.data, t.len, &back, &cc_malloc_allocator,
								   err, sizeof(err)) != NULL ||
				cc_model_flat_size(&back) != flat)
				abort();
			b = malloc(flat);
			cc_model_flatten(&m, a);
			cc_model_flatten(&back, b);
			if (memcmp(a, b, flat) != 0)
				abort();
			free(a);
			free(b);
			free(t.data);
			cc_model_free(&back, &cc_malloc_allocator);
		}
	}
	cc_model_free(&m, &cc_malloc_allocator);
	return 0;
}
