/* golden_print.c: the golden tests' printer over lc_symbolize_*; test-only.
 * Prints only what is stable across builds (names, basenames, lines), never raw addresses. */
#define _GNU_SOURCE
#include "golden_print.h"

#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h"

#define MAXF 64

static const char *base_name(const char *p) {
  const char *s = p ? strrchr(p, '/') : NULL;
  return s ? s + 1 : p;
}

static const char *self_name(void) {
  static char buf[4096];
  if (!buf[0]) {
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) buf[n] = 0;
  }
  return base_name(buf);
}

// Cross-checks module_offset against the loader's own idea of the load bias (while still loaded).
static const char *offset_status(const lc_sym_frame_t *f, uintptr_t lookup) {
  Dl_info info;
  struct link_map *lm = NULL;
  if (!dladdr1((void *)lookup, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm) return "offset-unverified";
  return f->pc - lm->l_addr == f->module_offset ? "offset-ok" : "offset-BAD";
}

static int print_frames(uintptr_t pc, int exact, const char *extra_module) {
  lc_sym_frame_t fr[MAXF];
  int n = lc_symbolize_pc(pc, exact, fr, MAXF);
  int saw_main = 0;
  for (int i = 0; i < n; i++) {
    const lc_sym_frame_t *f = &fr[i];
    const char *mod = base_name(f->module);
    if (mod && strcmp(mod, self_name()) != 0 && !(extra_module && strcmp(mod, extra_module) == 0)) continue;
    if (f->pc != pc) printf("BAD: frame pc differs from the captured pc\n");
    if (f->inlined != (i < n - 1)) printf("BAD: inlined flag %d on frame %d of %d\n", f->inlined, i, n);
    if (mod && !f->build_id) printf("BAD: no build-id for %s\n", mod);
    if (!mod)
      printf("?? ??\n");
    else if (!f->function)
      printf("?? %s+%s\n", mod, offset_status(f, exact ? pc : pc - 1));
    else {
      if (strcmp(offset_status(f, exact ? pc : pc - 1), "offset-BAD") == 0) printf("BAD: module offset\n");
      printf("%s %s:%d%s\n", f->function, f->file ? base_name(f->file) : "??", f->line,
             f->inlined ? " inlined" : "");
      saw_main |= strcmp(f->function, "main") == 0;
    }
  }
  return saw_main;
}

void golden_print_stack(const char *title, void *const *pcs, int n, const char *extra_module) {
  printf("== %s\n", title);
  for (int i = 0; i < n; i++)
    if (print_frames((uintptr_t)pcs[i], 0, extra_module)) break;
}

void golden_print_exact(const char *title, void *pc) {
  printf("== %s\n", title);
  print_frames((uintptr_t)pc, 1, NULL);
}

void golden_check_pc(void *pcv) {
  uintptr_t pc = (uintptr_t)pcv;
  lc_sym_frame_t a[MAXF], b[MAXF], one;
  int na = lc_symbolize_pc(pc, 0, a, MAXF), nb = lc_symbolize_pc(pc, 0, b, MAXF);
  int bad = 0;
  printf("== checks\n");
  if (na < 1 || na != nb || memcmp(a, b, (size_t)na * sizeof a[0]) != 0) {
    printf("BAD: second lookup differs from the first (cache)\n");
    bad = 1;
  }
  if (lc_symbolize_pc(pc, 0, &one, 1) != 1 || one.inlined || one.function != a[na - 1].function ||
      one.line != a[na - 1].line) {
    printf("BAD: max=1 does not give the real function\n");
    bad = 1;
  }
  if (lc_symbolize_pc(pc, 0, a, 0) != 0) {
    printf("BAD: max=0 filled something\n");
    bad = 1;
  }
  if (!bad) printf("checks ok\n");
}
