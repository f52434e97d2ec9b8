/* churn: single-threaded random replace.
 *
 *   churn [OPS [LIVE [SEED]]]     defaults: 1000000 operations, 10000 live blocks, seed 1
 *
 * Fills LIVE slots with blocks of random size 8..4096 bytes, then OPS times frees a random slot and
 * puts a new random-size block in it (the program writes the first word and the last byte of every block and
 * reads them back before the free, as a real program would touch its data). Frees everything at the
 * end and prints a checksum that does not depend on the allocator. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churn_rng.h"

struct slot {
    unsigned char *p;
    size_t size;
};

static unsigned char *fill(size_t size, uint64_t tag)
{
    unsigned char *p = malloc(size);
    if (!p) {
        fprintf(stderr, "churn: malloc(%zu) failed\n", size);
        exit(2);
    }
    memcpy(p, &tag, 8);
    if (size > 8)
        p[size - 1] = (unsigned char)(tag ^ 0x5a);
    return p;
}

static uint64_t check(const struct slot *s)
{
    uint64_t a;
    memcpy(&a, s->p, 8);
    if (s->size > 8 && s->p[s->size - 1] != (unsigned char)(a ^ 0x5a)) {
        fprintf(stderr, "churn: block contents changed\n");
        exit(3);
    }
    return a;
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : 1000000;
    long live = argc > 2 ? atol(argv[2]) : 10000;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
    if (rng_state == 0) rng_state = 1;
    if (live < 1) live = 1;
    struct slot *slots = calloc((size_t)live, sizeof *slots);
    uint64_t sum = 0, tag = 0;
    size_t bytes = 0;
    for (long i = 0; i < live; i++) {
        slots[i].size = 8 + rng() % (4096 - 8 + 1);
        slots[i].p = fill(slots[i].size, ++tag);
        bytes += slots[i].size;
    }
    for (long i = 0; i < ops; i++) {
        struct slot *s = &slots[rng() % (uint64_t)live];
        sum += check(s);
        free(s->p);
        s->size = 8 + rng() % (4096 - 8 + 1);
        s->p = fill(s->size, ++tag);
        bytes += s->size;
    }
    for (long i = 0; i < live; i++) {
        sum += check(&slots[i]);
        free(slots[i].p);
    }
    free(slots);
    printf("churn: %ld ops, %ld live, %zu bytes allocated, checksum %llu\n", ops, live, bytes,
           (unsigned long long)sum);
    return 0;
}
