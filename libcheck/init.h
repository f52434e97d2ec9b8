/* init.h: process life of libcheck: lazy set-up on the first allocator call, the constructor that turns
 * stacks and reports on, fork handlers, and the exit-time check; the exit-status policy (exitcode,
 * leak_exitcode_kinds) is decided here, from the findings the report says are left. */
#ifndef LC_INIT_H
#define LC_INIT_H

#include "lc.h"
#include "report.h"     // lc_exit_path_t

extern int lc_initialized;     // options read, heaps set up: blocks can be handed out
extern int lc_ready;           // constructor ran: stacks are captured, findings reported
extern int lc_traced;          // this process reports (trace_children, report_forked_children)

void lc_init_slow(void);
static inline void lc_ensure_init(void) { if (lc_unlikely(!lc_initialized)) lc_init_slow(); }

// Runs the exit-time checks once (LC_EXIT_PATH_ON_DEMAND: leaks only, as often as asked). Returns the exit
// status that findings ask for, or -1 to keep the program's (on demand: the bytes definitely lost).
int lc_finish(lc_exit_path_t path);
// Ends the process with `status` as exit_group does, without running anything else.
__attribute__((noreturn)) void lc_exit_now(int status);
// Called by the dlclose wrapper before a library is unloaded.
void lc_before_dlclose(void);

#endif
