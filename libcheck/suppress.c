/* suppress.c: loads suppression rules (LeakSanitizer `KIND:PATTERN` lines and Valgrind `{ }` blocks, mixed in
 * one file) and matches them against symbolized stacks at report time. Format: docs/suppressions.md.
 * The whole file is read into memory and split in place, so lines of any length keep their full text.
 * Globs are our own (`*`, `?`, and `\` escapes in Valgrind patterns): fnmatch would read `[` as a bracket
 * expression and C++ names such as `operator new[]` would stop matching themselves.
 * Only output: one write(2) line per bad line/block or unreadable file. Depends only on libc, libdl, os.c and
 * the findings.def table (which suppression kind names which finding kind). */
#define _GNU_SOURCE
#include "suppress.h"
#include "os.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- finding kinds: findings.def says which suppression kinds name each one ---- */

// A rule's kinds are a set of the findings' mask bits.
static const struct { const char *name, *memcheck, *leak_word; unsigned mask; } kinds[] = {
#define LC_ERROR_KIND(id, name, memcheck, mask) { name, memcheck, NULL, mask },
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) { name, memcheck, word, mask },
#include "findings.def"
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

enum {
  K_LEAK_ALL = 0                       // every leak kind: LSan's "leak", Valgrind's match-leak-kinds "all"
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) | (mask)
#include "findings.def"
  , K_SUM = 0
#define LC_ERROR_KIND(id, name, memcheck, mask) + (mask)
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) + (mask)
#include "findings.def"
  , K_ANY = 0
#define LC_ERROR_KIND(id, name, memcheck, mask) | (mask)
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) | (mask)
#include "findings.def"
};
_Static_assert(K_SUM == K_ANY, "findings.def: two kinds share a mask bit");

// The finding kind called `name` that a rule can name (its one mask bit), or 0.
static unsigned finding_kind(const char *name) {
  for (size_t i = 0; name && i < N_KINDS; i++)
    if (kinds[i].mask && strcmp(name, kinds[i].name) == 0) return kinds[i].mask;
  return 0;
}

// The KIND of an LSan-format line: a finding kind, or "leak" for all leak kinds. 0 when unknown.
static unsigned rule_kind(const char *name) {
  return strcmp(name, "leak") == 0 ? K_LEAK_ALL : finding_kind(name);
}

// 1 if `k`, a Memcheck suppression kind, is `pattern` from findings.def ("#": one or more digits).
static int memcheck_is(const char *k, const char *pattern) {
  const char *hash = strchr(pattern, '#');
  if (!hash) return strcmp(k, pattern) == 0;
  size_t n = (size_t)(hash - pattern), dig;
  return strncmp(k, pattern, n) == 0 && (dig = strspn(k + n, "0123456789")) && !k[n + dig];
}

// The finding kinds a `Memcheck:KIND` block covers; *known = 0 when KIND names none of them.
static unsigned memcheck_kinds(const char *k, int *known) {
  unsigned m = 0;
  *known = 0;
  for (size_t i = 0; i < N_KINDS; i++)
    if (kinds[i].memcheck && memcheck_is(k, kinds[i].memcheck)) { m |= kinds[i].mask; *known = 1; }
  return m;
}

/* ---- the built-in list (docs/suppressions.md says why each one is here) ---- */

static const char *const default_rules[] = {
  // Dynamic TLS blocks and DTV growth for dlopen'ed modules, allocated by ld.so inside __tls_get_addr
  // (Valgrind's default.supp "dtv-addr-*", LeakSanitizer's built-in "leak:*tls_get_addr*").
  "leak:__tls_get_addr",
  // The DTV of each thread, allocated by pthread_create (via ld.so); the thread descriptor keeps only an
  // interior pointer to it, so a thread alive at exit shows up as a "possibly lost" block.
  "leak:_dl_allocate_tls",
};
#define N_DEFAULT_RULES (sizeof default_rules / sizeof default_rules[0])

/* ---- rules ---- */

typedef enum { VF_FUN, VF_OBJ, VF_SRC, VF_ANY } vf_type_t;

typedef struct vframe_s {
  vf_type_t type;
  char *pat;         // glob (NULL for VF_ANY)
  char *demangled;   // VF_FUN: the demangled form of a literal mangled name, or NULL
} vframe_t;

