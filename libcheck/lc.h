/* lc.h: what every libcheck file shares: visibility, branch hints, CHECKs that print without allocating (always
 * on, and the debug levels' DCHECK/XCHECK), the internal lock type, and the per-thread "inside libcheck" guard.
 * Must not pull in anything that allocates; every macro here is safe inside malloc. */
#ifndef LC_H
#define LC_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#define LC_EXPORT   __attribute__((visibility("default")))
#define LC_NOINLINE __attribute__((noinline))
#define lc_likely(x)   __builtin_expect(!!(x), 1)
#define lc_unlikely(x) __builtin_expect(!!(x), 0)

// Debug level, set by the build (CMake's LIBCHECK_DEBUG): the three tiers of mimalloc's mi_assert,
// mi_assert_internal and mi_assert_expensive.
//   0 (release)  LC_CHECK only: always on, for what must never be wrong even in production runs.
//   1            also LC_DCHECK*: cheap invariants on hot paths (sizes aligned, states valid, indices in range).
//   2            also LC_XCHECK: expensive walks of whole structures (the heap validator, run from the allocator).
#ifndef LC_DEBUG
#define LC_DEBUG 0
#endif
#if LC_DEBUG < 0 || LC_DEBUG > 2
#error "LC_DEBUG must be 0, 1 or 2"
#endif

// Writes "heapcheck: internal error: FILE:LINE: CHECK failed: what (a, b)" with write(2), then abort().
// Our own invariants only: the program's misuse is a finding (report.c), never a CHECK.
__attribute__((noreturn)) void lc_check_failed(const char *file, int line, const char *cond,
                                               uint64_t a, uint64_t b);
#define LC_CHECK(c) \
  do { if (lc_unlikely(!(c))) lc_check_failed(__FILE__, __LINE__, #c, 0, 0); } while (0)
#define LC_CHECK_OP_(a, op, b) \
  do { uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b); \
       if (lc_unlikely(!(va_ op vb_))) lc_check_failed(__FILE__, __LINE__, #a " " #op " " #b, va_, vb_); } while (0)
#define LC_CHECK_EQ(a, b) LC_CHECK_OP_(a, ==, b)
// Off, the condition is still compiled (names stay used, no bit rot) but never evaluated.
#define LC_NOCHECK_(c) do { (void)sizeof(c); } while (0)
#if LC_DEBUG >= 1
#define LC_DCHECK(c)       LC_CHECK(c)
#define LC_DCHECK_EQ(a, b) LC_CHECK_OP_(a, ==, b)
#define LC_DCHECK_LT(a, b) LC_CHECK_OP_(a, <, b)
#define LC_DCHECK_LE(a, b) LC_CHECK_OP_(a, <=, b)
#else
#define LC_DCHECK(c)       LC_NOCHECK_(c)
#define LC_DCHECK_EQ(a, b) LC_NOCHECK_((a) == (b))
#define LC_DCHECK_LT(a, b) LC_NOCHECK_((a) < (b))
#define LC_DCHECK_LE(a, b) LC_NOCHECK_((a) <= (b))
#endif
#if LC_DEBUG >= 2
#define LC_XCHECK(c) LC_CHECK(c)
#else
#define LC_XCHECK(c) LC_NOCHECK_(c)
#endif

// Locks: a test-and-test-and-set spinlock that yields the CPU after a short spin. Critical sections are a few
// dozen instructions (never a system call but sbrk/mmap, never unwinding or reporting), where a mutex's sleep
// and wake-up cost more than the wait. Zero-initialised: usable before any constructor ran.
typedef struct lc_lock_s { int held; } lc_lock_t;
#define LC_LOCK_INIT { 0 }
void lc_lock_slow(lc_lock_t *l);
static inline void lc_lock(lc_lock_t *l) {
  if (lc_likely(!__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))) return;
  lc_lock_slow(l);
}
static inline void lc_unlock(lc_lock_t *l) { __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE); }

// Per-thread guard: while > 0, this thread runs libcheck code (unwinder, symbolizer, report), and any
// allocation it makes is served from the internal heap, untracked. initial-exec TLS: reading it never
// calls __tls_get_addr, which could allocate.
extern __thread int lc_inside __attribute__((tls_model("initial-exec")));
static inline void lc_enter(void) { lc_inside++; }
static inline void lc_leave(void) { lc_inside--; }

// Raw output, no allocation, no stdio: used by CHECKs and the report writer. fd 2 means the program's stderr
// as heapcheck tracks it (lc.c): never a file that only took the number. Waits out EINTR and EAGAIN; returns 0,
// or -1 when the text could not be written (errno is kept either way).
int lc_write_all(int fd, const char *buf, size_t len);
// fd 2 is (again) the program's stderr: at start-up, and after the program put a file there (dup2, freopen).
void lc_stderr_track(void);
// The program is closing stderr. exiting: keep a copy for the exit report; else stderr is gone for good.
void lc_stderr_closing(int exiting);
// 1 once some text for stderr could not be written (no stderr left, or a write error).
int lc_text_lost(void);

#define LC_ALIGN 16
#define LC_ROUND_UP(x, a) (((x) + ((a) - 1)) & ~((uintptr_t)(a) - 1))

#endif
