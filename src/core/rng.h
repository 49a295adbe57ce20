/*
 * rng.h
 *		Deterministic pseudo-random numbers for the ccseg core.
 *
 * xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", 2018) seeded through splitmix64, so that the same seed gives
 * the same stream on every platform.
 */
#ifndef CC_RNG_H
#define CC_RNG_H

#include <stdint.h>

typedef struct CcRng
{
	uint64_t	s[4];
} CcRng;

/* Seed a generator; stream selects an independent sequence for one seed. */
extern void cc_rng_seed(CcRng *rng, uint64_t seed, uint64_t stream);
extern uint64_t cc_rng_next(CcRng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
extern double cc_rng_uniform(CcRng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
extern uint64_t cc_rng_below(CcRng *rng, uint64_t bound);

#endif							/* CC_RNG_H */
