/* stackdepot.h: interns backtraces. A stack is stored once in checker-owned memory and named by a 32-bit id
 * (0 = no stack). Lock-free: lookups and inserts never block, so fork and signals cannot deadlock on it
 * (sanitizer_common stackdepot). Must not allocate from any heap. */
#ifndef LC_STACKDEPOT_H
#define LC_STACKDEPOT_H

#include "lc.h"

#define LC_MAX_FRAMES 64

// post: the id of an identical stack already stored, or of a new copy; 0 when n == 0 or the depot is full
// (then lc_stackdepot_dropped() counts it, and the report says so).
uint32_t lc_stackdepot_put(const uintptr_t *pcs, int n);
// post: number of frames of id (0 for id 0 or an unknown id); *pcs points into the depot.
int lc_stackdepot_get(uint32_t id, const uintptr_t **pcs);
uint64_t lc_stackdepot_dropped(void);
size_t lc_stackdepot_bytes(void);         // bytes of stack records in use plus the bucket table (report, bench)
uint64_t lc_stackdepot_count(void);       // distinct stacks stored

#endif
