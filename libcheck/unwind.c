/* unwind.c: libunwind's unw_backtrace (DWARF CFI, with its per-thread cache) or a bounded frame-pointer walk.
 * Drops libheapcheck's own frames by address so the first frame is the caller of malloc/new/strdup.
 * Must not allocate (libunwind's own allocations happen under the caller's guard) or symbolize. */
#define _GNU_SOURCE
#include "unwind.h"
#include "stackdepot.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

extern const ElfW(Ehdr) __ehdr_start;     // our own ELF header, mapped with the first segment

static uintptr_t own_lo, own_hi;          // libheapcheck's executable segment
static int use_fp;
static int max_frames = 16;

static __thread uintptr_t stack_hi __attribute__((tls_model("initial-exec")));

// The executable PT_LOAD segment of an object from its program headers: the one holding `want`, or when want
// is 0 the last one. 1 if found.
static int exec_segment(const ElfW(Phdr) *ph, int phnum, uintptr_t bias, uintptr_t want, uintptr_t *lo,
                        uintptr_t *hi) {
  int found = 0;
  for (int i = 0; i < phnum; i++) {
    if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X)) continue;
    uintptr_t a = bias + ph[i].p_vaddr, b = a + ph[i].p_memsz;
    if (want && (want < a || want >= b)) continue;
    *lo = a;
    *hi = b;
    found = 1;
  }
  return found;
}

// The segment of an ELF image mapped at eh (a shared object's first PT_LOAD has vaddr 0: eh is the bias).
static void image_exec_segment(const ElfW(Ehdr) *eh, uintptr_t *lo, uintptr_t *hi) {
  exec_segment((const ElfW(Phdr) *)((const char *)eh + eh->e_phoff), eh->e_phnum, (uintptr_t)eh, 0, lo, hi);
}

// libc's executable segment: the object holding abort(), which libheapcheck does not interpose; libc's exit().
static uintptr_t libc_lo, libc_hi, libc_exit;

static int find_libc(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size; (void)arg;
  return exec_segment(info->dlpi_phdr, info->dlpi_phnum, info->dlpi_addr, (uintptr_t)&abort, &libc_lo, &libc_hi);
}

void lc_unwind_init(int fp, int frames) {
  use_fp = fp;
  max_frames = frames < 1 ? 1 : frames > LC_MAX_FRAMES ? LC_MAX_FRAMES : frames;
  image_exec_segment(&__ehdr_start, &own_lo, &own_hi);
  if (!use_fp) unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
  dl_iterate_phdr(find_libc, NULL);
  libc_exit = (uintptr_t)dlsym(RTLD_NEXT, "exit");
}

int lc_unwind_is_own_pc(uintptr_t pc) { return pc >= own_lo && pc < own_hi; }

int lc_unwind_in_exit(void) {
  if (!libc_exit) return 0;
  uintptr_t pcs[64];
  int n = unw_backtrace((void **)pcs, 64);
  // exit() calls the handlers and never returns: its return address lies a few bytes into it.
  for (int i = 0; i < n; i++) if (pcs[i] > libc_exit && pcs[i] < libc_exit + 64) return 1;
  return 0;
}

uintptr_t lc_unwind_runtime_only(void) {
  unw_context_t uc;
  unw_cursor_t c;
  if (!libc_lo || unw_getcontext(&uc) != 0 || unw_init_local(&c, &uc) != 0) return 0;
  int foreign = 0, last_foreign = 0;
  unw_word_t sp = 0;
  for (int n = 0; n < 256; n++) {
    unw_word_t ip = 0;
    unw_get_reg(&c, UNW_REG_IP, &ip);
    unw_get_reg(&c, UNW_REG_SP, &sp);
    last_foreign = !lc_unwind_is_own_pc(ip) && !(ip >= libc_lo && ip < libc_hi) && !lc_unwind_is_loader_pc(ip);
    foreign += last_foreign;
    if (unw_step(&c) <= 0) break;
  }
  // The outermost frame is the program's _start: not a frame that holds anything.
  return foreign == 0 || (foreign == 1 && last_foreign) ? (uintptr_t)sp : 0;
}

// The loader's executable segment, found from AT_BASE on first use (valid from the very first malloc).
static uintptr_t ldso_lo, ldso_hi;
static int ldso_known;

int lc_unwind_is_loader_pc(uintptr_t pc) {
  if (!__atomic_load_n(&ldso_known, __ATOMIC_ACQUIRE)) {
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)getauxval(AT_BASE);
    if (eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0) image_exec_segment(eh, &ldso_lo, &ldso_hi);
    __atomic_store_n(&ldso_known, 1, __ATOMIC_RELEASE);
  }
  return pc >= ldso_lo && pc < ldso_hi;
}

// Frame-pointer walk bounded by this thread's stack, so a broken chain ends the trace instead of faulting.
static int fp_walk(uintptr_t *pcs, int max) {
  if (!stack_hi) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void *addr; size_t size;
      pthread_attr_getstack(&attr, &addr, &size);
      stack_hi = (uintptr_t)addr + size;
      pthread_attr_destroy(&attr);
    }
    if (!stack_hi) return 0;
  }
  int n = 0;
  // Callers' frames lie between ours and the top of the stack: that range is mapped (below our frame, the
  // main thread's stack may not be), and anything outside it ends the walk.
  uintptr_t *fp = __builtin_frame_address(0);
  uintptr_t lo = (uintptr_t)fp;
  while (n < max && (uintptr_t)fp >= lo && (uintptr_t)fp < stack_hi - 16 && ((uintptr_t)fp & 7) == 0) {
    uintptr_t ret = fp[1];
    if (ret < 4096) break;
    pcs[n++] = ret;
    uintptr_t *next = (uintptr_t *)fp[0];
    if (next <= fp) break;                   // frames grow upwards; anything else is a broken chain
    fp = next;
  }
  return n;
}

// Our own frames above the caller: unw_backtrace itself, lc_unwind_capture and the interposed entry point
// (which inlines everything up to here). Asking for exactly these many more frames matters: every frame
// unwound costs time on every allocation and free, and unwinding stops at the count asked for.
#define OWN_FRAMES 3

static inline __attribute__((always_inline)) int unwind_into(uintptr_t *pcs, int max) {
  uintptr_t buf[LC_MAX_FRAMES + OWN_FRAMES];
  int want = max + OWN_FRAMES;
  int n = use_fp ? fp_walk(buf, want) : unw_backtrace((void **)buf, want);
  int skip = 0;
  while (skip < n && lc_unwind_is_own_pc(buf[skip])) skip++;
  int out = 0;
  for (int i = skip; i < n && out < max; i++) pcs[out++] = buf[i];
  return out;
}

int lc_unwind_raw(uintptr_t *pcs, int max) { return unwind_into(pcs, max); }

uint32_t lc_unwind_capture(void) {
  uintptr_t pcs[LC_MAX_FRAMES];
  int n = unwind_into(pcs, max_frames);
  return lc_stackdepot_put(pcs, n);
}
