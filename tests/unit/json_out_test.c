/* json_out_test.c: cmocka tests of libcheck/json_out.c, the report's JSON writer: literals and numbers, string
 * escaping, bytes that are not UTF-8 (each becomes U+FFFD, well-formed sequences pass whole), strings longer
 * than the buffer, frames, and a failed write that stays remembered after later writes succeed. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json_out.h"

/* ---- helpers ---- */

static lc_json_t j;                // 64 KiB of buffer: static, as the report's own
static char got[1 << 20];
static size_t got_len;

static int mem_fd(void) {
  int fd = memfd_create("json_out_test", 0);
  assert_true(fd >= 0);
  return fd;
}

// Everything written to fd, NUL-terminated, into got.
static const char *read_back(int fd) {
  assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
  got_len = 0;
  ssize_t n;
  while ((n = read(fd, got + got_len, sizeof got - 1 - got_len)) > 0) got_len += (size_t)n;
  got[got_len] = 0;
  return got;
}

// What lc_json_str writes for s (the writer ended cleanly).
static const char *str_of(const char *s) {
  int fd = mem_fd();
  lc_json_begin(&j, fd);
  lc_json_str(&j, s);
  assert_int_equal(lc_json_end(&j), 0);
  read_back(fd);
  close(fd);
  return got;
}

/* ---- output ---- */

static void test_literals_and_numbers(void **state) {
  (void)state;
  int fd = mem_fd();
  lc_json_begin(&j, fd);
  LC_JSON_LIT(&j, "{\"a\": ");
  lc_json_fmt(&j, "%d, \"b\": %zu", -3, (size_t)18446744073709551615u);
  LC_JSON_LIT_SEL(&j, 1, "}", "never");
  LC_JSON_LIT_SEL(&j, 0, "never", "\n");
  assert_int_equal(lc_json_end(&j), 0);
  assert_string_equal(read_back(fd), "{\"a\": -3, \"b\": 18446744073709551615}\n");
  close(fd);
}

static void test_fmt_cut_at_1023_bytes(void **state) {
  (void)state;
  int fd = mem_fd();
  lc_json_begin(&j, fd);
  lc_json_fmt(&j, "%2000s", "x");
  assert_int_equal(lc_json_end(&j), 0);
  read_back(fd);
  assert_int_equal(got_len, 1023);
  close(fd);
}

static void test_null_string(void **state) {
  (void)state;
  assert_string_equal(str_of(NULL), "null");
  assert_string_equal(str_of(""), "\"\"");
}

static void test_escaping(void **state) {
  (void)state;
  assert_string_equal(str_of("plain / text"), "\"plain / text\"");
  assert_string_equal(str_of("q\"b\\e"), "\"q\\\"b\\\\e\"");
  assert_string_equal(str_of("\n\t\r\x01\x1f"), "\"\\u000a\\u0009\\u000d\\u0001\\u001f\"");
  assert_string_equal(str_of("del\x7f"), "\"del\\u007f\"");
  assert_string_equal(str_of(" ~"), "\" ~\"");                 // the printable edges pass as they are
}

/* ---- UTF-8 ---- */

static void test_utf8_well_formed_passes(void **state) {
  (void)state;
  // The first and last code point of each length, and the last before the surrogates.
  static const char *const ok[] = {
    "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
    "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", ok[i]);
    assert_string_equal(str_of(ok[i]), want);
  }
}

