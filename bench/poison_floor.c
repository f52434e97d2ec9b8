/* poison_floor: what a poisoned, byte-bounded FIFO quarantine costs on churn's free stream, with no allocator.
 *
 *   poison_floor [OPS [LIVE [QUARANTINE_MB [SEED]]]]   defaults: churn's 1000000 ops, 10000 live, 32 MiB, seed 1
 *
 * Replays churn's sequence (same generator, same sizes, the same two bytes written per block) with blocks cut
 * from a ring arena by a bump pointer, so the allocator costs next to nothing. It times the stream twice: once
 * doing only that, once also filling every freed block with a poison byte, holding it in a FIFO bounded in
 * bytes and comparing every byte when it leaves, which is the least a quarantine with full poisoning must do.
 * The difference is a floor for the cost of heapcheck's checks on churn, independent of heapcheck's code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <emmintrin.h>

#include "churn_rng.h"

struct block {
    unsigned char *p;
    size_t size;
};

static unsigned char *arena;
static size_t arena_size, arena_next;

static unsigned char *cut(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (arena_next + size > arena_size)
        arena_next = 0;
    unsigned char *p = arena + arena_next;
    arena_next += size;
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 0 when all `len` bytes hold `want`: 64 bytes per step with SSE2 (the fastest plain-C way we know), bytes
 * at the end. */
static int damaged(const unsigned char *z, size_t len, unsigned char want)
{
    size_t i = 0;
    const __m128i pat = _mm_set1_epi8((char)want);
    __m128i acc = _mm_setzero_si128();
    for (; i + 64 <= len; i += 64) {
        __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(z + i)), pat);
        __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(z + i + 16)), pat);
        __m128i c = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(z + i + 32)), pat);
        __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(z + i + 48)), pat);
        acc = _mm_or_si128(acc, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
    }
    int bad = _mm_movemask_epi8(_mm_cmpeq_epi8(acc, _mm_setzero_si128())) != 0xffff;
    for (; i < len; i++)
        bad |= z[i] != want;
    return bad;
}

static double run(long ops, long live, size_t budget, uint64_t seed, int quarantine, uint64_t *sum)
{
    struct block *slots = calloc((size_t)live, sizeof *slots);
    size_t qcap = 1u << 22, qhead = 0, qcount = 0, qbytes = 0;
    struct block *q = quarantine ? malloc(qcap * sizeof *q) : NULL;
    if (!slots || (quarantine && !q)) {
        fprintf(stderr, "poison_floor: out of memory\n");
        exit(2);
    }
    rng_state = seed;
    arena_next = 0;
    uint64_t tag = 0, bad = 0;
    double t0 = now();
    for (long i = 0; i < live + ops; i++) {
        struct block *s = &slots[i < live ? i : (long)(rng() % (uint64_t)live)];
        if (i >= live) {
            uint64_t a;
            memcpy(&a, s->p, 8);
            *sum += a;
            if (quarantine) {
                memset(s->p, 0xfd, s->size);
                q[(qhead + qcount++) & (qcap - 1)] = *s;
                qbytes += s->size;
                while (qbytes > budget) {
                    struct block old = q[qhead];
                    qhead = (qhead + 1) & (qcap - 1);
                    qcount--;
                    qbytes -= old.size;
                    bad += damaged(old.p, old.size, 0xfd);
                }
            }
        }
        s->size = 8 + rng() % (4096 - 8 + 1);
        s->p = cut(s->size);
        ++tag;
        memcpy(s->p, &tag, 8);
        s->p[s->size - 1] = (unsigned char)(tag ^ 0x5a);
    }
    double t = now() - t0;
    *sum += bad;
    free(q);
    free(slots);
    return t;
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : 1000000;
    long live = argc > 2 ? atol(argv[2]) : 10000;
    size_t budget = (size_t)(argc > 3 ? atol(argv[3]) : 32) << 20;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
    if (live < 1) live = 1;
    if (seed == 0) seed = 1;
    /* Live blocks, the quarantine and room to cut from: nothing live or quarantined is reused. */
    arena_size = (size_t)live * 4112 + budget + ((size_t)64 << 20);
    arena = malloc(arena_size);
    if (!arena) {
        fprintf(stderr, "poison_floor: cannot get %zu bytes\n", arena_size);
        return 2;
    }
    memset(arena, 0, arena_size);          /* page faults outside the timed runs */
    uint64_t sum = 0;
    double plain = run(ops, live, budget, seed, 0, &sum);
    double poisoned = run(ops, live, budget, seed, 1, &sum);
    printf("poison_floor: %ld ops, %ld live, quarantine %zu MiB: stream %.3f s, with poison+verify %.3f s, "
           "cost %.3f s (checksum %llu)\n", ops, live, budget >> 20, plain, poisoned, poisoned - plain,
           (unsigned long long)sum);
    return 0;
}
