/* options_test.c: cmocka tests of libcheck/options.c: the defaults against options.def, and
 * lc_options_parse on good and bad HEAPCHECK_OPTIONS strings (each bad entry said once through the callback,
 * naming what was wrong, the option left as it was; good entries around it still applied). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* ---- helpers ---- */

#define MAX_MSGS 16
typedef struct msgs_s { int n; char text[MAX_MSGS][256]; } msgs_t;

static void bad_cb(const char *msg, void *arg) {
  msgs_t *m = arg;
  assert_non_null(msg);
  size_t len = strnlen(msg, 1024);
  assert_true(len < 1024);
  if (m->n < MAX_MSGS) {
    snprintf(m->text[m->n], sizeof m->text[0], "%s", msg);
  }
  m->n++;
}

static lc_options_t opts;
static msgs_t msgs;

// Defaults, then s; returns the count of bad entries (checked against the callback count).
static int parse(const char *s) {
  lc_options_defaults(&opts);
  memset(&msgs, 0, sizeof msgs);
  int r = lc_options_parse(&opts, s, bad_cb, &msgs);
  assert_int_equal(r, msgs.n);
  return r;
}

static void expect_msg_contains(int i, const char *what) {
  assert_true(i < msgs.n);
  if (!strstr(msgs.text[i], what)) fail_msg("message %d \"%s\" does not name \"%s\"", i, msgs.text[i], what);
}

// Every option still at its default.
static void expect_all_defaults(void) {
  lc_options_t d;
  lc_options_defaults(&d);
#define LC_OPTION_bool(name) assert_int_equal(opts.name, d.name);
#define LC_OPTION_int(name) assert_int_equal(opts.name, d.name);
#define LC_OPTION_str(name) assert_string_equal(opts.name, d.name);
#define LC_OPTION(type, name, def, help) LC_OPTION_##type(name)
#include "options.def"
#undef LC_OPTION
#undef LC_OPTION_bool
#undef LC_OPTION_int
#undef LC_OPTION_str
}

/* ---- tests ---- */

// lc_options_defaults sets every field, whatever was there, to its options.def default.
static void test_defaults_match_def(void **state) {
  (void)state;
  lc_options_t o;
  memset(&o, 0xAB, sizeof o);
  lc_options_defaults(&o);
  int n = 0;
#define LC_OPTION_bool(name, def) \
  assert_true(def == 0 || def == 1); assert_int_equal(o.name, def); n++;
#define LC_OPTION_int(name, def) assert_int_equal(o.name, def); n++;
#define LC_OPTION_str(name, def) \
  assert_true(strlen(def) < LC_OPTION_STR_MAX); assert_string_equal(o.name, def); n++;
#define LC_OPTION(type, name, def, help) LC_OPTION_##type(name, def)
#include "options.def"
#undef LC_OPTION
#undef LC_OPTION_bool
#undef LC_OPTION_int
#undef LC_OPTION_str
  assert_true(n >= 29);
  // A few that the rest of heapcheck leans on, spelled out.
  assert_int_equal(o.checks, 1);
  assert_int_equal(o.quarantine_mb, 32);
  assert_int_equal(o.max_frames, 16);
  assert_string_equal(o.leak_check, "full");
  assert_string_equal(o.log_path, "");
}

