/* Still reachable from a static variable of a dlopen'd library (its writable segment is a root), and from a
 * __thread variable of that library (its dynamic TLS block, allocated by the loader, is a root). The library
 * stays loaded. argv[1]: the library's path. */
#include <dlfcn.h>
#include <stdio.h>

#include "leakcase.h"

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  void (*keep)(void) = (void (*)(void))dlsym(h, "dlib_keep_block");
  void (*keep_tls)(void) = (void (*)(void))dlsym(h, "dlib_keep_tls_block");
  if (!keep || !keep_tls) return 1;
  keep();
  keep_tls();
  lc_case_clobber_stack();
  return 0;
}
