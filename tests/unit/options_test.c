/* options_test.c: cmocka tests of libcheck/options.c: the defaults and the table against options.def; the parser
 * on good and bad HEAPCHECK_OPTIONS strings (every int option out of range, every enum and list option misspelled:
 * each bad entry said once through the callback, naming the option, the value and what was expected, the option
 * left as it was); the secure-execution filter with the flag injected; the start-up read of an environment image
 * (lc_options_load) however large, and what it says on stderr. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* ---- helpers ---- */

#define MAX_MSGS 16
typedef struct msgs_s {
  int n, ignored;
  char text[MAX_MSGS][512], name[MAX_MSGS][64];
  lc_option_note_kind_t kind[MAX_MSGS];
  const lc_option_info_t *option[MAX_MSGS];
} msgs_t;

static void note_cb(const lc_option_note_t *note, void *arg) {
  msgs_t *m = arg;
  assert_non_null(note->msg);
  assert_non_null(note->name);
  assert_true(strnlen(note->msg, 1024) < 1024);      // bounded, whatever the entry's length
  assert_true(strlen(note->name) < 64);
  if (m->n < MAX_MSGS) {
    snprintf(m->text[m->n], sizeof m->text[0], "%s", note->msg);
    snprintf(m->name[m->n], sizeof m->name[0], "%s", note->name);
    m->kind[m->n] = note->kind;
    m->option[m->n] = note->option;
  }
  if (note->kind == LC_NOTE_IGNORED) m->ignored++;
  m->n++;
}

static lc_options_t opts;
static msgs_t msgs;

// Defaults, then s (secure or not); returns the count of rejected entries (checked against the callback).
static int parse_as(const char *s, int secure) {
  lc_options_defaults(&opts);
  memset(&msgs, 0, sizeof msgs);
  int r = lc_options_parse(&opts, s, secure, note_cb, &msgs);
  assert_int_equal(r, msgs.n - msgs.ignored);
  return r;
}
static int parse(const char *s) { return parse_as(s, 0); }

static void expect_msg(int i, const char *what) {
  assert_true(i < msgs.n);
  if (!strstr(msgs.text[i], what)) fail_msg("message %d \"%s\" does not say \"%s\"", i, msgs.text[i], what);
}

static const lc_option_info_t *opt(const char *name) {
  const lc_option_info_t *o = lc_options_find(name, strlen(name));
  if (!o) fail_msg("no option %s", name);
  return o;
}

// The value of option o in opts, as text.
static const char *value_of(const lc_options_t *from, const char *name) {
  static char buf[LC_OPTION_STR_MAX + 64];
  return lc_options_format(from, opt(name), buf, sizeof buf);
}

// Every option still at its default.
static void expect_all_defaults(void) {
  lc_options_t d;
  lc_options_defaults(&d);
  for (int i = 0; i < lc_option_count; i++) {
    char a[LC_OPTION_STR_MAX + 64], b[LC_OPTION_STR_MAX + 64];
    const lc_option_info_t *o = &lc_option_table[i];
    if (strcmp(lc_options_format(&opts, o, a, sizeof a), lc_options_format(&d, o, b, sizeof b)) != 0)
      fail_msg("%s is %s, its default is %s", o->name, a, b);
  }
}

// A value o accepts that is not its default (what an entry must change to be seen taken).
static void other_value(const lc_option_info_t *o, char *out, size_t cap) {
  switch (o->type) {
  case LC_OPT_BOOL:
  case LC_OPT_INT:
    snprintf(out, cap, "%ld", atol(o->def) == o->min ? o->max : o->min);
    return;
  case LC_OPT_ENUM:
    for (int i = 0; i < lc_option_word_count; i++)
      if (&lc_option_table[lc_option_words[i].option] == o && strcmp(lc_option_words[i].word, o->def) != 0) {
        snprintf(out, cap, "%s", lc_option_words[i].word);
        return;
      }
    fail_msg("enum %s has one word", o->name);
    return;
  case LC_OPT_LIST:
    snprintf(out, cap, "%s", o->def[0] ? "" : "x");
    for (int i = 0; !o->def[0] && i < lc_option_word_count; i++)
      if (&lc_option_table[lc_option_words[i].option] == o) snprintf(out, cap, "%s", lc_option_words[i].word);
    return;
  case LC_OPT_STR:
    snprintf(out, cap, "%s", o->def[0] ? "" : "x");
    return;
  }
}

