/*
 * test_exactsum.c
 *		Unit tests of exactsum.c: the exact sum CcXsum.
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

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(exact_sum, 300),
};

const UnitModule exactsum_module = {"exactsum", tests, lengthof(tests)};
