/* symbolize.h: turns captured return addresses into function, file:line and inline frames with elfutils libdwfl.
 * Runs at report time only, never on allocation paths. Allocates with malloc freely: inside libheapcheck
 * those allocations are served from the checker's internal memory, never tracked or reported.
 * Self-contained: depends only on libc, libdl and libdw/libelf (no other libcheck header). */
#ifndef LIBCHECK_SYMBOLIZE_H
#define LIBCHECK_SYMBOLIZE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lc_sym_frame_s {
  uintptr_t pc;             // the captured address (return address), same for every inline frame of one pc
  const char *module;       // path of the ELF module containing pc, or NULL
  const char *build_id;     // hex build-id of that module, or NULL
  uintptr_t module_offset;  // pc - module load bias (what eu-addr2line -e MODULE takes, +1)
  const char *function;     // demangled function name, or NULL
  const char *file;         // source file (as DWARF names it, made absolute with the comp dir when relative), or NULL
  int line, column;         // 0 when unknown
  int function_line;        // first line of the function (DW_AT_decl_line of its DIE, followed to the abstract
                            // origin for an inlined one), 0 when unknown: fingerprints count lines from it
  int inlined;              // 1: this frame was inlined into the next one
} lc_sym_frame_t;

// Opens a libdwfl session for the current process: currently loaded modules plus remembered ones (below).
// Calling it again while a session is open ends that session first. begin/pc/end are not thread-safe:
// the caller (the report writer) serializes them.
void lc_symbolize_begin(void);

// pre: between begin and end.  pc is a return address: looked up at pc-1 (so the line is the call, not the
// one after it) unless exact != 0 (for a pc that is the faulting instruction itself).
// post: fills out[0..n) innermost first (inline frames expanded like `eu-addr2line -i -f`; the last one is the
// real function containing pc), returns n >= 1 (a frame with only pc and maybe module when nothing is known).
// Strings stay valid until lc_symbolize_end(). Results are cached per pc.
// The CU of pc comes from .debug_aranges when it lists one that holds pc, else from the CU DIEs' own ranges
// (clang emits no .debug_aranges by default): a per-module table built at that module's first such miss,
// kept for the session.
// When the chain is longer than max, the innermost max-1 frames and the real function are kept.
// Returns 0 only for max <= 0 or out == NULL. Outside a session it returns the bare pc frame.
int lc_symbolize_pc(uintptr_t pc, int exact, lc_sym_frame_t *out, int max);

// Frees everything the session allocated (dwfl_end, cache, strings). Safe to call without a session. A file of the
// session that the program closed and whose number now holds a file of the program's is not closed again: that
// libdwfl session is then left unfreed.
void lc_symbolize_end(void);

// 1 when every file the session holds open (ELF and debug files, placed near the top of the descriptor limit,
// close-on-exec) is still the file it opened; 0 once the program closed one (close_range) or put another file on
// its number: the session must then be ended and begun again before the next report.
int lc_symbolize_intact(void);

// Snapshot (path, load bias, address ranges, build-id) of every loaded module into fixed static/mmap'd storage
// WITHOUT calling malloc (called from a dlclose() wrapper right before a library is unloaded, and possibly from
// inside the allocator). lc_symbolize_begin() then also reports remembered modules that are no longer loaded,
// so stacks captured inside a dlclose'd library still symbolize.
// Thread-safe (a spin lock); no stdio, no malloc. The table keeps the first LC_SYM_REMEMBER_MAX distinct
// (path, bias, build-id) modules; later new ones are dropped. It takes the loader's lock (dl_iterate_phdr):
// do not call it while holding a lock that a thread inside dlopen()/dlclose() may wait for (the allocator's).
void lc_symbolize_remember_modules(void);

#define LC_SYM_REMEMBER_MAX 256

#ifdef __cplusplus
}
#endif

#endif
