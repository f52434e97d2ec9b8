/* options.c: option table (options.def), parsing of HEAPCHECK_OPTIONS, help=1.
 * Runs inside the first malloc call: no allocation, no stdio, only raw system calls. */
#define _GNU_SOURCE
#include "options.h"
#include "os.h"
#include "lc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

lc_options_t lc_options;

#define MAX_WARNINGS 8
static char warnings[MAX_WARNINGS][160];
static int nwarnings;

void lc_options_defaults(lc_options_t *o) {
#define LC_OPTION_bool(name, def) o->name = def;
#define LC_OPTION_int(name, def) o->name = def;
#define LC_OPTION_str(name, def) strcpy(o->name, def);
#define LC_OPTION(type, name, def, help) LC_OPTION_##type(name, def)
#include "options.def"
#undef LC_OPTION
#undef LC_OPTION_bool
#undef LC_OPTION_int
#undef LC_OPTION_str
}

static void fmt_bad(char *out, size_t cap, const char *what, const char *s, size_t n) {
  size_t len = strlen(what);
  if (len > cap - 1) len = cap - 1;
  memcpy(out, what, len);
  size_t rest = cap - 1 - len;
  if (n > rest) n = rest;
  memcpy(out + len, s, n);
  out[len + n] = 0;
}

// Parses a decimal integer in [s, s+n); 1 on success.
static int parse_long(const char *s, size_t n, long *out) {
  if (n == 0 || n > 18) return 0;
  long v = 0, sign = 1;
  size_t i = 0;
  if (s[0] == '-') { sign = -1; i = 1; if (n == 1) return 0; }
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v * sign;
  return 1;
}

static int set_option(lc_options_t *o, const char *key, size_t klen, const char *val, size_t vlen) {
  long v;
#define LC_OPTION_bool(name) \
  if (klen == sizeof(#name) - 1 && memcmp(key, #name, klen) == 0) { \
    if (!parse_long(val, vlen, &v) || (v != 0 && v != 1)) return -1; \
    o->name = (int)v; \
    return 1; \
  }
#define LC_OPTION_int(name) \
  if (klen == sizeof(#name) - 1 && memcmp(key, #name, klen) == 0) { \
    if (!parse_long(val, vlen, &v)) return -1; \
    o->name = v; \
    return 1; \
  }
#define LC_OPTION_str(name) \
  if (klen == sizeof(#name) - 1 && memcmp(key, #name, klen) == 0) { \
    if (vlen >= LC_OPTION_STR_MAX) return -1; \
    memcpy(o->name, val, vlen); \
    o->name[vlen] = 0; \
    return 1; \
  }
#define LC_OPTION(type, name, def, help) LC_OPTION_##type(name)
#include "options.def"
#undef LC_OPTION
#undef LC_OPTION_bool
#undef LC_OPTION_int
#undef LC_OPTION_str
  (void)v;
  return 0;
}

int lc_options_parse(lc_options_t *o, const char *s, void (*bad)(const char *msg, void *arg), void *arg) {
  int nbad = 0;
  while (*s) {
    const char *end = strchr(s, ':');
    if (!end) end = s + strlen(s);
    if (end > s) {
      const char *eq = memchr(s, '=', (size_t)(end - s));
      char msg[160];
      if (!eq) {
        fmt_bad(msg, sizeof msg, "malformed option (expected name=value): ", s, (size_t)(end - s));
        bad(msg, arg); nbad++;
      } else {
        int r = set_option(o, s, (size_t)(eq - s), eq + 1, (size_t)(end - eq - 1));
        if (r == 0) { fmt_bad(msg, sizeof msg, "unknown option: ", s, (size_t)(eq - s)); bad(msg, arg); nbad++; }
        if (r < 0) { fmt_bad(msg, sizeof msg, "bad value for option: ", s, (size_t)(end - s)); bad(msg, arg); nbad++; }
      }
    }
    s = *end ? end + 1 : end;
  }
  return nbad;
}

static void remember(const char *msg, void *arg) {
  (void)arg;
  if (nwarnings < MAX_WARNINGS) {
    strncpy(warnings[nwarnings], msg, sizeof warnings[0] - 1);
    nwarnings++;
  }
}

static char env_buf[65536];
static const char *raw_options = "";

const char *lc_options_raw(void) { return raw_options; }

void lc_options_init(char **envp) {
  lc_options_defaults(&lc_options);
#ifdef LC_DEFAULT_OPTIONS
  lc_options_parse(&lc_options, LC_DEFAULT_OPTIONS, remember, NULL);
#endif
  static const char key[] = "HEAPCHECK_OPTIONS=";
  int fd = lc_os_open("/proc/self/environ", O_RDONLY, 0);
  if (fd >= 0) {
    size_t n = 0;
    ssize_t r;
    while (n < sizeof env_buf - 1 && (r = lc_os_read(fd, env_buf + n, sizeof env_buf - 1 - n)) > 0) n += (size_t)r;
    lc_os_close(fd);
    env_buf[n] = 0;
    for (size_t i = 0; i < n; i += strlen(env_buf + i) + 1)
      if (strncmp(env_buf + i, key, sizeof key - 1) == 0) {
        raw_options = env_buf + i + sizeof key - 1;
        lc_options_parse(&lc_options, raw_options, remember, NULL);
        return;
      }
    return;
  }
  for (char **e = envp; e && *e; e++)
    if (strncmp(*e, key, sizeof key - 1) == 0) {
      raw_options = *e + sizeof key - 1;
      lc_options_parse(&lc_options, raw_options, remember, NULL);
    }
}

void lc_options_warn(void) {
  for (int i = 0; i < nwarnings; i++) {
    lc_write_all(2, "heapcheck: HEAPCHECK_OPTIONS: ", 30);
    lc_write_all(2, warnings[i], strlen(warnings[i]));
    lc_write_all(2, "\n", 1);
  }
  nwarnings = 0;
}

static void put(int fd, const char *s) { lc_write_all(fd, s, strlen(s)); }

void lc_options_print_help(int fd) {
  put(fd, "heapcheck options (HEAPCHECK_OPTIONS=name=value:name=value):\n");
#define LC_STR(x) #x
#define LC_OPTION(type, name, def, help) \
  put(fd, "  " #name "=" LC_STR(def) "\n      " help "\n");
#include "options.def"
#undef LC_OPTION
}
