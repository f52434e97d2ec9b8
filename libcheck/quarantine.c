/* quarantine.c: a ring buffer of (pointer, bytes) in checker-owned memory, grown by doubling, bounded in bytes
 * and in entries. Must not know what a block is. */
#define _GNU_SOURCE
#include "quarantine.h"
#include "os.h"

#include <string.h>

#define MAX_ENTRIES (1u << 22)

static lc_lock_t qlock = LC_LOCK_INIT;
static lc_qentry_t *ring;
static size_t cap, head, count;             // entries ring[(head + i) & (cap - 1)], i < count, oldest first;
                                            // cap is a power of two (no division on every free)
static size_t bytes, budget;

void lc_quarantine_setup(size_t b) { budget = b; }
size_t lc_quarantine_budget(void) { return budget; }
size_t lc_quarantine_bytes(void) { return bytes; }
void lc_quarantine_lock(void) { lc_lock(&qlock); }
void lc_quarantine_unlock(void) { lc_unlock(&qlock); }

// Ring indices: cap is 0 or a power of two, head < cap, count <= cap (0 while there is no ring).
#define RING_SANE() (((cap & (cap - 1)) == 0) && (cap == 0 ? head == 0 && count == 0 : head < cap && count <= cap))

static int grow_locked(void) {
  LC_DCHECK(RING_SANE() && count == cap);
  size_t ncap = cap ? cap * 2 : 4096;
  if (ncap > MAX_ENTRIES) return 0;
  lc_qentry_t *n = lc_os_alloc(ncap * sizeof *n);
  if (!n) return 0;
  for (size_t i = 0; i < count; i++) n[i] = ring[(head + i) & (cap - 1)];
  if (ring) lc_os_free(ring, cap * sizeof *ring);
  ring = n; cap = ncap; head = 0;
  return 1;
}

static lc_qentry_t pop_locked(void) {
  LC_DCHECK(RING_SANE() && count > 0);
  lc_qentry_t e = ring[head];
  LC_DCHECK(e.user != NULL && e.bytes <= bytes);
  head = (head + 1) & (cap - 1);
  count--;
  bytes -= e.bytes;
  return e;
}

int lc_quarantine_push(lc_qentry_t e, lc_qentry_t *out, int max) {
  int n = 0;
  lc_lock(&qlock);
  if (e.user) {
    if (count == cap && !grow_locked() && count == 0) {
      lc_unlock(&qlock);
      out[0] = e;
      return 1;
    }
    if (count == cap) out[n++] = pop_locked();       // ring at its largest: the oldest leaves early
    LC_DCHECK(RING_SANE() && count < cap);
    ring[(head + count) & (cap - 1)] = e;
    count++;
    bytes += e.bytes;
  }
  LC_DCHECK(max > 0 && n <= max);
  while (n < max && count > 0 && bytes > budget) out[n++] = pop_locked();
  // The next block to leave is cold by now: start loading its header so the miss overlaps other work.
  if (count > 0) {
    const char *u = ring[head].user;
    size_t b = ring[head].bytes;
    __builtin_prefetch(u - 32);
    for (size_t off = 64; off < b && off < 256; off += 64) __builtin_prefetch(u + off);
    __builtin_prefetch(u + b);
  }
  lc_unlock(&qlock);
  return n;
}

void lc_quarantine_for_each(void (*fn)(lc_qentry_t e, void *arg), void *arg) {
  lc_lock(&qlock);
  for (size_t i = 0; i < count; i++) fn(ring[(head + i) & (cap - 1)], arg);
  lc_unlock(&qlock);
}

int lc_quarantine_drain(lc_qentry_t *out, int max) {
  int n = 0;
  lc_lock(&qlock);
  while (n < max && count > 0) out[n++] = pop_locked();
  lc_unlock(&qlock);
  return n;
}
