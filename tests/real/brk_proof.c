/* brk_proof.c: run under libheapcheck.so, shows where its memory comes from.
 *
 *   brk_proof heap      small blocks lie in [heap] of /proc/self/maps; sbrk(0) moves up with 20 MiB of
 *                       live 1 KiB blocks, and back down by most of it once they are freed (run it with
 *                       quarantine_mb=0, so that freed memory goes back to the heap at once); a 1 MiB
 *                       block lies outside [heap] (mmap) and does not move the break.
 *   brk_proof heap-top-first
 *                       the same, with the 20 MiB freed from the last block down (LIFO order).
 *   brk_proof foreign   the program moves the break itself (sbrk(4096)) between mallocs and uses that
 *                       memory: later blocks (a 200 KiB one first, then 6000 small ones) succeed, never
 *                       overlap the program's region, small ones still come from [heap], and freeing them
 *                       all never gives the program's region back to the kernel.
 *   brk_proof fence     a mapping placed right after the break (MAP_FIXED_NOREPLACE) stops brk from
 *                       growing: 8 MiB more of small blocks still come (from mmap), data intact.
 *   brk_proof rlimit    the same with RLIMIT_DATA lowered to 0 (brk fails; mmap is still allowed by the
 *                       kernel's rlim_cur == 0 exception made for valgrind).
 *
 * Every check prints "ok: ..." or "FAIL: ..." on stderr; exit 0 when all passed, 1 otherwise, 2 when not
 * run under heapcheck (glibc's malloc uses brk too: the proof would prove nothing). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define KiB 1024u
#define MiB (1024u * 1024u)
#define PAGE 4096u

static int failures;

// Everything goes to stderr, unbuffered: run_case.sh shows the program's stderr when a test fails.
#define say(...) fprintf(stderr, __VA_ARGS__)
#define CHECK(cond, ...)                                                                   \
  do {                                                                                     \
    if (cond) { say("ok: "); say(__VA_ARGS__); say("\n"); }                                \
    else { say("FAIL: "); say(__VA_ARGS__); say("  [%s]\n", #cond); failures++; }          \
  } while (0)

/* ---- /proc/self/maps, read without allocating (the measurements must not move the break) ---- */

static char maps[1 << 18];

static void read_maps(void) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  size_t n = 0;
  ssize_t r;
  if (fd < 0) { perror("open /proc/self/maps"); exit(2); }
  while (n < sizeof maps - 1 && (r = read(fd, maps + n, sizeof maps - 1 - n)) > 0) n += (size_t)r;
  close(fd);
  maps[n] = 0;
}

// The range of the [heap] mapping; 0 when there is none.
static int heap_range(uintptr_t *lo, uintptr_t *hi) {
  read_maps();
  for (char *line = maps; *line; ) {
    char *end = strchr(line, '\n');
    if (end) *end = 0;
    unsigned long a, b;
    if (strstr(line, "[heap]") && sscanf(line, "%lx-%lx", &a, &b) == 2) {
      *lo = a; *hi = b;
      if (end) *end = '\n';
      return 1;
    }
    if (!end) break;
    *end = '\n';
    line = end + 1;
  }
  *lo = *hi = 0;
  return 0;
}

// The maps line of the mapping that holds addr (copied to out), or "" when none does.
static void mapping_of(uintptr_t addr, char *out, size_t cap) {
  read_maps();
  out[0] = 0;
  for (char *line = maps; *line; ) {
    char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    unsigned long a, b;
    if (sscanf(line, "%lx-%lx", &a, &b) == 2 && addr >= a && addr < b) {
      if (len >= cap) len = cap - 1;
      memcpy(out, line, len);
      out[len] = 0;
      return;
    }
    if (!end) break;
    line = end + 1;
  }
}

static uintptr_t brk_now(void) { return (uintptr_t)sbrk(0); }