/* ---- the table ---- */

// lc_options_defaults sets every field, whatever was there, to its options.def default.
static void test_defaults_match_def(void **state) {
  (void)state;
  lc_options_t o;
  memset(&o, 0xAB, sizeof o);
  lc_options_defaults(&o);
  int n = 0;
#define LC_OPTION(type, name, def, min, max, secure, help) n++;
#include "options.def"
  assert_int_equal(n, lc_option_count);
  assert_true(n >= 29);
  // Every default, written back as text, is the default as written in options.def.
  for (int i = 0; i < lc_option_count; i++) {
    char buf[LC_OPTION_STR_MAX + 64];
    assert_string_equal(lc_options_format(&o, &lc_option_table[i], buf, sizeof buf), lc_option_table[i].def);
  }
  // A few that the rest of heapcheck leans on, spelled out.
  assert_int_equal(o.checks, 1);
  assert_int_equal(o.quarantine_mb, 32);
  assert_int_equal(o.max_frames, 16);
  assert_int_equal(o.exitcode, 23);
  assert_int_equal(o.leak_check, LC_LEAK_CHECK_FULL);
  assert_int_equal(o.unwind, LC_UNWIND_LIBUNWIND);
  assert_true(o.leak_exitcode_kinds == LC_OPTION_BIT(LC_EXITCODE_DEFINITE));
  assert_string_equal(o.log_path, "");
}

// The ranges the rest of heapcheck relies on; every int's default inside its range; every bool 0..1.
static void test_ranges(void **state) {
  (void)state;
  assert_int_equal(opt("exitcode")->min, 0);
  assert_int_equal(opt("exitcode")->max, 255);
  assert_int_equal(opt("max_frames")->min, 1);
  assert_int_equal(opt("max_frames")->max, 64);
  assert_int_equal(opt("root_pid")->min, 0);
  assert_int_equal(opt("verbosity")->max, 1);
  for (int i = 0; i < lc_option_count; i++) {
    const lc_option_info_t *o = &lc_option_table[i];
    if (o->type == LC_OPT_BOOL) { assert_int_equal(o->min, 0); assert_int_equal(o->max, 1); }
    if (o->type == LC_OPT_INT) {
      assert_true(o->min >= 0);           // no option of heapcheck takes a negative number
      assert_true(o->min < o->max);
      assert_true(atol(o->def) >= o->min && atol(o->def) <= o->max);
    }
  }
}

static void test_expected_phrases(void **state) {
  (void)state;
  char b[256];
  assert_string_equal(lc_options_expected(opt("checks"), b, sizeof b), "0 or 1");
  assert_string_equal(lc_options_expected(opt("exitcode"), b, sizeof b), "an integer from 0 to 255");
  assert_string_equal(lc_options_expected(opt("leak_check"), b, sizeof b), "one of full, summary, no (or yes)");
  assert_string_equal(lc_options_expected(opt("unwind"), b, sizeof b), "one of libunwind, fp");
  assert_string_equal(lc_options_expected(opt("leak_exitcode_kinds"), b, sizeof b),
                      "a comma-separated list of definite, possible, reachable (may be empty)");
  assert_string_equal(lc_options_expected(opt("log_path"), b, sizeof b), "at most 511 bytes");
  // Cut, never overrun.
  char small[8];
  memset(small, 'z', sizeof small);
  assert_string_equal(lc_options_expected(opt("leak_check"), small, sizeof small), "one of ");
}

// help=1 lists every option with its default and its values.
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
  for (int i = 0; i < lc_option_count; i++) {
    char line[LC_OPTION_STR_MAX + 64], exp[256];
    const lc_option_info_t *o = &lc_option_table[i];
    snprintf(line, sizeof line, "  %s=%s\n", o->name, o->def);
    if (!strstr(text, line)) fail_msg("help does not list %s", line);
    snprintf(line, sizeof line, "values: %s", lc_options_expected(o, exp, sizeof exp));
    if (!strstr(text, line)) fail_msg("help does not give %s for %s", line, o->name);
  }
  assert_non_null(strstr(text, "values: one of full, summary, no (or yes); ignored under secure execution"));
  free(text);
}

