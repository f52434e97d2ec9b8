/* init.c: lazy set-up at the first allocator call, the constructor (stacks and reports on, fork handlers,
 * which processes report), and the exit-time check (errors, leak scan, report) with the one exit-status policy.
 * Formats no output itself: report.c does, from what this file hands it. */
#define _GNU_SOURCE
#include "init.h"
#include "alloc.h"
#include "heap.h"
#include "os.h"
#include "quiesce.h"
#include "leakscan.h"
#include "options.h"
#include "outfile.h"
#include "report.h"
#include "symbolize.h"
#include "unwind.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int lc_initialized, lc_ready, lc_traced = 1;
static pid_t own_pid;              // pid seen by the constructor or the fork child handler
static int finished;
static int late_armed, destructors_ran;   // the exit report's handler is registered / destructors began
static void lc_late_exit(int status, void *arg);
static int forked_child;           // this process is a fork child (its parent's threads are gone)
static pthread_mutex_t finish_lock = PTHREAD_MUTEX_INITIALIZER;   // held across slow work: sleep, not spin

void lc_init_slow(void) {
  // The first call comes from ld.so or libc start-up, single-threaded: no lock is needed yet.
  if (lc_initialized) return;
  lc_stderr_track();                 // fd 2 as the program starts is its stderr (lc.c)
  lc_options_init(NULL);
  lc_block_init_secret();
  lc_alloc_setup();
  lc_initialized = 1;
}

// Every lock of libcheck, in one order (finish, report, quarantine, unmapped, heaps; checker mappings take none), so a
// child never inherits one held by a thread it does not have.
static void fork_prepare(void) {
  pthread_mutex_lock(&finish_lock);
  lc_quiesce();
  lc_report_lock_all();
  lc_alloc_lock_all();
}
static void fork_parent(void) {
  lc_alloc_unlock_all();
  lc_report_unlock_all();
  lc_unquiesce();
  pthread_mutex_unlock(&finish_lock);
}
static void fork_child(void) {
  lc_alloc_unlock_all();
  lc_report_unlock_all();
  lc_unquiesce();
  pthread_mutex_unlock(&finish_lock);
  forked_child = 1;
  lc_quiesce_after_fork_child();
  own_pid = getpid();
  if (!lc_options.report_forked_children) lc_traced = 0;
}

static void copy_basename(const char *path, char *out, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t len = strlen(base);
  if (len >= cap) len = cap - 1;
  memcpy(out, base, len);
  out[len] = 0;
}

// The basenames of this process's executable, of the path it was executed by (AT_EXECFN) and of the name it
// was started by (argv[0]), read without allocating. They differ for links: sh runs dash, cc runs
// x86_64-linux-gnu-gcc-12.
static void exe_names(char *exe, char *execfn, char *arg0, size_t cap) {
  const char *fn = (const char *)getauxval(AT_EXECFN);
  execfn[0] = 0;
  if (fn) copy_basename(fn, execfn, cap);
  char path[512];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  exe[0] = arg0[0] = 0;
  if (n > 0) { path[n] = 0; copy_basename(path, exe, cap); }
  n = lc_os_read_file("/proc/self/cmdline", path, sizeof path);
  if (n <= 0) return;                             // argv[0] ends at the first NUL
  copy_basename(path, arg0, cap);
}

static int skipped_by_name(void) {
  if (!lc_options.trace_children_skip[0]) return 0;
  char exe[256], execfn[256], arg0[256], globs[LC_OPTION_STR_MAX];
  exe_names(exe, execfn, arg0, sizeof exe);
  strcpy(globs, lc_options.trace_children_skip);
  for (char *save = NULL, *g = strtok_r(globs, ",", &save); g; g = strtok_r(NULL, ",", &save))
    if ((exe[0] && fnmatch(g, exe, 0) == 0) || (execfn[0] && fnmatch(g, execfn, 0) == 0) ||
        (arg0[0] && fnmatch(g, arg0, 0) == 0))
      return 1;
  return 0;
}

// 1 if the parent process runs with libheapcheck too: this process was started by a checked program (used for
// trace_children when no driver told us the root pid). Reads the parent's maps with raw calls.
static int parent_is_checked(void) {
  char path[64], buf[4096], tail[32] = "";
  snprintf(path, sizeof path, "/proc/%d/maps", (int)getppid());
  int fd = lc_os_open(path, O_RDONLY, 0);
  if (fd < 0) return 0;
  int found = 0;
  ssize_t n;
  while (!found && (n = lc_os_read(fd, buf, sizeof buf - 1)) > 0) {
    buf[n] = 0;
    // A name split across two reads: look at the end of the previous chunk joined with this one too.
    char joined[64];
    snprintf(joined, sizeof joined, "%s%.31s", tail, buf);
    found = strstr(buf, "/libheapcheck.so") != NULL || strstr(joined, "/libheapcheck.so") != NULL;
    size_t keep = n > 20 ? 20 : (size_t)n;
    memcpy(tail, buf + n - keep, keep);
    tail[keep] = 0;
  }
  lc_os_close(fd);
  return found;
}

