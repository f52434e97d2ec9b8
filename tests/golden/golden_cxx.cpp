/* golden_cxx.cpp: -O0 -g golden program for C++: names come out demangled (libstdc++ is loaded, so
 * __cxa_demangle is found at lc_symbolize_begin), with namespaces, classes, templates and inlining. */
#include <libunwind.h>

#include "golden_print.h"
#include "symbolize.h"

static void *pcs[64];
static int npcs;

namespace shapes {

struct Box {
  int w;
  __attribute__((noinline)) int area(int scale);
};

int Box::area(int scale) {
  npcs = unw_backtrace(pcs, 64);  // Box::area: capture line
  return w * scale;
}

template <typename T>
__attribute__((always_inline)) inline T measure(Box &b, T scale) {
  return b.area(scale);  // measure<int>: call line
}

template <typename T>
__attribute__((noinline)) T twice(T scale) {
  Box b{3};
  return 2 * measure(b, scale);  // twice<int>: call line
}

}  // namespace shapes

int main() {
  int *keep = new int(7);              // pulls in libstdc++ (operator new), hence __cxa_demangle
  int r = shapes::twice<int>(*keep);   // main: call line
  delete keep;
  lc_symbolize_begin();
  golden_print_stack("c++ chain", pcs, npcs, nullptr);
  lc_symbolize_end();
  return r == 42 ? 0 : 1;
}
