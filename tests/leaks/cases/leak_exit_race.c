/* Two threads call exit() at the same moment, after a leak: one runs the exit handlers and heapcheck's report;
 * the other must not end the process halfway through it. The report says the leak, the status is 23. */
#include <pthread.h>
#include <stdlib.h>

#include "leakcase.h"

static void *volatile sink;
static pthread_barrier_t both;

static void *worker(void *arg) {
  (void)arg;
  pthread_barrier_wait(&both);
  exit(0);
}

__attribute__((noinline)) static void leak_it(void) { sink = malloc(55); sink = NULL; }

int main(void) {
  leak_it();
  lc_case_clobber_stack();
  pthread_barrier_init(&both, NULL, 2);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_barrier_wait(&both);
  exit(0);
}
