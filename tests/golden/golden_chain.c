/* golden_chain.c: -O0 -g golden program: a noinline chain and an always_inline chain capture their own
 * stacks with unw_backtrace; the printed frames must name each call line (pc-1 lookup).
 * Its stripped copy (golden_chain_stripped) must print module+offset for the same frames. */
#include <libunwind.h>
#include <stddef.h>

#include "golden_print.h"
#include "symbolize.h"

#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE static inline __attribute__((always_inline))

static void *chain_pcs[64], *inline_pcs[64];
static int chain_n, inline_n;

NOINLINE void leaf(void **pcs, int *n) {
  *n = unw_backtrace(pcs, 64);  // leaf: capture line
}

NOINLINE void mid(void) {
  leaf(chain_pcs, &chain_n);  // mid: call line
}

NOINLINE void top(void) {
  mid();  // top: call line
}

ALWAYS_INLINE void inl_b(void) {
  leaf(inline_pcs, &inline_n);  // inl_b: call line
}

ALWAYS_INLINE void inl_a(void) {
  inl_b();  // inl_a: call line
}

NOINLINE void via_inline(void) {
  inl_a();  // via_inline: call line
}

int main(void) {
  top();         // main: first call line
  via_inline();  // main: second call line
  lc_symbolize_begin();
  golden_print_stack("noinline chain", chain_pcs, chain_n, NULL);
  golden_print_stack("always_inline chain", inline_pcs, inline_n, NULL);
  golden_print_exact("exact pc: entry of top", (void *)&top);
  golden_check_pc(inline_pcs[0]);
  lc_symbolize_end();
  return 0;
}
