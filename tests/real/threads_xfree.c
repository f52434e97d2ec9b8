/* threads_xfree.c: 8 threads allocate in one thread and free in another.
 *
 * Thread i allocates blocks of random sizes (8..4096 bytes; malloc, calloc, aligned_alloc, or a small
 * malloc grown with realloc), fills each with a pattern derived from a tag, and hands it to thread i+1
 * through a bounded single-producer/single-consumer ring. Thread i+1 verifies the pattern (and the
 * usable size), sometimes reallocs the block to another size and verifies the preserved prefix, and
 * frees it. Now and then (1/16) a thread also makes an extra block for a shared exchange table (a mutex
 * per slot); the block it displaces, made by any thread, is verified and freed by this one. Every thread
 * hands on and consumes exactly OPS blocks, so the run is bounded; main empties the table at the end:
 * nothing stays allocated.
 *
 *   threads_xfree [OPS [corrupt]]      OPS per thread (default 30000)
 *
 * "corrupt" changes one byte inside one block before handing it on (not a heap error: only the
 * program's own data is wrong), to show that the verification catches it: the program then exits 1.
 * Prints a summary line (on stderr, which run_case.sh shows on failure); exit 0 when every block was intact,
 * 1 otherwise. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 8
#define RING     128
#define XSLOTS   64

typedef struct { unsigned char *p; size_t size; uint64_t tag; } item_t;

typedef struct {
  item_t slot[RING];
  _Alignas(64) atomic_size_t head;          // next to read (consumer)
  _Alignas(64) atomic_size_t tail;          // next to write (producer)
} ring_t;

static ring_t rings[NTHREADS];             // rings[i]: from thread i to thread (i + 1) % NTHREADS
static struct { pthread_mutex_t lock; item_t item; int full; } xtable[XSLOTS];
static long ops = 30000;
static int corrupt;
static atomic_long bad, verified, reallocs, exchanged;

static uint64_t next_rand(uint64_t *s) {
  *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
  return *s;
}

static inline unsigned char pat(uint64_t tag, size_t i) {
  return (unsigned char)((tag * 0x9E3779B97F4A7C15ull >> 56) + i * 7 + (i >> 8) * 3);
}

static void fill(unsigned char *p, size_t n, uint64_t tag) {
  for (size_t i = 0; i < n; i++) p[i] = pat(tag, i);
}

// Checks the first n bytes of the block against its tag; reports the first wrong byte.
static int check(const item_t *it, size_t n, const char *when) {
  for (size_t i = 0; i < n; i++)
    if (it->p[i] != pat(it->tag, i)) {
      fprintf(stderr, "threads_xfree: block %p (%zu bytes, tag %llx) damaged at byte %zu %s: 0x%02x, expected 0x%02x\n",
              (void *)it->p, it->size, (unsigned long long)it->tag, i, when, it->p[i], pat(it->tag, i));
      atomic_fetch_add(&bad, 1);
      return 0;
    }
  if (malloc_usable_size(it->p) < it->size) {
    fprintf(stderr, "threads_xfree: block %p: usable size %zu < %zu\n", (void *)it->p, malloc_usable_size(it->p),
            it->size);
    atomic_fetch_add(&bad, 1);
    return 0;
  }
  atomic_fetch_add(&verified, 1);
  return 1;
}

static int make(item_t *it, uint64_t *rng, uint64_t tag) {
  size_t size = 8 + next_rand(rng) % 4089;
  unsigned kind = (unsigned)(next_rand(rng) % 16);
  unsigned char *p;
  if (kind == 0) {                                   // calloc: must come zeroed, even reused memory
    p = calloc(1, size);
    if (p)
      for (size_t i = 0; i < size; i++)
        if (p[i]) {
          fprintf(stderr, "threads_xfree: calloc(%zu) byte %zu is 0x%02x\n", size, i, p[i]);
          atomic_fetch_add(&bad, 1);
          break;
        }
  } else if (kind == 1) {                            // over-aligned
    size = (size + 63) & ~(size_t)63;
    p = aligned_alloc(64, size);
    if (p && ((uintptr_t)p & 63)) {
      fprintf(stderr, "threads_xfree: aligned_alloc(64) gave %p\n", (void *)p);
      atomic_fetch_add(&bad, 1);
    }
  } else if (kind == 2) {                            // grown from a small block
    p = malloc(8);
    if (p) {
      memset(p, 0x5a, 8);
      unsigned char *q = realloc(p, size);
      if (!q) { free(p); p = NULL; }
      else if (memcmp(q, "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8) != 0) {
        fprintf(stderr, "threads_xfree: realloc lost the first bytes of %p\n", (void *)q);
        atomic_fetch_add(&bad, 1);
      }
      p = q;
    }
  } else {
    p = malloc(size);
  }
  if (!p) {
    fprintf(stderr, "threads_xfree: allocation of %zu bytes failed\n", size);
    atomic_fetch_add(&bad, 1);
    return 0;
  }
  fill(p, size, tag);
  it->p = p; it->size = size; it->tag = tag;
  return 1;
}

// The consumer's side: verify, maybe realloc and verify again, free.
static void consume(item_t it, uint64_t *rng) {
  check(&it, it.size, "when received");
  if (next_rand(rng) % 4 == 0) {
    size_t nsize = 1 + next_rand(rng) % 6000;
    unsigned char *q = realloc(it.p, nsize);
    if (!q) {
      fprintf(stderr, "threads_xfree: realloc(%zu) failed\n", nsize);
      atomic_fetch_add(&bad, 1);
      free(it.p);
      return;
    }
    it.p = q;
    size_t keep = nsize < it.size ? nsize : it.size;
    it.size = keep;
    check(&it, keep, "after realloc");
    atomic_fetch_add(&reallocs, 1);
  }
  free(it.p);
}

static int try_push(ring_t *r, const item_t *it) {
  size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
  if (t - atomic_load_explicit(&r->head, memory_order_acquire) == RING) return 0;
  r->slot[t % RING] = *it;
  atomic_store_explicit(&r->tail, t + 1, memory_order_release);
  return 1;
}

static int try_pop(ring_t *r, item_t *it) {
  size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (h == atomic_load_explicit(&r->tail, memory_order_acquire)) return 0;
  *it = r->slot[h % RING];
  atomic_store_explicit(&r->head, h + 1, memory_order_release);
  return 1;
}

// One more block into the shared table; the block it displaces (made by any thread) is consumed here.
static void exchange(uint64_t *rng, uint64_t tag) {
  item_t it, old;
  if (!make(&it, rng, tag)) return;
  unsigned s = (unsigned)(next_rand(rng) % XSLOTS);
  pthread_mutex_lock(&xtable[s].lock);
  int had = xtable[s].full;
  old = xtable[s].item;
  xtable[s].item = it;
  xtable[s].full = 1;
  pthread_mutex_unlock(&xtable[s].lock);
  atomic_fetch_add(&exchanged, 1);
  if (had) consume(old, rng);
}

static void *worker(void *arg) {
  long id = (long)arg;
  uint64_t rng = 0x1234567ull * (uint64_t)(id + 1) + 99;
  ring_t *out = &rings[id], *in = &rings[(id + NTHREADS - 1) % NTHREADS];
  long made = 0, consumed = 0;
  item_t pending = { 0 };
  int have_pending = 0;
  while (made < ops || consumed < ops) {
    int progress = 0;
    if (!have_pending && made < ops) {
      if (!make(&pending, &rng, ((uint64_t)id << 40) | (uint64_t)made)) {
        fprintf(stderr, "threads_xfree: thread %ld cannot go on\n", id);
        exit(1);                                     // the successor would wait for this block forever
      }
      if (corrupt && id == 3 && made == ops / 2) pending.p[pending.size / 2] ^= 0x10;
      have_pending = 1;
      if (next_rand(&rng) % 16 == 0) exchange(&rng, ((uint64_t)id << 40) | (1ull << 39) | (uint64_t)made);
    }
    if (have_pending && try_push(out, &pending)) {
      have_pending = 0;
      made++;
      progress = 1;
    }
    item_t it;
    if (consumed < ops && try_pop(in, &it)) {
      consume(it, &rng);
      consumed++;
      progress = 1;
    }
    if (!progress) sched_yield();
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) ops = atol(argv[1]);
  if (argc > 2) corrupt = strcmp(argv[2], "corrupt") == 0;
  if (ops <= 0) { fprintf(stderr, "usage: threads_xfree [OPS [corrupt]]\n"); return 2; }
  alarm(240);                                        // a hang fails the test instead of blocking it
  for (int i = 0; i < XSLOTS; i++) pthread_mutex_init(&xtable[i].lock, NULL);
  pthread_t t[NTHREADS];
  for (long i = 0; i < NTHREADS; i++)
    if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) { fprintf(stderr, "pthread_create failed\n"); return 1; }
  for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
  uint64_t rng = 7;
  long left = 0;
  for (int i = 0; i < XSLOTS; i++)
    if (xtable[i].full) { consume(xtable[i].item, &rng); xtable[i].full = 0; left++; }
  for (int i = 0; i < NTHREADS; i++)
    if (atomic_load(&rings[i].head) != atomic_load(&rings[i].tail)) {
      fprintf(stderr, "threads_xfree: ring %d not empty at the end\n", i);
      atomic_fetch_add(&bad, 1);
    }
  fprintf(stderr, "threads_xfree: %d threads, %ld blocks each, %ld verified, %ld reallocs, %ld exchanged "
          "(%ld left in the table), %ld bad\n", NTHREADS, ops, atomic_load(&verified), atomic_load(&reallocs),
          atomic_load(&exchanged), left, atomic_load(&bad));
  return atomic_load(&bad) ? 1 : 0;
}
