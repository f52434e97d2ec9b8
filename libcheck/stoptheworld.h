/* stoptheworld.h: stops every other thread of the process for the leak scan with a real-time signal borrowed
 * from the program, whose handler saves the thread's registers and waits; tells which threads cannot be stopped;
 * resumes them, or leaves them stopped when the process ends next. Lists the tasks of /proc/self/task. Takes no
 * lock and allocates from no heap (a stopped thread may hold either); knows nothing of blocks or roots. */
#ifndef LC_STOPTHEWORLD_H
#define LC_STOPTHEWORLD_H

#include "lc.h"

#include <sys/types.h>

#define LC_STW_MAX_THREADS 8192          // threads beyond this many are neither stopped nor counted
#define LC_STW_NREGS 23                  // general registers saved per thread: x86-64's ucontext gregs

typedef enum lc_stw_state_e {
  LC_STW_UNSTOPPABLE = -2,               // blocks the signal or waits in sigwait: never signalled, no registers
  LC_STW_GONE = -1,                      // the signal could not be sent: the thread had ended
  LC_STW_SIGNALLED = 0,                  // signalled, no answer yet (or never)
  LC_STW_STOPPED = 1,                    // waiting in the handler; sp and regs are its registers at the signal
  LC_STW_RESUMED = 2,                    // released, and out of the handler
} lc_stw_state_t;

typedef struct lc_stw_thread_s {
  pid_t tid;
  int state;                             // lc_stw_state_t; the thread itself moves it on (atomic accesses)
  uintptr_t sp;                          // state == STOPPED: regs[REG_RSP]
  uintptr_t regs[LC_STW_NREGS];
} lc_stw_thread_t;

typedef struct lc_world_s {
  const lc_stw_thread_t *threads;        // every thread but the caller's: valid until lc_stoptheworld_resume
  int nthreads;
  int stopped;                           // state == STOPPED
  int unresponsive;                      // state == SIGNALLED or UNSTOPPABLE: running, or blocked, unstopped
} lc_world_t;

// pre: caller holds the lc_inside guard; the world is not stopped already.
// post: every other thread is in the handler or counted as unresponsive (after up to ~0.5 s); *w describes
// them (all zero when the threads could not be listed or there is no memory for the table).
void lc_stoptheworld_stop(lc_world_t *w);
// pre: lc_stoptheworld_stop ran. post: the threads left the handler and the program's action for the signal is
// back; a signal still pending for a thread that never answered is discarded. Not calling it keeps them stopped.
void lc_stoptheworld_resume(void);

// Calls fn(tid, arg) for every task of the process (fn may be NULL). Returns the number of tasks, or -1 when
// /proc cannot be read. No allocation (getdents64, not opendir).
int lc_stoptheworld_tasks(void (*fn)(pid_t tid, void *arg), void *arg);

#endif
