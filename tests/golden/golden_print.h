/* golden_print.h: prints captured stacks through lc_symbolize_* in the golden tests' stable text form.
 * Test-only; not part of libheapcheck. */
#ifndef GOLDEN_PRINT_H
#define GOLDEN_PRINT_H

// gcc's noipa (no inlining, cloning or interprocedural assumptions); clang has no noipa, and noinline on an
// external function is what keeps its frame there.
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define GOLDEN_NOIPA __attribute__((noipa))
#endif
#endif
#ifndef GOLDEN_NOIPA
#define GOLDEN_NOIPA __attribute__((noinline))
#endif

#ifdef __cplusplus
extern "C" {
#endif

// One line per frame whose module is this program, the module named extra_module (a basename, or NULL),
// or no module at all; stops after main. Must be called between lc_symbolize_begin() and _end().
//   FUNCTION FILE-BASENAME:LINE[ inlined]    with a function
//   ?? MODULE-BASENAME+offset-ok             without one (the offset checked against the live load bias)
//   ?? ??                                     outside every known module
void golden_print_stack(const char *title, void *const *pcs, int n, const char *extra_module);

// Prints every frame of one exact (not return-address) pc the same way.
void golden_print_exact(const char *title, void *pc);

// Cache and truncation properties of lc_symbolize_pc on pc; prints "checks ok" or what failed.
void golden_check_pc(void *pc);

#ifdef __cplusplus
}
#endif

#endif
