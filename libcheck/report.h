/* report.h: every finding heapcheck makes, said once: text to stderr (or log_path) as it is detected, and
 * recorded for the exit-time JSON report. One function per finding kind family; formatting never allocates
 * from the user heap (callers hold the lc_inside guard). Must not decide policy beyond abort_on_error. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include "lc.h"
#include "block.h"
#include "findings.h"

extern const char *const lc_error_kind_names[LC_ERR_KINDS];

typedef struct lc_error_s {
  lc_error_kind_t kind;
  uintptr_t address;            // the pointer passed, or the first damaged byte
  int has_block;                // block_* are known
  uintptr_t block;              // user address of the block concerned
  size_t block_size;
  int64_t offset;               // first damaged byte (or pointer) relative to block
  int has_damage;
  lc_damage_t damage;
  uint32_t alloc_stack, free_stack, detected_stack;
  const char *what;             // the call that found it: "free", "realloc", "operator delete", "exit", ...
  const char *detail;           // extra sentence, e.g. "allocated with operator new[]", or NULL
  size_t requested;             // allocation-size-too-big: the size asked for (per element when count != 0)
  size_t count;                 // allocation-size-too-big: elements of a calloc/reallocarray that overflowed
} lc_error_t;

// Says the error now and records it. May abort (abort_on_error).
void lc_report_error(const lc_error_t *e);
size_t lc_report_error_count(void);
void lc_report_lock_all(void);     // fork: prepare
void lc_report_unlock_all(void);   // fork: parent and child

// Opens the output (log_path with %p) if not yet open; returns the fd for text.
int lc_report_text_fd(void);
// Buffered text output for the exit-time report (report.c and leakscan's summary share it).
void lc_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lc_out_flush(void);
// Prints one symbolized stack (indented frames) to the text output.
void lc_out_stack(uint32_t stack_id);

// At exit: leaks (see leakscan.h) and the summary; writes JSON when json_path is set. Returns the exit status
// the unsuppressed findings ask for (lc_status_for_findings), or -1.
struct lc_leak_result_s;
int lc_report_final(const struct lc_leak_result_s *leaks, const char *exit_path);

#endif
