/* An allocation inside a dlopen'd library: the leak's stack shows the library's functions with their file and
 * line, also when the library was dlclose'd before exit (argv[2] == "close"). argv[1] is the library's path. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
  char *(*make)(size_t) = (char *(*)(size_t))dlsym(lib, "dlib_make");
  if (!make) return 2;
  sink = make(91);                           /* main's line */
  sink = NULL;
  forget_stack();
  if (argc > 2 && strcmp(argv[2], "close") == 0 && dlclose(lib) != 0) return 2;
  return 0;
}
