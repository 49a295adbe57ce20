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

void
cc_xbatch_init(CcXbatch *b)
{
	memset(b, 0, sizeof(*b));
}

/*
 * Add m * 2^p exactly, |m| below 2^62 and p at least CC_XSUM_PMIN: the
 * magnitude shifted to the limbs' grid spans at most 94 bits, three digits
 * below 2^32 each, as cc_xsum_add's.
 */
static void
xsum_add_scaled(CcXsum *s, int64_t m, int p)
{
	int64_t		neg = m < 0 ? -1 : 0;
	uint64_t	mag = (uint64_t) (m < 0 ? -m : m);
	int			off = p - CC_XSUM_PMIN;
	int			li = off / LIMB_BITS;
	int			r = off % LIMB_BITS;
	int64_t		c0 = (int64_t) ((mag << r) & 0xFFFFFFFFu);
	int64_t		c1 = (int64_t) ((mag >> (LIMB_BITS - r)) & 0xFFFFFFFFu);
	int64_t		c2 = (int64_t) ((mag >> 1) >> (63 - r));

	s->limb[li] += (c0 ^ neg) - neg;
	s->limb[li + 1] += (c1 ^ neg) - neg;
	s->limb[li + 2] += (c2 ^ neg) - neg;
	if (++s->adds >= CC_XSUM_CARRY_EVERY)
		cc_xsum_carry(s);
}

void
cc_xbatch_flush(CcXbatch *b, CcXsum *s)
{
	int			i;

	if (b->adds == 0)
		return;
	for (i = 0; i < CC_XBATCH_SPAN; i++)
		if (b->bin[i] != 0)
		{
			xsum_add_scaled(s, b->bin[i], i + CC_XBATCH_LOW - 1075);
			b->bin[i] = 0;
		}
	b->adds = 0;
}

/* The carry of cc_xsum_carry over w limbs, the last one taking what is left. */
static void
carry_limbs(int64_t *t, int w)
{
	int			i;

	for (i = 0; i < w - 1; i++)
	{
		int64_t		c = carry_of(t[i]);

		t[i] -= c * ((int64_t) 1 << LIMB_BITS);
		t[i + 1] += c;
	}
}

/*
 * Rounded value.  Only the limbs in use matter (a sum of values of similar
 * size uses a handful of the 52), so the carries run over a window of them:
 * two zero limbs below the lowest one in use, and three above the highest
 * (or up to the top limb), where what carries out of it ends (each limb is
 * below 2^63, so at most 2^31 carries into the next one, and nothing
 * further) or, for a negative sum, where the sign shows.  The digits, and
 * so the rounding, are those of the carry over all the limbs.
 */
double
cc_xsum_value(const CcXsum *s)
{
	int64_t		t[CC_XSUM_LIMBS];
	bool		negative;
	int			lo,
				hi,
				base,
				w,
				top,
				i;
	double		v;

	for (lo = 0; lo < CC_XSUM_LIMBS && s->limb[lo] == 0; lo++)
		;
	if (lo == CC_XSUM_LIMBS)
		return 0.0;
	for (hi = CC_XSUM_LIMBS - 1; s->limb[hi] == 0; hi--)
		;
	/* window t[0 .. w - 1] holds limbs base .. base + w - 1, the last as ever */
	base = lo >= 2 ? lo - 2 : 0;
	w = (hi + 4 < CC_XSUM_LIMBS ? hi + 4 : CC_XSUM_LIMBS) - base;
	memset(t, 0, sizeof(t));
	memcpy(t + (lo - base), s->limb + lo, sizeof(int64_t) * (hi - lo + 1));
	carry_limbs(t, w);
	negative = t[w - 1] < 0;
	if (negative)
	{
		for (i = 0; i < w; i++)
			t[i] = -t[i];
		carry_limbs(t, w);
	}
	for (top = w - 1; top >= 0 && t[top] == 0; top--)
		;
	if (top < 0)
		return 0.0;
	/* the three highest digits: 64 or more significant bits, one rounding each */
	v = (double) t[top];
	for (i = top - 1; i >= 0 && i >= top - 2; i--)
		v = v * 4294967296.0 + (double) t[i];
	v = ldexp(v, CC_XSUM_PMIN + LIMB_BITS * (base + i + 1));
	return negative ? -v : v;
}
