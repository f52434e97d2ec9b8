/* churn_rng.h: churn's random generator (xorshift64), shared with poison_floor, which must replay churn's
 * exact stream of sizes and slots. */
#ifndef CHURN_RNG_H
#define CHURN_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

#endif
