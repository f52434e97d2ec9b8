/* suppress_test.c: cmocka tests of libcheck/suppress.c: both file formats, every kind, matching rules,
 * messages for bad input (stderr captured), match counts, the built-in list, and robustness on odd input. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suppress.h"

/* ---- helpers ---- */

static char g_path[64];   // the suppression file of the last load_text()
static char *g_err;       // what the last load wrote to stderr

// Runs lc_supp_load(path, defaults) with fd 2 redirected to a temp file; keeps the text in g_err.
static int load_capture(const char *path, int defaults) {
  char errpath[] = "/tmp/supp_err_XXXXXX";
  int efd = mkstemp(errpath);
  assert_true(efd >= 0);
  unlink(errpath);
  fflush(stderr);
  int saved = dup(2);
  assert_true(saved >= 0);
  assert_int_equal(dup2(efd, 2), 2);
  int r = lc_supp_load(path, defaults);
  assert_int_equal(dup2(saved, 2), 2);
  close(saved);
  off_t n = lseek(efd, 0, SEEK_END);
  assert_true(n >= 0);
  free(g_err);
  g_err = malloc((size_t)n + 1);
  assert_non_null(g_err);
  assert_int_equal(pread(efd, g_err, (size_t)n, 0), n);
  g_err[n] = 0;
  close(efd);
  return r;
}

static int load_buf(const char *data, size_t len, int defaults) {
  strcpy(g_path, "/tmp/supp_test_XXXXXX");
  int fd = mkstemp(g_path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  close(fd);
  int r = load_capture(g_path, defaults);
  unlink(g_path);
  return r;
}

static int load_text(const char *text) { return load_buf(text, strlen(text), 0); }

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

// Asserts that stderr holds "heapcheck: suppressions <g_path><rest>".
static void assert_err_has(const char *rest) {
  char *needle = NULL;
  assert_true(asprintf(&needle, "heapcheck: suppressions %s%s", g_path, rest) > 0);
  if (!strstr(g_err, needle)) fail_msg("stderr lacks \"%s\"; it is:\n%s", needle, g_err);
  free(needle);
}

static void assert_source(int idx, int line) {
  char want[96];
  snprintf(want, sizeof want, "%s:%d", g_path, line);
  assert_string_equal(lc_supp_rule_source(idx), want);
}

// Matches a stack of function-only frames given as a NULL-terminated list.
static int match_fns(const char *kind, ...) {
  lc_supp_frame_t f[32];
  int n = 0;
  va_list ap;
  va_start(ap, kind);
  for (const char *fn; n < 32 && (fn = va_arg(ap, const char *)) != NULL; n++)
    f[n] = (lc_supp_frame_t){ fn, NULL, NULL };
  va_end(ap);
  return lc_supp_match(kind, f, n);
}

static int match_one(const char *kind, const char *fn, const char *file, const char *module) {
  lc_supp_frame_t f = { fn, file, module };
  return lc_supp_match(kind, &f, 1);
}

static const char *const all_kinds[] = {
  "leak-definite", "leak-possible", "leak-reachable", "heap-buffer-overflow", "heap-buffer-underflow",
  "double-free", "invalid-free", "use-after-free", "mismatched-free", "allocation-size-too-big",
  "corrupted-header",
};
#define N_KINDS (int)(sizeof all_kinds / sizeof all_kinds[0])

static int reset(void **state) {
  (void)state;
  lc_supp_reset();
  free(g_err);
  g_err = NULL;
  return 0;
}

/* ---- LSan format ---- */

static void test_lsan_each_kind(void **state) {
  (void)state;
  for (int k = 0; k < N_KINDS; k++) {
    char text[96];
    snprintf(text, sizeof text, "%s:target_fn\n", all_kinds[k]);
    assert_int_equal(load_text(text), 1);
    assert_string_equal(g_err, "");
    for (int o = 0; o < N_KINDS; o++)
      assert_int_equal(match_fns(all_kinds[o], "target_fn", NULL), o == k ? 0 : -1);
    assert_int_equal(match_fns(all_kinds[k], "other_fn", NULL), -1);
    assert_int_equal(lc_supp_matched(0), 1);
    reset(NULL);
  }
}

static void test_lsan_leak_vs_specific(void **state) {
  (void)state;
  assert_int_equal(load_text("leak-definite:only_definite\n"
                             "leak-possible:only_possible\n"
                             "leak-reachable:only_reachable\n"
                             "leak:any_leak\n"), 4);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "only_definite", NULL), 0);
  assert_int_equal(match_fns("leak-possible", "only_definite", NULL), -1);
  assert_int_equal(match_fns("leak-reachable", "only_definite", NULL), -1);
  assert_int_equal(match_fns("leak-possible", "only_possible", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "only_possible", NULL), -1);
  assert_int_equal(match_fns("leak-reachable", "only_reachable", NULL), 2);
  assert_int_equal(match_fns("leak-possible", "only_reachable", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "any_leak", NULL), 3);
  assert_int_equal(match_fns("leak-possible", "any_leak", NULL), 3);
  assert_int_equal(match_fns("leak-reachable", "any_leak", NULL), 3);
  assert_int_equal(match_fns("heap-buffer-overflow", "any_leak", NULL), -1);
  assert_int_equal(match_fns("leak", "any_leak", NULL), -1);     // not a finding kind
  assert_int_equal(match_fns("bogus-kind", "any_leak", NULL), -1);
  assert_int_equal(match_fns(NULL, "any_leak", NULL), -1);
}

