/* An allocation in a thread: the leak's stack shows the thread's function at its malloc line. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

static void *worker(void *arg) {
  char *p = malloc(45);                      /* worker's line */
  if (p) memset(p, 'w', 45);
  sink = p;
  sink = NULL;
  forget_stack();
  return arg;
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL) != 0) return 2;
  if (pthread_join(t, NULL) != 0) return 2;
  return 0;
}
