/* golden_dlclose.c: a stack captured inside a dlopen'd library symbolizes after dlclose() only when
 * lc_symbolize_remember_modules() ran before the dlclose. argv[1]: path of libgolden_dlib.so. */
#include <dlfcn.h>
#include <libunwind.h>
#include <stdio.h>
#include <string.h>

#include "golden_print.h"
#include "symbolize.h"

// lc_symbolize_remember_modules() must not allocate: count allocator calls made while it runs.
// (The executable's malloc interposes libc's for the whole process.)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static int in_remember, allocs_in_remember;

void *malloc(size_t n) {
  allocs_in_remember += in_remember;
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  allocs_in_remember += in_remember;
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  allocs_in_remember += in_remember;
  return __libc_realloc(p, n);
}

typedef int (*golden_capture_fn)(void **pcs, int max);
typedef int (*dlib_run_fn)(golden_capture_fn capture, void **pcs, int max);

__attribute__((noinline)) static int capture(void **pcs, int max) {
  return unw_backtrace(pcs, max);  // capture: capture line
}

// dlopen, capture inside the library, optionally remember, dlclose; returns the frame count or -1.
static int run_in_library(const char *path, void **pcs, int remember) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    printf("dlopen failed: %s\n", dlerror());
    return -1;
  }
  dlib_run_fn run = (dlib_run_fn)dlsym(h, "dlib_run");
  if (!run) return -1;
  int n = run(capture, pcs, 64);  // run_in_library: call line
  if (remember) {
    in_remember = 1;
    lc_symbolize_remember_modules();
    in_remember = 0;
    printf("allocations inside lc_symbolize_remember_modules: %d\n", allocs_in_remember);
  }
  dlclose(h);
  if (dlopen(path, RTLD_NOW | RTLD_NOLOAD)) printf("BAD: library still loaded after dlclose\n");
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *lib = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
  void *pcs[64];
  int n = run_in_library(argv[1], pcs, 0);  // main: first call line
  lc_symbolize_begin();
  golden_print_stack("dlclosed, not remembered", pcs, n, lib);
  lc_symbolize_end();
  n = run_in_library(argv[1], pcs, 1);  // main: second call line
  lc_symbolize_begin();
  golden_print_stack("dlclosed, remembered", pcs, n, lib);
  lc_symbolize_end();
  return 0;
}