static void test_lsan_fields_and_basename(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:parse_config\n"
                             "leak:^util.c$\n"
                             "leak:libfontconfig.so*\n"
                             "leak:^libz.so.1$\n"
                             "double-free:legacy_free\n"), 5);
  assert_int_equal(match_one("leak-definite", "parse_config_file", NULL, NULL), 0);
  assert_int_equal(match_one("leak-definite", NULL, "/src/parse_config.c", NULL), 0);   // file, substring
  assert_int_equal(match_one("leak-definite", NULL, "/src/lib/util.c", NULL), 1);       // file basename
  assert_int_equal(match_one("leak-definite", NULL, "/src/lib/util.cc", NULL), -1);
  assert_int_equal(match_one("leak-definite", "util.cc", NULL, NULL), -1);
  assert_int_equal(match_one("leak-definite", "f", "x.c", "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1"), 2);
  assert_int_equal(match_one("leak-definite", "f", "x.c", "/usr/lib/libz.so.1"), 3);   // module basename
  assert_int_equal(match_one("leak-definite", "f", "x.c", "/usr/lib/libz.so.1.2"), -1);
  assert_int_equal(match_one("leak-definite", "f", "libz.so.1/x.c", NULL), -1);       // basename is x.c
  assert_int_equal(match_one("double-free", "legacy_free", NULL, NULL), 4);
  assert_int_equal(match_one("invalid-free", "legacy_free", NULL, NULL), -1);
  assert_int_equal(match_one("leak-definite", NULL, NULL, NULL), -1);
  assert_int_equal(lc_supp_match("leak-definite", NULL, 3), -1);
  // any frame of the stack, not only the innermost
  assert_int_equal(match_fns("leak-possible", "a", "b", "parse_config_x", "main", NULL), 0);
  assert_int_equal(match_fns("leak-possible", "a", "b", "main", NULL), -1);
}

static void test_lsan_anchors_and_globs(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:^start_\n"
                             "leak:_end$\n"
                             "leak:^exact$\n"
                             "leak:mid?le\n"
                             "leak:operator new[]\n"
                             "leak:a*b*c\n"), 6);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "start_here", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "not_start_here", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "the_end", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "the_end_not", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "exact", NULL), 2);
  assert_int_equal(match_fns("leak-definite", "exactly", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "inexact", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "in_middle_of", NULL), 3);
  assert_int_equal(match_fns("leak-definite", "midle", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "operator new[](unsigned long)", NULL), 4);  // '[' is literal
  assert_int_equal(match_fns("leak-definite", "operator newn", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "xxaYYbZZcxx", NULL), 5);
  assert_int_equal(lc_supp_matched(5), 1);
  assert_string_equal(lc_supp_rule_text(0), "leak:^start_");
  assert_string_equal(lc_supp_rule_text(4), "leak:operator new[]");
}

static void test_lsan_comments_blank_crlf(void **state) {
  (void)state;
  // line 7 has no final newline
  assert_int_equal(load_text("# comment\r\n"
                             "\r\n"
                             "   \t\r\n"
                             "  leak:^crlf_fn$  \r\n"
                             "#leak:^commented$\r\n"
                             "leak : ^spaced_fn$\t\r\n"
                             "leak:^last_fn$"), 3);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "crlf_fn", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "spaced_fn", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "last_fn", NULL), 2);
  assert_int_equal(match_fns("leak-definite", "commented", NULL), -1);
  assert_string_equal(lc_supp_rule_text(0), "leak:^crlf_fn$");
  assert_string_equal(lc_supp_rule_text(1), "leak:^spaced_fn$");
  assert_source(0, 4);
  assert_source(1, 6);
  assert_source(2, 7);
  assert_int_equal(lc_supp_is_default(0), 0);
}

static void test_empty_files(void **state) {
  (void)state;
  assert_int_equal(load_text(""), 0);
  assert_string_equal(g_err, "");
  assert_int_equal(lc_supp_count(), 0);
  assert_int_equal(match_fns("leak-definite", "x", NULL), -1);
  reset(NULL);
  assert_int_equal(load_text("\n\n# only comments\n   "), 0);
  assert_string_equal(g_err, "");
  reset(NULL);
  assert_int_equal(load_text("\r\n"), 0);
  assert_string_equal(g_err, "");
}