__attribute__((constructor(101))) static void lc_constructor(void) {
  lc_ensure_init();
  lc_enter();
  own_pid = getpid();
  lc_options_warn();
  if (lc_options.help) lc_options_print_help(2);
  int child;                                   // started by the checked program rather than by the user
  // The parent is looked at only when it decides something: trace_children=0, the skip list, or a json_path
  // without %p (only the root writes that name as given, outfile.c).
  int matters = !lc_options.trace_children || lc_options.trace_children_skip[0] ||
                (lc_options.json_path[0] && !lc_outfile_has_pid(lc_options.json_path));
  if (lc_options.root_pid) child = own_pid != lc_options.root_pid;
  else child = matters && parent_is_checked();
  if (child && (!lc_options.trace_children || skipped_by_name())) lc_traced = 0;   // the root is always checked
  lc_outfile_set_root(!child);
  lc_unwind_init(lc_options.unwind == LC_UNWIND_FP, (int)lc_options.max_frames);
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  lc_heap_thread_cache_init();
  lc_quiesce_init();
  if (on_exit(lc_late_exit, NULL) == 0) late_armed = 1;
  if (lc_options.verbosity > 0) {
    char msg[128];
    int n = snprintf(msg, sizeof msg, "heapcheck: checking pid %d\n", (int)own_pid);
    lc_write_all(2, msg, (size_t)n);
  }
  lc_leave();
  lc_ready = 1;
}

/* The exit report runs from an on_exit handler registered by the constructor. A preloaded library's
 * constructor runs before libc registers the loader's destructor pass (_dl_fini) with atexit, so the handler
 * runs after it: after the destructors of every library, the program's own included (they were initialized
 * before libheapcheck, so they finish after it). Their frees are counted, and libc's caches can be freed for
 * the scan (libc_freeres) without a destructor still using them. The destructor reports only when the
 * handler could not be registered. */
// exit() flushes stdio after the handlers; the process is about to end without that.
static void flush_stdio(void) {
  lc_enter();
  fflush(NULL);
  lc_leave();
}

static void end_with(int status) {
  flush_stdio();
  lc_exit_now(status);
}

static void lc_late_exit(int status, void *arg) {
  (void)arg;
  if (destructors_ran) {
    // The very end. stdio is flushed first, while the other threads still run: the scan leaves them stopped,
    // one of them perhaps holding a stream's lock. Then the process ends here, never going back into libc.
    flush_stdio();
    int s = lc_finish(LC_EXIT_PATH_EXIT);
    if (lc_ready && lc_traced) lc_exit_now(s >= 0 ? s : status);
    return;
  }
  // exit() called again from a destructor ends the process from inside the destructor pass (or libheapcheck
  // was dlopen'd): the report is made now all the same, the other threads resumed, libc's caches kept.
  int s = lc_finish(LC_EXIT_PATH_EXIT);
  if (s >= 0) end_with(s);
}

__attribute__((destructor(101))) static void lc_destructor(void) {
  destructors_ran = 1;
  if (late_armed) return;
  int status = lc_finish(LC_EXIT_PATH_EXIT);
  if (status >= 0) end_with(status);
}

void lc_exit_now(int status) {
  for (;;) syscall(SYS_exit_group, status);
}

void lc_before_dlclose(void) {
  if (!lc_ready) return;
  lc_enter();
  lc_symbolize_remember_modules();
  lc_leave();
}

/* The exit-status policy, in one place: what fails the run. The report records it (lc_exit_policy_t) so that
 * heapcheck-report check applies the same. Errors and a leak check that did not complete always fail it; a
 * rejected option does (not under secure execution); leaks do when their kind is in leak_exitcode_kinds (definite
 * includes the blocks lost with them). exitcode=0 keeps the program's own status whatever was found. */
static lc_exit_policy_t exit_policy(void) {
  uint64_t k = lc_options.leak_exitcode_kinds;
  lc_exit_policy_t p = { .options_fail = lc_options_failed() };
  if (k & LC_OPTION_BIT(LC_EXITCODE_DEFINITE)) p.counted_leaks |= LC_LEAK_KIND_BIT(LC_LEAK_DEFINITE);
  if (k & LC_OPTION_BIT(LC_EXITCODE_POSSIBLE)) p.counted_leaks |= LC_LEAK_KIND_BIT(LC_LEAK_POSSIBLE);
  if (k & LC_OPTION_BIT(LC_EXITCODE_REACHABLE)) p.counted_leaks |= LC_LEAK_KIND_BIT(LC_LEAK_REACHABLE);
  return p;
}

