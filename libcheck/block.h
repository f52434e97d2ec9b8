/* block.h: one allocation inside a heap chunk's payload:
 *   [ gap record (over-aligned only) | header 24 | front canary 8 | user bytes | back canary ... end of payload ]
 * Invariants: hdr.sum == lc_block_sum(&hdr, address of hdr) (keyed with a per-process secret);
 *             while state == LIVE, the front canary and every byte from user+size to the payload's end hold
 *             LC_CANARY_BYTE (when checks are on); while QUARANTINED, the user bytes hold LC_POISON_BYTE;
 *             once formatted, a header changes only by a compare-and-swap of its first 16 bytes (size, state, sum,
 *             stacks), and is read as one consistent copy.
 * Decides no policy and prints nothing. */
#ifndef LC_BLOCK_H
#define LC_BLOCK_H

#include "lc.h"

#define LC_HEADER_SIZE   24
#define LC_FRONT_CANARY  8
#define LC_PREFIX        (LC_HEADER_SIZE + LC_FRONT_CANARY)   // user = header + 32
#define LC_BACK_CANARY_MIN 8
#define LC_CANARY_BYTE   0xCA
#define LC_POISON_BYTE   0xFD
#define LC_MAX_SIZE      (((uint64_t)1 << 40) - 1)

typedef enum lc_block_state_e { LC_BLOCK_INVALID = 0, LC_BLOCK_LIVE = 1, LC_BLOCK_QUARANTINED = 2, LC_BLOCK_FREED = 3 } lc_block_state_t;
typedef enum lc_origin_e { LC_ORIGIN_MALLOC = 0, LC_ORIGIN_NEW = 1, LC_ORIGIN_NEW_ARRAY = 2, LC_ORIGIN_INTERNAL = 3 } lc_origin_t;

typedef struct lc_header_s {
  uint64_t size   : 40;          // bytes requested, exact (realloc, canaries and reports need it)
  uint64_t origin : 2;           // lc_origin_t: caught on a mismatched free
  uint64_t state  : 2;           // lc_block_state_t
  uint64_t reported : 1;        // a finding about this block was said already: never twice
  uint64_t loader : 1;           // allocated by the dynamic loader (DTVs, link maps): a root of the leak scan
  uint64_t spare  : 2;
  uint64_t sum    : 16;          // covers this header and its address (Scudo chunk.h)
  uint32_t alloc_stack;          // stackdepot id of the allocation; 0 = none
  uint32_t free_stack;           // stackdepot id of the free; 0 = not freed or none
  uint32_t gap;                  // payload start to header, bytes (over-aligned blocks)
  uint32_t seq;                  // allocation number modulo 2^32 (orders findings, tells reuse apart)
} lc_header_t;

typedef enum lc_block_status_e {
  LC_BLOCK_OK = 0,               // checksum right, state LIVE
  LC_BLOCK_BAD_SUM,              // not a header heapcheck wrote, or one that was overwritten
  LC_BLOCK_NOT_LIVE,             // checksum right, but quarantined or freed already
} lc_block_status_t;

// A damaged zone, relative to the user bytes (negative offsets lie before them).
typedef struct lc_damage_s {
  int64_t offset;                // first damaged byte
  size_t length;                 // damaged bytes from offset to the last damaged one in the zone
  unsigned char expected[16], found[16];  // the first min(length, 16) damaged bytes, from offset
  size_t shown;                  // bytes in expected/found
} lc_damage_t;

extern int lc_block_checks;      // canaries and poison on (set once at init from the options)

void lc_block_init_secret(void);

// Payload bytes and alignment to ask of the heap for a block of `size` user bytes aligned to `align`.
size_t lc_block_payload_request(size_t size, size_t align, size_t *heap_align);
// pre: payload has payload_size bytes from lc_heap, sized with lc_block_payload_request(size, align).
// post: returns the user pointer; header LIVE, canaries written.
void *lc_block_format(void *payload, size_t payload_size, size_t size, size_t align, lc_origin_t origin,
                      uint32_t stack, uint32_t seq);

static inline lc_header_t *lc_block_header(const void *user) { return (lc_header_t *)((char *)user - LC_PREFIX); }
static inline void *lc_block_user(const lc_header_t *h) { return (char *)h + LC_PREFIX; }
static inline void *lc_block_payload(const lc_header_t *h) { return (char *)h - h->gap; }

// pre: the 32 bytes before user are readable.  post: *out is a copy of the header whenever the sum is right.
lc_block_status_t lc_block_validate(const void *user, lc_header_t *out);
// The header of the block formatted in this payload, or NULL when none validates (free chunk remnants).
lc_header_t *lc_block_from_payload(void *payload, size_t payload_size);

// The LIVE -> state change of a free, as one compare-and-swap: done (1) only if the header is still exactly *seen,
// the copy lc_block_validate gave; 0 when another thread changed it first (a second free racing this one), and the
// header is left as that thread made it.  pre: seen->state == LC_BLOCK_LIVE.
int lc_block_claim(void *user, const lc_header_t *seen, lc_block_state_t state, uint32_t free_stack);
// Changes state (and free stack) and re-seals the header.
void lc_block_set_state(void *user, lc_block_state_t state, uint32_t free_stack);
void lc_block_mark_reported(void *user);
void lc_block_set_origin(void *user, lc_origin_t origin);
void lc_block_set_loader(void *user);
// Writes a fresh header for a block whose header was destroyed: FREED, reported, size 0, so it is never
// reused nor reported again.
void lc_block_retire(void *user);
// Resizes a live block in place (its payload already holds size + canaries). Re-seals.
void lc_block_resize(void *user, size_t payload_size, size_t new_size, uint32_t stack);

// Canary checks. Return 1 and fill *d when the zone is damaged.
int lc_block_front_damaged(const void *user, lc_damage_t *d);
int lc_block_back_damaged(const void *user, size_t size, size_t payload_size, size_t gap, lc_damage_t *d);
// Fills the user bytes with LC_POISON_BYTE / checks them: all of them, or the first lc_block_poison_limit
// bytes when that is not 0.
extern size_t lc_block_poison_limit;
void lc_block_poison(void *user, size_t size);
int lc_block_poison_damaged(const void *user, size_t size, lc_damage_t *d);

#endif