static void test_lsan_bad_lines(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:good_one\n"              // 1
                             "this line has no colon\n"     // 2
                             "frobnicate:foo\n"             // 3
                             "leak:   \n"                   // 4
                             "fun:malloc\n"                 // 5
                             "}\n"                          // 6
                             "race:foo\n"                   // 7
                             "leak:good_two\n"), 2);        // 8
  assert_int_equal(count_lines(g_err), 6);
  assert_err_has(":2: expected KIND:PATTERN");
  assert_err_has(":3: unknown kind \"frobnicate\"\n");
  assert_err_has(":4: empty pattern");
  assert_err_has(":5: unknown kind \"fun\" (a Valgrind line outside a { } block?)\n");
  assert_err_has(":6: expected KIND:PATTERN");
  assert_err_has(":7: unknown kind \"race\"");
  assert_int_equal(match_fns("leak-definite", "good_two", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "foo", NULL), -1);
  assert_source(1, 8);
}

static void test_nul_byte(void **state) {
  (void)state;
  static const char text[] = "leak:a\0b\nleak:ok\n{\n n\n Memcheck:Leak\n fun:x\0y\n}\nleak:after\n";
  assert_int_equal(load_buf(text, sizeof text - 1, 0), 2);
  assert_int_equal(count_lines(g_err), 2);
  assert_err_has(":1: line contains a NUL byte\n");
  assert_err_has(":6: line contains a NUL byte (block starting at line 3 skipped)\n");
  assert_int_equal(match_fns("leak-definite", "ok", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "after", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "a", NULL), -1);
}

static void test_missing_file(void **state) {
  (void)state;
  assert_int_equal(load_capture("/nonexistent-dir/x.supp", 0), 0);
  assert_string_equal(g_err,
                      "heapcheck: suppressions /nonexistent-dir/x.supp: cannot open: No such file or directory\n");
  assert_int_equal(lc_supp_count(), 0);
  reset(NULL);
  assert_int_equal(load_capture("/nonexistent-dir/x.supp", 1), 2);   // the defaults still load
  assert_int_equal(count_lines(g_err), 1);
  reset(NULL);
  assert_int_equal(load_capture("/", 0), 0);
  assert_string_equal(g_err, "heapcheck: suppressions /: cannot read: Is a directory\n");
  reset(NULL);
  assert_int_equal(load_capture("", 0), 0);     // no file: nothing said
  assert_string_equal(g_err, "");
  reset(NULL);
  assert_int_equal(load_capture(NULL, 0), 0);
  assert_string_equal(g_err, "");
}

static void test_load_once(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:first\n"), 1);
  assert_int_equal(load_text("leak:second\nleak:third\nbad line\n"), 1);   // not loaded again
  assert_string_equal(g_err, "");
  assert_int_equal(lc_supp_count(), 1);
  assert_int_equal(match_fns("leak-definite", "second", NULL), -1);
  reset(NULL);
  assert_int_equal(load_text("leak:second\n"), 1);    // after reset it loads
  assert_int_equal(match_fns("leak-definite", "second", NULL), 0);
}

/* ---- Valgrind format ---- */

static const char text_fun_obj_src[] =
                             "{\n"                          // 1
                             "   fun_rule\n"
                             "   Memcheck:Leak\n"
                             "   fun:malloc\n"
                             "   fun:make_*\n"
                             "   fun:main\n"
                             "}\n"
                             "{\n"                          // 8
                             "   obj_rule\n"
                             "   Memcheck:Leak\n"
                             "   obj:/usr/lib/libfoo.so*\n"
                             "   fun:caller\n"
                             "}\n"
                             "{\n"                          // 14
                             "   src_rule\n"
                             "   Memcheck:Leak\n"
                             "   src:widget.c:42\n"
                             "   fun:?idget_new\n"
                             "}\n";

static void test_vg_fun_obj_src(void **state) {
  (void)state;
  assert_int_equal(load_text(text_fun_obj_src), 3);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "make_list", "main", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "make_list", "main", "__libc_start_main", NULL), 0);  // prefix
  assert_int_equal(match_fns("leak-definite", "make_list", NULL), -1);             // stack too short
  assert_int_equal(match_fns("leak-definite", "main", "make_list", NULL), -1);     // order matters
  assert_int_equal(match_fns("leak-definite", "other", "make_list", "main", NULL), -1);  // from frame 0
  assert_int_equal(match_fns("leak-definite", "make_list", "main2", NULL), -1);    // whole name
  assert_int_equal(match_fns("heap-buffer-overflow", "make_list", "main", NULL), -1);

  lc_supp_frame_t o[2] = { { "x", NULL, "/usr/lib/libfoo.so.2" }, { "caller", NULL, NULL } };
  assert_int_equal(lc_supp_match("leak-possible", o, 2), 1);
  o[0].module = "/opt/libfoo.so.2";     // obj: is matched against the whole path
  assert_int_equal(lc_supp_match("leak-possible", o, 2), -1);
  o[0].module = NULL;
  assert_int_equal(lc_supp_match("leak-possible", o, 2), -1);

  lc_supp_frame_t s[2] = { { "w", "/src/gui/widget.c", NULL }, { "widget_new", NULL, NULL } };
  assert_int_equal(lc_supp_match("leak-reachable", s, 2), 2);   // basename, line number not compared
  s[0].file = "widget.c";
  assert_int_equal(lc_supp_match("leak-reachable", s, 2), 2);
  s[0].file = "/src/gui/widget.cc";
  assert_int_equal(lc_supp_match("leak-reachable", s, 2), -1);
  s[0].file = NULL;
  assert_int_equal(lc_supp_match("leak-reachable", s, 2), -1);

  assert_string_equal(lc_supp_rule_text(0), "{ fun_rule }");
  assert_string_equal(lc_supp_rule_text(2), "{ src_rule }");
  assert_source(0, 1);
  assert_source(1, 8);
  assert_source(2, 14);
  assert_int_equal(lc_supp_matched(0), 2);
  assert_int_equal(lc_supp_matched(1), 1);
  assert_int_equal(lc_supp_matched(2), 2);

  reset(NULL);
  assert_int_equal(load_text("{\n base_obj\n Memcheck:Leak\n obj:libbar.so*\n}\n"), 1);
  o[0].module = "/usr/lib/libbar.so.1";    // as in Valgrind, a bare file name does not match a full path
  assert_int_equal(lc_supp_match("leak-possible", o, 2), -1);
  o[0].module = "libbar.so.1";
  assert_int_equal(lc_supp_match("leak-possible", o, 2), 0);
}