// The exit status that these (unsuppressed) findings ask for under the policy, or -1.
static int status_for(const lc_finding_counts_t *c, const lc_exit_policy_t *p) {
  if (lc_options.exitcode == 0) return -1;
  unsigned k = p->counted_leaks;
  if (c->errors > 0 || c->incomplete != LC_INCOMPLETE_NONE || p->options_fail ||
      ((k & LC_LEAK_KIND_BIT(LC_LEAK_DEFINITE)) && c->definite_blocks > 0) ||
      ((k & LC_LEAK_KIND_BIT(LC_LEAK_POSSIBLE)) && c->possible_blocks > 0) ||
      ((k & LC_LEAK_KIND_BIT(LC_LEAK_REACHABLE)) && c->reachable_blocks > 0))
    return (int)lc_options.exitcode;
  return -1;
}

int lc_finish(lc_exit_path_t path) {
  if (!lc_ready || !lc_traced) return -1;
  if (getpid() != own_pid) return -1;       // a vfork child (or a raw clone) shares our memory: stay out
  int on_demand = path == LC_EXIT_PATH_ON_DEMAND;
  if (lc_inside) {
    // A signal handler that interrupted heapcheck (inside malloc or free, perhaps holding its locks) ended the
    // process: no scan is safe now. Say so rather than nothing; errors already reported still count.
    if (on_demand || __atomic_exchange_n(&finished, 1, __ATOMIC_ACQ_REL)) return -1;
    static const char note[] = "heapcheck: the process exited from a signal handler that interrupted the "
                               "allocator; no leak check was possible\n";
    int fd = lc_report_text_fd();
    lc_write_all(fd, note, sizeof note - 1);
    // A leak check that was asked for and could not run fails the run as one that did not complete does.
    lc_finding_counts_t errors_only = { .errors = lc_report_error_count() };
    if (lc_options.leak_check != LC_LEAK_CHECK_NO) errors_only.incomplete = LC_INCOMPLETE_INTERRUPTED;
    lc_exit_policy_t policy = exit_policy();
    int status = status_for(&errors_only, &policy);
    if (status >= 0 && errors_only.incomplete != LC_INCOMPLETE_NONE) {
      char msg[128];
      int n = snprintf(msg, sizeof msg, "heapcheck: the process will exit with status %d (exitcode): leaks may "
                       "have gone unreported\n", status);
      lc_write_all(fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    }
    return status;
  }
  int cancel_state;                         // the scan stops the world and reads /proc: never cancelled midway
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
  pthread_mutex_lock(&finish_lock);
  if (finished) { pthread_mutex_unlock(&finish_lock); pthread_setcancelstate(cancel_state, NULL); return -1; }
  if (!on_demand) finished = 1;
  lc_enter();
  int scan = lc_options.leak_check != LC_LEAK_CHECK_NO;
  // Before anything is quiesced or stopped: the unwinder takes the loader's lock.
  uintptr_t stack_from = !on_demand && scan ? lc_unwind_runtime_only() : 0;
  if (!on_demand) lc_alloc_check_all(LC_BY_EXIT);
  lc_leak_result_t *leaks = NULL;
  // libc's caches are freed only at the real end, and not in a fork child: freeres would unmap the stacks the
  // parent's other threads left behind, turning what they hold into false leaks.
  // Threads that cannot be stopped (they block the scan's signal, or sit in sigwait) keep running: kept out of
  // the allocator for the scan, they cannot unmap a block being read or move the block table under it.
  // Quiesced first, so no thread is stopped halfway through an allocator call.
  if (scan) {
    lc_quiesce();
    // At the very end (after the destructors, or from _exit) the stopped threads are left stopped: a thread
    // that called exit() while main slept or polled must not see main wake with EINTR and return from main.
    int at_end = (destructors_ran && path == LC_EXIT_PATH_EXIT) || path == LC_EXIT_PATH_NOW ||
                 path == LC_EXIT_PATH_SIGNAL;
    leaks = lc_leakscan_run(!on_demand && !forked_child && destructors_ran && lc_options.libc_freeres, stack_from,
                            at_end);
    lc_unquiesce();
  }
  lc_heap_usage_t usage = lc_alloc_stats();
  lc_finding_counts_t left = lc_report_final_begin(leaks);
  lc_exit_policy_t policy = exit_policy();
  int status = on_demand ? -1 : status_for(&left, &policy);   // on demand the program runs on: no status to record
  lc_report_final_end(&usage, path, status, &policy);
  if (on_demand && leaks) status = (int)(leaks->definite_bytes > 0x7fffffff ? 0x7fffffff : leaks->definite_bytes);
  lc_leakscan_free(leaks);
  lc_leave();
  pthread_mutex_unlock(&finish_lock);
  pthread_setcancelstate(cancel_state, NULL);
  return status;
}
