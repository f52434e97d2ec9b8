/* procmaps.h: /proc/self/maps, read whole into checker memory with raw calls and walked mapping by mapping, and
 * the hex parsing that reading /proc needs. Takes no lock and allocates from no heap, so it is usable while the
 * other threads are stopped (one of them may hold either). Says nothing about which mappings matter. */
#ifndef LC_PROCMAPS_H
#define LC_PROCMAPS_H

#include "lc.h"

typedef struct lc_procmaps_s {
  char *buf;                             // the file, one NUL-terminated string per line; NULL: not read
  size_t len, cap;                       // len bytes read, in cap bytes of lc_os_reserve memory (len < cap)
} lc_procmaps_t;

typedef struct lc_mapping_s {
  uintptr_t start, end;                  // [start, end)
  const char *perms;                     // "rwxp" or "rw-s" ...: 4 characters, then the rest of the line
  const char *path;                      // "/file", "[stack]", "[heap]" ...; NULL for anonymous memory
} lc_mapping_t;

// post: 1 with m->buf holding the file (cut short if a large file found no more memory), or 0 with m->buf ==
// NULL (no memory, or /proc cannot be opened). Free with lc_procmaps_free.
int lc_procmaps_read(lc_procmaps_t *m);
void lc_procmaps_free(lc_procmaps_t *m);

// Walks the mappings in file order (ascending addresses): *at = NULL starts. Returns 1 with *out filled, 0 past
// the last. out's strings point into m->buf.
int lc_procmaps_next(const lc_procmaps_t *m, const char **at, lc_mapping_t *out);

// Reads lower-case hex digits at *p; post: *p is at the first other character. Also for /proc/.../status.
uintptr_t lc_procmaps_parse_hex(const char **p);

#endif
