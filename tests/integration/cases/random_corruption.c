/* Randomized heap corruption: allocates blocks of random sizes (a few large, mmap'd), overwrites random bytes
 * just before, inside and just after random blocks (live ones, and a few freed ones), frees about half of the
 * blocks and exits. The seed is argv[1], so every run of a seed does the same. heapcheck must report what it
 * can (overflow, underflow, corrupted header, invalid free, use after free) and never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv) {
  state = (argc > 1 ? strtoull(argv[1], NULL, 10) : 1) * 0x9E3779B97F4A7C15ULL + 1;
  for (int i = 0; i < NBLOCKS; i++) {
    sizes[i] = rnd_size();
    blocks[i] = malloc(sizes[i]);
    if (!blocks[i]) return 1;
    for (size_t j = 0; j < sizes[i]; j++) blocks[i][j] = (char)j;
  }
  /* A few blocks are freed first: writes into them are uses after free. */
  for (int i = 0; i < NBLOCKS; i += 37) { free(blocks[i]); sizes[i] |= (size_t)1 << 62; }
  for (int w = 0; w < NWRITES; w++) {
    int i = (int)(rnd() % NBLOCKS);
    size_t size = sizes[i] & ~((size_t)1 << 62);
    int64_t off;
    switch (rnd() % 4) {
    case 0: off = -1 - (int64_t)(rnd() % 16); break;                    /* just before: canary, header */
    case 1: off = size ? (int64_t)(rnd() % size) : 0; break;             /* inside */
    default: off = (int64_t)size + (int64_t)(rnd() % 16); break;         /* just after */
    }
    volatile char *p = blocks[i] + off;
    *p = (char)(rnd() | 1);
  }
  for (int i = 0; i < NBLOCKS; i++) {
    if ((sizes[i] >> 62) || rnd() % 2) continue;
    free(blocks[i]);
    blocks[i] = NULL;
  }
  printf("done\n");
  return 0;
}