static void test_vg_ellipsis(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n ell_mid\n Memcheck:Leak\n fun:alloc_node\n ...\n fun:main\n}\n"
                             "{\n ell_lead\n Memcheck:Leak\n ...\n ...\n fun:deep_fn\n}\n"
                             "{\n ell_only\n Memcheck:Free\n ...\n}\n"), 3);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "alloc_node", "main", NULL), 0);          // ... = no frame
  assert_int_equal(match_fns("leak-definite", "alloc_node", "a", "b", "c", "main", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "alloc_node", "a", "b", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "alloc_node", "main_not", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "x", "y", "deep_fn", "z", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "deep_fn", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "x", "y", NULL), -1);
  assert_int_equal(match_fns("invalid-free", "anything", NULL), 2);
  assert_int_equal(lc_supp_match("invalid-free", NULL, 0), 2);
  assert_int_equal(match_fns("use-after-free", "anything", NULL), -1);
}

static void test_vg_leading_allocator_frames(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n r_malloc\n Memcheck:Leak\n fun:malloc\n fun:target_a\n}\n"
                             "{\n r_new\n Memcheck:Leak\n fun:_Znwm\n fun:target_b\n}\n"
                             "{\n r_new_dem\n Memcheck:Leak\n fun:operator new[](unsigned long)\n fun:target_c\n}\n"
                             "{\n r_glob\n Memcheck:Leak\n fun:*alloc\n fun:target_d\n}\n"
                             "{\n r_vgpreload\n Memcheck:Leak\n"
                             " obj:/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so\n fun:target_e\n}\n"
                             "{\n r_free\n Memcheck:Free\n fun:free\n fun:target_f\n}\n"
                             "{\n r_only_malloc\n Memcheck:Leak\n match-leak-kinds: reachable\n fun:malloc\n}\n"
                             "{\n r_star_kept\n Memcheck:Leak\n fun:*\n fun:target_g\n}\n"
                             "{\n r_user_alloc\n Memcheck:Leak\n fun:xmalloc\n fun:target_h\n}\n"
                             "{\n r_ell_alloc\n Memcheck:Leak\n ...\n fun:calloc\n fun:target_i\n}\n"
                             "{\n r_delete\n Memcheck:Free\n fun:_ZdlPvm\n fun:target_j\n}\n"), 11);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("leak-definite", "target_a", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "target_b", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "target_c", NULL), 2);
  assert_int_equal(match_fns("leak-definite", "target_d", NULL), 3);
  assert_int_equal(match_fns("leak-definite", "target_e", NULL), 4);
  assert_int_equal(match_fns("double-free", "target_f", NULL), 5);
  assert_int_equal(match_fns("mismatched-free", "target_f", "main", NULL), 5);
  assert_int_equal(match_fns("leak-reachable", "whatever", NULL), 6);    // only malloc: every reachable leak
  assert_int_equal(match_fns("leak-definite", "whatever", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "target_g", NULL), -1);    // fun:* is not taken for malloc
  assert_int_equal(match_fns("leak-definite", "x", "target_g", NULL), 7);
  assert_int_equal(match_fns("leak-definite", "xmalloc", "target_h", NULL), 8);
  assert_int_equal(match_fns("leak-definite", "target_h", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "target_i", NULL), 9);
  assert_int_equal(match_fns("leak-definite", "x", "target_i", NULL), -1);
  assert_int_equal(match_fns("invalid-free", "target_j", NULL), 10);
}