typedef struct rule_s {
  unsigned kinds;
  int valgrind, is_default;
  char *text, *source;
  char *glob;        // LSan: the pattern with the implicit '*' at each unanchored end
  size_t glob_len;
  vframe_t *fr;      // Valgrind: frame lines, leading allocator lines removed
  int nfr;
  uint64_t matched;
} rule_t;

static rule_t *rules;
static int nrules, caprules;
static int loaded;

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);
static demangle_fn demangler;

/* ---- output ---- */

static void write_all(const char *p, size_t n) {
  while (n) {
    ssize_t w = write(2, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w; n -= (size_t)w;
  }
}

// "heapcheck: suppressions " + the formatted text + "\n", as one write when possible.
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
  static const char prefix[] = "heapcheck: suppressions ";
  char small[512];
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { va_end(ap2); return; }
  size_t len = sizeof prefix - 1 + (size_t)n + 1;
  char *buf = malloc(len + 1);
  if (buf) {
    memcpy(buf, prefix, sizeof prefix - 1);
    vsnprintf(buf + sizeof prefix - 1, (size_t)n + 1, fmt, ap2);
    buf[len - 1] = '\n';
    write_all(buf, len);
    free(buf);
  } else {  // out of memory: the message may be truncated, but it is still one line
    write_all(prefix, sizeof prefix - 1);
    write_all(small, strlen(small));
    write_all("\n", 1);
  }
  va_end(ap2);
}

// What a message shows of a line of the file: its first 32 bytes, printable ASCII as it is and every other byte
// (control characters, bytes of 0x80 and above, which a terminal may take for commands) as \xNN, with '"' and '\'
// escaped; "..." when there was more. The file may hold anything (the rule itself is never truncated): a message
// tells where the mistake is (file:line) and shows no more than is needed to see it.
#define EXCERPT_BYTES 32
static const char *excerpt(const char *s) {
  static char out[EXCERPT_BYTES * 4 + 4];
  size_t i = 0, o = 0;
  for (; s[i] && i < EXCERPT_BYTES; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c >= 0x20 && c < 0x7f) out[o++] = (char)c;
    else o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
  }
  if (s[i]) { memcpy(out + o, "...", 3); o += 3; }
  out[o] = 0;
  return out;
}

/* ---- globs ---- */

// Does the whole of s[0, sn) match p[0, pn)? `*` any run, `?` one char; with esc, `\c` is a literal c.
static int glob_match(const char *p, size_t pn, const char *s, size_t sn, int esc) {
  size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
  while (si < sn) {
    if (pi < pn) {
      char c = p[pi];
      if (c == '*') {
        while (pi < pn && p[pi] == '*') pi++;
        if (pi == pn) return 1;
        star_p = pi; star_s = si;
        continue;
      }
      size_t step = 1;
      int literal = 0;
      if (esc && c == '\\' && pi + 1 < pn) { c = p[pi + 1]; step = 2; literal = 1; }
      if ((c == '?' && !literal) || c == s[si]) { pi += step; si++; continue; }
    }
    if (star_p == (size_t)-1) return 0;
    pi = star_p; si = ++star_s;
  }
  while (pi < pn && p[pi] == '*') pi++;
  return pi == pn;
}

static int glob_str(const char *p, const char *s, int esc) {
  return glob_match(p, strlen(p), s, strlen(s), esc);
}

static const char *base_name(const char *s) {
  const char *b = strrchr(s, '/');
  return b && b[1] ? b + 1 : s;
}

static int has_wildcard(const char *p) { return strpbrk(p, "*?\\") != NULL; }

/* ---- matching ---- */

static int lsan_field(const rule_t *r, const char *s, int also_base) {
  if (!s) return 0;
  if (glob_match(r->glob, r->glob_len, s, strlen(s), 0)) return 1;
  if (also_base) {
    const char *b = base_name(s);
    if (b != s && glob_match(r->glob, r->glob_len, b, strlen(b), 0)) return 1;
  }
  return 0;
}

static int lsan_match(const rule_t *r, const lc_supp_frame_t *f, int n) {
  for (int j = 0; j < n; j++)
    if (lsan_field(r, f[j].function, 0) || lsan_field(r, f[j].file, 1) || lsan_field(r, f[j].module, 1)) return 1;
  return 0;
}

