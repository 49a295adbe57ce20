/*
 * decimal.c
 *		Base-10000 decimal to double, exactly, on the fast path only.
 *
 * A decimal m * 10^e whose integer mantissa m is below 2^53 and whose power
 * 10^|e| is itself a double (|e| <= 22) converts with one IEEE operation,
 * m * 10^e or m / 10^-e, both operands exact: the result is the correctly
 * rounded value, the same double strtod gives for the digits (Clinger's
 * observation).  Trailing zeros are folded into e first, and a mantissa with
 * room to spare absorbs part of a larger positive exponent.  Everything else
 * is left to the caller's exact (slower) conversion.
 */
#include "decimal.h"

#include <stdint.h>
#include <string.h>

#define CC_MANTISSA_LIMIT ((uint64_t) 1 << 53)

/* 10^0 .. 10^22: every one exactly representable in a double */
static const double exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* The i-th digit (unaligned memory, native byte order). */
static inline int
digit_at(const unsigned char *p, int i)
{
	int16_t		dg;

	memcpy(&dg, p + 2 * i, sizeof(dg));
	return dg;
}

bool
cc_decimal_to_double(bool negative, int weight, const void *digits, int ndigits,
					 double *out)
{
	const unsigned char *p = digits;
	int			first = 0,
				last = ndigits - 1;
	uint64_t	m = 0;
	int			e;
	int			i;
	double		v;

	/* leading and trailing zero digits carry no mantissa */
	while (first <= last && digit_at(p, first) == 0)
		first++;
	while (last >= first && digit_at(p, last) == 0)
		last--;
	if (first > last)
	{
		*out = 0.0;				/* numeric has no negative zero */
		return true;
	}
	/* 15 significant decimal digits can straddle 5 base-10000 digits */
	if (last - first + 1 > 5)
		return false;
	e = 4 * (weight - last);
	for (i = first; i <= last; i++)
	{
		int			dg = digit_at(p, i);
		uint64_t	scale = 10000;

		if (dg < 0 || dg > 9999)
			return false;
		if (i == last)
		{
			/* the last digit's trailing zeros go to the exponent */
			while (dg % 10 == 0)
			{
				dg /= 10;
				scale /= 10;
				e++;
			}
		}
		if (m > (UINT64_MAX - 9999) / 10000)
			return false;
		m = m * scale + (uint64_t) dg;
	}
	/* the value is m * 10^e, m without trailing zeros */
	if (m >= CC_MANTISSA_LIMIT)
		return false;
	/* move what the mantissa can take exactly out of a large exponent */
	while (e > 22 && m * 10 < CC_MANTISSA_LIMIT)
	{
		m *= 10;
		e--;
	}
	if (e > 22 || e < -22)
		return false;

	v = (double) m;				/* exact: m < 2^53 */
	if (e > 0)
		v *= exact_pow10[e];
	else if (e < 0)
		v /= exact_pow10[-e];
	*out = negative ? -v : v;
	return true;
}
