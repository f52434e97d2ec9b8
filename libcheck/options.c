/* options.c: the option table (options.def) with its types, ranges and words; parsing and checking of
 * HEAPCHECK_OPTIONS, read whole at start-up; what secure execution ignores; what was rejected; help=1.
 * Runs inside the first malloc call, maybe before libc is initialised: no allocation but checker memory, no stdio
 * (not even snprintf), only raw system calls. Compiled into the driver as well: nothing above the base layer. */
#define _GNU_SOURCE
#include "options.h"
#include "os.h"
#include "lc.h"

#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

lc_options_t lc_options;

/* ---- the table ---- */

enum {
#define LC_OPTION(type, name, def, min, max, secure, help) OPT_ID_##name,
#include "options.def"
  OPT_IDS
};

#define TYPE_bool LC_OPT_BOOL
#define TYPE_int LC_OPT_INT
#define TYPE_enum LC_OPT_ENUM
#define TYPE_list LC_OPT_LIST
#define TYPE_str LC_OPT_STR
#define DEF_bool(d) #d
#define DEF_int(d) #d
#define DEF_enum(d) d
#define DEF_list(d) d
#define DEF_str(d) d
#define SECURE_taken LC_SECURE_TAKEN
#define SECURE_file LC_SECURE_FILE
#define SECURE_status LC_SECURE_STATUS
#define SECURE_findings LC_SECURE_FINDINGS
#define SECURE_process LC_SECURE_PROCESS
#define SECURE_timing LC_SECURE_TIMING