/* ---- parsing ---- */

static void test_parse_ints(void **state) {
  (void)state;
  assert_int_equal(parse("max_frames=32:quarantine_mb=0:exitcode=255:check_every=1000000000"), 0);
  assert_int_equal(opts.max_frames, 32);
  assert_int_equal(opts.quarantine_mb, 0);
  assert_int_equal(opts.exitcode, 255);
  assert_int_equal(opts.check_every, 1000000000);
  assert_int_equal(opts.poison_bytes, 0);                   // untouched ones keep their defaults
  assert_int_equal(opts.mmap_threshold_kb, 128);
}

// Every int and bool option: both ends of its range taken, one past either end rejected, naming the option, the
// value, the range, and the value kept.
static void test_every_int_out_of_range(void **state) {
  (void)state;
  for (int i = 0; i < lc_option_count; i++) {
    const lc_option_info_t *o = &lc_option_table[i];
    if (o->type != LC_OPT_INT && o->type != LC_OPT_BOOL) continue;
    char s[128], exp[256], want[400];
    long edges[2] = { o->min, o->max }, out[2] = { o->min - 1, o->max + 1 };
    for (int k = 0; k < 2; k++) {
      snprintf(s, sizeof s, "%s=%ld", o->name, edges[k]);
      if (parse(s) != 0) fail_msg("\"%s\" rejected: %s", s, msgs.text[0]);
      snprintf(want, sizeof want, "%ld", edges[k]);
      assert_string_equal(value_of(&opts, o->name), want);
    }
    for (int k = 0; k < 2; k++) {
      snprintf(s, sizeof s, "%s=%ld", o->name, out[k]);
      if (parse(s) != 1) fail_msg("\"%s\" accepted", s);
      snprintf(want, sizeof want, "option %s rejected: expected %s; using %s", s, lc_options_expected(o, exp, sizeof exp),
               o->def);
      assert_string_equal(msgs.text[0], want);
      assert_string_equal(msgs.name[0], o->name);
      assert_ptr_equal(msgs.option[0], o);
      assert_int_equal(msgs.kind[0], LC_NOTE_REJECTED);
      expect_all_defaults();
    }
  }
  // The cases that passed a CI gate silently before.
  assert_int_equal(parse("exitcode=256"), 1);
  assert_string_equal(msgs.text[0], "option exitcode=256 rejected: expected an integer from 0 to 255; using 23");
  assert_int_equal(parse("exitcode=-1"), 1);
  assert_int_equal(parse("max_frames=1000"), 1);
  assert_string_equal(msgs.text[0], "option max_frames=1000 rejected: expected an integer from 1 to 64; using 16");
  assert_int_equal(parse("quarantine_mb=-5"), 1);
  assert_int_equal(opts.quarantine_mb, 32);
  assert_int_equal(parse("verbosity=2"), 1);
  assert_int_equal(parse("root_pid=-1"), 1);
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

static void test_parse_enums(void **state) {
  (void)state;
  assert_int_equal(parse("unwind=fp:leak_check=summary"), 0);
  assert_int_equal(opts.unwind, LC_UNWIND_FP);
  assert_int_equal(opts.leak_check, LC_LEAK_CHECK_SUMMARY);
  assert_int_equal(parse("leak_check=no"), 0);
  assert_int_equal(opts.leak_check, LC_LEAK_CHECK_NO);
  // memcheck's spelling: --leak-check=yes is full.
  assert_int_equal(parse("leak_check=no:leak_check=yes"), 0);
  assert_int_equal(opts.leak_check, LC_LEAK_CHECK_FULL);
  assert_string_equal(value_of(&opts, "leak_check"), "full");
  // Every word of every enum option is taken as its own value.
  for (int i = 0; i < lc_option_word_count; i++) {
    const lc_option_word_info_t *w = &lc_option_words[i];
    const lc_option_info_t *o = &lc_option_table[w->option];
    if (o->type != LC_OPT_ENUM) continue;
    char s[128];
    snprintf(s, sizeof s, "%s=%s", o->name, w->word);
    assert_int_equal(parse(s), 0);
    assert_int_equal(*(lc_option_word_t *)((char *)&opts + o->offset), w->value);
  }
  assert_int_equal(parse("leak_check=fulll"), 1);
  assert_string_equal(msgs.text[0], "option leak_check=fulll rejected: expected one of full, summary, no (or yes); "
                                    "using full");
  assert_int_equal(parse("leak_check=summary:leak_check=FULL"), 1);       // the kept value is the one before
  expect_msg(0, "using summary");
  assert_int_equal(opts.leak_check, LC_LEAK_CHECK_SUMMARY);
  assert_int_equal(parse("unwind=fpp"), 1);
  assert_string_equal(msgs.text[0], "option unwind=fpp rejected: expected one of libunwind, fp; using libunwind");
  static const char *bad[] = { "leak_check=", "leak_check=ful", "leak_check=full ", "leak_check=fullx",
                               "leak_check=full,no", "unwind=", "unwind=FP", "unwind=libunwind2" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted", bad[i]);
    expect_all_defaults();
  }
}

// Every enum and list option, each word misspelled (a letter dropped, one added): rejected, the default kept.
static void test_every_word_misspelled(void **state) {
  (void)state;
  for (int i = 0; i < lc_option_word_count; i++) {
    const lc_option_word_info_t *w = &lc_option_words[i];
    const lc_option_info_t *o = &lc_option_table[w->option];
    char s[128], exp[256], want[512];
    size_t n = strlen(w->word);
    for (int k = 0; k < 2; k++) {
      if (k == 0) snprintf(s, sizeof s, "%s=%.*s", o->name, (int)n - 1, w->word);
      else snprintf(s, sizeof s, "%s=%sx", o->name, w->word);
      if (parse(s) != 1) fail_msg("\"%s\" accepted", s);
      snprintf(want, sizeof want, "option %s rejected: expected %s; using %s", s, lc_options_expected(o, exp, sizeof exp),
               o->def[0] ? o->def : "\"\"");
      assert_string_equal(msgs.text[0], want);
      expect_all_defaults();
    }
  }
}

static void test_parse_lists(void **state) {
  (void)state;
  assert_int_equal(parse("leak_exitcode_kinds=definite,possible"), 0);
  assert_true(opts.leak_exitcode_kinds == (LC_OPTION_BIT(LC_EXITCODE_DEFINITE) | LC_OPTION_BIT(LC_EXITCODE_POSSIBLE)));
  assert_int_equal(parse("leak_exitcode_kinds=reachable,definite,reachable"), 0);
  assert_true(opts.leak_exitcode_kinds == (LC_OPTION_BIT(LC_EXITCODE_DEFINITE) | LC_OPTION_BIT(LC_EXITCODE_REACHABLE)));
  assert_string_equal(value_of(&opts, "leak_exitcode_kinds"), "definite,reachable");
  // Empty: no leak kind sets the exit status (errors still do).
  assert_int_equal(parse("leak_exitcode_kinds="), 0);
  assert_true(opts.leak_exitcode_kinds == 0);
  assert_int_equal(parse("leak_exitcode_kinds=definit"), 1);
  assert_string_equal(msgs.text[0], "option leak_exitcode_kinds=definit rejected: expected a comma-separated list of "
                                    "definite, possible, reachable (may be empty); using definite");
  static const char *bad[] = { "leak_exitcode_kinds=definite,", "leak_exitcode_kinds=,definite",
                               "leak_exitcode_kinds=definite,,possible", "leak_exitcode_kinds=,",
                               "leak_exitcode_kinds=definite possible", "leak_exitcode_kinds=indirect",
                               "leak_exitcode_kinds=all", "leak_exitcode_kinds=Definite" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted", bad[i]);
    expect_all_defaults();
  }
  assert_int_equal(parse("leak_exitcode_kinds=:leak_exitcode_kinds=x"), 1);
  expect_msg(0, "using \"\"");                                    // the empty list kept, said as such
}

static void test_parse_strs(void **state) {
  (void)state;
  assert_int_equal(parse("log_path=/tmp/log.%p:json_path=/tmp/a=b.json"), 0);
  assert_string_equal(opts.log_path, "/tmp/log.%p");
  assert_string_equal(opts.json_path, "/tmp/a=b.json");         // value may hold '='
  assert_int_equal(parse("trace_children_skip=sh,bash,cc1"), 0);
  assert_string_equal(opts.trace_children_skip, "sh,bash,cc1");
  assert_int_equal(parse("suppressions=/x:suppressions="), 0);
  assert_string_equal(opts.suppressions, "");
}

static void test_parse_later_wins(void **state) {
  (void)state;
  assert_int_equal(parse("max_frames=5:checks=0:max_frames=7:checks=1"), 0);
  assert_int_equal(opts.max_frames, 7);
  assert_int_equal(opts.checks, 1);
  assert_int_equal(parse("log_path=/a/very/long/path:log_path=xy"), 0);     // shorter after longer: no tail
  assert_string_equal(opts.log_path, "xy");
  // A bad later entry does not undo a good earlier one, and says what is kept.
  assert_int_equal(parse("max_frames=9:max_frames=junk"), 1);
  assert_int_equal(opts.max_frames, 9);
  expect_msg(0, "using 9");
}

static void test_parse_unknown_name(void **state) {
  (void)state;
  assert_int_equal(parse("nosuch_option=1"), 1);
  assert_string_equal(msgs.text[0], "option nosuch_option=1 rejected: unknown option (help=1 lists them)");
  assert_string_equal(msgs.name[0], "nosuch_option");
  assert_null(msgs.option[0]);
  expect_all_defaults();
  // Good entries around it still count.
  assert_int_equal(parse("max_frames=9:frobnicate=2:checks=0"), 1);
  expect_msg(0, "frobnicate");
  assert_int_equal(opts.max_frames, 9);
  assert_int_equal(opts.checks, 0);
  // Names match whole: a prefix or an extension of a real name is unknown; case matters.
  assert_int_equal(parse("check=1:checksx=1:CHECKS=0:max_frame=3"), 4);
  expect_msg(0, "check");
  expect_msg(1, "checksx");
  expect_msg(2, "CHECKS");
  expect_msg(3, "max_frame");
  expect_all_defaults();
}

static void test_parse_malformed_entry(void **state) {
  (void)state;
  assert_int_equal(parse("checks"), 1);
  assert_string_equal(msgs.text[0], "option entry 'checks' rejected: expected name=value");
  expect_all_defaults();
  assert_int_equal(parse("verbosity:max_frames=3"), 1);
  expect_msg(0, "verbosity");
  assert_int_equal(opts.max_frames, 3);
  assert_int_equal(opts.verbosity, 0);
}

static void test_parse_bool_not_0_or_1(void **state) {
  (void)state;
  static const char *bad[] = { "checks=2", "checks=yes", "checks=true", "checks=", "checks=-1", "checks=1x",
                               "checks= 1" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted", bad[i]);
    expect_msg(0, "checks");
    expect_msg(0, "expected 0 or 1; using 1");
    assert_int_equal(opts.checks, 1);
  }
  assert_int_equal(parse("abort_on_error=7"), 1);
  assert_int_equal(opts.abort_on_error, 0);
}

static void test_parse_int_with_junk(void **state) {
  (void)state;
  static const char *bad[] = { "max_frames=12x", "max_frames=x12", "max_frames= 12", "max_frames=12 ",
                               "max_frames=", "max_frames=-", "max_frames=1.5", "max_frames=0x10",
                               "max_frames=+3", "max_frames=--3", "max_frames=99999999999999999999999" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (parse(bad[i]) != 1) fail_msg("\"%s\" accepted (max_frames = %ld)", bad[i], opts.max_frames);
    expect_msg(0, "max_frames");
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

// A string value must fit LC_OPTION_STR_MAX with its NUL: 511 bytes are taken whole, 512 are refused, loudly (the
// message gives the length and stays a bounded string), never cut.
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
    expect_msg(0, "option log_path=bbbb");
    char want[128];
    snprintf(want, sizeof want, "... (%zu bytes) rejected: expected at most 511 bytes; using \"\"", len);
    expect_msg(0, want);
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
  expect_msg(0, "zzqq");
  expect_msg(1, "nosuch");
  expect_msg(2, "checks");
  expect_msg(3, "max_frames");
  assert_int_equal(opts.max_frames, 1);
  assert_int_equal(opts.unwind, LC_UNWIND_FP);
  assert_int_equal(opts.checks, 1);
}

/* ---- secure execution ---- */

// With the flag, an option is taken only if options.def says so; the others are said as ignored (with the
// option), left at their defaults, and not counted as rejected. Without it, every one is taken.
static void test_secure_filter(void **state) {
  (void)state;
  int taken = 0;
  for (int i = 0; i < lc_option_count; i++) {
    const lc_option_info_t *o = &lc_option_table[i];
    char s[256], v[128], want[256];
    other_value(o, v, sizeof v);
    snprintf(s, sizeof s, "%s=%s", o->name, v);
    assert_int_equal(parse_as(s, 0), 0);
    assert_int_equal(msgs.n, 0);
    assert_string_equal(value_of(&opts, o->name), v);
    assert_int_equal(parse_as(s, 1), 0);
    if (o->secure == LC_SECURE_TAKEN) {
      taken++;
      assert_int_equal(msgs.n, 0);
      assert_string_equal(value_of(&opts, o->name), v);
    } else {
      assert_int_equal(msgs.n, 1);
      assert_int_equal(msgs.kind[0], LC_NOTE_IGNORED);
      assert_ptr_equal(msgs.option[0], o);
      assert_string_equal(msgs.name[0], o->name);
      snprintf(want, sizeof want, "option %s ignored under secure execution: it %s", o->name, lc_options_secure_reason(o));
      assert_string_equal(msgs.text[0], want);
      expect_all_defaults();
    }
  }
  assert_true(taken > 0 && taken < lc_option_count / 2);
  // What must never come from the environment of a privileged program: files it would write or read, its exit
  // status, its end, which processes are checked.
  static const char *never[] = { "log_path", "json_path", "suppressions", "exitcode", "leak_exitcode_kinds",
                                 "abort_on_error", "report_on_exit_now", "root_pid", "trace_children",
                                 "trace_children_skip", "checks", "leak_check", "default_suppressions",
                                 "check_every" };
  for (size_t i = 0; i < sizeof never / sizeof *never; i++)
    if (opt(never[i])->secure == LC_SECURE_TAKEN) fail_msg("%s is taken under secure execution", never[i]);
  assert_int_equal(opt("log_path")->secure, LC_SECURE_FILE);
  assert_int_equal(opt("exitcode")->secure, LC_SECURE_STATUS);
  // Ignored whatever the value; unknown names and bad values of taken options are still rejected.
  assert_int_equal(parse_as("exitcode=256:json_path=/etc/x:nosuch=1:verbosity=9:verbosity=1", 1), 2);
  assert_int_equal(msgs.ignored, 2);
  assert_int_equal(msgs.kind[0], LC_NOTE_IGNORED);
  assert_int_equal(msgs.kind[2], LC_NOTE_REJECTED);
  expect_msg(2, "nosuch");
  expect_msg(3, "verbosity=9 rejected");
  assert_int_equal(opts.verbosity, 1);
  assert_int_equal(opts.exitcode, 23);
  assert_string_equal(opts.json_path, "");
}

/* ---- start-up: lc_options_load ---- */

static char env_path[] = "/tmp/options_env_XXXXXX";

// Writes an environment image: the strings given, each with its NUL.
static void write_env(const char *first, ...) {
  int fd = open(env_path, O_WRONLY | O_TRUNC);
  assert_true(fd >= 0);
  va_list ap;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) assert_int_equal(write(fd, s, strlen(s) + 1), strlen(s) + 1);
  va_end(ap);
  close(fd);
}

static int setup_env(void **state) {
  (void)state;
  int fd = mkstemp(env_path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}
static int teardown_env(void **state) {
  (void)state;
  unlink(env_path);
  return 0;
}

// What lc_options_warn writes to fd 2, caught in a file.
static char *warn_text(void) {
  static char buf[8192];
  char path[] = "/tmp/options_warn_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  lc_options_warn();
  dup2(saved, 2);
  close(saved);
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  return buf;
}

static char *big(size_t n, char c) {
  char *s = malloc(n + 1);
  assert_non_null(s);
  memset(s, c, n);
  s[n] = 0;
  return s;
}

// A variable of 70 KB before HEAPCHECK_OPTIONS: it is still found (the image was read only up to 64 KiB).
static void test_load_after_big_variable(void **state) {
  (void)state;
  char *fill = big(70 * 1024, 'v');
  memcpy(fill, "BIG=", 4);
  write_env("A=1", fill, "HEAPCHECK_OPTIONS=exitcode=77:leak_check=summary", "Z=2", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options.exitcode, 77);
  assert_int_equal(lc_options.leak_check, LC_LEAK_CHECK_SUMMARY);
  assert_string_equal(lc_options_raw(), "exitcode=77:leak_check=summary");
  assert_int_equal(lc_options_rejected_count(), 0);
  assert_string_equal(warn_text(), "");
  free(fill);
}

// HEAPCHECK_OPTIONS of 100 KB: read whole, its last entry taken; the raw value kept whole.
static void test_load_big_value(void **state) {
  (void)state;
  size_t n = 100 * 1024;
  char *v = malloc(n + 64);
  assert_non_null(v);
  strcpy(v, "HEAPCHECK_OPTIONS=");
  size_t len = strlen(v);
  while (len < n) { memcpy(v + len, "verbosity=0:", 12); len += 12; }
  strcpy(v + len, "exitcode=77");
  write_env("A=1", v, NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options.exitcode, 77);
  assert_int_equal(strlen(lc_options_raw()), strlen(v) - strlen("HEAPCHECK_OPTIONS="));
  assert_int_equal(lc_options_rejected_count(), 0);
  // The value across the old 64 KiB edge: "exitcode=77" became "exitcode=7".
  for (size_t edge = 65536 - 12; edge < 65536 + 2; edge++) {
    char *fill = big(edge - 1 - strlen("HEAPCHECK_OPTIONS=exitcode="), 'f');
    memcpy(fill, "F=", 2);
    write_env(fill, "HEAPCHECK_OPTIONS=exitcode=77", NULL);
    lc_options_load(env_path, NULL, 0);
    assert_int_equal(lc_options.exitcode, 77);
    free(fill);
  }
  free(v);
}

static void test_load_which_variable(void **state) {
  (void)state;
  // Only the variable itself: not one whose name merely holds it, not one it prefixes; the first one counts,
  // as getenv would see.
  write_env("XHEAPCHECK_OPTIONS=exitcode=1", "HEAPCHECK_OPTIONS_X=exitcode=2", "HEAPCHECK_OPTIONS=exitcode=3",
            "HEAPCHECK_OPTIONS=exitcode=4", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options.exitcode, 3);
  // None at all: the defaults, nothing said.
  write_env("A=1", "HEAPCHECK_OPTIONSX", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options.exitcode, 23);
  assert_string_equal(lc_options_raw(), "");
  // No image at all (no /proc): envp.
  char *envp[] = { "A=1", "HEAPCHECK_OPTIONS=exitcode=5", NULL };
  lc_options_load("/nonexistent/environ", envp, 0);
  assert_int_equal(lc_options.exitcode, 5);
  assert_string_equal(lc_options_raw(), "exitcode=5");
}

// Rejected entries: said on stderr once, each naming what was expected and what is used; counted and named; they
// fail the run (the status line says so).
static void test_load_rejected(void **state) {
  (void)state;
  write_env("HEAPCHECK_OPTIONS=leak_check=fulll:max_frames=8:exitcode=256:nosuch=1", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options.max_frames, 8);
  assert_int_equal(lc_options.exitcode, 23);
  assert_int_equal(lc_options_rejected_count(), 3);
  assert_string_equal(lc_options_rejected_names(), "leak_check,exitcode,nosuch");
  assert_int_equal(lc_options_failed(), 1);
  assert_int_equal(lc_options_secure(), 0);
  const char *said = warn_text();
  assert_string_equal(said,
                      "heapcheck: option leak_check=fulll rejected: expected one of full, summary, no (or yes); using full\n"
                      "heapcheck: option exitcode=256 rejected: expected an integer from 0 to 255; using 23\n"
                      "heapcheck: option nosuch=1 rejected: unknown option (help=1 lists them)\n"
                      "heapcheck: the process will exit with status 23 (exitcode) because an option was rejected\n");
  assert_string_equal(warn_text(), "");                      // once
  // exitcode=0 keeps the program's status: no such promise then.
  write_env("HEAPCHECK_OPTIONS=exitcode=0:unwind=fpp", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_null(strstr(warn_text(), "will exit with status"));
  // Many: the first are said, the rest counted; the names stay a bounded string that says it was cut.
  char s[8192] = "HEAPCHECK_OPTIONS=";
  for (int i = 0; i < 40; i++) snprintf(s + strlen(s), sizeof s - strlen(s), "bad_option_number_%02d=1:", i);
  write_env(s, NULL);
  lc_options_load(env_path, NULL, 0);
  assert_int_equal(lc_options_rejected_count(), 40);
  assert_true(strlen(lc_options_rejected_names()) < 320);
  const char *names = lc_options_rejected_names();
  assert_string_equal(names + strlen(names) - 4, ",...");
  said = warn_text();
  assert_non_null(strstr(said, "bad_option_number_15=1 rejected"));
  assert_null(strstr(said, "bad_option_number_16=1 rejected"));
  assert_non_null(strstr(said, "heapcheck: 24 more options rejected\n"));
}

// Secure execution, the flag injected: what may not be taken is said once, with why; typos do not fail the run.
static void test_load_secure(void **state) {
  (void)state;
  write_env("HEAPCHECK_OPTIONS=log_path=/etc/passwd:exitcode=77:show_reachable=1:json_path=/x:log_path=/y:"
            "leak_check=fulll:verbosity=1",
            NULL);
  lc_options_load(env_path, NULL, 1);
  assert_int_equal(lc_options_secure(), 1);
  assert_string_equal(lc_options.log_path, "");
  assert_string_equal(lc_options.json_path, "");
  assert_int_equal(lc_options.exitcode, 23);
  assert_int_equal(lc_options.show_reachable, 1);
  assert_int_equal(lc_options.verbosity, 1);
  assert_int_equal(lc_options.leak_check, LC_LEAK_CHECK_FULL);
  assert_int_equal(lc_options_rejected_count(), 0);         // leak_check is ignored, whatever its value
  assert_int_equal(lc_options_failed(), 0);
  assert_string_equal(warn_text(),
                      "heapcheck: secure execution (setuid, setgid or file capabilities): ignored from "
                      "HEAPCHECK_OPTIONS: log_path (names a file), exitcode (sets the exit status or ends the "
                      "process), json_path (names a file), leak_check (changes what is found, so the exit status); "
                      "the defaults apply\n");
  // A bad value of a taken option is rejected and said, but decides nothing about the exit status.
  write_env("HEAPCHECK_OPTIONS=verbosity=7", NULL);
  lc_options_load(env_path, NULL, 1);
  assert_int_equal(lc_options_rejected_count(), 1);
  assert_int_equal(lc_options_failed(), 0);
  const char *said = warn_text();
  assert_non_null(strstr(said, "option verbosity=7 rejected"));
  assert_null(strstr(said, "will exit with status"));
  // The same environment without the flag: everything taken.
  write_env("HEAPCHECK_OPTIONS=log_path=/y:exitcode=77", NULL);
  lc_options_load(env_path, NULL, 0);
  assert_string_equal(lc_options.log_path, "/y");
  assert_int_equal(lc_options.exitcode, 77);
  assert_string_equal(warn_text(), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults_match_def),
    cmocka_unit_test(test_ranges),
    cmocka_unit_test(test_expected_phrases),
    cmocka_unit_test(test_help_lists_every_option),
    cmocka_unit_test(test_parse_ints),
    cmocka_unit_test(test_every_int_out_of_range),
    cmocka_unit_test(test_parse_bools),
    cmocka_unit_test(test_parse_enums),
    cmocka_unit_test(test_every_word_misspelled),
    cmocka_unit_test(test_parse_lists),
    cmocka_unit_test(test_parse_strs),
    cmocka_unit_test(test_parse_later_wins),
    cmocka_unit_test(test_parse_unknown_name),
    cmocka_unit_test(test_parse_malformed_entry),
    cmocka_unit_test(test_parse_bool_not_0_or_1),
    cmocka_unit_test(test_parse_int_with_junk),
    cmocka_unit_test(test_parse_empty_entries),
    cmocka_unit_test(test_parse_long_str),
    cmocka_unit_test(test_parse_counts_and_order),
    cmocka_unit_test(test_secure_filter),
    cmocka_unit_test(test_load_after_big_variable),
    cmocka_unit_test(test_load_big_value),
    cmocka_unit_test(test_load_which_variable),
    cmocka_unit_test(test_load_rejected),
    cmocka_unit_test(test_load_secure),
  };
  return cmocka_run_group_tests(tests, setup_env, teardown_env);
}
