/* prodcons: cross-thread frees through a bounded queue.
 *
 *   prodcons [BLOCKS [QUEUE [SEED]]]   defaults: 1000000 blocks, queue of 4096, seed 1
 *
 * The producer thread mallocs BLOCKS blocks of random size 16..2048 bytes, writes a sequence number
 * and a tag into each, and pushes them into a bounded queue of QUEUE pointers (mutex + condition
 * variables; it hands them over in batches of 64 and sleeps while the queue is full). The consumer
 * (main thread) takes whatever the queue holds, checks the sequence numbers and frees the blocks:
 * every free is of a block allocated by the other thread. Prints a checksum that does not depend
 * on the allocator. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

struct msg {
    uint64_t seq;
    uint64_t size;
    uint64_t tag;
};

static long nblocks;
static size_t qcap;
static void **ring;
static size_t head, count; /* under lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static uint64_t seed;

static void push(void **batch, size_t n)
{
    pthread_mutex_lock(&lock);
    while (qcap - count < n)
        pthread_cond_wait(&not_full, &lock);
    for (size_t i = 0; i < n; i++)
        ring[(head + count + i) % qcap] = batch[i];
    count += n;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static size_t pop(void **out, size_t max)
{
    pthread_mutex_lock(&lock);
    while (count == 0)
        pthread_cond_wait(&not_empty, &lock);
    size_t n = count < max ? count : max;
    for (size_t i = 0; i < n; i++)
        out[i] = ring[(head + i) % qcap];
    head = (head + n) % qcap;
    count -= n;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
    return n;
}

static void *producer(void *arg)
{
    (void)arg;
    uint64_t x = seed;
    void *batch[BATCH];
    size_t nb = 0;
    for (long i = 0; i < nblocks; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t size = 16 + x % (2048 - 16 + 1);
        if (size < sizeof(struct msg)) size = sizeof(struct msg);
        struct msg *m = malloc(size);
        if (!m) {
            fprintf(stderr, "prodcons: malloc failed\n");
            exit(2);
        }
        m->seq = (uint64_t)i;
        m->size = size;
        m->tag = x;
        batch[nb++] = m;
        if (nb == BATCH || i == nblocks - 1) {
            push(batch, nb);
            nb = 0;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    nblocks = argc > 1 ? atol(argv[1]) : 1000000;
    qcap = argc > 2 ? (size_t)atol(argv[2]) : 4096;
    seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
    if (seed == 0) seed = 1;
    if (qcap < BATCH) qcap = BATCH;
    ring = calloc(qcap, sizeof *ring);
    pthread_t th;
    if (pthread_create(&th, NULL, producer, NULL) != 0) {
        fprintf(stderr, "prodcons: pthread_create failed\n");
        return 2;
    }
    void **got = malloc(qcap * sizeof *got);
    uint64_t sum = 0, bytes = 0;
    long i = 0;
    while (i < nblocks) {
        size_t n = pop(got, qcap);
        for (size_t k = 0; k < n; k++, i++) {
            struct msg *m = got[k];
            if (m->seq != (uint64_t)i) {
                fprintf(stderr, "prodcons: got block %llu, expected %ld\n", (unsigned long long)m->seq, i);
                return 3;
            }
            sum += m->tag;
            bytes += m->size;
            free(m);
        }
    }
    pthread_join(th, NULL);
    free(got);
    free(ring);
    printf("prodcons: %ld blocks, %llu bytes, checksum %llu\n", nblocks, (unsigned long long)bytes,
           (unsigned long long)sum);
    return 0;
}