// Keeps the compiler from eliding a malloc/free pair whose block looks unused.
static inline void escape(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

/* ---- blocks with a pattern ---- */

static inline unsigned char pat(size_t block, size_t i) { return (unsigned char)(block * 131 + i * 7 + 1); }

static void fill(unsigned char *p, size_t n, size_t id) {
  for (size_t i = 0; i < n; i++) p[i] = pat(id, i);
}

static size_t count_damaged(unsigned char **b, size_t nb, size_t size) {
  size_t bad = 0;
  for (size_t k = 0; k < nb; k++) {
    if (!b[k]) { bad++; continue; }                   // a failed malloc counts as damaged
    for (size_t i = 0; i < size; i++)
      if (b[k][i] != pat(k, i)) { bad++; break; }
  }
  return bad;
}

// Allocates nb blocks of `size` bytes (pattern-filled) into a table from mmap (not the heap measured).
static unsigned char **alloc_blocks(size_t nb, size_t size, size_t *failed) {
  unsigned char **b = mmap(NULL, nb * sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) { perror("mmap"); exit(2); }
  *failed = 0;
  for (size_t k = 0; k < nb; k++) {
    b[k] = malloc(size);
    if (!b[k]) { (*failed)++; continue; }
    fill(b[k], size, k);
  }
  return b;
}

// Frees the blocks in allocation order (lowest addresses first), or from the last one down.
static void free_blocks_order(unsigned char **b, size_t nb, int top_first) {
  if (top_first)
    for (size_t k = nb; k-- > 0; ) free(b[k]);
  else
    for (size_t k = 0; k < nb; k++) free(b[k]);
  munmap(b, nb * sizeof *b);
}

static void free_blocks(unsigned char **b, size_t nb) { free_blocks_order(b, nb, 0); }

static size_t count_inside(unsigned char **b, size_t nb, size_t size, uintptr_t lo, uintptr_t hi) {
  size_t in = 0;
  for (size_t k = 0; k < nb; k++)
    if (b[k] && (uintptr_t)b[k] >= lo && (uintptr_t)b[k] + size <= hi) in++;
  return in;
}

/* ---- the proofs ---- */

static void proof_heap(int top_first) {
  uintptr_t lo, hi;
  void *small = malloc(64);
  escape(small);
  heap_range(&lo, &hi);
  CHECK(small && (uintptr_t)small >= lo && (uintptr_t)small + 64 <= hi,
        "a 64-byte block %p lies in [heap] %#lx-%#lx", small, (unsigned long)lo, (unsigned long)hi);

  const size_t nb = 20 * KiB, size = KiB;            // 20 MiB of 1 KiB blocks
  uintptr_t b0 = brk_now();
  size_t failed;
  unsigned char **b = alloc_blocks(nb, size, &failed);
  uintptr_t b1 = brk_now();
  size_t grew = b1 - b0;
  CHECK(failed == 0, "%zu blocks of %zu bytes allocated", nb, size);
  say("info: sbrk(0) %#lx -> %#lx with 20 MiB live: +%zu KiB\n", (unsigned long)b0, (unsigned long)b1, grew / KiB);
  CHECK(b1 > b0 && grew >= 20 * MiB && grew <= 30 * MiB,
        "sbrk(0) moved up by about the live set: %zu KiB for 20480 KiB of blocks", grew / KiB);
  heap_range(&lo, &hi);
  size_t in = count_inside(b, nb, size, lo, hi);
  CHECK(in == nb, "%zu of %zu blocks lie in [heap] %#lx-%#lx", in, nb, (unsigned long)lo, (unsigned long)hi);
  CHECK(hi >= b1 && hi - b1 < PAGE, "[heap] ends at the break (%#lx, break %#lx)", (unsigned long)hi,
        (unsigned long)b1);

  unsigned char *large = malloc(MiB);
  char where[512];
  mapping_of((uintptr_t)large, where, sizeof where);
  CHECK(large && !((uintptr_t)large + MiB > lo && (uintptr_t)large < hi),
        "a 1 MiB block %p lies outside [heap], in: %s", (void *)large, where);
  CHECK(brk_now() == b1, "the 1 MiB block did not move the break");
  if (large) { memset(large, 0x77, MiB); escape(large); free(large); }
  mapping_of((uintptr_t)large, where, sizeof where);
  CHECK(where[0] == 0 || strstr(where, "[heap]") == NULL, "the freed 1 MiB block was unmapped or is not heap: '%s'",
        where);

  CHECK(count_damaged(b, nb, size) == 0, "the data of all %zu blocks is intact", nb);
  free_blocks_order(b, nb, top_first);
  uintptr_t b2 = brk_now();
  say("info: sbrk(0) after freeing them %s: %#lx (-%zu KiB)\n", top_first ? "from the top down" : "in allocation order",
      (unsigned long)b2, b1 > b2 ? (b1 - b2) / KiB : 0);
  if (b1 > b2 && b1 - b2 >= grew / 10 * 9)
    CHECK(1, "sbrk(0) moved back down by most of it: %zu of %zu KiB", (b1 - b2) / KiB, grew / KiB);
  else
    CHECK(0, "sbrk(0) did not move back down by most of the 20 MiB: %zu of %zu KiB (is quarantine_mb=0?)",
          b1 > b2 ? (b1 - b2) / KiB : 0, grew / KiB);

  b = alloc_blocks(2000, size, &failed);               // the heap works on after the trim
  heap_range(&lo, &hi);
  in = count_inside(b, 2000, size, lo, hi);
  CHECK(failed == 0 && in == 2000 && count_damaged(b, 2000, size) == 0,
        "2000 new blocks after the trim: all in [heap], intact");
  free_blocks(b, 2000);
  free(small);
}

static void proof_foreign(void) {
  const size_t own_size = 4096;
  unsigned char *first = malloc(100);                  // the heap exists before the program's sbrk
  escape(first);
  uintptr_t before = brk_now();
  unsigned char *own = sbrk((intptr_t)own_size);
  CHECK(own != (void *)-1 && (uintptr_t)own == before, "the program's own sbrk(4096) gave %p (break was %#lx)",
        (void *)own, (unsigned long)before);
  if (own == (void *)-1) return;
  memset(own, 0xAB, own_size);
  uintptr_t olo = (uintptr_t)own, ohi = olo + own_size;

  // A medium block first, larger than what is left at the top of the heap's extent (which now ends
  // below the program's region): the heap must grow past the region for it (or map it).
  const size_t msize = 200 * KiB;
  errno = 0;
  unsigned char *medium = malloc(msize);
  int merr = errno;
  CHECK(medium != NULL, "malloc(200 KiB) right after the program's sbrk: %p (errno %d)", (void *)medium, merr);
  CHECK(!medium || (uintptr_t)medium >= ohi || (uintptr_t)medium + msize <= olo,
        "the 200 KiB block does not overlap the program's region");
  if (medium) fill(medium, msize, 4242);

  // Enough blocks that the heap has to grow past the program's region, of mixed sizes.
  const size_t nb = 6000;
  unsigned char **b = mmap(NULL, nb * sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  size_t *sz = mmap(NULL, nb * sizeof *sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED || sz == MAP_FAILED) { perror("mmap"); exit(2); }
  size_t failed = 0, overlap = 0, above = 0, below = 0;
  for (size_t k = 0; k < nb; k++) {
    sz[k] = 16 + (k * 7919) % 2000;
    b[k] = malloc(sz[k]);
    if (!b[k]) { failed++; continue; }
    uintptr_t p = (uintptr_t)b[k];
    if (p < ohi && p + sz[k] > olo) overlap++;
    if (p >= ohi) above++; else below++;
    fill(b[k], sz[k], k);
  }
  uintptr_t lo, hi;
  heap_range(&lo, &hi);
  size_t in = 0;
  for (size_t k = 0; k < nb; k++)
    if (b[k] && (uintptr_t)b[k] >= lo && (uintptr_t)b[k] + sz[k] <= hi) in++;
  CHECK(failed == 0, "%zu mallocs after the program's sbrk succeeded", nb);
  CHECK(overlap == 0, "no block overlaps the program's region %#lx-%#lx (%zu below it, %zu above it)",
        (unsigned long)olo, (unsigned long)ohi, below, above);
  CHECK(above > 0, "the heap grew past the program's region with brk: %zu blocks above it", above);
  CHECK(in == nb, "%zu of %zu blocks lie in [heap] %#lx-%#lx", in, nb, (unsigned long)lo, (unsigned long)hi);
  size_t own_bad = 0;
  for (size_t i = 0; i < own_size; i++) own_bad += own[i] != 0xAB;
  CHECK(own_bad == 0, "the program's region is intact after the mallocs (%zu bytes changed)", own_bad);
  memset(own, 0xCD, own_size);                         // the program writes its region again
  size_t bad = 0;
  for (size_t k = 0; k < nb; k++)
    for (size_t i = 0; b[k] && i < sz[k]; i++)
      if (b[k][i] != pat(k, i)) { bad++; break; }
  CHECK(bad == 0, "all blocks intact after the program wrote its region (%zu damaged)", bad);

  if (medium) {
    bad = 0;
    for (size_t i = 0; i < msize; i++) bad += medium[i] != pat(4242, i);
    CHECK(bad == 0, "the 200 KiB block is intact");
    free(medium);
  }
  for (size_t k = 0; k < nb; k++) free(b[k]);
  free(first);
  CHECK(brk_now() >= ohi, "freeing everything left the program's region below the break (break %#lx)",
        (unsigned long)brk_now());
  own_bad = 0;
  for (size_t i = 0; i < own_size; i++) own_bad += own[i] != 0xCD;
  CHECK(own_bad == 0, "the program's region is intact after the frees");

  // Once more: a second region of the program's, then blocks again.
  unsigned char *own2 = sbrk((intptr_t)own_size);
  CHECK(own2 != (void *)-1, "a second sbrk(4096) of the program's at %p", (void *)own2);
  if (own2 == (void *)-1) return;
  memset(own2, 0xEF, own_size);
  overlap = failed = 0;
  for (size_t k = 0; k < nb; k++) {
    b[k] = malloc(sz[k]);
    if (!b[k]) { failed++; continue; }
    uintptr_t p = (uintptr_t)b[k];
    if ((p < ohi && p + sz[k] > olo) || (p < (uintptr_t)own2 + own_size && p + sz[k] > (uintptr_t)own2)) overlap++;
    memset(b[k], 0x11, sz[k]);
  }
  own_bad = 0;
  for (size_t i = 0; i < own_size; i++) own_bad += (own[i] != 0xCD) + (own2[i] != 0xEF);
  CHECK(failed == 0 && overlap == 0 && own_bad == 0,
        "%zu more blocks: none failed, none overlaps either region, both regions intact", nb);
  for (size_t k = 0; k < nb; k++) free(b[k]);
  munmap(b, nb * sizeof *b);
  munmap(sz, nb * sizeof *sz);
}

// After brk was made to fail: small blocks still come (from mmap'd extents), data intact.
static void blocks_without_brk(const char *why) {
  uintptr_t brk0 = brk_now();
  void *probe = sbrk(256 * KiB);
  CHECK(probe == (void *)-1, "set-up: the program's own sbrk(256 KiB) fails now (%s)", why);
  if (probe != (void *)-1) { sbrk(-(intptr_t)(256 * KiB)); return; }

  const size_t nb = 8 * KiB, size = KiB;              // 8 MiB: far more than the heap's spare top
  size_t failed;
  unsigned char **b = alloc_blocks(nb, size, &failed);
  CHECK(failed == 0, "%zu mallocs of %zu bytes succeeded with brk failing", nb, size);
  uintptr_t lo, hi;
  heap_range(&lo, &hi);
  size_t in = count_inside(b, nb, size, lo, hi);
  CHECK(nb - failed - in > 0, "%zu blocks come from outside [heap] (the mmap fallback), %zu from [heap]",
        nb - failed - in, in);
  CHECK(brk_now() == brk0, "the break did not move");
  unsigned char *mid[64];                              // medium blocks, each needing room of its own
  size_t mfail = 0;
  for (size_t k = 0; k < 64; k++) {
    mid[k] = malloc(100 * KiB);
    if (mid[k]) memset(mid[k], (int)k, 100 * KiB); else mfail++;
  }
  CHECK(mfail == 0, "64 blocks of 100 KiB succeeded too");
  CHECK(count_damaged(b, nb, size) == 0, "the data of all %zu blocks is intact", nb);
  size_t mbad = 0;
  for (size_t k = 0; k < 64; k++)
    for (size_t i = 0; mid[k] && i < 100 * KiB; i += 997) mbad += mid[k][i] != (unsigned char)k;
  CHECK(mbad == 0, "the 100 KiB blocks are intact");
  for (size_t k = 0; k < 64; k++) free(mid[k]);
  // Free every other block, allocate again into the holes, then everything.
  for (size_t k = 0; k < nb; k += 2) { free(b[k]); b[k] = malloc(size); if (b[k]) fill(b[k], size, k); }
  CHECK(count_damaged(b, nb, size) == 0, "after freeing and reallocating half of them, all intact");
  free_blocks(b, nb);
}

static void proof_fence(void) {
  unsigned char *warm = malloc(1000);                  // the heap exists: its extent ends at the break
  escape(warm);
  uintptr_t fence_at = (brk_now() + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
  unsigned char *fence = mmap((void *)fence_at, PAGE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  CHECK(fence != MAP_FAILED && (uintptr_t)fence == fence_at, "set-up: a page mapped right at the break %#lx",
        (unsigned long)fence_at);
  if (fence == MAP_FAILED || (uintptr_t)fence != fence_at) return;
  memset(fence, 0x3C, PAGE);
  blocks_without_brk("a mapping sits after the break");
  size_t bad = 0;
  for (size_t i = 0; i < PAGE; i++) bad += fence[i] != 0x3C;
  CHECK(bad == 0, "the page after the break is intact");
  free(warm);
}

static void proof_rlimit(void) {
  unsigned char *warm = malloc(1000);
  escape(warm);
  struct rlimit rl;
  getrlimit(RLIMIT_DATA, &rl);
  struct rlimit low = { 0, rl.rlim_max };
  CHECK(setrlimit(RLIMIT_DATA, &low) == 0, "set-up: RLIMIT_DATA lowered to 0 (max kept)");
  blocks_without_brk("RLIMIT_DATA is 0");
  setrlimit(RLIMIT_DATA, &rl);
  free(warm);
}

int main(int argc, char **argv) {
  if (!dlsym(RTLD_DEFAULT, "heapcheck_report_leaks")) {
    fprintf(stderr, "brk_proof: not running under libheapcheck.so (LD_PRELOAD it)\n");
    return 2;
  }
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "heap") == 0) proof_heap(0);
  else if (strcmp(mode, "heap-top-first") == 0) proof_heap(1);
  else if (strcmp(mode, "foreign") == 0) proof_foreign();
  else if (strcmp(mode, "fence") == 0) proof_fence();
  else if (strcmp(mode, "rlimit") == 0) proof_rlimit();
  else { fprintf(stderr, "usage: brk_proof heap|heap-top-first|foreign|fence|rlimit\n"); return 2; }
  say("%s: %d failure(s)\n", mode, failures);
  return failures ? 1 : 0;
}
