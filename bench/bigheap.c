/* bigheap: a large live heap, all of it reachable at exit, to time the leak scan.
 *
 *   bigheap [MIB [SEED]]    defaults: 1024 MiB, seed 1
 *
 * Allocates blocks of random size 64..4096 bytes until MIB MiB of user bytes are live. Every block
 * starts with a pointer to the previously allocated block (a singly linked list whose head is the
 * global `bigheap_head`) and a pointer to a random earlier block; the rest of it is filled with
 * pseudo-random words (data that a scanner must read but that does not point into the heap).
 * Then it prints a checksum and returns from main without freeing anything: whatever checks leaks
 * at exit has to scan the whole heap and find every block reachable. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    struct node *other;
    uint64_t words[];
};

struct node *bigheap_head;

int main(int argc, char **argv)
{
    size_t target = (size_t)(argc > 1 ? atol(argv[1]) : 1024) << 20;
    uint64_t x = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    if (x == 0) x = 1;
    size_t total = 0, count = 0;
    struct node **some = malloc(4096 * sizeof *some); /* a sample of earlier blocks for `other` */
    if (!some) return 2;
    uint64_t sum = 0;
    while (total < target) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t size = 64 + x % (4096 - 64 + 1);
        struct node *n = malloc(size);
        if (!n) {
            fprintf(stderr, "bigheap: malloc(%zu) failed after %zu bytes\n", size, total);
            return 2;
        }
        n->next = bigheap_head;
        n->other = count ? some[x % (count < 4096 ? count : 4096)] : NULL;
        size_t nw = (size - sizeof *n) / 8;
        uint64_t y = x;
        for (size_t i = 0; i < nw; i++) {
            y ^= y << 13;
            y ^= y >> 7;
            y ^= y << 17;
            n->words[i] = y;
        }
        sum += y;
        some[count % 4096] = n;
        bigheap_head = n;
        total += size;
        count++;
    }
    free(some);
    printf("bigheap: %zu blocks, %zu bytes live, checksum %llu\n", count, total, (unsigned long long)sum);
    return 0;
}
