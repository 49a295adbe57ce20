/*
 * rng.c
 *		xoshiro256** generator seeded with splitmix64.
 */
#include "rng.h"

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Seed a generator; different streams of one seed do not overlap in practice. */
void
cc_rng_seed(CcRng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t	sm = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&sm);
}

/* Return the next 64 random bits. */
uint64_t
cc_rng_next(CcRng *rng)
{
	uint64_t   *s = rng->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Return a uniform double in [0, 1). */
double
cc_rng_uniform(CcRng *rng)
{
	return (double) (cc_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* Return a uniform integer in [0, bound) by rejection (Lemire-style threshold). */
uint64_t
cc_rng_below(CcRng *rng, uint64_t bound)
{
	uint64_t	threshold = (0 - bound) % bound;

	for (;;)
	{
		uint64_t	r = cc_rng_next(rng);

		if (r >= threshold)
			return r % bound;
	}
}