static void test_utf8_invalid_becomes_fffd(void **state) {
  (void)state;
  static const struct { const char *in, *out; } bad[] = {
    { "\x80", "\"\\ufffd\"" },                                   // a lone continuation byte
    { "a\xff" "b", "\"a\\ufffdb\"" },
    { "\xc0\x80", "\"\\ufffd\\ufffd\"" },                        // overlong NUL
    { "\xc1\xbf", "\"\\ufffd\\ufffd\"" },                        // overlong
    { "\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"" },             // overlong, 3 bytes
    { "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },             // a surrogate (U+D800)
    { "\xf0\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },  // overlong, 4 bytes
    { "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },  // above U+10FFFF
    { "\xf5\x80", "\"\\ufffd\\ufffd\"" },
    { "\xe2\x82", "\"\\ufffd\\ufffd\"" },                        // cut short by the end of the string
    { "\xe2\x82" "A", "\"\\ufffd\\ufffdA\"" },                   // cut short by an ASCII byte
    { "\xc3\xa9\xa9", "\"\xc3\xa9\\ufffd\"" },                   // one continuation too many
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_string_equal(str_of(bad[i].in), bad[i].out);
}

/* ---- sizes ---- */

// A string several times the buffer, with escapes straddling its flushes: written whole, in order.
static void test_string_longer_than_buffer(void **state) {
  (void)state;
  size_t n = 3 * sizeof j.buf + 7;
  char *s = malloc(n + 1), *want = malloc(2 * n + 3);
  assert_non_null(s);
  assert_non_null(want);
  size_t w = 0;
  want[w++] = '"';
  for (size_t i = 0; i < n; i++) {
    s[i] = i % 1000 == 999 ? '"' : (char)('a' + i % 26);
    if (s[i] == '"') want[w++] = '\\';
    want[w++] = s[i];
  }
  s[n] = 0;
  want[w++] = '"';
  want[w] = 0;
  assert_string_equal(str_of(s), want);
  assert_int_equal(got_len, w);
  free(s);
  free(want);
}

static void test_piece_larger_than_buffer_fails(void **state) {
  (void)state;
  static char big[sizeof j.buf + 1];
  memset(big, 'x', sizeof big);
  int fd = mem_fd();
  lc_json_begin(&j, fd);
  LC_JSON_LIT(&j, "[");
  lc_json_raw(&j, big, sizeof big);
  LC_JSON_LIT(&j, "]");
  assert_int_equal(lc_json_end(&j), -1);
  assert_string_equal(read_back(fd), "[]");                    // the piece is left out, the rest written
  close(fd);
}

/* ---- failures ---- */

static void test_write_failure_remembered(void **state) {
  (void)state;
  // A pipe of one page that nobody reads, non-blocking: the first flush of a full buffer fails part way.
  int p[2];
  assert_int_equal(pipe2(p, O_NONBLOCK), 0);
  assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) > 0);
  long cap = fcntl(p[1], F_GETPIPE_SZ);
  assert_true(cap > 0 && (size_t)cap < sizeof j.buf);
  lc_json_begin(&j, p[1]);
  static char chunk[1000];
  memset(chunk, 'y', sizeof chunk);
  for (size_t i = 0; i < sizeof j.buf / sizeof chunk + 1; i++) lc_json_raw(&j, chunk, sizeof chunk);
  assert_int_equal(j.failed, 1);
  // Drained, the pipe takes what came after the failed flush (the last chunk, then "tail"); the report is
  // still incomplete and says so.
  static char sink[1 << 17];
  while (read(p[0], sink, sizeof sink) > 0) {}
  LC_JSON_LIT(&j, "tail");
  assert_int_equal(lc_json_end(&j), -1);
  assert_int_equal(read(p[0], sink, sizeof sink), sizeof chunk + 4);
  assert_memory_equal(sink, chunk, sizeof chunk);
  assert_memory_equal(sink + sizeof chunk, "tail", 4);
  close(p[0]);
  close(p[1]);
}

static void test_bad_fd_fails(void **state) {
  (void)state;
  int fd = open("/dev/null", O_RDONLY);
  assert_true(fd >= 0);
  lc_json_begin(&j, fd);
  LC_JSON_LIT(&j, "{}");
  assert_int_equal(lc_json_end(&j), -1);
  lc_json_begin(&j, fd);                                       // begin starts afresh
  assert_int_equal(lc_json_end(&j), 0);                        // nothing to write, nothing failed
  close(fd);
}

/* ---- frames ---- */

static void test_frames(void **state) {
  (void)state;
  lc_sym_frame_t f[2] = {
    { .pc = 0x401136, .module = "/bin/a\"b", .build_id = "abcd", .module_offset = 0x1136, .function = "leak",
      .file = "a.c", .line = 12, .function_line = 10, .column = 3, .inlined = 1 },
    { .pc = 0x10 },
  };
  int fd = mem_fd();
  lc_json_begin(&j, fd);
  lc_json_frames(&j, f, 2);
  lc_json_frames(&j, f, 0);
  assert_int_equal(lc_json_end(&j), 0);
  assert_string_equal(read_back(fd),
    "[{\"address\": \"0x401136\", \"module\": \"/bin/a\\\"b\", \"build_id\": \"abcd\", \"offset\": \"0x1136\", "
    "\"function\": \"leak\", \"file\": \"a.c\", \"line\": 12, \"function_line\": 10, \"column\": 3, \"inlined\": true}, "
    "{\"address\": \"0x10\", \"module\": null, \"build_id\": null, \"offset\": \"0x0\", \"function\": null, "
    "\"file\": null, \"line\": null, \"function_line\": null, \"column\": null, \"inlined\": false}][]");
  close(fd);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_literals_and_numbers),
    cmocka_unit_test(test_fmt_cut_at_1023_bytes),
    cmocka_unit_test(test_null_string),
    cmocka_unit_test(test_escaping),
    cmocka_unit_test(test_utf8_well_formed_passes),
    cmocka_unit_test(test_utf8_invalid_becomes_fffd),
    cmocka_unit_test(test_string_longer_than_buffer),
    cmocka_unit_test(test_piece_larger_than_buffer_fails),
    cmocka_unit_test(test_write_failure_remembered),
    cmocka_unit_test(test_bad_fd_fails),
    cmocka_unit_test(test_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
