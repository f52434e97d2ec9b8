/* quarantine.h: FIFO of freed blocks under a byte budget (Scudo quarantine.h). Knows nothing of block layout:
 * entries are (pointer, bytes) pairs; what eviction means is the caller's business. */
#ifndef LC_QUARANTINE_H
#define LC_QUARANTINE_H

#include "lc.h"

typedef struct lc_qentry_s { void *user; size_t bytes; } lc_qentry_t;

void lc_quarantine_setup(size_t budget_bytes);
size_t lc_quarantine_budget(void);
// Pushes e; moves the oldest entries that exceed the budget into out[0..max) and returns their count.
// If the push itself fails (no memory for the ring), e is returned in out as if evicted at once.
// Call again with an empty e.user (NULL) to drain more when the return value == max.
int lc_quarantine_push(lc_qentry_t e, lc_qentry_t *out, int max);
// Calls fn for every entry, oldest first, under the quarantine lock (fn must not push).
void lc_quarantine_for_each(void (*fn)(lc_qentry_t e, void *arg), void *arg);
// Takes every entry out (exit-time verification).
int lc_quarantine_drain(lc_qentry_t *out, int max);
size_t lc_quarantine_bytes(void);
void lc_quarantine_lock(void);
void lc_quarantine_unlock(void);

#endif
