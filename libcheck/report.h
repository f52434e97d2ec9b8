/* report.h: every finding heapcheck makes, said once: text to stderr (or log_path) as it is detected, and
 * recorded for the exit-time JSON report. One function per finding kind family; formatting never allocates
 * from the user heap (callers hold the lc_inside guard). Is given what it says (leaks, heap counters, the exit
 * status) and reaches into no module above it; decides no policy beyond abort_on_error. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include "lc.h"
#include "block.h"
#include "findings.h"

extern const char *const lc_error_kind_names[LC_ERR_KINDS];

// The call or check that found an error (the report's "found by"), with its name.
#define LC_BY_LIST(X) \
  X(MALLOC, "malloc") X(CALLOC, "calloc") X(REALLOC, "realloc") X(REALLOCARRAY, "reallocarray") \
  X(POSIX_MEMALIGN, "posix_memalign") X(MEMALIGN, "memalign") X(PVALLOC, "pvalloc") X(FREE, "free") \
  X(DELETE, "operator delete") X(DELETE_ARRAY, "operator delete[]") X(QUARANTINE, "quarantine") \
  X(EXIT, "exit") X(CHECK_EVERY, "check_every") X(CHECK_HEAP, "heapcheck_check_heap")
typedef enum lc_by_e {
#define LC_BY_ENUM(id, name) LC_BY_##id,
  LC_BY_LIST(LC_BY_ENUM)
#undef LC_BY_ENUM
  LC_BY_COUNT
} lc_by_t;

// How the exit-time report was reached (the JSON's exit_path): exit(), _exit()/_Exit(), quick_exit(), or
// heapcheck_report_leaks() in a running program.
#define LC_EXIT_PATH_LIST(X) X(EXIT, "exit") X(NOW, "_exit") X(QUICK, "quick_exit") X(ON_DEMAND, "on_demand") X(SIGNAL, "signal")
typedef enum lc_exit_path_e {
#define LC_EXIT_PATH_ENUM(id, name) LC_EXIT_PATH_##id,
  LC_EXIT_PATH_LIST(LC_EXIT_PATH_ENUM)
#undef LC_EXIT_PATH_ENUM
  LC_EXIT_PATH_COUNT
} lc_exit_path_t;

typedef struct lc_error_s {
  lc_error_kind_t kind;
  lc_by_t by;                   // the call that found it
  uintptr_t address;            // the pointer passed, or the first damaged byte
  int has_block;                // block_* are known
  uintptr_t block;              // user address of the block concerned
  size_t block_size;
  lc_block_state_t block_state; // the block's state when found (LC_BLOCK_INVALID: none known)
  int64_t offset;               // first damaged byte (or pointer) relative to block
  int has_damage;
  lc_damage_t damage;
  uint32_t alloc_stack, free_stack, detected_stack;
  const char *detail;           // a sentence (a string literal), e.g. "allocated with operator new[]", or NULL
  size_t requested;             // allocation-size-too-big: the size asked for (per element when count != 0)
  size_t count;                 // allocation-size-too-big: elements of a calloc/reallocarray that overflowed
} lc_error_t;

// The one constructor of an error. p: the pointer concerned. h: a copy of the header of the block whose user
// bytes start at `block`, or NULL when no block is known. d: the damage found in that block, or NULL; its first
// byte is then the error's address. requested and count stay 0 (allocation-size-too-big sets them).
lc_error_t lc_report_make_error(lc_error_kind_t kind, lc_by_t by, const void *p, const void *block,
                                const lc_header_t *h, const lc_damage_t *d, uint32_t stack, const char *detail);
// Says the error now and records it. May abort (abort_on_error).
void lc_report_error(const lc_error_t *e);
size_t lc_report_error_count(void);    // errors not suppressed so far
void lc_report_lock_all(void);     // fork: prepare
void lc_report_unlock_all(void);   // fork: parent and child

// Opens the output (log_path with %p) if not yet open; returns the fd for text.
int lc_report_text_fd(void);
// Buffered text output for the exit-time report (report.c and leakscan's summary share it).
void lc_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lc_out_flush(void);
// Prints one symbolized stack (indented frames) to the text output.
void lc_out_stack(uint32_t stack_id);

// Findings that the suppressions left, which the exit status is decided from.
typedef struct lc_finding_counts_s {
  size_t errors;
  uint64_t definite_blocks, possible_blocks, reachable_blocks;
  lc_incomplete_t incomplete;       // the leak check was asked for and did not complete (NONE: it did, or was not asked)
} lc_finding_counts_t;

// The exit-status policy the report is made under, decided in init.c and recorded in the JSON report (its summary's
// counted_leak_kinds and options_rejected), so that heapcheck-report check applies the same one.
#define LC_LEAK_KIND_BIT(k) (1u << (k))
// Errors and an incomplete leak check always fail the run.
typedef struct lc_exit_policy_s {
  unsigned counted_leaks;           // LC_LEAK_KIND_BIT(kind) for each leak kind whose unsuppressed blocks fail the run
  int options_fail;                 // rejected options fail the run (lc_options_failed: never under secure execution)
} lc_exit_policy_t;

// The exit-time report, in two calls: begin decides what each leak group is (suppressed or not, its
// fingerprint, kept in the groups) and returns what is left; the caller decides the exit status from that and
// hands it to end, which says the leaks and the summary and writes the JSON report (when json_path is set).
// The report lock is held from begin to end, so no finding slips in between the counts and the report
// (pre: the caller reports nothing in between; it would wait for that lock forever).
// leaks: the scan's result, or NULL when none ran; it must stay valid until end returns.
// status: the exit status the findings ask for (recorded in the JSON), -1 for none; policy: what it was decided by.
lc_finding_counts_t lc_report_final_begin(lc_leak_result_t *leaks);
void lc_report_final_end(const lc_heap_usage_t *usage, lc_exit_path_t path, int status, const lc_exit_policy_t *policy);
// The exit report about to be made is for this fatal signal (its name goes into the JSON).
void lc_report_set_signal(int sig);

#endif
