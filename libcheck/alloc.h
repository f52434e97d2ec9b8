/* alloc.h: what malloc, free and realloc do, as a sequence of calls into heap, block, quarantine and report.
 * Callers (interpose.c) hold the lc_inside guard and pass an already captured stack id. Touches no raw bytes
 * except through block.c. */
#ifndef LC_ALLOC_H
#define LC_ALLOC_H

#include "lc.h"
#include "block.h"
#include "report.h"     // lc_by_t, lc_heap_usage_t

void lc_alloc_setup(void);      // after options are read: heaps, quarantine
// size: user bytes; align: power of two >= 16 (callers validate); zero: calloc semantics.
// post: user pointer or NULL (errno set to ENOMEM by the caller).
void *lc_alloc(size_t size, size_t align, lc_origin_t origin, int zero, uint32_t stack);
// The block at p was allocated by the dynamic loader: a root of the leak scan, whatever its stack says.
void lc_alloc_mark_loader(void *p);
// by: the call freeing p, named in the findings.
void lc_free(void *p, lc_origin_t origin, uint32_t stack, lc_by_t by);
// origin_if_new: what a realloc(NULL, n) allocates (LC_ORIGIN_INTERNAL inside libcheck).
void *lc_realloc(void *p, size_t size, uint32_t stack, lc_origin_t origin_if_new);
// Requested size of a live block (what malloc_usable_size answers), 0 for anything else.
size_t lc_usable_size(const void *p);
// Verifies every live and quarantined block now, with the other threads kept out of the allocator meanwhile;
// reports damage once per block (a chunk without a valid header is damage too). Returns the number found.
size_t lc_alloc_check_all(lc_by_t by);
lc_heap_usage_t lc_alloc_stats(void);     // what the heap summary shows
void lc_alloc_tick(void);       // counts a call for check_every
void lc_alloc_lock_all(void);   // fork: prepare
void lc_alloc_unlock_all(void); // fork: parent and child

#endif
