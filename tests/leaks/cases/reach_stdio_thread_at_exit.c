/* A thread writes to stdout without pause (holding the stream's lock most of the time) while main returns.
 * The exit scan stops that thread and leaves it stopped; nothing afterwards may wait for the stream's lock:
 * the process must end (no hang), with status 0 and nothing reported. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *writer(void *arg) {
  (void)arg;
  for (unsigned long i = 0;; i++) fprintf(stdout, "line %lu of output written by a thread during exit\n", i);
  return NULL;
}

int main(void) {
  static char buf[1 << 16];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  usleep(20000);
  return 0;
}
