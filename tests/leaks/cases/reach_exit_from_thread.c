/* Still reachable from the main thread's stack when another thread calls exit(): main holds the only
 * pointer in a local variable and is blocked in read() on a pipe that nobody writes; the leak scan runs on
 * the exiting thread and must scan main's stack from main's own stack pointer. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leakcase.h"

static int block_pipe[2];

__attribute__((noinline)) static void *make_main_block(void) { return memset(malloc(184), 'm', 184); }

static void *exiter(void *arg) {
  (void)arg;
  exit(0);
}

int main(void) {
  if (pipe(block_pipe) != 0) return 1;
  void *volatile mine = make_main_block();
  lc_case_clobber_stack();
  pthread_t t;
  if (pthread_create(&t, NULL, exiter, NULL) != 0) return 1;
  char c;
  while (read(block_pipe[0], &c, 1) != 0) {}      /* until the process ends */
  return mine != NULL;
}
