/* golden_inline_o2.c: -O2 -g golden program: the allocating function and the capturing function are
 * inlined into their callers; each inline frame must show its call line, the real function last. */
#include <libunwind.h>
#include <stdlib.h>

#include "golden_print.h"
#include "symbolize.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

static void *alloc_pcs[64], *capture_pcs[64];
static int alloc_n, capture_n;
void *volatile sink;

// Stands in for libheapcheck's malloc: records the stack of its caller.
GOLDEN_NOIPA void *checked_malloc(size_t size) {
  alloc_n = unw_backtrace(alloc_pcs, 64);  // checked_malloc: capture line
  return malloc(size);
}

ALWAYS_INLINE void *make_node(size_t size) {
  void *p = checked_malloc(size);  // make_node: call line
  return p;
}

GOLDEN_NOIPA void build_list(void) {
  sink = make_node(32);  // build_list: call line
  free(sink);
}

ALWAYS_INLINE void capture_here(void) {
  capture_n = unw_backtrace(capture_pcs, 64);  // capture_here: capture line
}

GOLDEN_NOIPA void caller(void) {
  capture_here();  // caller: call line
  __asm__ volatile("" ::: "memory");
}

int main(void) {
  build_list();  // main: first call line
  caller();      // main: second call line
  __asm__ volatile("" ::: "memory");
  lc_symbolize_begin();
  golden_print_stack("inlined allocating function", alloc_pcs, alloc_n, NULL);
  golden_print_stack("inlined capturing function", capture_pcs, capture_n, NULL);
  lc_symbolize_end();
  return 0;
}
