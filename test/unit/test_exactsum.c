/*
 * test_exactsum.c
 *		Unit tests of exactsum.c: the exact sum CcXsum and its batches.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "exactsum.h"
#include "harness.h"

/*
 * CcXsum: the same bits in any order and any partition merged, exact where
 * a double sum is not, carries after many additions, the range ends.
 */
static void
test_exact_sum(void)
{
	TRand		r;
	enum
	{
		N = 5000
	};
	static double terms[N];
	CcXsum		a,
				b,
				parts[3];
	double		forward,
				v;
	int			i,
				t;
	bool		same = true;

	set_ctx("exact sum order");
	tr_seed(&r, 99);
	for (i = 0; i < N; i++)
		terms[i] = xsum_term(&r);
	cc_xsum_init(&a);
	for (i = 0; i < N; i++)
		cc_xsum_add(&a, terms[i]);
	forward = cc_xsum_value(&a);
	for (t = 0; t < 20; t++)
	{
		/* shuffle, then sum in three parts of random sizes, merged */
		for (i = N - 1; i > 0; i--)
		{
			int			j = (int) (tr_next(&r) % (uint64_t) (i + 1));
			double		x = terms[i];

			terms[i] = terms[j];
			terms[j] = x;
		}
		for (i = 0; i < 3; i++)
			cc_xsum_init(&parts[i]);
		for (i = 0; i < N; i++)
			cc_xsum_add(&parts[tr_next(&r) % 3], terms[i]);
		cc_xsum_merge(&parts[0], &parts[2]);
		cc_xsum_merge(&parts[1], &parts[0]);
		v = cc_xsum_value(&parts[1]);
		if (memcmp(&v, &forward, sizeof(double)) != 0)
			same = false;
	}
	CHECK(same);

	set_ctx("exact sum values");
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e16);
	cc_xsum_add(&a, 1.0);
	cc_xsum_add(&a, -1e16);
	CHECK(cc_xsum_value(&a) == 1.0);
	cc_xsum_init(&a);
	for (i = 1; i <= 100000; i++)
		cc_xsum_add(&a, (double) i);
	CHECK(cc_xsum_value(&a) == 5000050000.0);
	cc_xsum_init(&a);
	cc_xsum_add(&a, 0.1);
	cc_xsum_add(&a, 0.2);
	CHECK(cc_xsum_value(&a) == 0.30000000000000004);	/* exact sum, rounded once */
	cc_xsum_add(&a, -0.1);
	cc_xsum_add(&a, -0.2);
	CHECK(cc_xsum_value(&a) == 0.0);
	cc_xsum_init(&a);
	cc_xsum_add(&a, -2.5);
	cc_xsum_add(&a, 1e-10);
	CHECK(cc_xsum_value(&a) == -2.5 + 1e-10);
	/* the ends of the range */
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e300);
	cc_xsum_add(&a, 1e300);
	CHECK(cc_xsum_value(&a) == 2e300);
	cc_xsum_add(&a, DBL_MAX);
	cc_xsum_add(&a, DBL_MAX);
	CHECK(isinf(cc_xsum_value(&a)));
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e-200);	/* below 2^-544: dropped */
	cc_xsum_add(&a, 4.9e-324);
	CHECK(cc_xsum_value(&a) == 0.0);
	cc_xsum_add(&a, ldexp(1.0, -500));
	CHECK(cc_xsum_value(&a) == ldexp(1.0, -500));
	cc_xsum_add(&a, 0.0);
	cc_xsum_add(&a, -0.0);
	CHECK(cc_xsum_value(&a) == ldexp(1.0, -500));

	/* carries: start just below the carry point, add past it */
	set_ctx("exact sum carries");
	cc_xsum_init(&a);
	cc_xsum_init(&b);
	a.adds = (1 << 30) - 5;
	for (i = 0; i < 12; i++)
	{
		cc_xsum_add(&a, 4294967295.0);
		cc_xsum_add(&b, 4294967295.0);
	}
	CHECK(a.adds < 10);
	CHECK(cc_xsum_value(&a) == 12.0 * 4294967295.0 && cc_xsum_value(&b) == cc_xsum_value(&a));
	/* a sum that cancels to a negative value across many digits */
	cc_xsum_init(&a);
	cc_xsum_add(&a, 1e200);
	cc_xsum_add(&a, -1e200);
	cc_xsum_add(&a, -3.0);
	cc_xsum_add(&a, 1e-100);
	CHECK(cc_xsum_value(&a) == -3.0 + 1e-100);
}

/* The same limbs, once both are carried to the canonical form. */
static bool
same_sum(CcXsum *a, CcXsum *b)
{
	cc_xsum_carry(a);
	cc_xsum_carry(b);
	return memcmp(a->limb, b->limb, sizeof(a->limb)) == 0;
}

/*
 * CcXbatch: the sum after a flush has the very limbs of cc_xsum_add over
 * the same terms, in the window, at its edges and outside it, through the
 * flushes every CC_XBATCH_ADDS terms and with terms taken away again.
 */
static void
test_exact_batch(void)
{
	TRand		r;
	CcXsum		direct,
				batched;
	CcXbatch	b;
	double		edge[] = {
		ldexp(1.0, -32), ldexp(1.0, -32) * (1.0 - DBL_EPSILON / 2.0),
		ldexp(1.0, 32), ldexp(1.0, 32) * (1.0 - DBL_EPSILON / 2.0),
		ldexp(1.0, 33), 0.0, -0.0, 4.9e-324, 1e-200, DBL_MAX / 4.0, 1.0, 0.1
	};
	int			i,
				s;
	bool		same = true;

	set_ctx("exact batch");
	tr_seed(&r, 7);
	for (s = 0; s < 3; s++)
	{
		cc_xsum_init(&direct);
		cc_xsum_init(&batched);
		cc_xbatch_init(&b);
		for (i = 0; i < 3000; i++)
		{
			double		v;

			if (s == 0)
				v = xsum_term(&r);
			else if (s == 1)
				v = (tr_unif(&r) * 2.0 - 1.0) * 40.0;	/* standardized values */
			else
				v = edge[i % lengthof(edge)] * ((i / lengthof(edge)) % 2 ? -1.0 : 1.0);
			cc_xsum_add(&direct, v);
			cc_xbatch_add(&b, &batched, v);
			if (s == 2 && i % 7 == 0)
			{
				/* a term taken away: a row leaving its cluster */
				cc_xsum_add(&direct, -v);
				cc_xbatch_add(&b, &batched, -v);
			}
		}
		CHECK(b.adds < CC_XBATCH_ADDS);
		cc_xbatch_flush(&b, &batched);
		CHECK(b.adds == 0);
		same = same && same_sum(&direct, &batched);
		CHECK(cc_xsum_value(&direct) == cc_xsum_value(&batched));
	}
	CHECK(same);
	/* a whole batch cancelled leaves nothing */
	cc_xsum_init(&batched);
	cc_xbatch_init(&b);
	cc_xbatch_add(&b, &batched, 3.25);
	cc_xbatch_add(&b, &batched, -3.25);
	cc_xbatch_flush(&b, &batched);
	CHECK(cc_xsum_value(&batched) == 0.0);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(exact_sum, 300),
	UNIT_TEST(exact_batch, 301),
};

const UnitModule exactsum_module = {"exactsum", tests, lengthof(tests)};
