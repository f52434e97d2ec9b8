/* quiesce.h: keeping the other threads out of block writes. A thread writing a block's header, canaries or
 * poison holds no allocator lock, so fork could copy the block half-written into the child, and a whole-heap
 * check or the leak scan could read it half-written. Writers mark themselves busy (a per-thread flag, no shared
 * cache line); lc_quiesce raises fork_pending and waits until no thread is busy.
 * Layer 2: uses only lc.h; used by fork handlers (init.c), whole-heap checks (alloc.c) and the exit scan. */
#ifndef LC_QUIESCE_H
#define LC_QUIESCE_H

#include "lc.h"

// lc_busy: 0 = this thread is not registered yet, 1 = busy, 2 = registered and idle.
extern __thread int lc_busy __attribute__((tls_model("initial-exec")));
extern int lc_fork_pending;
void lc_busy_wait(int was);          // slow path: register this thread (was == 0), or wait out a quiesce
static inline void lc_busy_enter(void) {
  int was = __atomic_exchange_n(&lc_busy, 1, __ATOMIC_SEQ_CST);   // a full barrier: fork_pending is read after it
  if (lc_unlikely(was == 0 || __atomic_load_n(&lc_fork_pending, __ATOMIC_ACQUIRE))) lc_busy_wait(was);
}
static inline void lc_busy_leave(void) { __atomic_store_n(&lc_busy, 2, __ATOMIC_RELEASE); }

// Keeps every other thread out of the allocator's block writes until lc_unquiesce.
// pre: the caller holds no allocator lock and is not busy.
void lc_quiesce(void);
void lc_unquiesce(void);
// Once, from the constructor: a thread's slot is freed when it exits.
void lc_quiesce_init(void);
// In a fork child: the parent's other threads are gone, their slots with them.
void lc_quiesce_after_fork_child(void);

#endif
