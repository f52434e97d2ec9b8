/* json_out.h: the JSON writer the report is written with: a buffered sink on one file descriptor, literals,
 * printf-style numbers, escaped strings (a byte that does not begin well-formed UTF-8 becomes U+FFFD) and
 * symbolized frames. Knows nothing of the report's schema (report.c says what goes where); writes with write(2)
 * only and never allocates. A failed write is remembered, never retried. */
#ifndef LC_JSON_OUT_H
#define LC_JSON_OUT_H

#include "symbolize.h"

#include <stddef.h>

typedef struct lc_json_s {
  int fd;
  char buf[65536];
  size_t len;                    // bytes in buf not yet written; len <= sizeof buf
  int failed;                    // a write failed or a piece did not fit: the output is incomplete
} lc_json_t;

// post: j writes to fd, nothing buffered, no failure.
void lc_json_begin(lc_json_t *j, int fd);
// Writes what is buffered. Returns 0 when every byte since lc_json_begin reached fd, -1 otherwise.
int lc_json_end(lc_json_t *j);

// n bytes as they are: JSON syntax the caller has formed. A piece larger than the buffer is not written.
void lc_json_raw(lc_json_t *j, const char *s, size_t n);
// Literals: the length comes from the compiler, never from a hand count.
#define LC_JSON_LIT(j, lit) lc_json_raw((j), (lit), sizeof(lit) - 1)
#define LC_JSON_LIT_SEL(j, cond, a, b) ((cond) ? LC_JSON_LIT((j), a) : LC_JSON_LIT((j), b))
// printf into the output (numbers, fixed text); at most 1023 bytes per call.
void lc_json_fmt(lc_json_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// s as a JSON string, quotes included; NULL gives null.
void lc_json_str(lc_json_t *j, const char *s);
// s escaped, without the quotes: for a string written in pieces.
void lc_json_str_body(lc_json_t *j, const char *s);
// An array of n frame objects (address, module, build_id, offset, function, file, line, column, inlined).
void lc_json_frames(lc_json_t *j, const lc_sym_frame_t *f, int n);

#endif
