/* A leak in a thread that has ended (joined): definitely lost, with the thread's function in the stack.
 * The thread erases its dead frames, so its cached stack holds no stale copy of the pointer. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

__attribute__((noinline)) static void thread_leak(void) {
  char *p = malloc(200);
  memset(p, 't', 200);
}

static void *thread_main(void *arg) {
  (void)arg;
  thread_leak();
  lc_case_clobber_stack();
  return NULL;
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, NULL) != 0) return 1;
  pthread_join(t, NULL);
  lc_case_clobber_stack();
  return 0;
}