// Length of a symbol name without its ELF version suffix ("pthread_create@@GLIBC_2.2.5" -> 14).
static size_t unversioned_len(const char *s) {
  const char *at = strchr(s, '@');
  return at && at != s ? (size_t)(at - s) : strlen(s);
}

static int fun_match(const vframe_t *v, const char *fn) {
  size_t fl = strlen(fn), fv = unversioned_len(fn), pl = strlen(v->pat), pv = unversioned_len(v->pat);
  if (glob_match(v->pat, pl, fn, fl, 1)) return 1;
  if (fv != fl && glob_match(v->pat, pl, fn, fv, 1)) return 1;                   // pattern without, name with
  if (pv != pl && glob_match(v->pat, pv, fn, fv, 1)) return 1;                   // pattern with a version
  if (v->demangled && (strcmp(v->demangled, fn) == 0 ||
                       (fv != fl && strlen(v->demangled) == fv && memcmp(v->demangled, fn, fv) == 0))) return 1;
  return 0;
}

static int vframe_match(const vframe_t *v, const lc_supp_frame_t *f) {
  switch (v->type) {
    case VF_FUN: return fun_match(v, f->function ? f->function : "???");
    case VF_OBJ: return glob_str(v->pat, f->module ? f->module : "???", 1);
    case VF_SRC:
      if (!f->file) return 0;
      return glob_str(v->pat, f->file, 1) || glob_str(v->pat, base_name(f->file), 1);
    case VF_ANY: return 1;
  }
  return 0;
}

// The frame lines match a prefix of the stack; `...` matches any number of frames. This is the classic
// glob algorithm over frames (a `...` is a `*`, a frame line one character), with an implicit `...` at the end.
static int vg_match(const rule_t *r, const lc_supp_frame_t *f, int n) {
  int i = 0, j = 0, star_i = -1, star_j = 0;
  for (;;) {
    if (i == r->nfr) return 1;
    if (r->fr[i].type == VF_ANY) { star_i = ++i; star_j = j; continue; }
    if (j < n && vframe_match(&r->fr[i], &f[j])) { i++; j++; continue; }
    if (star_i < 0 || star_j >= n) return 0;
    i = star_i; j = ++star_j;
  }
}

/* ---- building rules ---- */

static rule_t *new_rule(void) {
  if (nrules == caprules) {
    int cap = caprules ? caprules * 2 : 16;
    rule_t *nr = realloc(rules, (size_t)cap * sizeof *nr);
    if (!nr) return NULL;
    rules = nr; caprules = cap;
  }
  rule_t *r = &rules[nrules];
  memset(r, 0, sizeof *r);
  return r;
}

static void free_vframes(vframe_t *fr, int n) {
  for (int i = 0; i < n; i++) { free(fr[i].pat); free(fr[i].demangled); }
  free(fr);
}

static void free_rule(rule_t *r) {
  free(r->text); free(r->source); free(r->glob);
  free_vframes(r->fr, r->nfr);
}

static char *source_of(const char *path, int line) {
  char *s = NULL;
  if (asprintf(&s, "%s:%d", path, line) < 0) return NULL;
  return s;
}

static void out_of_memory(const char *path, int line) { say("%s:%d: out of memory, rule skipped", path, line); }

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\v' || s[n - 1] == '\f'))
    s[--n] = 0;
  return s;
}