static void test_vg_match_leak_kinds(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n mlk_def_poss\n Memcheck:Leak\n match-leak-kinds: definite,possible\n fun:f1\n}\n"
                             "{\n mlk_reach\n Memcheck:Leak\n match-leak-kinds:  reachable \n fun:f2\n}\n"
                             "{\n mlk_all\n Memcheck:Leak\n match-leak-kinds: all\n fun:f3\n}\n"
                             "{\n mlk_indirect\n Memcheck:Leak\n match-leak-kinds: indirect\n fun:f4\n}\n"
                             "{\n mlk_bad\n Memcheck:Leak\n match-leak-kinds: definite,bogus\n fun:f5\n}\n"  // 25-30
                             "{\n mlk_late\n Memcheck:Leak\n fun:f6\n match-leak-kinds: all\n}\n"            // 31-36
                             "{\n mlk_addr\n Memcheck:Addr4\n match-leak-kinds: all\n fun:f7\n}\n"), 3);     // 37-42
  assert_int_equal(count_lines(g_err), 3);
  assert_err_has(":28: unknown leak kind \"bogus\"");
  assert_err_has(":35: match-leak-kinds: belongs right after a Memcheck:Leak line\n");
  assert_err_has(":40: match-leak-kinds: belongs right after a Memcheck:Leak line\n");
  assert_int_equal(match_fns("leak-definite", "f1", NULL), 0);
  assert_int_equal(match_fns("leak-possible", "f1", NULL), 0);
  assert_int_equal(match_fns("leak-reachable", "f1", NULL), -1);
  assert_int_equal(match_fns("leak-reachable", "f2", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "f2", NULL), -1);
  for (int k = 0; k < 3; k++) assert_int_equal(match_fns(all_kinds[k], "f3", NULL), 2);
  for (int k = 0; k < N_KINDS; k++) {
    assert_int_equal(match_fns(all_kinds[k], "f4", NULL), -1);
    assert_int_equal(match_fns(all_kinds[k], "f5", NULL), -1);
    assert_int_equal(match_fns(all_kinds[k], "f6", NULL), -1);
    assert_int_equal(match_fns(all_kinds[k], "f7", NULL), -1);
  }
}

static void test_vg_error_kinds(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n free_r\n Memcheck:Free\n fun:free\n fun:ff\n}\n"
                             "{\n addr_r\n Memcheck:Addr8\n fun:fa\n}\n"
                             "{\n fishy_r\n Memcheck:FishyValue\n malloc(size)\n fun:malloc\n fun:fz\n}\n"
                             "{\n value_r\n Memcheck:Value8\n fun:fv\n}\n"
                             "{\n cond_r\n Memcheck:Cond\n fun:fv\n}\n"
                             "{\n param_r\n Memcheck:Param\n write(buf)\n fun:fv\n}\n"
                             "{\n overlap_r\n Memcheck:Overlap\n fun:fv\n}\n"
                             "{\n helgrind_r\n Helgrind:Race\n fun:fv\n}\n"
                             "{\n drd_r\n drd:ConflictingAccess\n weird extra line\n fun:fv\n}\n"
                             "{\n multi_r\n Addrcheck,Memcheck:Addr4\n fun:fm\n}\n"), 4);
  assert_string_equal(g_err, "");
  assert_int_equal(match_fns("double-free", "ff", NULL), 0);
  assert_int_equal(match_fns("invalid-free", "ff", NULL), 0);
  assert_int_equal(match_fns("mismatched-free", "ff", NULL), 0);
  assert_int_equal(match_fns("use-after-free", "ff", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "ff", NULL), -1);
  assert_int_equal(match_fns("heap-buffer-overflow", "fa", NULL), 1);
  assert_int_equal(match_fns("heap-buffer-underflow", "fa", NULL), 1);
  assert_int_equal(match_fns("use-after-free", "fa", NULL), 1);
  assert_int_equal(match_fns("double-free", "fa", NULL), -1);
  assert_int_equal(match_fns("corrupted-header", "fa", NULL), -1);
  assert_int_equal(match_fns("allocation-size-too-big", "fz", NULL), 2);
  assert_int_equal(match_fns("heap-buffer-overflow", "fz", NULL), -1);
  for (int k = 0; k < N_KINDS; k++) assert_int_equal(match_fns(all_kinds[k], "fv", NULL), -1);
  assert_int_equal(match_fns("heap-buffer-overflow", "fm", NULL), 3);
  assert_string_equal(lc_supp_rule_text(3), "{ multi_r }");
}

