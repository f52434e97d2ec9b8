/* leakscan.h: the exit-time reachability scan. Stops the other threads (stoptheworld.h), takes the roots (writable
 * segments, the program's own anonymous mappings, thread stacks from their stack pointers, saved registers, TLS),
 * floods through live blocks, and classifies every unreached block like memcheck: definitely lost, indirectly
 * lost (owned by a lost block), possibly lost (interior pointers only), still reachable. Groups by allocation
 * stack. Reads blocks only through heap.c's walk and block.c's header; prints nothing. The result's types live
 * in findings.h, below report.c, which reads them. */
#ifndef LC_LEAKSCAN_H
#define LC_LEAKSCAN_H

#include "findings.h"   // lc_leak_result_t: what the scan hands the report

// pre: caller holds the lc_inside guard. freeres: call __libc_freeres / __gnu_cxx::__freeres first.
// post: a result in checker-owned memory (NULL if it could not be computed); free with lc_leakscan_free.
// stack_from: where the calling thread's stack is scanned from, 0 for its own frame. At exit, after main
// returned, nothing of the program is live there: the exit machinery's frames only hold stale copies of
// pointers the program dropped (they reuse the memory of calls long returned), and are left out.
// keep_stopped: the process ends right after the report: the threads stopped for the scan stay stopped (resumed,
// they would see their sleep, poll or wait interrupted, and run on while the process ends).
lc_leak_result_t *lc_leakscan_run(int freeres, uintptr_t stack_from, int keep_stopped);
void lc_leakscan_free(lc_leak_result_t *r);

// One block as the classifier sees it (the scan makes one per live block of the user heap).
typedef struct lc_leak_block_s {
  uintptr_t start;                       // in: the user bytes [start, start + size), read as aligned 8-byte words
  uint64_t size;
  uint32_t stack;                        // in: allocation stack id, the groups' key
  uint8_t root;                          // in: the block is a root itself (the dynamic loader's bookkeeping)
  uint8_t state;                         // out: its class, an lc_leak_kind_t (private values while classifying)
  uint64_t indirect_bytes, indirect_blocks;   // out: a definitely lost block's clique, counted under it
} lc_leak_block_t;

typedef struct lc_leak_range_s { uintptr_t start, end; } lc_leak_range_t;   // [start, end)

// The classifier on its own, without stopping threads or reading /proc: what lc_leakscan_run does once it has
// the blocks and the roots. Every aligned word of the root ranges and of the blocks reached is read; a word equal
// to a block's start (or matching one of memcheck's interior-pointer heuristics) reaches it, one inside it makes
// it possibly reached. Then cliques of the unreached, totals, groups.
// pre: blocks sorted by start, disjoint, their bytes readable. No vtable ranges are known here, so memcheck's
// multipleinheritance heuristic never applies.
// post: every block's state is its class; a result as lc_leakscan_run's (no threads, in_use = all the blocks),
// NULL when there is no memory. Free with lc_leakscan_free.
lc_leak_result_t *lc_leakscan_classify(lc_leak_block_t *blocks, size_t n, const lc_leak_range_t *roots, size_t nroots);

#endif
