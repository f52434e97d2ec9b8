/* cancel_in_report: a thread is cancelled while heapcheck reports the overflows it makes. malloc and free are
 * no cancellation points, so the request must stay pending (the thread is never cancelled in them, as with
 * glibc) and nothing may be left locked: the thread finishes its 300 rounds, the program exits, 23. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg) {
  (void)arg;
  volatile int n = 16;
  for (int i = 0; i < 300; i++) {
    char *p = malloc(16);
    p[n] = 1;                             /* one byte past the block: reported at the free */
    free(p);
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  usleep(2000);
  pthread_cancel(t);
  void *ret;
  pthread_join(t, &ret);
  printf("%s\n", ret == PTHREAD_CANCELED ? "cancelled" : "not cancelled");
  return ret == PTHREAD_CANCELED ? 1 : 0;
}
