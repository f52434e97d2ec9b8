/* init.h: process life of libcheck: lazy set-up on the first allocator call, the constructor that turns
 * stacks and reports on, fork handlers, and the exit-time check that decides the exit status. */
#ifndef LC_INIT_H
#define LC_INIT_H

#include "lc.h"

extern int lc_initialized;     // options read, heaps set up: blocks can be handed out
extern int lc_ready;           // constructor ran: stacks are captured, findings reported
extern int lc_traced;          // this process reports (trace_children, report_forked_children)

void lc_init_slow(void);
static inline void lc_ensure_init(void) { if (lc_unlikely(!lc_initialized)) lc_init_slow(); }

// Fork and half-written blocks: a thread writing a block's header, canaries or poison holds no allocator
// lock, so fork could copy the block half-written into the child, which would then report it. Writers mark
// themselves busy (a per-thread flag, no shared cache line); fork's prepare handler raises fork_pending and waits
// until no thread is busy.
extern __thread int lc_busy __attribute__((tls_model("initial-exec")));
extern int lc_fork_pending;
void lc_busy_wait(int was);          // slow path: register this thread (was == 0), or wait out a fork
static inline void lc_busy_enter(void) {
  int was = __atomic_exchange_n(&lc_busy, 1, __ATOMIC_SEQ_CST);   // a full barrier: fork_pending is read after it
  if (lc_unlikely(was == 0 || __atomic_load_n(&lc_fork_pending, __ATOMIC_ACQUIRE))) lc_busy_wait(was);
}
static inline void lc_busy_leave(void) { __atomic_store_n(&lc_busy, 2, __ATOMIC_RELEASE); }

// Keeps every other thread out of the allocator's block writes until lc_unquiesce (the busy protocol above).
// pre: the caller holds no allocator lock and is not busy.
void lc_quiesce(void);
void lc_unquiesce(void);

// Runs the exit-time checks once ("exit", "_exit", "on_demand" for leaks only). Returns the exit status
// that findings ask for, or -1 to keep the program's.
int lc_finish(const char *exit_path);
// The exit status that these (unsuppressed) findings ask for under the exitcode options, or -1.
int lc_status_for_findings(size_t errors, uint64_t definite_blocks, uint64_t possible_blocks,
                           uint64_t reachable_blocks);
// Ends the process with `status` as exit_group does, without running anything else.
__attribute__((noreturn)) void lc_exit_now(int status);
// Called by the dlclose wrapper before a library is unloaded.
void lc_before_dlclose(void);

#endif