static void test_vg_bad_blocks(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n"                      // 1   never closed: a new { at 5
                             "   no_close_then_new\n"
                             "   Memcheck:Leak\n"
                             "   fun:a1\n"
                             "{\n"                      // 5
                             "   good_one\n"
                             "   Memcheck:Leak\n"
                             "   fun:g1\n"
                             "}\n"
                             "{\n"                      // 10  no kind line
                             "   no_kind\n"
                             "}\n"
                             "{\n"                      // 13
                             "   bad_frame\n"
                             "   Memcheck:Leak\n"
                             "   fun:x\n"
                             "   frob:y\n"              // 17
                             "}\n"
                             "{\n"                      // 19
                             "   weird_kind\n"
                             "   Memcheck:Bogus\n"      // 21
                             "   fun:z\n"
                             "}\n"
                             "{\n"                      // 24  no frames
                             "   no_frames\n"
                             "   Memcheck:Leak\n"
                             "}\n"
                             "{\n"                      // 28  no name: the kind line is taken as the name
                             "   Memcheck:Leak\n"
                             "   fun:n1\n"
                             "}\n"
                             "{\n"                      // 32
                             "}\n"
                             "leak:lsan_after\n"        // 34
                             "{\n"                      // 35  never closed: end of file
                             "   unterminated\n"
                             "   Memcheck:Leak\n"
                             "   fun:u1"), 2);
  assert_int_equal(count_lines(g_err), 8);
  assert_err_has(":1: block has no closing } (a new { starts at line 5)\n");
  assert_err_has(":10: block has no kind line\n");
  assert_err_has(":17: expected fun:, obj:, src:, ... or } in the block starting at line 13, got \"frob:y\"\n");
  assert_err_has(":21: unknown Memcheck kind \"Bogus\"\n");
  assert_err_has(":24: block has no frame lines\n");
  assert_err_has(":28: block has no kind line (\"fun:n1\" is not TOOL:KIND; is the name line missing?)\n");
  assert_err_has(":32: empty block");
  assert_err_has(":35: block has no closing } (end of file)\n");
  assert_int_equal(match_fns("leak-definite", "g1", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "lsan_after", NULL), 1);
  assert_source(0, 5);
  assert_source(1, 34);
  const char *dead[] = { "a1", "x", "z", "n1", "u1" };
  for (int i = 0; i < 5; i++) assert_int_equal(match_fns("leak-definite", dead[i], NULL), -1);
  assert_int_equal(match_fns("leak-definite", "unrelated", NULL), -1);   // no bad block matches everything
}

static void test_vg_comments_crlf_in_block(void **state) {
  (void)state;
  assert_int_equal(load_text("{\r\n"
                             "  # a comment inside\r\n"
                             "  crlf_block\r\n"
                             "\r\n"
                             "  Memcheck:Leak\r\n"
                             "  match-leak-kinds: definite\r\n"
                             "  fun:crlf_fn\r\n"
                             "  obj:*/libx.so\r\n"
                             "}"), 1);
  assert_string_equal(g_err, "");
  lc_supp_frame_t f[2] = { { "crlf_fn", NULL, NULL }, { "y", NULL, "/lib/libx.so" } };
  assert_int_equal(lc_supp_match("leak-definite", f, 2), 0);
  assert_string_equal(lc_supp_rule_text(0), "{ crlf_block }");
}

static void test_vg_versions_and_escapes(void **state) {
  (void)state;
  assert_int_equal(load_text("{\n v1\n Memcheck:Leak\n fun:pthread_create@@GLIBC_2.2.5\n}\n"
                             "{\n v2\n Memcheck:Leak\n fun:dlopen\n}\n"
                             "{\n esc\n Memcheck:Leak\n fun:lit\\*star\n}\n"), 3);
  assert_int_equal(match_fns("leak-possible", "pthread_create", NULL), 0);
  assert_int_equal(match_fns("leak-possible", "pthread_create@@GLIBC_2.34", NULL), 0);
  assert_int_equal(match_fns("leak-possible", "pthread_created", NULL), -1);
  assert_int_equal(match_fns("leak-possible", "dlopen@GLIBC_2.2.5", NULL), 1);
  assert_int_equal(match_fns("leak-possible", "lit*star", NULL), 2);
  assert_int_equal(match_fns("leak-possible", "litXstar", NULL), -1);
}

static void test_vg_mangled_names(void **state) {
  (void)state;
  // __cxa_demangle is looked up at load time; this C test gets it from libstdc++ when that is installed.
  void *h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_GLOBAL);
  if (!h || !dlsym(RTLD_DEFAULT, "__cxa_demangle")) skip();
  assert_int_equal(load_text("{\n m\n Memcheck:Leak\n fun:_Znwm\n fun:_ZN2ns3fooEi\n fun:main\n}\n"), 1);
  assert_int_equal(match_fns("leak-definite", "ns::foo(int)", "main", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "_ZN2ns3fooEi", "main", NULL), 0);
  assert_int_equal(match_fns("leak-definite", "ns::foo(long)", "main", NULL), -1);
}

static void test_mixed_formats(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:lsan_one\n"
                             "{\n"
                             "  vg_one\n"
                             "  Memcheck:Leak\n"
                             "  fun:vg_fn\n"
                             "}\n"
                             "double-free:legacy_free\n"), 3);
  assert_string_equal(g_err, "");
  assert_string_equal(lc_supp_rule_text(0), "leak:lsan_one");
  assert_string_equal(lc_supp_rule_text(1), "{ vg_one }");
  assert_string_equal(lc_supp_rule_text(2), "double-free:legacy_free");
  assert_source(0, 1);
  assert_source(1, 2);
  assert_source(2, 7);
  assert_int_equal(match_fns("leak-definite", "vg_fn", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "lsan_one_fn", NULL), 0);
  assert_int_equal(match_fns("double-free", "legacy_free", NULL), 2);
}

