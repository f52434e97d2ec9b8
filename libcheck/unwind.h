/* unwind.h: captures the current thread's call stack, without libcheck's own frames, and interns it.
 * Never allocates from the user heap, never symbolizes; callers must not hold an allocator lock (the
 * unwinder takes the loader's lock through dl_iterate_phdr, and dlopen holds that lock while it mallocs). */
#ifndef LC_UNWIND_H
#define LC_UNWIND_H

#include "lc.h"

void lc_unwind_init(int use_fp, int max_frames);
// Raw return addresses, innermost first, libcheck's frames dropped. Returns the count.
int lc_unwind_raw(uintptr_t *pcs, int max);
// Captures and interns; 0 when stacks are off or nothing was captured.
uint32_t lc_unwind_capture(void);
// When no frame of the program is live on this thread's stack (every frame is libheapcheck's, libc's or the
// loader's, but for the outermost, _start: libc runs the exit handlers after main returned), the stack pointer
// of the outermost frame; else 0. Takes the loader's lock: not with the world stopped.
uintptr_t lc_unwind_runtime_only(void);
// 1 when libc's exit() is on this thread's stack (its handlers are running). Unwinds: takes the loader's lock.
int lc_unwind_in_exit(void);
// 1 if pc lies in libheapcheck's own code.
int lc_unwind_is_own_pc(uintptr_t pc);
// 1 if pc lies in the dynamic loader's code (ld.so).
int lc_unwind_is_loader_pc(uintptr_t pc);

#endif
