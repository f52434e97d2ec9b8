/* A leak, then the program closes its stderr in an atexit handler, as GNU programs do (close_stdout calls
 * fclose(stderr)): the exit report must still reach the stderr the program started with.
 * argv[1]: "fclose" (default) or "close" (close(2)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leakcase.h"

static void *volatile sink;
static int use_close;

__attribute__((noinline)) static void leak_it(void) { sink = malloc(24); sink = NULL; }

static void close_stderr(void) {
  if (use_close) close(2);
  else fclose(stderr);
}

int main(int argc, char **argv) {
  use_close = argc > 1 && strcmp(argv[1], "close") == 0;
  atexit(close_stderr);
  leak_it();
  lc_case_clobber_stack();
  return 0;
}