// line: trimmed, not empty, not a comment, not "{". Adds the rule or says what is wrong.
static void add_lsan(char *line, const char *path, int lineno, int is_default) {
  char *colon = strchr(line, ':');
  if (!colon) {
    say("%s:%d: expected KIND:PATTERN or a Valgrind '{' block, got \"%s\"", path, lineno, excerpt(line));
    return;
  }
  *colon = 0;
  char *kind = trim(line), *pat = trim(colon + 1);
  unsigned mask = rule_kind(kind);
  if (!mask) {
    int vg = !strcmp(kind, "fun") || !strcmp(kind, "obj") || !strcmp(kind, "src") || strstr(kind, "Memcheck");
    say("%s:%d: unknown kind \"%s\"%s", path, lineno, excerpt(kind),
        vg ? " (a Valgrind line outside a { } block?)" : "");
    return;
  }
  if (!*pat) { say("%s:%d: empty pattern after \"%s:\"", path, lineno, kind); return; }

  size_t pl = strlen(pat);
  const char *core = pat;
  int at_start = 0, at_end = 0;
  if (*core == '^') { at_start = 1; core++; pl--; }
  if (pl && core[pl - 1] == '$') { at_end = 1; pl--; }

  rule_t *r = new_rule();
  if (!r) { out_of_memory(path, lineno); return; }
  r->kinds = mask;
  r->is_default = is_default;
  r->glob = malloc(pl + 3);
  if (r->glob) {
    size_t g = 0;
    if (!at_start) r->glob[g++] = '*';
    memcpy(r->glob + g, core, pl); g += pl;
    if (!at_end) r->glob[g++] = '*';
    r->glob[g] = 0;
    r->glob_len = g;
  }
  if (asprintf(&r->text, "%s:%s", kind, pat) < 0) r->text = NULL;
  r->source = is_default ? strdup("default") : source_of(path, lineno);
  if (!r->glob || !r->text || !r->source) { free_rule(r); out_of_memory(path, lineno); return; }
  nrules++;
}

/* ---- Valgrind blocks ---- */

// What a leading frame line of a Valgrind block may name: the allocator entry point that Valgrind shows as
// frame 0 and heapcheck never has in its stacks.
static const char *const allocator_names[] = {
  "malloc", "calloc", "realloc", "free", "cfree", "memalign", "posix_memalign", "aligned_alloc", "valloc",
  "pvalloc", "reallocarray", "__libc_malloc", "__libc_calloc", "__libc_realloc", "__libc_free",
  "__libc_memalign", "__libc_valloc", "__libc_pvalloc", "__builtin_new", "__builtin_vec_new",
  "__builtin_delete", "__builtin_vec_delete", "_Znwm", "_Znam", "_Znwj", "_Znaj", "_ZdlPv", "_ZdaPv",
  "operator new(unsigned long)", "operator new[](unsigned long)", "operator delete(void*)",
  "operator delete[](void*)",
};

static int only_wildcards(const char *p) { return p[strspn(p, "*?")] == 0; }

static int is_allocator_line(const vframe_t *v) {
  if (v->type == VF_OBJ) return strstr(v->pat, "vgpreload") || strstr(v->pat, "libheapcheck");
  if (v->type != VF_FUN || only_wildcards(v->pat)) return 0;
  static const char *const prefixes[] = { "_Znw", "_Zna", "_Zdl", "_Zda", "operator new", "operator delete" };
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(v->pat, prefixes[i], strlen(prefixes[i])) == 0) return 1;
  for (size_t i = 0; i < sizeof allocator_names / sizeof allocator_names[0]; i++)
    if (glob_str(v->pat, allocator_names[i], 1)) return 1;
  return 0;
}

enum { S_OUT, S_NAME, S_KIND, S_EXTRA, S_FRAMES, S_SKIP_SAID, S_SKIP_OK };

typedef struct parser_s {
  const char *path;
  int state;
  int blk_line;        // line of the block's '{'
  char *name;
  unsigned kinds;
  int is_leak, kinds_line_seen;
  vframe_t *fr;
  int nfr, capfr;
  int nlines;          // frame lines seen (fun/obj/src/...)
} parser_t;

static void drop_block(parser_t *ps) {
  free(ps->name); ps->name = NULL;
  free_vframes(ps->fr, ps->nfr);
  ps->fr = NULL; ps->nfr = ps->capfr = 0;
  ps->nlines = 0; ps->kinds = 0; ps->is_leak = 0; ps->kinds_line_seen = 0;
}

static void begin_block(parser_t *ps, int lineno) {
  drop_block(ps);
  ps->state = S_NAME;
  ps->blk_line = lineno;
}

static void block_bad(parser_t *ps) { ps->state = S_SKIP_SAID; }

