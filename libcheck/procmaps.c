/* procmaps.c: reads /proc/self/maps into scratch memory (lc_os_reserve) with os.h's raw calls and walks its
 * lines. Called while the other threads are stopped: no lock, no heap, no stdio (a stopped thread may hold the
 * heap's lock or stdio's), and nothing that goes through the program's interposed functions. */
#include "procmaps.h"
#include "os.h"

#include <fcntl.h>
#include <string.h>

int lc_procmaps_read(lc_procmaps_t *m) {
  size_t cap = 1 << 20, len = 0;
  char *buf = lc_os_reserve(cap);
  m->buf = NULL;
  if (!buf) return 0;
  int fd = lc_os_open("/proc/self/maps", O_RDONLY, 0);
  if (fd < 0) { lc_os_free(buf, cap); return 0; }
  for (;;) {
    if (len + 4096 > cap) {                          // grow: a large process has many mappings
      char *nb = lc_os_reserve(cap * 2);
      if (!nb) break;
      memcpy(nb, buf, len);
      lc_os_free(buf, cap);
      buf = nb; cap *= 2;
    }
    ssize_t n = lc_os_read(fd, buf + len, cap - len - 1);
    if (n <= 0) break;
    len += (size_t)n;
  }
  lc_os_close(fd);
  buf[len] = 0;
  for (size_t i = 0; i < len; i++) if (buf[i] == '\n') buf[i] = 0;   // one string per line
  m->buf = buf; m->len = len; m->cap = cap;
  return 1;
}

void lc_procmaps_free(lc_procmaps_t *m) {
  if (m->buf) lc_os_free(m->buf, m->cap);
  m->buf = NULL;
}

uintptr_t lc_procmaps_parse_hex(const char **p) {
  uintptr_t v = 0;
  for (;; (*p)++) {
    char c = **p;
    if (c >= '0' && c <= '9') v = v * 16 + (uintptr_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v = v * 16 + (uintptr_t)(c - 'a' + 10);
    else return v;
  }
}

// A line: "start-end perms offset dev inode   path", the path absent for anonymous memory.
int lc_procmaps_next(const lc_procmaps_t *m, const char **at, lc_mapping_t *out) {
  const char *line = *at ? *at : m->buf;
  if (!line) return 0;
  while (line < m->buf + m->len && !*line) line++;
  if (line >= m->buf + m->len) return 0;
  const char *p = line;
  out->start = lc_procmaps_parse_hex(&p);
  p++;
  out->end = lc_procmaps_parse_hex(&p);
  p++;
  out->perms = p;
  out->path = strchr(p, '/');
  if (!out->path) out->path = strchr(p, '[');
  *at = line + strlen(line) + 1;
  return 1;
}
