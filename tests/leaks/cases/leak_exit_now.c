/* Leaks a block, then ends with _exit(3) (argv[1] == "Exit": _Exit(3)): no atexit handler or destructor
 * runs. With report_on_exit_now=1 (the default) the checks run anyway: the leak is reported and the status
 * is 23; with report_on_exit_now=0 nothing is checked and the status stays 3. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_before_exit(void) { memset(malloc(72), 'e', 72); }

int main(int argc, char **argv) {
  leak_before_exit();
  lc_case_clobber_stack();
  if (argc > 1 && strcmp(argv[1], "Exit") == 0) _Exit(3);
  _exit(3);
}
