/*
 * test_rng.c
 *		Unit tests of rng.c: the generator against published reference
 *		vectors, its streams, and the ranges and uniformity of its draws.
 */
#include <float.h>
#include <math.h>

#include "harness.h"
#include "rng.h"

/* Check cc_rng_next and cc_rng_seed against published reference values. */
static void
test_rng_reference(void)
{
	/* xoshiro256** from the state {1, 2, 3, 4} (reference implementation) */
	static const uint64_t expect[] = {
		UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240),
		UINT64_C(1215971899390074240)
	};
	/* the first four splitmix64 outputs from state 0 */
	static const uint64_t sm0[] = {
		UINT64_C(0xE220A8397B1DCDAF), UINT64_C(0x6E789E6AA1B965F4),
		UINT64_C(0x06C45D188009454F), UINT64_C(0xF88BB8A8724C81EC)
	};
	CcRng		rng;
	int			i;

	set_ctx("rng reference vector");
	rng.s[0] = 1;
	rng.s[1] = 2;
	rng.s[2] = 3;
	rng.s[3] = 4;
	for (i = 0; i < 4; i++)
		CHECK(cc_rng_next(&rng) == expect[i]);

	/* seed 0, stream 0: the state is splitmix64's output sequence from 0 */
	set_ctx("rng seeding through splitmix64");
	cc_rng_seed(&rng, 0, 0);
	for (i = 0; i < 4; i++)
		CHECK(rng.s[i] == sm0[i]);
	set_ctx("%s", "");
}

/* Check that seeds and streams give reproducible, distinct sequences. */
static void
test_rng_streams(void)
{
	CcRng		a,
				b,
				c,
				e;
	int			i;
	int			same_ab = 0,
				same_ac = 0,
				same_ae = 0;

	cc_rng_seed(&a, 42, 1);
	cc_rng_seed(&b, 42, 1);
	cc_rng_seed(&c, 42, 2);
	cc_rng_seed(&e, 43, 1);
	for (i = 0; i < 1000; i++)
	{
		uint64_t	va = cc_rng_next(&a);

		same_ab += (va == cc_rng_next(&b));
		same_ac += (va == cc_rng_next(&c));
		same_ae += (va == cc_rng_next(&e));
	}
	CHECK(same_ab == 1000);
	CHECK(same_ac == 0);
	CHECK(same_ae == 0);

	/* stream 0 and the first streams of neighbouring seeds all differ */
	{
		uint64_t	first[12];
		int			s,
					s2,
					collisions = 0;

		for (s = 0; s < 12; s++)
		{
			CcRng		r;

			cc_rng_seed(&r, (uint64_t) (s / 3), (uint64_t) (s % 3));
			first[s] = cc_rng_next(&r);
		}
		for (s = 0; s < 12; s++)
			for (s2 = s + 1; s2 < 12; s2++)
				collisions += (first[s] == first[s2]);
		CHECK(collisions == 0);
	}
}

/* Check cc_rng_uniform's range and first two moments. */
static void
test_rng_uniform(void)
{
	CcRng		rng;
	int			i;
	const int	n = 200000;
	bool		in_range = true;
	long double s = 0,
				q = 0;
	double		mean,
				var;

	cc_rng_seed(&rng, 7, 0);
	for (i = 0; i < n; i++)
	{
		double		u = cc_rng_uniform(&rng);

		if (!(u >= 0.0 && u < 1.0))
			in_range = false;
		s += u;
		q += (long double) u * u;
	}
	mean = (double) (s / n);
	var = (double) (q / n - (s / n) * (s / n));
	CHECK(in_range);
	/* standard errors: 6.5e-4 for the mean, 2.0e-4 for the variance */
	CHECK(fabs(mean - 0.5) < 0.005);
	CHECK(fabs(var - 1.0 / 12.0) < 0.002);

	/*
	 * The largest value: a state whose next output is all ones (s[1] =
	 * 9^-1 * (2^64 - 1) rotated right by 7, times 5^-1, modulo 2^64) must
	 * give 1 - 2^-53, still below 1.
	 */
	rng.s[0] = 1;
	rng.s[1] = UINT64_C(0x4FC71C71C71C71C7);
	rng.s[2] = 2;
	rng.s[3] = 3;
	{
		double		top = cc_rng_uniform(&rng);

		CHECK(top == 1.0 - DBL_EPSILON / 2);
		CHECK(top < 1.0);
	}
}

/* Chi-square statistic of counts against equal expected frequencies. */
static double
chi_square(const long *counts, int cells, long total)
{
	double		expect = (double) total / cells;
	double		x2 = 0.0;
	int			i;

	for (i = 0; i < cells; i++)
	{
		double		t = counts[i] - expect;

		x2 += t * t / expect;
	}
	return x2;
}

/* Check cc_rng_below's range and uniformity, including bias-prone bounds. */
static void
test_rng_below(void)
{
	static const uint64_t bounds[] = {1, 2, 3, 7, 10, 1000, UINT64_C(1) << 32,
		(UINT64_C(1) << 63) + 1, UINT64_MAX};
	CcRng		rng;
	size_t		b;
	int			i;

	cc_rng_seed(&rng, 12345, 3);
	for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
	{
		bool		in_range = true;

		for (i = 0; i < 5000; i++)
			if (cc_rng_below(&rng, bounds[b]) >= bounds[b])
				in_range = false;
		set_ctx("bound %llu", (unsigned long long) bounds[b]);
		CHECK(in_range);
	}
	set_ctx("%s", "");

	/* 10 cells, 100000 draws: chi-square with 9 df; P(X2 > 33.7) = 1e-4 */
	{
		long		counts[10] = {0};

		for (i = 0; i < 100000; i++)
			counts[cc_rng_below(&rng, 10)]++;
		CHECK(chi_square(counts, 10, 100000) < 33.7);
	}

	/*
	 * bound = 3 * 2^62: plain "r % bound" would give [0, 2^62) twice the
	 * probability of the other two thirds.  Unbiased: thirds ~ 1/3 each.
	 */
	{
		const uint64_t third = UINT64_C(1) << 62;
		long		counts[3] = {0};

		for (i = 0; i < 30000; i++)
			counts[cc_rng_below(&rng, 3 * third) / third]++;
		/* chi-square, 2 df: P(X2 > 18.4) = 1e-4; bias would give ~2500 */
		CHECK(chi_square(counts, 3, 30000) < 18.4);
	}

	/* bound 2^63 + 1: values above 2^63 must be rare but below must not */
	{
		long		hi = 0;

		for (i = 0; i < 20000; i++)
			hi += cc_rng_below(&rng, (UINT64_C(1) << 63) + 1) >= (UINT64_C(1) << 62);
		/* P(>= 2^62) = 1/2 + tiny; 20000 draws: sd 71 */
		CHECK(hi > 9500 && hi < 10500);
	}

	CHECK(cc_rng_below(&rng, 1) == 0);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(rng_reference, 10),
	UNIT_TEST(rng_streams, 20),
	UNIT_TEST(rng_uniform, 30),
	UNIT_TEST(rng_below, 40),
};

const UnitModule rng_module = {"rng", tests, lengthof(tests)};
