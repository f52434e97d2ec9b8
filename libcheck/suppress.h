/* suppress.h: suppression rules, LeakSanitizer's `KIND:PATTERN` lines and Valgrind's `{ ... }` blocks, matched
 * against symbolized frames at report time. Runs only at report time (may use malloc: inside libheapcheck those
 * allocations are served from the checker's internal memory). Must not print findings: the only output is the
 * one-line complaint about a bad rule or an unreadable file, written to fd 2 with write().
 * Self-contained: depends only on libc and libdl (no other libcheck header; suppress.c reads findings.def for
 * the kinds). The file format is in docs/suppressions.md. */
#ifndef LIBCHECK_SUPPRESS_H
#define LIBCHECK_SUPPRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lc_supp_frame_s {
  const char *function;  // demangled function name (as the symbolizer gives it), or NULL
  const char *file;      // source file path, or NULL
  const char *module;    // path of the ELF module, or NULL
} lc_supp_frame_t;

// Loads the built-in default list (if with_defaults; those come first) and the file at path (if path && *path).
// Each bad line or block is said on stderr (fd 2, one line: "heapcheck: suppressions FILE:LINE: what is wrong")
// and skipped. A missing or unreadable file is said once ("heapcheck: suppressions FILE: cannot open: ...").
// Valid Valgrind blocks that can never match a heapcheck finding (other tools, Memcheck:Cond/Value*/Param/...)
// are skipped silently and not counted.
// Returns the number of rules loaded (defaults included). Meant to be called once per process: a further call
// (without lc_supp_reset) loads nothing and returns lc_supp_count().
int lc_supp_load(const char *path, int with_defaults);

// kind: the name of a finding kind that a rule can name (findings.def: a name with a mask bit, such as
// "leak-definite" or "double-free"). frames[0] is the innermost frame (the
// caller of malloc/free; allocator frames are never in the list). Returns the index of the first rule that
// matches (and counts the match: matched += 1, atomically), or -1 (also for an unknown kind).
int lc_supp_match(const char *kind, const lc_supp_frame_t *frames, int n);

int lc_supp_count(void);
// The accessors return NULL / 0 for an index out of range. Strings live until lc_supp_reset().
const char *lc_supp_rule_text(int idx);     // e.g. "leak:libfoo.so*" (as written, trimmed) or "{ my_rule }"
const char *lc_supp_rule_source(int idx);   // "FILE:LINE" (a block: the line of its `{`) or "default"
uint64_t lc_supp_matched(int idx);
int lc_supp_is_default(int idx);
void lc_supp_reset(void);                   // frees everything; lc_supp_load may be called again (tests)

#ifdef __cplusplus
}
#endif

#endif
