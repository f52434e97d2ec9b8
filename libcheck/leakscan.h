/* leakscan.h: the exit-time reachability scan. Stops the other threads, takes the roots (writable segments,
 * the program's own anonymous mappings, thread stacks from their stack pointers, saved registers, TLS), floods
 * through live blocks, and classifies every unreached block like memcheck: definitely lost, indirectly lost
 * (owned by a lost block), possibly lost (interior pointers only), still reachable. Groups by allocation stack.
 * Reads blocks only through heap.c's walk and block.c's header; prints nothing. The result's types live in
 * findings.h, below report.c, which reads them. */
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

#endif
