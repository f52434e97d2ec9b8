/* Still reachable through __thread variables: one of the main thread, one of a thread that is still alive
 * (blocked in read() on a pipe) when the program exits. Each block's only pointer is in its TLS slot. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leakcase.h"

__thread void *tls_root;
static int ready_pipe[2], block_pipe[2];

__attribute__((noinline)) static void *make_main_tls_block(void) { return memset(malloc(56), 'm', 56); }
__attribute__((noinline)) static void *make_thread_tls_block(void) { return memset(malloc(72), 't', 72); }

__attribute__((noinline)) static void *thread_main(void *arg) {
  (void)arg;
  tls_root = make_thread_tls_block();
  lc_case_clobber_stack();
  char c = 'r';
  if (write(ready_pipe[1], &c, 1) != 1) abort();
  (void)!read(block_pipe[0], &c, 1);           /* nobody ever writes: blocked until the process ends */
  return NULL;
}

int main(void) {
  if (pipe(ready_pipe) != 0 || pipe(block_pipe) != 0) return 1;
  tls_root = make_main_tls_block();
  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, NULL) != 0) return 1;
  char c;
  if (read(ready_pipe[0], &c, 1) != 1) return 1;
  lc_case_clobber_stack();
  return 0;
}
