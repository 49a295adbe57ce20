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

#define CC_XSUM_PMIN	(-544)		/* weight of the lowest bit kept: 2^-544 */
#define CC_XSUM_LIMBS	52			/* up to 2^1120: any double, times 2^60 terms */

typedef struct CcXsum
{
	int64_t		limb[CC_XSUM_LIMBS];	/* limb i weighs 2^(PMIN + 32 i) */
	int32_t		adds;			/* additions since the last carry pass */
} CcXsum;

extern void cc_xsum_init(CcXsum *s);
extern void cc_xsum_add(CcXsum *s, double v);	/* v finite */
extern void cc_xsum_merge(CcXsum *into, const CcXsum *from);
/* Carry: every limb but the top one in [0, 2^32); the canonical form. */
extern void cc_xsum_carry(CcXsum *s);
/* Whether s is in the canonical form, with room for 2^30 more additions. */
extern bool cc_xsum_is_canonical(const CcXsum *s);
extern double cc_xsum_value(const CcXsum *s);	/* rounded; +-inf beyond range */

#endif							/* CC_EXACTSUM_H */
