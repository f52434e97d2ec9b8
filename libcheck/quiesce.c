/* quiesce.c: the busy-writer protocol (see quiesce.h). Threads writing a block mark themselves busy with a
 * per-thread flag; fork, whole-heap checks and the leak scan raise one shared flag and wait until no thread is
 * busy. Layer 2: uses only lc.h. */
#define _GNU_SOURCE
#include "quiesce.h"

#include <pthread.h>
#include <sched.h>

// lc_busy: 0 = this thread is not registered yet, 1 = busy, 2 = registered and idle.
__thread int lc_busy __attribute__((tls_model("initial-exec")));
int lc_fork_pending;
#define MAX_WRITERS 4096
static int *writers[MAX_WRITERS];     // &lc_busy of every registered thread; NULL = free slot
static int nwriters;
static pthread_key_t writer_key;
static int writer_key_ready;

static void writer_exit(void *slot) { __atomic_store_n((int **)slot, NULL, __ATOMIC_RELEASE); }

void lc_busy_wait(int was) {
  if (was == 0) {
    // First write of this thread (lc_busy was 0 before the exchange): take a slot, cleared at thread exit.
    int i;
    for (i = 0; i < nwriters; i++) {
      int *expected = NULL;
      if (__atomic_compare_exchange_n(&writers[i], &expected, &lc_busy, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) break;
    }
    if (i == nwriters) {
      i = __atomic_fetch_add(&nwriters, 1, __ATOMIC_ACQ_REL);
      if (i < MAX_WRITERS) __atomic_store_n(&writers[i], &lc_busy, __ATOMIC_RELEASE);
    }
    if (i < MAX_WRITERS && writer_key_ready) pthread_setspecific(writer_key, &writers[i]);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);      // the slot is visible before fork_pending is read
    if (!__atomic_load_n(&lc_fork_pending, __ATOMIC_ACQUIRE)) return;
  }
  for (;;) {                          // a fork is being prepared: step aside until it is done
    __atomic_store_n(&lc_busy, 2, __ATOMIC_RELEASE);
    while (__atomic_load_n(&lc_fork_pending, __ATOMIC_ACQUIRE)) sched_yield();
    __atomic_exchange_n(&lc_busy, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&lc_fork_pending, __ATOMIC_ACQUIRE)) return;
  }
}

static pthread_mutex_t quiesce_lock = PTHREAD_MUTEX_INITIALIZER;   // held across slow work: sleep, not spin

void lc_quiesce(void) {
  pthread_mutex_lock(&quiesce_lock);
  __atomic_exchange_n(&lc_fork_pending, 1, __ATOMIC_SEQ_CST);
  int n = __atomic_load_n(&nwriters, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n && i < MAX_WRITERS; i++) {
    int *flag;
    while ((flag = __atomic_load_n(&writers[i], __ATOMIC_ACQUIRE)) != NULL && flag != &lc_busy &&
           __atomic_load_n(flag, __ATOMIC_ACQUIRE) == 1)
      sched_yield();
  }
}

void lc_unquiesce(void) {
  __atomic_store_n(&lc_fork_pending, 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&quiesce_lock);
}

void lc_quiesce_init(void) {
  if (pthread_key_create(&writer_key, writer_exit) == 0) writer_key_ready = 1;
}

void lc_quiesce_after_fork_child(void) {
  for (int i = 0; i < MAX_WRITERS; i++)          // the other threads are gone
    if (writers[i] != &lc_busy) writers[i] = NULL;
}
