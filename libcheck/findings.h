/* findings.h: findings as data, shared by the files that make them (alloc, leakscan) and report.c, which says
 * them: the kinds (generated from findings.def), the allocator's counters for the heap summary and the leak
 * scan's result. Declares no function: whoever includes it depends on no module. */
#ifndef LC_FINDINGS_H
#define LC_FINDINGS_H

#include "lc.h"

typedef enum lc_error_kind_e {
#define LC_ERROR_KIND(id, name, memcheck, mask) LC_ERR_##id,
#include "findings.def"
  LC_ERR_KINDS
} lc_error_kind_t;

typedef enum lc_leak_kind_e {
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) LC_LEAK_##id,
#include "findings.def"
  LC_LEAK_KINDS
} lc_leak_kind_t;

// The allocator's counters, as the heap summary shows them (user heap only; realloc counts as one of each).
typedef struct lc_heap_usage_s {
  uint64_t allocs, frees, bytes_allocated;
} lc_heap_usage_t;

typedef struct lc_leak_group_s {
  lc_leak_kind_t kind;                   // DEFINITE, POSSIBLE or REACHABLE (indirect blocks count under owners)
  uint32_t stack;                        // allocation stack shared by the group
  uint64_t bytes, blocks;
  uint64_t indirect_bytes, indirect_blocks;
  uintptr_t example;                     // address of one block of the group
  // Filled in by the report while it decides what to show (kept here so that the report needs no memory of its
  // own at exit, when the program may have used it all): 1 + the suppression rule that matched, or 0.
  int report_supp;
  uint64_t report_fingerprint;
} lc_leak_group_t;

// Why a leak check did not complete, with the report's words for it (the JSON's incomplete_reason). A check that
// did not complete is a finding of its own: leaks may be missing, so no run is called clean on it.
#define LC_INCOMPLETE_LIST(X) \
  X(NONE, "") \
  X(NO_RESULT, "no memory was left for the leak check") \
  X(NO_TABLES, "no memory was left for the leak scan's tables") \
  X(NO_EXCLUSIONS, "no memory was left for the table of heapcheck's own memory, so the roots were unknown") \
  X(TOO_MANY_RANGES, "heapcheck's own memory spans more ranges than its table holds, so the roots were unknown") \
  X(NO_MAPS, "/proc/self/maps could not be read (no memory for it, or no /proc), so the roots were unknown") \
  X(INTERRUPTED, "the process exited from a signal handler that interrupted the allocator")
typedef enum lc_incomplete_e {
#define LC_INCOMPLETE_ENUM(id, text) LC_INCOMPLETE_##id,
  LC_INCOMPLETE_LIST(LC_INCOMPLETE_ENUM)
#undef LC_INCOMPLETE_ENUM
  LC_INCOMPLETE_COUNT
} lc_incomplete_t;

typedef struct lc_leak_result_s {
  lc_leak_group_t *groups;               // sorted: kind, then bytes (largest first)
  size_t ngroups;
  uint64_t definite_bytes, definite_blocks, indirect_bytes, indirect_blocks;
  uint64_t possible_bytes, possible_blocks, reachable_bytes, reachable_blocks;
  uint64_t in_use_bytes, in_use_blocks;  // every live block at the scan
  int threads_stopped, threads_unresponsive;
  int incomplete;                        // the roots could not be established: no block is called lost
  int unscanned;                         // no memory for the scan's tables: nothing was checked
  int ungrouped;                         // no memory for the groups: the totals hold, the list is empty
  lc_incomplete_t incomplete_reason;     // NONE unless incomplete or unscanned (then why)
  double scan_seconds;
  size_t map_bytes;                      // size of the checker-owned memory behind groups
} lc_leak_result_t;

#endif
