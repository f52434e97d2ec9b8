/* A worker thread calls exit(7) while main sleeps in pause() (or poll(), which no handler restarts). The scan
 * stops main with a signal; resumed, main would return from pause and from main, and its exit would end the
 * process during the report. The leak must be reported and the status be 23 (7 with exitcode=0). */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leakcase.h"

static void *volatile sink;

__attribute__((noinline)) static void leak_it(void) { sink = malloc(77); sink = NULL; }

static void *exiter(void *arg) {
  (void)arg;
  usleep(50000);
  exit(7);
}

int main(int argc, char **argv) {
  leak_it();
  lc_case_clobber_stack();
  pthread_t t;
  pthread_create(&t, NULL, exiter, NULL);
  if (argc > 1 && strcmp(argv[1], "poll") == 0) poll(NULL, 0, 10000);
  else pause();
  printf("main woke up\n");
  return 0;
}