static void parse_kind_line(parser_t *ps, char *line, int lineno) {
  char *colon = strchr(line, ':');
  int ok = colon && colon != line && colon[1];
  int memcheck = 0;
  if (ok) {  // TOOL[,TOOL...]: each a plain identifier, and not a frame-line prefix
    const char *t = line;
    while (ok && t < colon) {
      const char *e = t;
      while (e < colon && *e != ',') e++;
      size_t n = (size_t)(e - t);
      if (!n || !((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z'))) ok = 0;
      for (const char *c = t; ok && c < e; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-')) ok = 0;
      if (ok && ((n == 3 && (!strncmp(t, "fun", 3) || !strncmp(t, "obj", 3) || !strncmp(t, "src", 3)))))
        ok = 0;
      if (ok && n == 8 && !strncmp(t, "Memcheck", 8)) memcheck = 1;
      t = e < colon ? e + 1 : e;
    }
    if (ok && colon[-1] == ',') ok = 0;
  }
  if (!ok) {
    say("%s:%d: block has no kind line (\"%s\" is not TOOL:KIND; is the name line missing?)", ps->path,
        ps->blk_line, excerpt(line));
    block_bad(ps);
    return;
  }
  if (!memcheck) { ps->state = S_SKIP_OK; return; }  // another tool's suppression: valid, not ours
  const char *k = trim(colon + 1);
  int known;
  unsigned m = memcheck_kinds(k, &known);
  if (known) {
    ps->kinds = m;
    ps->is_leak = (m & K_LEAK_ALL) != 0;
    ps->state = !strcmp(k, "FishyValue") ? S_EXTRA : S_FRAMES;   // FishyValue: a "function(argument)" line first
  } else if (!strcmp(k, "Cond") || !strcmp(k, "Param") || !strcmp(k, "User") || !strcmp(k, "Jump") ||
             !strcmp(k, "Overlap") || !strcmp(k, "ReallocZero") || !strcmp(k, "CoreMem") ||
             memcheck_is(k, "Value#")) {
    ps->state = S_SKIP_OK;  // uninitialised values, syscall params, overlaps...: heapcheck never reports those
  } else {
    say("%s:%d: unknown Memcheck kind \"%s\"", ps->path, lineno, excerpt(k));
    block_bad(ps);
  }
}

static void parse_match_leak_kinds(parser_t *ps, char *list, int lineno) {
  unsigned m = 0;
  char *save = NULL;
  int any = 0;
  for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    tok = trim(tok);
    any = 1;
    size_t i = 0;
    while (i < N_KINDS && !(kinds[i].leak_word && !strcmp(tok, kinds[i].leak_word))) i++;
    if (i < N_KINDS) m |= kinds[i].mask;   // indirect has none: reported under the leak that owns it
    else if (!strcmp(tok, "all")) m |= K_LEAK_ALL;
    else if (!strcmp(tok, "none")) ;
    else {
      say("%s:%d: unknown leak kind \"%s\" in match-leak-kinds (definite, indirect, possible, reachable, all, "
          "none)", ps->path, lineno, excerpt(tok));
      block_bad(ps);
      return;
    }
  }
  if (!any) {
    say("%s:%d: match-leak-kinds: lists no kind", ps->path, lineno);
    block_bad(ps);
    return;
  }
  ps->kinds = m;
  ps->kinds_line_seen = 1;
}

static void parse_frame_line(parser_t *ps, char *line, int lineno) {
  static const char mlk[] = "match-leak-kinds:";
  if (!strncmp(line, mlk, sizeof mlk - 1)) {
    if (!ps->is_leak || ps->kinds_line_seen || ps->nlines) {
      say("%s:%d: match-leak-kinds: belongs right after a Memcheck:Leak line", ps->path, lineno);
      block_bad(ps);
      return;
    }
    parse_match_leak_kinds(ps, line + sizeof mlk - 1, lineno);
    return;
  }
  vframe_t v = { VF_ANY, NULL, NULL };
  if (!strcmp(line, "...")) {
    ps->nlines++;
    if (ps->nfr && ps->fr[ps->nfr - 1].type == VF_ANY) return;  // "... ..." is one "..."
  } else {
    if (!strncmp(line, "fun:", 4)) v.type = VF_FUN;
    else if (!strncmp(line, "obj:", 4)) v.type = VF_OBJ;
    else if (!strncmp(line, "src:", 4)) v.type = VF_SRC;
    else {
      say("%s:%d: expected fun:, obj:, src:, ... or } in the block starting at line %d, got \"%s\"", ps->path,
          lineno, ps->blk_line, excerpt(line));
      block_bad(ps);
      return;
    }
    char *pat = trim(line + 4);
    if (v.type == VF_SRC) {  // src:FILE:LINE: the line number is not matched (frames carry no line here)
      char *c = strrchr(pat, ':');
      if (c && c[1] && c[1 + strspn(c + 1, "0123456789")] == 0) *c = 0;
    }
    if (!*pat) {
      say("%s:%d: empty pattern in \"%s\"", ps->path, lineno, excerpt(line));
      block_bad(ps);
      return;
    }
    ps->nlines++;
    v.pat = strdup(pat);
    if (!v.pat) { out_of_memory(ps->path, lineno); block_bad(ps); return; }
    if (v.type == VF_FUN && demangler && pat[0] == '_' && pat[1] == 'Z' && !has_wildcard(pat)) {
      int status = -1;
      char *d = demangler(pat, NULL, NULL, &status);
      if (d && status == 0) v.demangled = d;
      else free(d);
    }
  }
  if (ps->nfr == ps->capfr) {
    int cap = ps->capfr ? ps->capfr * 2 : 8;
    vframe_t *nf = realloc(ps->fr, (size_t)cap * sizeof *nf);
    if (!nf) { free(v.pat); free(v.demangled); out_of_memory(ps->path, lineno); block_bad(ps); return; }
    ps->fr = nf; ps->capfr = cap;
  }
  ps->fr[ps->nfr++] = v;
}

static void close_block(parser_t *ps) {
  switch (ps->state) {
    case S_NAME: say("%s:%d: empty block (no name, no kind line)", ps->path, ps->blk_line); return;
    case S_KIND: say("%s:%d: block has no kind line", ps->path, ps->blk_line); return;
    case S_EXTRA: say("%s:%d: block has no line after Memcheck:FishyValue", ps->path, ps->blk_line); return;
    default: break;
  }
  if (ps->nlines == 0) { say("%s:%d: block has no frame lines", ps->path, ps->blk_line); return; }
  if (!ps->kinds) return;   // e.g. match-leak-kinds: indirect: can never match a heapcheck finding

  // Drop the leading allocator frame lines (and any `...` before the last of them: Valgrind's frame 0 is the
  // allocator, so those matched nothing). heapcheck's stacks start at the allocator's caller.
  int cut = 0;
  for (int i = 0; i < ps->nfr; i++) {
    if (ps->fr[i].type == VF_ANY) continue;
    if (!is_allocator_line(&ps->fr[i])) break;
    cut = i + 1;
  }
  rule_t *r = new_rule();
  if (!r) { out_of_memory(ps->path, ps->blk_line); return; }
  r->valgrind = 1;
  r->kinds = ps->kinds;
  if (asprintf(&r->text, "{ %s }", ps->name) < 0) r->text = NULL;
  r->source = source_of(ps->path, ps->blk_line);
  if (!r->text || !r->source) { free_rule(r); out_of_memory(ps->path, ps->blk_line); return; }
  for (int i = 0; i < cut; i++) { free(ps->fr[i].pat); free(ps->fr[i].demangled); }
  memmove(ps->fr, ps->fr + cut, (size_t)(ps->nfr - cut) * sizeof *ps->fr);
  r->fr = ps->fr;
  r->nfr = ps->nfr - cut;
  ps->fr = NULL; ps->nfr = ps->capfr = 0;
  nrules++;
}

// One line, NUL-terminated in place (has_nul: the raw line held a NUL byte, so part of it is cut off).
static void feed(parser_t *ps, char *raw, int lineno, int has_nul) {
  char *line = trim(raw);
  int blank = !*line || *line == '#';
  if (ps->state == S_OUT) {
    if (blank && !has_nul) return;
    if (has_nul) { say("%s:%d: line contains a NUL byte", ps->path, lineno); return; }
    if (!strcmp(line, "{")) { begin_block(ps, lineno); return; }
    add_lsan(line, ps->path, lineno, 0);
    return;
  }
  if (blank && !has_nul) return;
  if (!strcmp(line, "{")) {   // a new block: the previous one was never closed
    if (ps->state != S_SKIP_SAID)
      say("%s:%d: block has no closing } (a new { starts at line %d)", ps->path, ps->blk_line, lineno);
    begin_block(ps, lineno);
    return;
  }
  if (ps->state == S_SKIP_SAID || ps->state == S_SKIP_OK) {
    if (!has_nul && !strcmp(line, "}")) { drop_block(ps); ps->state = S_OUT; }
    return;
  }
  if (has_nul) {
    say("%s:%d: line contains a NUL byte (block starting at line %d skipped)", ps->path, lineno, ps->blk_line);
    block_bad(ps);
    return;
  }
  if (!strcmp(line, "}")) { close_block(ps); drop_block(ps); ps->state = S_OUT; return; }
  switch (ps->state) {
    case S_NAME:
      ps->name = strdup(line);
      if (!ps->name) { out_of_memory(ps->path, lineno); block_bad(ps); return; }
      ps->state = S_KIND;
      return;
    case S_KIND: parse_kind_line(ps, line, lineno); return;
    case S_EXTRA: ps->state = S_FRAMES; return;
    case S_FRAMES: parse_frame_line(ps, line, lineno); return;
    default: return;
  }
}

static void finish(parser_t *ps) {
  if (ps->state != S_OUT && ps->state != S_SKIP_SAID)
    say("%s:%d: block has no closing } (end of file)", ps->path, ps->blk_line);
  drop_block(ps);
  ps->state = S_OUT;
}

/* ---- loading ---- */

static void load_file(const char *path) {
  int fd = lc_os_open(path, O_RDONLY, 0);
  if (fd < 0) { say("%s: cannot open: %s", path, strerror(errno)); return; }
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) { lc_os_close(fd); say("%s: cannot read: out of memory", path); return; }
    if (cap - len < 2) {
      char *nb = cap > (size_t)-1 / 4 ? NULL : realloc(buf, cap * 2);
      if (!nb) { free(buf); buf = NULL; continue; }
      buf = nb; cap *= 2;
    }
    ssize_t n = lc_os_read(fd, buf + len, cap - len - 1);
    if (n < 0) {
      int e = errno;
      lc_os_close(fd); free(buf);
      say("%s: cannot read: %s", path, strerror(e));
      return;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  lc_os_close(fd);
  buf[len] = 0;

  parser_t ps = { .path = path, .state = S_OUT };
  char *p = buf, *end = buf + len;
  int lineno = 0;
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *le = nl ? nl : end;
    *le = 0;
    lineno++;
    feed(&ps, p, lineno, memchr(p, 0, (size_t)(le - p)) != NULL);
    p = nl ? nl + 1 : end;
  }
  finish(&ps);
  free(buf);
}

int lc_supp_load(const char *path, int with_defaults) {
  if (loaded) return nrules;
  loaded = 1;
  demangler = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
  if (with_defaults) {
    for (size_t i = 0; i < N_DEFAULT_RULES; i++) {
      char *line = strdup(default_rules[i]);
      if (!line) break;
      add_lsan(line, "default", (int)i + 1, 1);
      free(line);
    }
  }
  if (path && *path) load_file(path);
  return nrules;
}

int lc_supp_match(const char *kind, const lc_supp_frame_t *frames, int n) {
  unsigned k = finding_kind(kind);
  if (!k) return -1;
  if (!frames || n < 0) n = 0;
  for (int i = 0; i < nrules; i++) {
    const rule_t *r = &rules[i];
    if (!(r->kinds & k)) continue;
    if (r->valgrind ? vg_match(r, frames, n) : lsan_match(r, frames, n)) {
      __atomic_fetch_add(&rules[i].matched, 1, __ATOMIC_RELAXED);
      return i;
    }
  }
  return -1;
}

int lc_supp_count(void) { return nrules; }

const char *lc_supp_rule_text(int idx) { return idx >= 0 && idx < nrules ? rules[idx].text : NULL; }

const char *lc_supp_rule_source(int idx) { return idx >= 0 && idx < nrules ? rules[idx].source : NULL; }

uint64_t lc_supp_matched(int idx) {
  return idx >= 0 && idx < nrules ? __atomic_load_n(&rules[idx].matched, __ATOMIC_RELAXED) : 0;
}

int lc_supp_is_default(int idx) { return idx >= 0 && idx < nrules ? rules[idx].is_default : 0; }

void lc_supp_reset(void) {
  for (int i = 0; i < nrules; i++) free_rule(&rules[i]);
  free(rules);
  rules = NULL;
  nrules = caprules = 0;
  loaded = 0;
}