const lc_option_info_t lc_option_table[] = {
#define LC_OPTION(type, name, def, min, max, secure, help) \
  { #name, TYPE_##type, DEF_##type(def), min, max, SECURE_##secure, help, offsetof(lc_options_t, name) },
#include "options.def"
};
const int lc_option_count = OPT_IDS;

const lc_option_word_info_t lc_option_words[] = {
#define LC_WORD(option, constant, word) { OPT_ID_##option, constant, 0, #word },
#define LC_ALIAS(option, constant, word) { OPT_ID_##option, constant, 1, #word },
#include "options.def"
};
const int lc_option_word_count = (int)(sizeof lc_option_words / sizeof lc_option_words[0]);

static int index_of(const lc_option_info_t *o) { return (int)(o - lc_option_table); }

const lc_option_info_t *lc_options_find(const char *name, size_t len) {
  for (int i = 0; i < lc_option_count; i++)
    if (strlen(lc_option_table[i].name) == len && memcmp(lc_option_table[i].name, name, len) == 0)
      return &lc_option_table[i];
  return NULL;
}

/* ---- text without stdio: a bounded string builder ---- */

typedef struct text_s { char *buf; size_t cap, len; } text_t;   // buf[len] == 0, len < cap

static void add_n(text_t *t, const char *s, size_t n) {
  if (n > t->cap - 1 - t->len) n = t->cap - 1 - t->len;
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = 0;
}
static void add(text_t *t, const char *s) { add_n(t, s, strlen(s)); }
static void add_long(text_t *t, long v) {
  char d[24];
  int i = sizeof d;
  unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
  do { d[--i] = (char)('0' + u % 10); u /= 10; } while (u);
  if (v < 0) d[--i] = '-';
  add_n(t, d + i, sizeof d - (size_t)i);
}
static text_t text(char *buf, size_t cap) { buf[0] = 0; return (text_t){ buf, cap, 0 }; }

// A value as shown in a message: "" when empty; past 80 bytes cut, with its length.
static void add_shown(text_t *t, const char *v, size_t n) {
  if (n == 0) { add(t, "\"\""); return; }
  if (n <= 80) { add_n(t, v, n); return; }
  add_n(t, v, 64);
  add(t, "... (");
  add_long(t, (long)n);
  add(t, " bytes)");
}

/* ---- values ---- */

// A decimal integer, optionally negative, all of [s, s + n); 1 on success.
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

// The word of option o spelled [s, s + n), aliases included; -1 if none.
static int find_word(const lc_option_info_t *o, const char *s, size_t n) {
  for (int i = 0; i < lc_option_word_count; i++) {
    const lc_option_word_info_t *w = &lc_option_words[i];
    if (w->option == index_of(o) && strlen(w->word) == n && memcmp(w->word, s, n) == 0) return (int)w->value;
  }
  return -1;
}

static const char *word_name(lc_option_word_t v) {
  for (int i = 0; i < lc_option_word_count; i++)
    if (lc_option_words[i].value == v && !lc_option_words[i].alias) return lc_option_words[i].word;
  return "?";
}

int lc_options_set(lc_options_t *opts, const lc_option_info_t *o, const char *val, size_t len) {
  char *field = (char *)opts + o->offset;
  long v;
  int w;
  switch (o->type) {
  case LC_OPT_BOOL:
  case LC_OPT_INT:
    if (!parse_long(val, len, &v) || v < o->min || v > o->max) return 0;
    if (o->type == LC_OPT_BOOL) *(int *)field = (int)v;
    else *(long *)field = v;
    return 1;
  case LC_OPT_ENUM:
    if ((w = find_word(o, val, len)) < 0) return 0;
    *(lc_option_word_t *)field = (lc_option_word_t)w;
    return 1;
  case LC_OPT_LIST: {
    uint64_t mask = 0;
    // Nothing at all is the empty list; an empty item ("a,,b", "a,") is a typo.
    for (size_t i = 0; len > 0 && i <= len;) {
      const char *end = memchr(val + i, ',', len - i);
      size_t n = end ? (size_t)(end - (val + i)) : len - i;
      if ((w = find_word(o, val + i, n)) < 0) return 0;
      mask |= LC_OPTION_BIT(w);
      i += n + 1;
    }
    *(uint64_t *)field = mask;
    return 1;
  }
  case LC_OPT_STR:
    if (len >= LC_OPTION_STR_MAX) return 0;
    memcpy(field, val, len);
    field[len] = 0;
    return 1;
  }
  return 0;
}

static void add_words(text_t *t, const lc_option_info_t *o) {
  int first = 1;
  for (int i = 0; i < lc_option_word_count; i++)
    if (lc_option_words[i].option == index_of(o) && !lc_option_words[i].alias) {
      if (!first) add(t, ", ");
      add(t, lc_option_words[i].word);
      first = 0;
    }
}

const char *lc_options_expected(const lc_option_info_t *o, char *out, size_t cap) {
  text_t t = text(out, cap);
  switch (o->type) {
  case LC_OPT_BOOL: add(&t, "0 or 1"); break;
  case LC_OPT_INT:
    add(&t, "an integer from ");
    add_long(&t, o->min);
    add(&t, " to ");
    add_long(&t, o->max);
    break;
  case LC_OPT_ENUM: {
    add(&t, "one of ");
    add_words(&t, o);
    int first = 1;
    for (int i = 0; i < lc_option_word_count; i++)
      if (lc_option_words[i].option == index_of(o) && lc_option_words[i].alias) {
        add(&t, first ? " (or " : ", ");
        add(&t, lc_option_words[i].word);
        first = 0;
      }
    if (!first) add(&t, ")");
    break;
  }
  case LC_OPT_LIST:
    add(&t, "a comma-separated list of ");
    add_words(&t, o);
    add(&t, " (may be empty)");
    break;
  case LC_OPT_STR:
    add(&t, "at most ");
    add_long(&t, LC_OPTION_STR_MAX - 1);
    add(&t, " bytes");
    break;
  }
  return out;
}

const char *lc_options_secure_reason(const lc_option_info_t *o) {
  switch (o->secure) {
  case LC_SECURE_TAKEN: return "";
  case LC_SECURE_FILE: return "names a file";
  case LC_SECURE_STATUS: return "sets the exit status or ends the process";
  case LC_SECURE_FINDINGS: return "changes what is found, so the exit status";
  case LC_SECURE_PROCESS: return "decides which processes are checked";
  case LC_SECURE_TIMING: return "changes how long the program runs";
  }
  return "?";
}

const char *lc_options_format(const lc_options_t *opts, const lc_option_info_t *o, char *out, size_t cap) {
  const char *field = (const char *)opts + o->offset;
  text_t t = text(out, cap);
  switch (o->type) {
  case LC_OPT_BOOL: add_long(&t, *(const int *)field); break;
  case LC_OPT_INT: add_long(&t, *(const long *)field); break;
  case LC_OPT_ENUM: add(&t, word_name(*(const lc_option_word_t *)field)); break;
  case LC_OPT_LIST: {
    uint64_t mask = *(const uint64_t *)field;
    int first = 1;
    for (int w = 0; w < LC_OPTION_WORDS; w++)
      if (mask & LC_OPTION_BIT(w)) { if (!first) add(&t, ","); add(&t, word_name((lc_option_word_t)w)); first = 0; }
    break;
  }
  case LC_OPT_STR: add(&t, field); break;
  }
  return out;
}

void lc_options_defaults(lc_options_t *o) {
  memset(o, 0, sizeof *o);
  for (int i = 0; i < lc_option_count; i++) {
    const lc_option_info_t *info = &lc_option_table[i];
    LC_CHECK(lc_options_set(o, info, info->def, strlen(info->def)));   // options.def must hold a valid default
  }
}

/* ---- parsing ---- */

static void say(lc_option_note_fn note, void *arg, lc_option_note_kind_t kind, const lc_option_info_t *o,
                const char *name, size_t nlen, const char *msg) {
  char cut[64];
  if (nlen > sizeof cut - 1) nlen = sizeof cut - 1;
  memcpy(cut, name, nlen);
  cut[nlen] = 0;
  lc_option_note_t n = { kind, o, cut, msg };
  note(&n, arg);
}

// One entry [s, end), not empty. Returns 1 when it was rejected.
static int parse_entry(lc_options_t *opts, const char *s, const char *end, int secure, lc_option_note_fn note,
                       void *arg) {
  char buf[400], val[LC_OPTION_STR_MAX + 32], exp[160];
  text_t m = text(buf, sizeof buf);
  size_t n = (size_t)(end - s);
  const char *eq = memchr(s, '=', n);
  if (!eq) {
    add(&m, "option entry '");
    add_shown(&m, s, n);
    add(&m, "' rejected: expected name=value");
    say(note, arg, LC_NOTE_REJECTED, NULL, s, n, buf);
    return 1;
  }
  size_t nlen = (size_t)(eq - s), vlen = (size_t)(end - eq - 1);
  const lc_option_info_t *o = lc_options_find(s, nlen);
  if (o && secure && o->secure != LC_SECURE_TAKEN) {
    add(&m, "option ");
    add_n(&m, s, nlen);
    add(&m, " ignored under secure execution: it ");
    add(&m, lc_options_secure_reason(o));
    say(note, arg, LC_NOTE_IGNORED, o, s, nlen, buf);
    return 0;
  }
  if (o && lc_options_set(opts, o, eq + 1, vlen)) return 0;
  add(&m, "option ");
  add_shown(&m, s, nlen);
  add(&m, "=");
  add_shown(&m, eq + 1, vlen);
  if (!o) {
    add(&m, " rejected: unknown option (help=1 lists them)");
  } else {
    add(&m, " rejected: expected ");
    add(&m, lc_options_expected(o, exp, sizeof exp));
    add(&m, "; using ");
    lc_options_format(opts, o, val, sizeof val);
    add_shown(&m, val, strlen(val));
  }
  say(note, arg, LC_NOTE_REJECTED, o, s, nlen, buf);
  return 1;
}

int lc_options_parse(lc_options_t *o, const char *s, int secure, lc_option_note_fn note, void *arg) {
  int nbad = 0;
  while (*s) {
    const char *end = strchrnul(s, ':');
    if (end > s) nbad += parse_entry(o, s, end, secure, note, arg);
    s = *end ? end + 1 : end;
  }
  return nbad;
}

/* ---- start-up: what was read, rejected and ignored ---- */

#define MAX_MESSAGES 16
static struct {
  int secure, rejected, said, names_cut;
  char names[320];                      // rejected names, comma separated
  char messages[MAX_MESSAGES][400];
  int nmessages;
  char ignored[1024];                   // "log_path (names a file), ..." under secure execution
} st;

static char *raw_buf;                   // HEAPCHECK_OPTIONS, whole, in checker memory
static size_t raw_size;
static const char *raw_options = "";

const char *lc_options_raw(void) { return raw_options; }
int lc_options_rejected_count(void) { return st.rejected; }
const char *lc_options_rejected_names(void) { return st.names; }
int lc_options_secure(void) { return st.secure; }
int lc_options_failed(void) { return st.rejected > 0 && !st.secure; }

// "name (" already in the list: each ignored option is named once.
static int listed(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
    if ((p == list || (p >= list + 2 && p[-2] == ',')) && strncmp(p + n, " (", 2) == 0) return 1;
  return 0;
}

static void remember(const lc_option_note_t *n, void *arg) {
  (void)arg;
  if (n->kind == LC_NOTE_IGNORED) {
    if (listed(st.ignored, n->name)) return;
    text_t t = { st.ignored, sizeof st.ignored, strlen(st.ignored) };
    if (t.len) add(&t, ", ");
    add(&t, n->name);
    add(&t, " (");
    add(&t, lc_options_secure_reason(n->option));
    add(&t, ")");
    return;
  }
  st.rejected++;
  // Room is kept for ",..." so a long list still says it was cut.
  text_t t = { st.names, sizeof st.names, strlen(st.names) };
  if (!st.names_cut && t.len + 1 + strlen(n->name) + 4 < t.cap) {
    if (t.len) add(&t, ",");
    add(&t, n->name);
  } else if (!st.names_cut) {
    add(&t, t.len ? ",..." : "...");
    st.names_cut = 1;
  }
  if (st.nmessages < MAX_MESSAGES) {
    text_t m = text(st.messages[st.nmessages++], sizeof st.messages[0]);
    add(&m, n->msg);
  }
}

static void reject_environment(const char *why) {
  lc_option_note_t n = { LC_NOTE_REJECTED, NULL, "HEAPCHECK_OPTIONS", why };
  remember(&n, NULL);
}

// Keeps a copy of [v, v + n) as the raw options: the environment may be gone (or rewritten) later.
static void keep_raw(const char *v, size_t n) {
  raw_buf = lc_os_alloc(n + 1);
  if (!raw_buf) { reject_environment("HEAPCHECK_OPTIONS rejected: no memory to hold it; using the defaults"); return; }
  raw_size = n + 1;
  memcpy(raw_buf, v, n);
  raw_buf[n] = 0;
  raw_options = raw_buf;
}

static const char key[] = "HEAPCHECK_OPTIONS=";
#define KEY_LEN (sizeof key - 1)

// Reads the environment image at path whole, however large, and keeps the value of its first HEAPCHECK_OPTIONS
// (the one getenv would see). Returns 0 when path cannot be opened.
static int read_image(const char *path) {
  int fd = lc_os_open(path, O_RDONLY, 0);
  if (fd < 0) return 0;
  size_t cap = 64 * 1024, len = 0;
  char *img = lc_os_alloc(cap);
  ssize_t r = 0;
  while (img) {
    if (len == cap) {
      char *bigger = lc_os_alloc(cap * 2);
      if (bigger) memcpy(bigger, img, len);
      lc_os_free(img, cap);
      img = bigger;
      cap *= 2;
      if (!img) break;
    }
    if ((r = lc_os_read(fd, img + len, cap - len)) <= 0) break;
    len += (size_t)r;
  }
  lc_os_close(fd);
  if (!img || r < 0) {
    // A part of the environment is no environment: HEAPCHECK_OPTIONS could be cut, or missed.
    reject_environment(img ? "HEAPCHECK_OPTIONS rejected: the environment could not be read; using the defaults"
                           : "HEAPCHECK_OPTIONS rejected: no memory to read the environment; using the defaults");
    if (img) lc_os_free(img, cap);
    return 1;
  }
  for (size_t i = 0; i < len;) {
    const char *e = img + i;
    const char *nul = memchr(e, 0, len - i);
    size_t n = nul ? (size_t)(nul - e) : len - i;
    if (n >= KEY_LEN && memcmp(e, key, KEY_LEN) == 0) { keep_raw(e + KEY_LEN, n - KEY_LEN); break; }
    i += n + 1;
  }
  lc_os_free(img, cap);
  return 1;
}

void lc_options_load(const char *environ_path, char **envp, int secure) {
  if (raw_buf) lc_os_free(raw_buf, raw_size);
  raw_buf = NULL;
  raw_options = "";
  memset(&st, 0, sizeof st);
  st.secure = secure;
  lc_options_defaults(&lc_options);
#ifdef LC_DEFAULT_OPTIONS
  lc_options_parse(&lc_options, LC_DEFAULT_OPTIONS, 0, remember, NULL);   // the build's own: never filtered
#endif
  if (!read_image(environ_path)) {
    if (!envp) envp = environ;      // NULL at ld.so's first malloc, set once libc runs
    for (char **e = envp; e && *e; e++)
      if (strncmp(*e, key, KEY_LEN) == 0) { keep_raw(*e + KEY_LEN, strlen(*e + KEY_LEN)); break; }
  }
  lc_options_parse(&lc_options, raw_options, secure, remember, NULL);
}

void lc_options_init(char **envp) {
  // AT_SECURE: the kernel says the program gained privileges at exec (setuid, setgid, file capabilities); a
  // preloaded heapcheck (/etc/ld.so.preload) must then take nothing from the unprivileged caller that reads,
  // writes or decides for it. getauxval reads the loader's copy of the auxiliary vector: usable this early.
  lc_options_load("/proc/self/environ", envp, getauxval(AT_SECURE) != 0);
}

static void put(int fd, const char *s) { lc_write_all(fd, s, strlen(s)); }

void lc_options_warn(void) {
  if (st.said) return;
  st.said = 1;
  for (int i = 0; i < st.nmessages; i++) {
    put(2, "heapcheck: ");
    put(2, st.messages[i]);
    put(2, "\n");
  }
  char buf[200];
  if (st.rejected > st.nmessages) {
    text_t t = text(buf, sizeof buf);
    add(&t, "heapcheck: ");
    add_long(&t, st.rejected - st.nmessages);
    add(&t, " more options rejected\n");
    put(2, buf);
  }
  if (lc_options_failed() && lc_options.exitcode != 0) {
    text_t t = text(buf, sizeof buf);
    add(&t, "heapcheck: the process will exit with status ");
    add_long(&t, lc_options.exitcode);
    add(&t, " (exitcode) because an option was rejected\n");
    put(2, buf);
  }
  if (st.ignored[0]) {
    put(2, "heapcheck: secure execution (setuid, setgid or file capabilities): ignored from HEAPCHECK_OPTIONS: ");
    put(2, st.ignored);
    put(2, "; the defaults apply\n");
  }
}

void lc_options_print_help(int fd) {
  char buf[LC_OPTION_STR_MAX + 200];
  put(fd, "heapcheck options (HEAPCHECK_OPTIONS=name=value:name=value):\n");
  for (int i = 0; i < lc_option_count; i++) {
    const lc_option_info_t *o = &lc_option_table[i];
    text_t t = text(buf, sizeof buf);
    add(&t, "  ");
    add(&t, o->name);
    add(&t, "=");
    add(&t, o->def);
    add(&t, "\n      ");
    put(fd, buf);
    put(fd, o->help);
    t = text(buf, sizeof buf);
    add(&t, "\n      values: ");
    lc_options_expected(o, buf + t.len, sizeof buf - t.len);
    t.len = strlen(buf);
    if (o->secure != LC_SECURE_TAKEN) {
      add(&t, "; ignored under secure execution (it ");
      add(&t, lc_options_secure_reason(o));
      add(&t, ")");
    }
    add(&t, "\n");
    put(fd, buf);
  }
}
