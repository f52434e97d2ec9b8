/* json_out.c: the low-level JSON writer (see json_out.h): buffering into one fixed buffer, escaping, the UTF-8
 * check that keeps a report of arbitrary bytes valid JSON. Says nothing about what a report contains, opens no
 * file and allocates nothing. */
#define _GNU_SOURCE
#include "json_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void lc_json_begin(lc_json_t *j, int fd) {
  j->fd = fd;
  j->len = 0;
  j->failed = 0;
}

static void flush(lc_json_t *j) {
  size_t off = 0;
  while (off < j->len) {
    ssize_t n = write(j->fd, j->buf + off, j->len - off);
    if (n <= 0) { j->failed = 1; break; }
    off += (size_t)n;
  }
  j->len = 0;
}

int lc_json_end(lc_json_t *j) {
  flush(j);
  return j->failed ? -1 : 0;
}

void lc_json_raw(lc_json_t *j, const char *s, size_t n) {
  if (j->len + n > sizeof j->buf) flush(j);
  if (n > sizeof j->buf) { j->failed = 1; return; }
  memcpy(j->buf + j->len, s, n);
  j->len += n;
}

void lc_json_fmt(lc_json_t *j, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) lc_json_raw(j, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

// Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the bytes there are not one.
static int utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  int n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
  if (!n) return 0;
  for (int i = 1; i < n; i++) if ((s[i] & 0xc0) != 0x80) return 0;
  if (n == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))) return 0;   // overlong, surrogate
  if (n == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))) return 0;   // overlong, > U+10FFFF
  return n;
}

// Program names and arguments are bytes, not text: a byte that does not begin a well-formed UTF-8 sequence
// becomes U+FFFD, so the report stays valid JSON.
void lc_json_str_body(lc_json_t *j, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') { char e[2] = { '\\', (char)c }; lc_json_raw(j, e, 2); p++; }
    else if (c < 0x20 || c == 0x7f) { lc_json_fmt(j, "\\u%04x", c); p++; }
    else if (c < 0x80) { lc_json_raw(j, (const char *)p, 1); p++; }
    else {
      int n = utf8_len(p);
      if (n) { lc_json_raw(j, (const char *)p, (size_t)n); p += n; }
      else { LC_JSON_LIT(j, "\\ufffd"); p++; }
    }
  }
}

void lc_json_str(lc_json_t *j, const char *s) {
  if (!s) { LC_JSON_LIT(j, "null"); return; }
  LC_JSON_LIT(j, "\"");
  lc_json_str_body(j, s);
  LC_JSON_LIT(j, "\"");
}

void lc_json_frames(lc_json_t *j, const lc_sym_frame_t *fr, int n) {
  LC_JSON_LIT(j, "[");
  for (int i = 0; i < n; i++) {
    const lc_sym_frame_t *f = &fr[i];
    lc_json_fmt(j, "%s{\"address\": \"0x%lx\", \"module\": ", i ? ", " : "", (unsigned long)f->pc);
    lc_json_str(j, f->module);
    LC_JSON_LIT(j, ", \"build_id\": ");
    lc_json_str(j, f->build_id);
    lc_json_fmt(j, ", \"offset\": \"0x%lx\", \"function\": ", (unsigned long)f->module_offset);
    lc_json_str(j, f->function);
    LC_JSON_LIT(j, ", \"file\": ");
    lc_json_str(j, f->file);
    if (f->line) lc_json_fmt(j, ", \"line\": %d", f->line); else lc_json_fmt(j, ", \"line\": null");
    if (f->function_line) lc_json_fmt(j, ", \"function_line\": %d", f->function_line);
    else lc_json_fmt(j, ", \"function_line\": null");
    if (f->column) lc_json_fmt(j, ", \"column\": %d", f->column); else lc_json_fmt(j, ", \"column\": null");
    lc_json_fmt(j, ", \"inlined\": %s}", f->inlined ? "true" : "false");
  }
  LC_JSON_LIT(j, "]");
}
