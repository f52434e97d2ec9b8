/* Randomized heap corruption: allocates blocks of random sizes (a few large, mmap'd), frees some of them, then
 * damages random blocks (live ones and freed ones) as argv[2] says, frees about half of the blocks and exits. The
 * seed is argv[1], so every run of a seed does the same. heapcheck must report what it can (overflow, underflow,
 * corrupted header or heap, invalid free, use after free) and never crash.
 *   mixed    (default) single bytes just before, inside and just after the blocks;
 *   after    single bytes up to 64 bytes after a block's end: its canary, then the next chunk's tag, its header or
 *            free list links, and its first bytes;
 *   headers  single bytes up to 48 bytes before a block: its front canary, its header, its chunk's tag;
 *   spans    a run of one byte value from just before a block's end over up to 96 bytes after it (a linear
 *            overflow into the next chunk), or from up to 48 bytes before a block's start into it.
 * In the last three, the blocks freed first are pushed out of a quarantine of 1 MiB (quarantine_mb=1) by 2 MB of
 * frees, so that the damage around them lands in free chunks, and after the damage 200 more blocks are allocated
 * and freed, which takes those chunks and merges with them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 300
#define NWRITES 40

static char *blocks[NBLOCKS];                /* a global: the live blocks stay reachable, no leaks */
static size_t sizes[NBLOCKS];
static uint64_t state;

static uint64_t rnd(void) {                  /* xorshift64*: the same sequence on every platform */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_size(void) {
  switch (rnd() % 20) {
  case 0: return 0;
  case 1: return 128 * 1024 + rnd() % 8192;  /* large: served by mmap */
  case 2: case 3: return 1000 + rnd() % 9000;
  default: return 1 + rnd() % 200;
  }
}

static void poke(char *block, int64_t off, char value) {
  volatile char *p = block + off;                        /* out of the compiler's sight */
  *p = value;
}

int main(int argc, char **argv) {
  state = (argc > 1 ? strtoull(argv[1], NULL, 10) : 1) * 0x9E3779B97F4A7C15ULL + 1;
  const char *mode = argc > 2 ? argv[2] : "mixed";
  int m = strcmp(mode, "after") == 0 ? 1 : strcmp(mode, "headers") == 0 ? 2 : strcmp(mode, "spans") == 0 ? 3 : 0;
  for (int i = 0; i < NBLOCKS; i++) {
    sizes[i] = rnd_size();
    blocks[i] = malloc(sizes[i]);
    if (!blocks[i]) return 1;
    if (m) memset(blocks[i], 0x5a, sizes[i]);
    else for (size_t j = 0; j < sizes[i]; j++) blocks[i][j] = (char)j;
  }
  /* Some blocks are freed first: writes into them are uses after free, and (once out of the quarantine) their
   * chunks are free chunks that the writes around them reach. */
  for (int i = 0; i < NBLOCKS; i += m ? 5 : 37) { free(blocks[i]); sizes[i] |= (size_t)1 << 62; }
  for (int i = 0; m && i < 20; i++) free(malloc(100000));
  for (int w = 0; w < (m == 3 ? 4 : NWRITES); w++) {
    int i = (int)(rnd() % NBLOCKS);
    size_t size = sizes[i] & ~((size_t)1 << 62);
    /* A large block is a mapping of its own, unmapped once freed, with less than a page after it: the new modes
     * write before it only while it is live, and never after it. */
    if (m && size >= 128 * 1024 && (m != 2 || (sizes[i] >> 62))) { w--; continue; }
    if (m == 0) {
      int64_t off;
      switch (rnd() % 4) {
      case 0: off = -1 - (int64_t)(rnd() % 16); break;                    /* just before: canary, header */
      case 1: off = size ? (int64_t)(rnd() % size) : 0; break;             /* inside */
      default: off = (int64_t)size + (int64_t)(rnd() % 16); break;         /* just after */
      }
      poke(blocks[i], off, (char)(rnd() | 1));
      continue;
    }
    char value = (char)(rnd() | 1);
    switch (m) {
    case 1: poke(blocks[i], (int64_t)size + (int64_t)(rnd() % 64), value); break;
    case 2: poke(blocks[i], -1 - (int64_t)(rnd() % 48), value); break;
    default: {
      int64_t from, len;
      if (rnd() % 3) { from = (int64_t)size - (int64_t)(rnd() % 8); len = 1 + (int64_t)(rnd() % 96); }
      else { from = -1 - (int64_t)(rnd() % 48); len = 1 + (int64_t)(rnd() % 64); }   /* (a block's chunk starts 48 before it) */
      for (int64_t k = 0; k < len; k++) poke(blocks[i], from + k, value);
    }
    }
  }
  /* More traffic (the new modes): these allocations take the free chunks next to the damage, and their frees merge with them. */
  static char *more[200];
  for (int i = 0; m && i < 200; i++) more[i] = malloc(rnd_size() % 5000);
  for (int i = 0; m && i < 200; i++) free(more[i]);
  for (int i = 0; i < NBLOCKS; i++) {
    if ((sizes[i] >> 62) || rnd() % 2) continue;
    free(blocks[i]);
    if (!m) blocks[i] = NULL;            /* (kept in the new modes: a free heapcheck refused leaves a live block) */
  }
  printf("done\n");
  return 0;
}