// help=1 lists every option.
static void test_help_lists_every_option(void **state) {
  (void)state;
  char path[] = "/tmp/options_help_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  lc_options_print_help(fd);
  off_t len = lseek(fd, 0, SEEK_END);
  assert_true(len > 0);
  char *text = calloc(1, (size_t)len + 1);
  assert_non_null(text);
  assert_int_equal(pread(fd, text, (size_t)len, 0), len);
  close(fd);
#define LC_OPTION(type, name, def, help) \
  if (!strstr(text, "  " #name "=")) fail_msg("help does not list " #name);
#include "options.def"
#undef LC_OPTION
  free(text);
}

static void test_parse_ints(void **state) {
  (void)state;
  assert_int_equal(parse("max_frames=32:quarantine_mb=0:exitcode=-1:check_every=123456789012345678"), 0);
  assert_int_equal(opts.max_frames, 32);
  assert_int_equal(opts.quarantine_mb, 0);
  assert_int_equal(opts.exitcode, -1);
  assert_int_equal(opts.check_every, 123456789012345678L);
  assert_int_equal(opts.poison_bytes, 0);                   // untouched ones keep their defaults
  assert_int_equal(opts.mmap_threshold_kb, 128);
}

static void test_parse_bools(void **state) {
  (void)state;
  assert_int_equal(parse("checks=0:stacks=0:abort_on_error=1:show_reachable=1"), 0);
  assert_int_equal(opts.checks, 0);
  assert_int_equal(opts.stacks, 0);
  assert_int_equal(opts.abort_on_error, 1);
  assert_int_equal(opts.show_reachable, 1);
  assert_int_equal(opts.show_possibly, 1);
}

static void test_parse_strs(void **state) {
  (void)state;
  assert_int_equal(parse("unwind=fp:log_path=/tmp/log.%p:json_path=/tmp/a=b.json:leak_check=summary"), 0);
  assert_string_equal(opts.unwind, "fp");
  assert_string_equal(opts.log_path, "/tmp/log.%p");
  assert_string_equal(opts.json_path, "/tmp/a=b.json");         // value may hold '='
  assert_string_equal(opts.leak_check, "summary");
  assert_int_equal(parse("leak_check="), 0);                      // empty value
  assert_string_equal(opts.leak_check, "");
  assert_int_equal(parse("trace_children_skip=sh,bash,cc1"), 0);
  assert_string_equal(opts.trace_children_skip, "sh,bash,cc1");
}

static void test_parse_later_wins(void **state) {
  (void)state;
  assert_int_equal(parse("max_frames=5:checks=0:max_frames=7:checks=1"), 0);
  assert_int_equal(opts.max_frames, 7);
  assert_int_equal(opts.checks, 1);
  assert_int_equal(parse("log_path=/a/very/long/path:log_path=xy"), 0);     // shorter after longer: no tail
  assert_string_equal(opts.log_path, "xy");
  // A bad later entry does not undo a good earlier one.
  assert_int_equal(parse("max_frames=9:max_frames=junk"), 1);
  assert_int_equal(opts.max_frames, 9);
}

static void test_parse_unknown_name(void **state) {
  (void)state;
  assert_int_equal(parse("nosuch_option=1"), 1);
  expect_msg_contains(0, "nosuch_option");
  expect_all_defaults();
  // Good entries around it still count.
  assert_int_equal(parse("max_frames=9:frobnicate=2:checks=0"), 1);
  expect_msg_contains(0, "frobnicate");
  assert_int_equal(opts.max_frames, 9);
  assert_int_equal(opts.checks, 0);
  // Names match whole: a prefix or an extension of a real name is unknown; case matters.
  assert_int_equal(parse("check=1:checksx=1:CHECKS=0:max_frame=3"), 4);
  expect_msg_contains(0, "check");
  expect_msg_contains(1, "checksx");
  expect_msg_contains(2, "CHECKS");
  expect_msg_contains(3, "max_frame");
  expect_all_defaults();
}

static void test_parse_malformed_entry(void **state) {
  (void)state;
  assert_int_equal(parse("checks"), 1);
  expect_msg_contains(0, "checks");
  expect_all_defaults();
  assert_int_equal(parse("verbosity:max_frames=3"), 1);
  expect_msg_contains(0, "verbosity");
  assert_int_equal(opts.max_frames, 3);
  assert_int_equal(opts.verbosity, 0);
}

static void test_parse_bool_not_0_or_1(void **state) {
  (void)state;
  static const char *bad[] = { "checks=2", "checks=yes", "checks=true", "checks=", "checks=-1", "checks=1x",
                               "checks= 1" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted", bad[i]);
    expect_msg_contains(0, "checks");
    assert_int_equal(opts.checks, 1);
  }
  assert_int_equal(parse("abort_on_error=7"), 1);
  assert_int_equal(opts.abort_on_error, 0);
}

static void test_parse_int_with_junk(void **state) {
  (void)state;
  static const char *bad[] = { "max_frames=12x", "max_frames=x12", "max_frames= 12", "max_frames=12 ",
                               "max_frames=", "max_frames=-", "max_frames=1.5", "max_frames=0x10",
                               "max_frames=+3", "max_frames=--3" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted (max_frames = %ld)", bad[i], opts.max_frames);
    expect_msg_contains(0, "max_frames");
    assert_int_equal(opts.max_frames, 16);
  }
}

static void test_parse_empty_entries(void **state) {
  (void)state;
  assert_int_equal(parse(""), 0);
  expect_all_defaults();
  assert_int_equal(parse(":::"), 0);
  expect_all_defaults();
  assert_int_equal(parse("max_frames=3::checks=0"), 0);
  assert_int_equal(opts.max_frames, 3);
  assert_int_equal(opts.checks, 0);
  assert_int_equal(parse(":max_frames=4:"), 0);
  assert_int_equal(opts.max_frames, 4);
  assert_int_equal(parse("::verbosity=1::::exitcode=0::"), 0);
  assert_int_equal(opts.verbosity, 1);
  assert_int_equal(opts.exitcode, 0);
}

// A string value must fit LC_OPTION_STR_MAX with its NUL: 511 bytes are taken whole, 512 are refused (and the
// message stays a bounded string).
static void test_parse_long_str(void **state) {
  (void)state;
  static char s[2 * LC_OPTION_STR_MAX + 64], v[2 * LC_OPTION_STR_MAX];
  memset(v, 'a', LC_OPTION_STR_MAX - 1);
  v[LC_OPTION_STR_MAX - 1] = 0;
  v[0] = '/';
  snprintf(s, sizeof s, "log_path=%s", v);
  assert_int_equal(parse(s), 0);
  assert_int_equal(strlen(opts.log_path), LC_OPTION_STR_MAX - 1);
  assert_string_equal(opts.log_path, v);
  for (size_t len = LC_OPTION_STR_MAX; len < LC_OPTION_STR_MAX + 3; len++) {
    memset(v, 'b', len);
    v[len] = 0;
    snprintf(s, sizeof s, "max_frames=20:log_path=%s:checks=0", v);
    assert_int_equal(parse(s), 1);
    expect_msg_contains(0, "log_path");
    assert_string_equal(opts.log_path, "");
    assert_int_equal(opts.max_frames, 20);
    assert_int_equal(opts.checks, 0);
  }
  memset(v, 'c', 2 * LC_OPTION_STR_MAX - 1);
  v[2 * LC_OPTION_STR_MAX - 1] = 0;
  snprintf(s, sizeof s, "suppressions=%s", v);
  assert_int_equal(parse(s), 1);
  assert_string_equal(opts.suppressions, "");
}

// The count returned is the count of bad entries, each said once, in order.
static void test_parse_counts_and_order(void **state) {
  (void)state;
  assert_int_equal(parse("zzqq:nosuch=1:checks=5:max_frames=1:max_frames=q:unwind=fp"), 4);
  expect_msg_contains(0, "zzqq");
  expect_msg_contains(1, "nosuch");
  expect_msg_contains(2, "checks");
  expect_msg_contains(3, "max_frames");
  assert_int_equal(opts.max_frames, 1);
  assert_string_equal(opts.unwind, "fp");
  assert_int_equal(opts.checks, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults_match_def),
    cmocka_unit_test(test_help_lists_every_option),
    cmocka_unit_test(test_parse_ints),
    cmocka_unit_test(test_parse_bools),
    cmocka_unit_test(test_parse_strs),
    cmocka_unit_test(test_parse_later_wins),
    cmocka_unit_test(test_parse_unknown_name),
    cmocka_unit_test(test_parse_malformed_entry),
    cmocka_unit_test(test_parse_bool_not_0_or_1),
    cmocka_unit_test(test_parse_int_with_junk),
    cmocka_unit_test(test_parse_empty_entries),
    cmocka_unit_test(test_parse_long_str),
    cmocka_unit_test(test_parse_counts_and_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
