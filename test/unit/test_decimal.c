/*
 * test_decimal.c
 *		Unit tests of decimal.c: conversion of base-10000 digits to
 *		double against strtod.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "harness.h"

/*
 * Build base-10000 digits for the decimal integer string ds times 10^e10,
 * at an odd address when unaligned; returns the digit count, *weight set.
 */
static int
decimal_digits(const char *ds, int e10, unsigned char *buf, bool unaligned, int *weight)
{
	int			len = (int) strlen(ds);
	int			pmax = e10 + len - 1;
	int			gmax = (pmax >= 0) ? pmax / 4 : -((-pmax + 3) / 4);
	int			gmin = (e10 >= 0) ? e10 / 4 : -((-e10 + 3) / 4);
	int			n = gmax - gmin + 1;
	int			i;

	for (i = 0; i < n; i++)
	{
		int			g = gmax - i;
		int			v = 0;
		int			q;
		int16_t		dg;

		for (q = 3; q >= 0; q--)
		{
			int			pw = 4 * g + q;
			int			idx = pmax - pw;	/* index in ds */

			v = v * 10 + ((idx >= 0 && idx < len) ? ds[idx] - '0' : 0);
		}
		dg = (int16_t) v;
		memcpy(buf + (unaligned ? 1 : 0) + 2 * i, &dg, sizeof(dg));
	}
	*weight = gmax;
	return n;
}

/* cc_decimal_to_double against strtod on random decimals: bit-identical when it answers. */
static void
test_decimal_to_double(void)
{
	TRand		r;
	unsigned char buf[64];
	char		ds[32],
				text[64];
	int			t;
	int			answered = 0,
				short_ones = 0,
				short_answered = 0;
	bool		exact = true;

	set_ctx("decimal random");
	tr_seed(&r, 77);
	for (t = 0; t < 200000; t++)
	{
		int			len = 1 + (int) (tr_next(&r) % 19);
		int			e10 = (int) (tr_next(&r) % 61) - 30;
		bool		neg = (tr_next(&r) & 1) != 0;
		bool		unaligned = (tr_next(&r) & 1) != 0;
		int			i,
					n,
					weight;
		double		got,
					want;

		for (i = 0; i < len; i++)
			ds[i] = (char) ('0' + (int) (tr_next(&r) % 10));
		if (ds[0] == '0')
			ds[0] = '1';
		/* some trailing zeros, as in money amounts */
		if (tr_next(&r) % 4 == 0)
			for (i = (len + 1) / 2; i < len; i++)
				ds[i] = '0';
		ds[len] = '\0';
		snprintf(text, sizeof(text), "%s%se%d", neg ? "-" : "", ds, e10);
		want = strtod(text, NULL);
		n = decimal_digits(ds, e10, buf, unaligned, &weight);
		if (cc_decimal_to_double(neg, weight, buf + (unaligned ? 1 : 0), n, &got))
		{
			answered++;
			if (memcmp(&got, &want, sizeof(double)) != 0)
			{
				if (exact)
					fprintf(stderr, "  decimal %s: got %.17g, strtod %.17g\n", text, got, want);
				exact = false;
			}
		}
		/* up to 15 digits and a small exponent must take the fast path */
		if (len <= 15 && e10 >= -22 && e10 + len <= 22)
		{
			short_ones++;
			if (cc_decimal_to_double(neg, weight, buf + (unaligned ? 1 : 0), n, &got))
				short_answered++;
		}
	}
	CHECK(exact);
	CHECK(answered > 50000);
	CHECK(short_ones > 10000 && short_answered == short_ones);

	set_ctx("decimal special cases");
	{
		int16_t		d[5] = {0, 0, 0, 0, 0};
		double		v = -1.0;

		/* zero, with or without digits, is +0 */
		CHECK(cc_decimal_to_double(true, 0, d, 0, &v) && v == 0.0 && !signbit(v));
		CHECK(cc_decimal_to_double(true, 3, d, 2, &v) && v == 0.0 && !signbit(v));
		/* leading and trailing zero digits are ignored: 0012.3400 */
		d[0] = 0;
		d[1] = 12;
		d[2] = 3400;
		d[3] = 0;
		CHECK(cc_decimal_to_double(false, 1, d, 4, &v) && v == 12.34);
		/* a digit out of range is refused */
		d[1] = 10000;
		CHECK(!cc_decimal_to_double(false, 1, d, 4, &v));
		d[1] = -1;
		CHECK(!cc_decimal_to_double(false, 1, d, 4, &v));
		/* five significant digits groups are too many */
		d[0] = 1;
		d[1] = 2;
		d[2] = 3;
		d[3] = 4;
		d[4] = 5;
		CHECK(!cc_decimal_to_double(false, 0, d, 5, &v));
		/* 10^22 exactly, 10^23 through the mantissa, 10^-22, and too small */
		d[0] = 1;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e20);
		d[0] = 100;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e22);
		d[0] = 1000;
		CHECK(cc_decimal_to_double(false, 5, d, 1, &v) && v == 1e23);
		d[0] = 100;
		CHECK(cc_decimal_to_double(false, -6, d, 1, &v) && v == 1e-22);
		d[0] = 1;
		CHECK(!cc_decimal_to_double(false, -7, d, 1, &v));
		/* 2^53 + 1 = 9007 1992 5474 0993 needs more than a double's mantissa */
		d[0] = 9007;
		d[1] = 1992;
		d[2] = 5474;
		d[3] = 993;
		CHECK(!cc_decimal_to_double(false, 3, d, 4, &v));
		d[3] = 992;				/* 2^53 itself is not below the limit either */
		CHECK(!cc_decimal_to_double(false, 3, d, 4, &v));
		d[3] = 991;
		CHECK(cc_decimal_to_double(false, 3, d, 4, &v) && v == 9007199254740991.0);
	}
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(decimal_to_double, 260),
};

const UnitModule decimal_module = {"decimal", tests, lengthof(tests)};