/* ---- counts, accessors, defaults ---- */

static void test_match_counts(void **state) {
  (void)state;
  assert_int_equal(load_text("leak:common\nleak:common_special\n"), 2);
  for (int i = 0; i < 3; i++) assert_int_equal(match_fns("leak-definite", "common_special", NULL), 0);  // first wins
  assert_int_equal(match_fns("leak-definite", "none", NULL), -1);
  assert_int_equal(lc_supp_matched(0), 3);
  assert_int_equal(lc_supp_matched(1), 0);
  assert_int_equal(lc_supp_count(), 2);
  assert_null(lc_supp_rule_text(-1));
  assert_null(lc_supp_rule_text(2));
  assert_null(lc_supp_rule_source(2));
  assert_int_equal(lc_supp_matched(99), 0);
  assert_int_equal(lc_supp_is_default(-1), 0);
  reset(NULL);
  assert_int_equal(lc_supp_count(), 0);
  assert_null(lc_supp_rule_text(0));
}

static void test_defaults(void **state) {
  (void)state;
  assert_int_equal(load_capture(NULL, 1), 2);
  assert_string_equal(g_err, "");
  assert_int_equal(lc_supp_count(), 2);
  assert_string_equal(lc_supp_rule_text(0), "leak:__tls_get_addr");
  assert_string_equal(lc_supp_rule_text(1), "leak:_dl_allocate_tls");
  for (int i = 0; i < 2; i++) {
    assert_int_equal(lc_supp_is_default(i), 1);
    assert_string_equal(lc_supp_rule_source(i), "default");
  }
  lc_supp_frame_t tls[3] = { { "tls_get_addr_tail", "dl-tls.c", "/lib64/ld-linux-x86-64.so.2" },
                             { "__tls_get_addr", NULL, "/lib64/ld-linux-x86-64.so.2" },
                             { "use_tls", "/src/app.c", "/usr/bin/app" } };
  assert_int_equal(lc_supp_match("leak-definite", tls, 3), 0);
  assert_int_equal(lc_supp_match("leak-reachable", tls, 3), 0);
  assert_int_equal(lc_supp_match("heap-buffer-overflow", tls, 3), -1);
  assert_int_equal(match_fns("leak-possible", "_dl_allocate_tls", "pthread_create@@GLIBC_2.34", "main", NULL), 1);
  assert_int_equal(match_fns("leak-definite", "make_list", "main", NULL), -1);
  assert_int_equal(match_fns("leak-definite", "pthread_create", "main", NULL), -1);
  assert_int_equal(lc_supp_matched(0), 2);
  assert_int_equal(lc_supp_matched(1), 1);
  reset(NULL);

  // defaults first, then the file
  assert_int_equal(load_buf("leak:mine\n", 10, 1), 3);
  assert_int_equal(lc_supp_is_default(2), 0);
  assert_string_equal(lc_supp_rule_text(2), "leak:mine");
  assert_source(2, 1);
  assert_int_equal(match_fns("leak-definite", "mine", NULL), 2);
  reset(NULL);

  // off
  assert_int_equal(load_capture(NULL, 0), 0);
  assert_int_equal(lc_supp_match("leak-definite", tls, 3), -1);
  assert_int_equal(match_fns("leak-possible", "_dl_allocate_tls", NULL), -1);
}

/* ---- robustness ---- */

static void test_long_lines(void **state) {
  (void)state;
  size_t n = 100000;
  char *name = malloc(n + 1);
  assert_non_null(name);
  for (size_t i = 0; i < n; i++) name[i] = (char)('a' + i % 26);
  name[n] = 0;
  char *text = NULL;
  assert_true(asprintf(&text, "leak:^%s$\n{\n%s\nMemcheck:Free\nfun:%s\n}\n", name, name, name) > 0);
  assert_int_equal(load_text(text), 2);
  assert_string_equal(g_err, "");
  assert_int_equal(strlen(lc_supp_rule_text(0)), n + 7);
  assert_int_equal(strlen(lc_supp_rule_text(1)), n + 4);
  assert_int_equal(match_fns("leak-definite", name, NULL), 0);
  assert_int_equal(match_fns("invalid-free", name, NULL), 1);
  name[n - 1] = 0;   // one character short: neither matches
  assert_int_equal(match_fns("leak-definite", name, NULL), -1);
  assert_int_equal(match_fns("invalid-free", name, NULL), -1);
  free(text);
  free(name);
}

