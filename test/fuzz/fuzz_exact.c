/*
 * fuzz_exact.c
 *		libFuzzer target: the order-independent sums and the Lloyd pass
 *		statistics built on them (what parallel workers send each other),
 *		and the exact decimal conversion of numeric digits.  The first byte
 *		picks what the rest is:
 *
 *		0: a pass's flat form.  When accepted, it must write back to the
 *		   same bytes, and merging it with itself must give twice every count.
 *		1: doubles (8 bytes each).  Their exact sum must not depend on the
 *		   order or the split: forward, backward and in two merged halves
 *		   give the same bits.
 *		2: a sign byte, a weight (int16) and base-10000 digits.  When the
 *		   conversion answers, it must be the double strtod gives for the
 *		   same number written in decimal.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "exactsum.h"
#include "pass.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_pass(const uint8_t *data, size_t size)
{
	CcPass		p,
				twice;
	const char *bad = cc_pass_unflatten(data, size, &p, &cc_malloc_allocator);

	if (bad == NULL)
	{
		unsigned char *buf = malloc(size);
		double	   *sums = malloc(sizeof(double) * (size_t) p.k * p.d);
		int64_t    *counts = malloc(sizeof(int64_t) * p.k);
		double	   *sse = malloc(sizeof(double) * p.k);
		int			c;

		cc_pass_flatten(&p, buf);
		if (memcmp(buf, data, size) != 0)
			abort();
		cc_pass_init(&twice, p.k, p.d, &cc_malloc_allocator);
		cc_pass_merge(&twice, &p);
		cc_pass_merge(&twice, &p);
		cc_pass_result(&twice, sums, counts, sse);
		for (c = 0; c < p.k; c++)
			if (counts[c] != 2 * p.counts[c])
				abort();
		cc_pass_release(&twice, &cc_malloc_allocator);
		free(buf);
		free(sums);
		free(counts);
		free(sse);
	}
	cc_pass_release(&p, &cc_malloc_allocator);
}

static void
fuzz_sum(const uint8_t *data, size_t size)
{
	size_t		n = size / sizeof(double);
	CcXsum		fwd,
				back,
				a,
				b;
	double		v1,
				v2,
				v3;
	size_t		i;

	cc_xsum_init(&fwd);
	cc_xsum_init(&back);
	cc_xsum_init(&a);
	cc_xsum_init(&b);
	for (i = 0; i < n; i++)
	{
		double		x;

		memcpy(&x, data + i * sizeof(double), sizeof(double));
		if (!isfinite(x))
			continue;
		cc_xsum_add(&fwd, x);
		cc_xsum_add((i % 3 == 0) ? &a : &b, x);
	}
	for (i = n; i-- > 0;)
	{
		double		x;

		memcpy(&x, data + i * sizeof(double), sizeof(double));
		if (isfinite(x))
			cc_xsum_add(&back, x);
	}
	cc_xsum_merge(&b, &a);
	v1 = cc_xsum_value(&fwd);
	v2 = cc_xsum_value(&back);
	v3 = cc_xsum_value(&b);
	if (memcmp(&v1, &v2, sizeof(double)) != 0 || memcmp(&v1, &v3, sizeof(double)) != 0)
		abort();
}

static void
fuzz_decimal(const uint8_t *data, size_t size)
{
	int16_t		weight;
	int			n,
				i;
	double		got,
				want;
	char		text[64 * 5 + 32];
	char	   *t = text;

	if (size < 3)
		return;
	memcpy(&weight, data + 1, sizeof(weight));
	n = (int) ((size - 3) / 2);
	if (n > 64)
		n = 64;
	if (!cc_decimal_to_double(data[0] & 1, weight, data + 3, n, &got))
		return;
	/* the same number in decimal: every digit as four, then the exponent */
	if (data[0] & 1)
		*t++ = '-';
	*t++ = '0';
	for (i = 0; i < n; i++)
	{
		int16_t		dg;

		memcpy(&dg, data + 3 + 2 * i, sizeof(dg));
		if (dg < 0 || dg > 9999)
			abort();			/* answered for an invalid digit */
		t += sprintf(t, "%04d", dg);
	}
	sprintf(t, "e%d", 4 * (weight - (n - 1)));
	want = strtod(text, NULL);
	if (want == 0.0)
		want = 0.0;				/* numeric has no negative zero */
	if (memcmp(&got, &want, sizeof(double)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			fuzz_pass(data + 1, size - 1);
			break;
		case 1:
			fuzz_sum(data + 1, size - 1);
			break;
		default:
			fuzz_decimal(data + 1, size - 1);
			break;
	}
	return 0;
}
