/*
 * exactsum.h
 *		Sums of doubles that do not depend on the order of the terms.
 *
 * A CcXsum holds the running sum as a fixed-point number of CC_XSUM_LIMBS
 * 32-bit digits (in int64 cells, so that additions need no carry until
 * about 2^30 of them), from bit position CC_XSUM_PMIN up past the largest
 * double.  Every term is added exactly, except for its bits below
 * 2^CC_XSUM_PMIN (about 1e-164), which are dropped the same way whatever
 * the order.  So a sum split over parallel workers, in any partition, and
 * merged, is the same number, bit for bit, as the serial sum: what lets
 * full-data k-means passes run in parallel and stay reproducible.
 */
#ifndef CC_EXACTSUM_H
#define CC_EXACTSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define CC_XSUM_PMIN	(-544)		/* weight of the lowest bit kept: 2^-544 */
#define CC_XSUM_LIMBS	52			/* up to 2^1120: any double, times 2^60 terms */

typedef struct CcXsum
{
	int64_t		limb[CC_XSUM_LIMBS];	/* limb i weighs 2^(PMIN + 32 i) */
	int32_t		adds;			/* additions since the last carry pass */
} CcXsum;

extern void cc_xsum_init(CcXsum *s);
extern void cc_xsum_merge(CcXsum *into, const CcXsum *from);
/* Carry: every limb but the top one in [0, 2^32); the canonical form. */
extern void cc_xsum_carry(CcXsum *s);

#define CC_XSUM_LIMB_BITS	32
/* additions between two carry passes: each adds less than 2^33 to a limb */
#define CC_XSUM_CARRY_EVERY (1 << 30)

/*
 * Add v (finite) exactly, but for its bits below 2^CC_XSUM_PMIN, which are
 * dropped from its magnitude: so adding -v takes away exactly what adding
 * v added.  Inline, branch-free but for zeros, tiny values and the carry
 * every 2^30 additions, because k-means calls it for every row that
 * changes cluster.
 */
static inline void
cc_xsum_add(CcXsum *s, double v)
{
	uint64_t	bits;
	uint64_t	mant;
	int64_t		neg;
	int			bexp,
				p,
				off,
				li,
				r;
	int64_t		c0,
				c1,
				c2;

	memcpy(&bits, &v, sizeof(bits));
	bexp = (int) ((bits >> 52) & 0x7FF);
	mant = bits & (((uint64_t) 1 << 52) - 1);
	if (bexp == 0)
	{
		if (mant == 0)
			return;				/* +-0 */
		bexp = 1;				/* subnormal */
	}
	else
		mant |= (uint64_t) 1 << 52;
	/* |v| = mant * 2^p */
	p = bexp - 1075;
	if (p < CC_XSUM_PMIN)
	{
		int			sh = CC_XSUM_PMIN - p;

		if (sh >= 53)
			return;				/* below the lowest bit kept */
		mant >>= sh;
		p = CC_XSUM_PMIN;
	}
	off = p - CC_XSUM_PMIN;
	li = off / CC_XSUM_LIMB_BITS;
	r = off % CC_XSUM_LIMB_BITS;
	/* mant << r, up to 84 bits, as three 32-bit digits, then the sign */
	c0 = (int64_t) ((mant << r) & 0xFFFFFFFFu);
	c1 = (int64_t) ((mant >> (32 - r)) & 0xFFFFFFFFu);
	c2 = (int64_t) ((mant >> 1) >> (63 - r));
	neg = -(int64_t) (bits >> 63);
	s->limb[li] += (c0 ^ neg) - neg;
	s->limb[li + 1] += (c1 ^ neg) - neg;
	s->limb[li + 2] += (c2 ^ neg) - neg;
	if (++s->adds >= CC_XSUM_CARRY_EVERY)
		cc_xsum_carry(s);
}

/*
 * A CcXbatch gathers terms on their way into one CcXsum.  A term whose
 * binary exponent lies in a window of CC_XBATCH_SPAN binades (2^-32 up to
 * 2^32) is added as a signed integer, its 53-bit significand, to the one
 * counter of its binade: a third of the instructions and memory updates of
 * cc_xsum_add.  cc_xbatch_flush moves the counters into the sum; other
 * terms go to the sum at once.  Every term of the window is a whole
 * multiple of 2^-84, far above 2^CC_XSUM_PMIN, so the sum after a flush is
 * the very sum cc_xsum_add would have made of the same terms.
 */
#define CC_XBATCH_LOW	991			/* biased exponent of the lowest binade */
#define CC_XBATCH_SPAN	64
#define CC_XBATCH_ADDS	512			/* below 2^53 each: 512 stay below 2^62 */

typedef struct CcXbatch
{
	int64_t		bin[CC_XBATCH_SPAN];	/* bin b: significands of 2^(b + LOW - 1075) */
	int32_t		adds;			/* terms since the last flush */
} CcXbatch;

extern void cc_xbatch_init(CcXbatch *b);
/* Add every counter to s, and clear them. */
extern void cc_xbatch_flush(CcXbatch *b, CcXsum *s);

/* Add v (finite) to what b holds for s. */
static inline void
cc_xbatch_add(CcXbatch *b, CcXsum *s, double v)
{
	uint64_t	bits;
	uint64_t	mant;
	int64_t		neg;
	unsigned int bin;

	memcpy(&bits, &v, sizeof(bits));
	bin = (unsigned int) ((bits >> 52) & 0x7FF) - CC_XBATCH_LOW;
	if (bin >= CC_XBATCH_SPAN)
	{
		cc_xsum_add(s, v);		/* zeros, tiny and huge magnitudes */
		return;
	}
	mant = (bits & (((uint64_t) 1 << 52) - 1)) | ((uint64_t) 1 << 52);
	neg = -(int64_t) (bits >> 63);
	b->bin[bin] += ((int64_t) mant ^ neg) - neg;
	if (++b->adds >= CC_XBATCH_ADDS)
		cc_xbatch_flush(b, s);
}

/* Whether s is in the canonical form, with room for 2^30 more additions. */
extern bool cc_xsum_is_canonical(const CcXsum *s);
extern double cc_xsum_value(const CcXsum *s);	/* rounded; +-inf beyond range */

#endif							/* CC_EXACTSUM_H */
