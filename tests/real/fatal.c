/* fatal: a program that leaks and then dies of a fatal signal.
 *   fatal segv|abort|fpe: loses a 99-byte block, then dies of SIGSEGV (a null write), abort() or SIGFPE (raised).
 *   fatal own_handler: installs its own SIGSEGV handler, which says so on stdout and calls _exit(42), then faults:
 *     the program's handler must run, not heapcheck's (whose _exit still reports the leak). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile sink;
int *volatile null_ptr;

__attribute__((noinline)) static void lose(void) {
  sink = malloc(99);
  memset(sink, 1, 99);
  sink = NULL;
}

// Enough work that no register still holds the lost pointer when the signal comes.
__attribute__((noinline)) static unsigned churn(void) {
  unsigned h = 0;
  for (int i = 0; i < 64; i++) {
    char *p = malloc(16);
    snprintf(p, 16, "%d", i);
    h = h * 31 + (unsigned char)p[0];
    free(p);
  }
  return h;
}

static void own(int sig) {
  (void)sig;
  static const char msg[] = "own handler\n";
  if (write(1, msg, sizeof msg - 1) < 0) _exit(41);
  _exit(42);
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  lose();
  if (churn() == 1) return 3;
  if (strcmp(argv[1], "segv") == 0) *null_ptr = 1;
  if (strcmp(argv[1], "abort") == 0) abort();
  if (strcmp(argv[1], "fpe") == 0) raise(SIGFPE);
  if (strcmp(argv[1], "own_handler") == 0) {
    signal(SIGSEGV, own);
    *null_ptr = 1;
  }
  return 0;
}
