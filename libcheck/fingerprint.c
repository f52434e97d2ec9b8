/* fingerprint.c: computes a finding's fingerprint from its kind and the first frames of its key stack
 * (see fingerprint.h and docs/report-schema.md). Pure: no allocation, no I/O, no other libcheck file, so
 * heapcheck-report compiles the same source. Changing what is hashed changes the report format version. */
#include "fingerprint.h"

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s) {
  for (; *s; s++) { h ^= (unsigned char)*s; h *= FNV_PRIME; }
  return h;
}

// The base name: an install prefix or a build directory must not change the fingerprint.
static const char *base_name(const char *path) {
  const char *b = path;
  for (const char *p = path; *p; p++)
    if (*p == '/') b = p + 1;
  return b;
}

static int is_site(const lc_fp_frame_t *f) {
  return f->function && f->function[0] && f->line > 0 && f->function_line > 0;
}

// "@" and the line relative to the function's first line: the same for a rebuild, for code moved or
// added elsewhere in the file; different for two calls in one function.
static uint64_t site(uint64_t h, const lc_fp_frame_t *f) {
  long long d = (long long)f->line - f->function_line;
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u = d < 0 ? (unsigned long long)-d : (unsigned long long)d;
  *--p = 0;
  do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
  if (d < 0) *--p = '-';
  return fnv(fnv(h, "@"), p);
}

uint64_t lc_fingerprint_compute(const char *kind, const lc_fp_frame_t *frames, int n) {
  uint64_t h = fnv(FNV_BASIS, kind);
  int found = 0;
  for (int i = 0; i < n && i < LC_FINGERPRINT_FRAMES; i++) {
    const lc_fp_frame_t *f = &frames[i];
    h = fnv(h, "\n");
    if (f->function && f->function[0]) h = fnv(h, f->function);
    else h = fnv(h, f->module ? base_name(f->module) : "?");
    if (!found && is_site(f)) { h = site(h, f); found = 1; }
  }
  return h;
}
