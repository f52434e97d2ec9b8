/* A leak inside a dlopen'd library: definitely lost, the allocating frame is the library's function.
 * argv[1]: the library's path; argv[2] == "close": dlclose it before exit (the stack must still be
 * symbolized, from the library's remembered mapping). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "leakcase.h"

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  void (*leak)(void) = (void (*)(void))dlsym(h, "dlib_leak_block");
  if (!leak) return 1;
  leak();
  lc_case_clobber_stack();
  if (argc > 2 && strcmp(argv[2], "close") == 0 && dlclose(h) != 0) return 1;
  return 0;
}