static void test_valgrind_default_supp(void **state) {
  (void)state;
  const char *paths[] = { "/usr/libexec/valgrind/default.supp", "/usr/lib/valgrind/default.supp",
                          "/usr/lib/x86_64-linux-gnu/valgrind/default.supp" };
  const char *p = NULL;
  for (size_t i = 0; i < sizeof paths / sizeof paths[0] && !p; i++)
    if (access(paths[i], R_OK) == 0) p = paths[i];
  if (!p) skip();
  int n = load_capture(p, 0);
  assert_string_equal(g_err, "");   // a real file from Valgrind parses without a complaint
  assert_true(n > 0);
  assert_int_equal(n, lc_supp_count());
  // Valgrind's own "dtv-addr-tail" rule (fun:malloc, fun:tls_get_addr_tail*, fun:__tls_get_addr), if present
  FILE *fp = fopen(p, "r");
  assert_non_null(fp);
  char line[512];
  int has_dtv = 0;
  while (fgets(line, sizeof line, fp)) has_dtv |= strstr(line, "dtv-addr-tail") != NULL;
  fclose(fp);
  if (has_dtv) {
    int m = match_fns("leak-possible", "tls_get_addr_tail", "__tls_get_addr", "use_tls", NULL);
    assert_true(m >= 0);
    assert_string_equal(lc_supp_rule_text(m), "{ dtv-addr-tail }");
    assert_int_equal(match_fns("leak-definite", "tls_get_addr_tail", "__tls_get_addr", "use_tls", NULL), -1);
  }
}

static uint32_t rng = 12345;
static uint32_t next_rand(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

static void test_garbage_never_crashes(void **state) {
  (void)state;
  static const char alphabet[] = "{}:.*?^$\\#\n\n\n\r \t\0leakfunobjsrcMemcheck:Leak-_/@match-leak-kinds,xyz";
  static const char *const words[] = { "{\n", "}\n", "leak:", "fun:", "obj:", "src:", "...\n", "Memcheck:Leak\n",
                                       "Memcheck:Free\n", "match-leak-kinds: ", "definite,", "*", "\n", "\r\n",
                                       "^", "$", "name\n", "Memcheck:FishyValue\n", "Helgrind:Race\n", "\0" };
  char buf[4096];
  for (int iter = 0; iter < 300; iter++) {
    size_t len = next_rand() % sizeof buf;
    for (size_t i = 0; i < len;) {
      if (next_rand() % 3 == 0) {
        const char *w = words[next_rand() % (sizeof words / sizeof words[0])];
        size_t wl = *w ? strlen(w) : 1;
        if (i + wl > len) { len = i; break; }
        memcpy(buf + i, w, wl);
        i += wl;
      } else {
        buf[i++] = next_rand() % 8 == 0 ? (char)(next_rand() & 0xff) : alphabet[next_rand() % (sizeof alphabet - 1)];
      }
    }
    int n = load_buf(buf, len, iter & 1);
    assert_true(n >= 0);
    assert_int_equal(n, lc_supp_count());
    for (int i = 0; i < n; i++) {
      assert_non_null(lc_supp_rule_text(i));
      assert_non_null(lc_supp_rule_source(i));
    }
    lc_supp_frame_t f[4] = { { "x", "a.c", "/lib/libx.so" }, { NULL, NULL, NULL }, { "name", "*", "{" },
                             { "leak", "/", "" } };
    for (int k = 0; k < N_KINDS; k++) {
      int m = lc_supp_match(all_kinds[k], f, 4);
      assert_true(m >= -1 && m < n);
    }
    reset(NULL);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_lsan_each_kind, reset, reset),
    cmocka_unit_test_setup_teardown(test_lsan_leak_vs_specific, reset, reset),
    cmocka_unit_test_setup_teardown(test_lsan_fields_and_basename, reset, reset),
    cmocka_unit_test_setup_teardown(test_lsan_anchors_and_globs, reset, reset),
    cmocka_unit_test_setup_teardown(test_lsan_comments_blank_crlf, reset, reset),
    cmocka_unit_test_setup_teardown(test_empty_files, reset, reset),
    cmocka_unit_test_setup_teardown(test_lsan_bad_lines, reset, reset),
    cmocka_unit_test_setup_teardown(test_nul_byte, reset, reset),
    cmocka_unit_test_setup_teardown(test_missing_file, reset, reset),
    cmocka_unit_test_setup_teardown(test_load_once, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_fun_obj_src, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_ellipsis, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_leading_allocator_frames, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_match_leak_kinds, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_error_kinds, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_bad_blocks, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_comments_crlf_in_block, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_versions_and_escapes, reset, reset),
    cmocka_unit_test_setup_teardown(test_vg_mangled_names, reset, reset),
    cmocka_unit_test_setup_teardown(test_mixed_formats, reset, reset),
    cmocka_unit_test_setup_teardown(test_match_counts, reset, reset),
    cmocka_unit_test_setup_teardown(test_defaults, reset, reset),
    cmocka_unit_test_setup_teardown(test_long_lines, reset, reset),
    cmocka_unit_test_setup_teardown(test_valgrind_default_supp, reset, reset),
    cmocka_unit_test_setup_teardown(test_garbage_never_crashes, reset, reset),
  };
  return cmocka_run_group_tests_name("suppress", tests, NULL, NULL);
}
