/*
 * exactsum.c
 *		Order-independent sums of doubles; see exactsum.h.
 */
#include "exactsum.h"

#include <math.h>
#include <string.h>

#define LIMB_BITS	CC_XSUM_LIMB_BITS
#define LIMB_MASK	((int64_t) 0xFFFFFFFF)

void
cc_xsum_init(CcXsum *s)
{
	memset(s, 0, sizeof(*s));
}

/* floor(v / 2^32) without relying on the right shift of negative numbers */
static inline int64_t
carry_of(int64_t v)
{
	return v >= 0 ? v / ((int64_t) 1 << LIMB_BITS)
		: -((-v + LIMB_MASK) / ((int64_t) 1 << LIMB_BITS));
}

/* Carry so that every limb but the top one is in [0, 2^32). */
void
cc_xsum_carry(CcXsum *s)
{
	int			i;

	for (i = 0; i < CC_XSUM_LIMBS - 1; i++)
	{
		int64_t		c = carry_of(s->limb[i]);

		s->limb[i] -= c * ((int64_t) 1 << LIMB_BITS);
		s->limb[i + 1] += c;
	}
	s->adds = 0;
}

bool
cc_xsum_is_canonical(const CcXsum *s)
{
	int			i;

	for (i = 0; i < CC_XSUM_LIMBS - 1; i++)
		if (s->limb[i] < 0 || s->limb[i] > LIMB_MASK)
			return false;
	/* the top limb weighs 2^1088: a few bits are all a sum of doubles needs */
	return s->limb[CC_XSUM_LIMBS - 1] > -((int64_t) 1 << 40) &&
		s->limb[CC_XSUM_LIMBS - 1] < ((int64_t) 1 << 40);
}

void
cc_xsum_merge(CcXsum *into, const CcXsum *from)
{
	CcXsum		b = *from;
	int			i;

	cc_xsum_carry(into);
	cc_xsum_carry(&b);
	for (i = 0; i < CC_XSUM_LIMBS; i++)
		into->limb[i] += b.limb[i];
	cc_xsum_carry(into);
}

double
cc_xsum_value(const CcXsum *s)
{
	CcXsum		t = *s;
	bool		negative;
	int			top,
				i;
	double		v;

	cc_xsum_carry(&t);
	negative = t.limb[CC_XSUM_LIMBS - 1] < 0;
	if (negative)
	{
		for (i = 0; i < CC_XSUM_LIMBS; i++)
			t.limb[i] = -t.limb[i];
		cc_xsum_carry(&t);
	}
	for (top = CC_XSUM_LIMBS - 1; top >= 0 && t.limb[top] == 0; top--)
		;
	if (top < 0)
		return 0.0;
	/* the three highest digits: 64 or more significant bits, one rounding each */
	v = (double) t.limb[top];
	for (i = top - 1; i >= 0 && i >= top - 2; i--)
		v = v * 4294967296.0 + (double) t.limb[i];
	v = ldexp(v, CC_XSUM_PMIN + LIMB_BITS * (i + 1));
	return negative ? -v : v;
}
