/* report.c: says every finding, in text as it happens and in the versioned JSON report at exit (see
 * docs/report-schema.md). Formats into fixed buffers and writes with write(2) (the JSON through json_out.c);
 * symbolizes and suppresses through symbolize.c and suppress.c under the caller's lc_inside guard. Is handed the
 * leaks, heap counters, exit status and the policy behind it (recorded); decides nothing but abort_on_error. */
#define _GNU_SOURCE
#include "report.h"
#include "json_out.h"
#include "os.h"
#include "fingerprint.h"
#include "options.h"
#include "outfile.h"
#include "stackdepot.h"
#include "suppress.h"
#include "symbolize.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const lc_error_kind_names[LC_ERR_KINDS] = {
#define LC_ERROR_KIND(id, name, memcheck, mask) [LC_ERR_##id] = name,
#include "findings.def"
};
static const char *const leak_kind_names[LC_LEAK_KINDS] = {
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) [LC_LEAK_##id] = name,
#include "findings.def"
};
static const char *const leak_phrases[LC_LEAK_KINDS] = {
#define LC_LEAK_KIND(id, name, phrase, memcheck, word, mask) [LC_LEAK_##id] = phrase,
#include "findings.def"
};
#define NAME_OF(id, name) name,
static const char *const by_names[LC_BY_COUNT] = { LC_BY_LIST(NAME_OF) };
static const char *const exit_path_names[LC_EXIT_PATH_COUNT] = { LC_EXIT_PATH_LIST(NAME_OF) };
static const char *const incomplete_reasons[LC_INCOMPLETE_COUNT] = { LC_INCOMPLETE_LIST(NAME_OF) };
static int fatal_signal;          // the fatal signal the exit report is made for, 0 when none
#undef NAME_OF

// One finding at a time, so text is never interleaved; held across symbolization: a sleeping lock.
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t error_counts[LC_ERR_KINDS], error_total, errors_suppressed;

/* ---- recorded errors, for the JSON report ---- */

typedef struct recorded_s { lc_error_t e; int supp; } recorded_t;
#define MAX_RECORDED 100000
static recorded_t *recorded;
static size_t nrecorded, recorded_cap;

static void record(const lc_error_t *e, int supp) {
  if (nrecorded == recorded_cap) {
    size_t cap = recorded_cap ? recorded_cap * 2 : 256;
    if (cap > MAX_RECORDED) return;
    recorded_t *n = lc_os_alloc(cap * sizeof *n);
    if (!n) return;
    if (recorded) { memcpy(n, recorded, nrecorded * sizeof *n); lc_os_free(recorded, recorded_cap * sizeof *n); }
    recorded = n; recorded_cap = cap;
  }
  recorded[nrecorded].e = *e;                 // detail is a string literal: it stays valid
  recorded[nrecorded].supp = supp;
  nrecorded++;
}

size_t lc_report_error_count(void) { return error_total; }
void lc_report_lock_all(void) { pthread_mutex_lock(&report_lock); }
void lc_report_unlock_all(void) { pthread_mutex_unlock(&report_lock); }

/* ---- output ---- */

// Report files (outfile.c) are the user's alone unless report_mode=umask asks for the usual permissions.
static unsigned file_mode(void) { return lc_options.report_mode == LC_REPORT_MODE_UMASK ? 0666 : 0600; }

int lc_report_text_fd(void) { return lc_outfile_log_fd(lc_options.log_path, file_mode()); }

static char outbuf[16384];
static size_t outlen;

void lc_out_flush(void) {
  if (outlen) lc_outfile_log_write(lc_report_text_fd(), outbuf, outlen);
  outlen = 0;
}

void lc_out(const char *fmt, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
  if (outlen + len > sizeof outbuf) lc_out_flush();
  memcpy(outbuf + outlen, line, len);
  outlen += len;
}

/* ---- symbolized stacks ---- */

#define MAX_SYM 8
typedef struct frames_s {            // one stack, symbolized: every pc expands to 1..MAX_SYM frames
  lc_sym_frame_t f[LC_MAX_FRAMES * 2];
  int n;
} frames_t;

// One libdwfl session serves every report: opening one reads each module's debug information again, which
// can take a tenth of a second per module. It is renewed when the loader's module list changed since (a
// library dlopen'd or dlclose'd), always at the start of a report, so no string of a report is invalidated
// while the report is written. Used under report_lock only.
static int session_open;
static unsigned long long session_adds, session_subs;

static int read_load_counts(struct dl_phdr_info *info, size_t size, void *arg) {
  unsigned long long *c = arg;
  if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
    c[0] = info->dlpi_adds;
    c[1] = info->dlpi_subs;
  }
  return 1;                                        // the counters are the same in every entry: one is enough
}

static void session_begin(void) {
  if (!lc_options.symbolize) return;
  unsigned long long c[2] = { 0, 0 };
  dl_iterate_phdr(read_load_counts, c);
  // Also renewed when the program closed a file of the session (close_range): it is opened again, never reused.
  if (session_open && c[0] == session_adds && c[1] == session_subs && lc_symbolize_intact()) return;
  if (session_open) lc_symbolize_end();
  lc_symbolize_begin();
  session_open = 1;
  session_adds = c[0];
  session_subs = c[1];
}
static void session_end(void) {}

// Module and offset without libdw, when symbolize=0.
static void plain_frame(uintptr_t pc, lc_sym_frame_t *f) {
  memset(f, 0, sizeof *f);
  f->pc = pc;
  Dl_info info;
  if (dladdr((void *)pc, &info) && info.dli_fname) {
    f->module = info.dli_fname;
    struct link_map *lm = NULL;
    if (dladdr1((void *)pc, &info, (void **)&lm, RTLD_DL_LINKMAP) && lm) f->module_offset = pc - lm->l_addr;
    else f->module_offset = pc - (uintptr_t)info.dli_fbase;
  }
}

static void symbolize_stack(uint32_t id, frames_t *out) {
  out->n = 0;
  const uintptr_t *pcs;
  int n = lc_stackdepot_get(id, &pcs);
  for (int i = 0; i < n && out->n < (int)(sizeof out->f / sizeof out->f[0]); i++) {
    int room = (int)(sizeof out->f / sizeof out->f[0]) - out->n;
    if (lc_options.symbolize) out->n += lc_symbolize_pc(pcs[i], 0, &out->f[out->n], room < MAX_SYM ? room : MAX_SYM);
    else plain_frame(pcs[i], &out->f[out->n++]);
  }
}

static void print_frames(const frames_t *fr) {
  if (fr->n == 0) { lc_out("    (no stack recorded)\n"); return; }
  int level = 0;
  for (int i = 0; i < fr->n; i++) {
    const lc_sym_frame_t *f = &fr->f[i];
    lc_out("    #%d 0x%lx in %s", level, (unsigned long)f->pc, f->function ? f->function : "??");
    if (f->file) {
      lc_out(" %s", f->file);
      if (f->line) lc_out(":%d", f->line);
    } else if (f->module) {
      lc_out(" (%s+0x%lx)", f->module, (unsigned long)f->module_offset);
    }
    lc_out("%s\n", f->inlined ? " (inlined)" : "");
    if (!f->inlined) level++;
  }
}

void lc_out_stack(uint32_t id) {
  static frames_t fr;
  symbolize_stack(id, &fr);
  print_frames(&fr);
}

static void to_supp_frames(const frames_t *fr, lc_supp_frame_t *sf, int *n) {
  *n = fr->n;
  for (int i = 0; i < fr->n; i++) {
    sf[i].function = fr->f[i].function;
    sf[i].file = fr->f[i].file;
    sf[i].module = fr->f[i].module;
  }
}

static int supp_loaded;
static void load_suppressions(void) {
  if (supp_loaded) return;
  supp_loaded = 1;
  lc_supp_load(lc_options.suppressions, lc_options.default_suppressions);
}

// Matches a finding's stack against the suppressions; returns the rule index or -1.
static int suppressed(const char *kind, const frames_t *fr) {
  static lc_supp_frame_t sf[LC_MAX_FRAMES * 2];
  int n;
  load_suppressions();
  if (lc_supp_count() == 0) return -1;
  to_supp_frames(fr, sf, &n);
  return lc_supp_match(kind, sf, n);
}

/* ---- fingerprints: fingerprint.c, on the frames as the JSON report gives them ---- */

static uint64_t fingerprint(const char *kind, const frames_t *fr) {
  lc_fp_frame_t f[LC_FINGERPRINT_FRAMES];
  int n = fr->n < LC_FINGERPRINT_FRAMES ? fr->n : LC_FINGERPRINT_FRAMES;
  for (int i = 0; i < n; i++)
    f[i] = (lc_fp_frame_t){ fr->f[i].function, fr->f[i].module, fr->f[i].line, fr->f[i].function_line };
  return lc_fingerprint_compute(kind, f, n);
}

/* ---- an error: made, described ---- */

lc_error_t lc_report_make_error(lc_error_kind_t kind, lc_by_t by, const void *p, const void *block,
                                const lc_header_t *h, const lc_damage_t *d, uint32_t stack, const char *detail) {
  lc_error_t e = { .kind = kind, .by = by, .address = (uintptr_t)p, .detected_stack = stack, .detail = detail };
  if (h) {
    e.has_block = 1;
    e.block = (uintptr_t)block;
    e.block_size = h->size;
    e.block_state = (lc_block_state_t)h->state;
    e.alloc_stack = h->alloc_stack;
    e.free_stack = h->free_stack;
    e.offset = (int64_t)((uintptr_t)p - e.block);
  }
  if (d) {
    e.has_damage = 1;
    e.damage = *d;
    e.offset = d->offset;
    e.address = e.block + (uintptr_t)d->offset;
  }
  return e;
}

static void describe(const lc_error_t *e, char *out, size_t cap) {
  long long off = (long long)e->offset;
  size_t bs = e->block_size;
  switch (e->kind) {
    case LC_ERR_OVERFLOW: {
      long long after = off - (long long)bs + 1;
      snprintf(out, cap, "%lld byte%s after the %zu-byte block", after, after == 1 ? "" : "s", bs);
      break;
    }
    case LC_ERR_UNDERFLOW:
      snprintf(out, cap, "%lld byte%s before the %zu-byte block", -off, off == -1 ? "" : "s", bs);
      break;
    case LC_ERR_USE_AFTER_FREE:
      if (e->has_damage && off >= 0 && (size_t)off < bs)
        snprintf(out, cap, "write %lld byte%s inside the freed %zu-byte block", off, off == 1 ? "" : "s", bs);
      else if (e->has_damage)
        snprintf(out, cap, "write at offset %lld of the freed %zu-byte block", off, bs);
      else
        snprintf(out, cap, "the %zu-byte block was freed already", bs);
      break;
    case LC_ERR_DOUBLE_FREE:
      snprintf(out, cap, "second free of the %zu-byte block", bs);
      break;
    case LC_ERR_INVALID_FREE:
      if (e->has_block)
        snprintf(out, cap, "pointer %lld bytes inside the %zu-byte %sblock", off, bs,
                 e->block_state == LC_BLOCK_LIVE ? "" : "freed ");
      else snprintf(out, cap, "%s", e->detail ? e->detail : "pointer not allocated by heapcheck");
      break;
    case LC_ERR_MISMATCHED_FREE:
      snprintf(out, cap, "%s", e->detail ? e->detail : "allocation and release functions do not match");
      break;
    case LC_ERR_SIZE_TOO_BIG:
      if (e->count)
        snprintf(out, cap, "%s(%zu, %zu): the size overflows", by_names[e->by], e->count, e->requested);
      else
        snprintf(out, cap, "%s(%zu): more than the maximum of %llu bytes", by_names[e->by], e->requested,
                 (unsigned long long)LC_MAX_SIZE);
      break;
    case LC_ERR_CORRUPTED_HEADER:
      snprintf(out, cap, "the header before the block at 0x%lx was overwritten", (unsigned long)e->address);
      break;
    case LC_ERR_CORRUPTED_HEAP: {                 // the address damaged, placed against the nearest block if known
      int n = snprintf(out, cap, "heap metadata at 0x%lx was overwritten", (unsigned long)e->address);
      if (n < 0 || (size_t)n >= cap || !e->has_block) break;
      long long d = off >= (long long)bs ? off - (long long)bs + 1 : off < 0 ? -off : off;
      snprintf(out + n, cap - (size_t)n, ", %lld byte%s %s the %zu-byte %sblock", d, d == 1 ? "" : "s",
               off >= (long long)bs ? "after" : off < 0 ? "before" : "into", bs,
               e->block_state == LC_BLOCK_LIVE ? "" : "freed ");
      break;
    }
    default:
      snprintf(out, cap, "?");
  }
}

// The detail sentence says more than the description (which already folds it in for some kinds).
static int detail_adds(const lc_error_t *e) {
  return e->detail && e->kind != LC_ERR_INVALID_FREE && e->kind != LC_ERR_MISMATCHED_FREE;
}

static void hex(const unsigned char *b, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) { out[2 * i] = digits[b[i] >> 4]; out[2 * i + 1] = digits[b[i] & 15]; }
  out[2 * n] = 0;
}

static frames_t err_frames[3];      // detected, alloc, free: used under report_lock only

// Reporting writes and opens files, which are cancellation points: a thread cancelled there would die holding
// report_lock (malloc and free are no cancellation points, so the program cannot expect that).
static int report_begin(void) {
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  pthread_mutex_lock(&report_lock);
  return old;
}

static void report_end(int cancel_state) {
  pthread_mutex_unlock(&report_lock);
  pthread_setcancelstate(cancel_state, NULL);
}

void lc_report_error(const lc_error_t *e) {
  int cancel_state = report_begin();
  session_begin();
  symbolize_stack(e->detected_stack, &err_frames[0]);
  symbolize_stack(e->alloc_stack, &err_frames[1]);
  symbolize_stack(e->free_stack, &err_frames[2]);
  const char *kind = lc_error_kind_names[e->kind];
  int supp = suppressed(kind, &err_frames[0]);
  if (supp < 0 && e->alloc_stack) supp = suppressed(kind, &err_frames[1]);
  if (supp >= 0) {
    errors_suppressed++;
    record(e, supp + 1);
    session_end();
    report_end(cancel_state);
    return;
  }
  error_counts[e->kind]++;
  error_total++;
  record(e, 0);
  int pid = (int)getpid();
  char what[256];
  describe(e, what, sizeof what);
  lc_out("==%d== heapcheck: %s: %s", pid, kind, what);
  if (e->has_block) lc_out(" at 0x%lx", (unsigned long)e->block);
  lc_out(" (found by %s)\n", by_names[e->by]);
  if (detail_adds(e)) lc_out("==%d==   %s\n", pid, e->detail);
  if (e->has_damage && e->damage.shown) {
    char f[40], x[40];
    hex(e->damage.found, e->damage.shown, f);
    hex(e->damage.expected, e->damage.shown, x);
    lc_out("==%d==   %zu damaged byte%s from 0x%lx: found %s, expected %s\n", pid, e->damage.length,
           e->damage.length == 1 ? "" : "s", (unsigned long)e->address, f, x);
  }
  lc_out("==%d==   detected at:\n", pid);
  print_frames(&err_frames[0]);
  if (e->alloc_stack) { lc_out("==%d==   block allocated at:\n", pid); print_frames(&err_frames[1]); }
  if (e->free_stack) { lc_out("==%d==   block freed at:\n", pid); print_frames(&err_frames[2]); }
  lc_out("\n");
  lc_out_flush();
  session_end();
  report_end(cancel_state);
  if (lc_options.abort_on_error) {
    lc_write_all(lc_report_text_fd(), "heapcheck: abort_on_error=1: aborting\n", 38);
    abort();
  }
}


/* ---- JSON: the pieces of the report (the writer itself is json_out.c) ---- */

static lc_json_t json;
static frames_t exit_fr;           // a stack of the exit-time report, its JSON included: under report_lock only

static void jstack(lc_json_t *j, const frames_t *fr) { lc_json_frames(j, fr->f, fr->n); }

// The command line, read in pieces (it can be longer than any buffer): each argument as a JSON string.
static void jcommand(lc_json_t *j) {
  char buf[4096];
  int fd = lc_os_open("/proc/self/cmdline", O_RDONLY, 0);
  LC_JSON_LIT(j, "[");
  int open_arg = 0, any = 0;                 // a string is open (its argument continues in the next piece)
  ssize_t n;
  while (fd >= 0 && (n = lc_os_read(fd, buf, sizeof buf - 1)) > 0) {
    buf[n] = 0;
    for (ssize_t i = 0; i < n;) {
      size_t len = strlen(buf + i);
      if (!open_arg) {
        if (any) LC_JSON_LIT(j, ", ");
        LC_JSON_LIT(j, "\"");
        any = 1;
      }
      lc_json_str_body(j, buf + i);            // a character cut between two pieces becomes U+FFFD, no worse
      open_arg = i + (ssize_t)len >= n;           // no NUL in this piece: the argument continues
      if (!open_arg) LC_JSON_LIT(j, "\"");
      i += (ssize_t)len + 1;
    }
  }
  if (open_arg) LC_JSON_LIT(j, "\"");
  if (fd >= 0) lc_os_close(fd);
  LC_JSON_LIT(j, "]");
}

static void json_errors(lc_json_t *j) {
  LC_JSON_LIT(j, "  \"errors\": [");
  int first = 1;
  for (size_t i = 0; i < nrecorded; i++) {
    const lc_error_t *e = &recorded[i].e;
    if (recorded[i].supp) continue;
    const char *kind = lc_error_kind_names[e->kind];
    char what[256];
    describe(e, what, sizeof what);
    symbolize_stack(e->detected_stack, &exit_fr);
    lc_json_fmt(j, "%s\n    {\"kind\": \"%s\", \"fingerprint\": \"%016llx\", \"address\": \"0x%lx\"", first ? "" : ",",
                kind, (unsigned long long)fingerprint(kind, &exit_fr), (unsigned long)e->address);
    first = 0;
    if (e->has_block)
      lc_json_fmt(j, ", \"block_address\": \"0x%lx\", \"block_size\": %zu, \"offset\": %lld", (unsigned long)e->block,
                  e->block_size, (long long)e->offset);
    LC_JSON_LIT(j, ", \"description\": ");
    lc_json_str(j, what);
    LC_JSON_LIT(j, ", \"found_by\": ");
    lc_json_str(j, by_names[e->by]);
    if (detail_adds(e)) { LC_JSON_LIT(j, ", \"detail\": "); lc_json_str(j, e->detail); }
    if (e->kind == LC_ERR_SIZE_TOO_BIG) {
      lc_json_fmt(j, ", \"requested\": %zu", e->requested);
      if (e->count) lc_json_fmt(j, ", \"count\": %zu", e->count);
    }
    if (e->has_damage && e->damage.shown) {
      char f[40], x[40];
      hex(e->damage.found, e->damage.shown, f);
      hex(e->damage.expected, e->damage.shown, x);
      lc_json_fmt(j, ", \"damaged_bytes\": %zu, \"expected\": \"%s\", \"found\": \"%s\"", e->damage.length, x, f);
    }
    LC_JSON_LIT(j, ", \"stacks\": {\"detected\": ");
    jstack(j, &exit_fr);
    if (e->alloc_stack) {
      symbolize_stack(e->alloc_stack, &exit_fr);
      LC_JSON_LIT(j, ", \"alloc\": ");
      jstack(j, &exit_fr);
    }
    if (e->free_stack) {
      symbolize_stack(e->free_stack, &exit_fr);
      LC_JSON_LIT(j, ", \"free\": ");
      jstack(j, &exit_fr);
    }
    LC_JSON_LIT(j, "}}");
  }
  LC_JSON_LIT_SEL(j, first, "],\n", "\n  ],\n");
}

/* ---- the exit-time report, in the steps of LeakSanitizer's LeakReport: decide suppressions, totals, the
 * text list, the summary, the JSON report ---- */

static int shown(lc_leak_kind_t k) {
  if (k == LC_LEAK_DEFINITE) return 1;
  if (k == LC_LEAK_POSSIBLE) return lc_options.show_possibly;
  return lc_options.show_reachable;
}

static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

// What lc_report_final_begin worked out, for lc_report_final_end (under report_lock from one to the other).
static struct {
  int cancel_state;
  const lc_leak_result_t *r;           // NULL: no scan ran
  lc_leak_result_t sum;                // the scan's totals less what suppressions took out
  uint64_t supp_bytes, supp_blocks;    // suppressed, indirect blocks included
  uint64_t shown_bytes, shown_blocks;  // listed as lost (definite, possible when shown), indirect included
  lc_finding_counts_t left;            // not suppressed
} fin;

// Which group is suppressed, and each group's fingerprint; the summary and the text depend on it.
static void decide(lc_leak_result_t *r) {
  for (size_t i = 0; r && i < r->ngroups; i++) {
    lc_leak_group_t *g = &r->groups[i];
    // Still reachable groups are neither suppressed nor counted: symbolize them only when they are listed
    // (a compiler keeps thousands of them at exit).
    if (g->kind == LC_LEAK_REACHABLE && !shown(g->kind)) { g->report_supp = 0; continue; }
    symbolize_stack(g->stack, &exit_fr);
    g->report_fingerprint = fingerprint(leak_kind_names[g->kind], &exit_fr);
    g->report_supp = g->kind == LC_LEAK_REACHABLE ? 0 : suppressed(leak_kind_names[g->kind], &exit_fr) + 1;
  }
}

// Why the leak check asked for did not complete, or NONE: no result at all, no tables, or roots unknown. A thread
// that did not stop for the scan does not make it incomplete: its unseen registers can make a block look lost
// that was not, never hide one that was.
static lc_incomplete_t incomplete_of(const lc_leak_result_t *r) {
  if (lc_options.leak_check == LC_LEAK_CHECK_NO) return LC_INCOMPLETE_NONE;
  if (!r) return LC_INCOMPLETE_NO_RESULT;
  if (!r->incomplete && !r->unscanned) return LC_INCOMPLETE_NONE;
  if (r->incomplete_reason != LC_INCOMPLETE_NONE) return r->incomplete_reason;
  return r->unscanned ? LC_INCOMPLETE_NO_TABLES : LC_INCOMPLETE_NO_EXCLUSIONS;
}

static void totals(const lc_leak_result_t *r) {
  lc_leak_result_t taken = { 0 };      // what the suppressed groups hold
  lc_finding_counts_t left = { .errors = error_total };
  fin.supp_bytes = fin.supp_blocks = fin.shown_bytes = fin.shown_blocks = 0;
  for (size_t i = 0; r && i < r->ngroups; i++) {
    const lc_leak_group_t *g = &r->groups[i];
    if (g->report_supp) {
      fin.supp_bytes += g->bytes + g->indirect_bytes;
      fin.supp_blocks += g->blocks + g->indirect_blocks;
      taken.indirect_bytes += g->indirect_bytes;     // suppressed means counted nowhere else
      taken.indirect_blocks += g->indirect_blocks;
      if (g->kind == LC_LEAK_DEFINITE) { taken.definite_bytes += g->bytes; taken.definite_blocks += g->blocks; }
      else { taken.possible_bytes += g->bytes; taken.possible_blocks += g->blocks; }
      continue;
    }
    if (g->kind == LC_LEAK_DEFINITE) left.definite_blocks += g->blocks;
    else if (g->kind == LC_LEAK_POSSIBLE) left.possible_blocks += g->blocks;
    else left.reachable_blocks += g->blocks;
    if (shown(g->kind) && g->kind != LC_LEAK_REACHABLE) {
      fin.shown_bytes += g->bytes + g->indirect_bytes;
      fin.shown_blocks += g->blocks + g->indirect_blocks;
    }
  }
  lc_leak_result_t *sum = &fin.sum;
  *sum = (lc_leak_result_t){ 0 };
  if (r) {
    sum->definite_bytes = r->definite_bytes - taken.definite_bytes;
    sum->definite_blocks = r->definite_blocks - taken.definite_blocks;
    sum->indirect_bytes = r->indirect_bytes - taken.indirect_bytes;
    sum->indirect_blocks = r->indirect_blocks - taken.indirect_blocks;
    sum->possible_bytes = r->possible_bytes - taken.possible_bytes;
    sum->possible_blocks = r->possible_blocks - taken.possible_blocks;
    sum->reachable_bytes = r->reachable_bytes;
    sum->reachable_blocks = r->reachable_blocks;
  }
  if (r && r->ungrouped) {                    // no groups, so nothing was suppressed: the totals decide
    left.definite_blocks = sum->definite_blocks;
    left.possible_blocks = sum->possible_blocks;
    left.reachable_blocks = sum->reachable_blocks;
  }
  left.incomplete = incomplete_of(r);
  fin.left = left;
}

// The leaks one by one, largest first within each kind (leak_check=full only).
static void say_leaks(const lc_leak_result_t *r, int pid) {
  if (!r || lc_options.leak_check != LC_LEAK_CHECK_FULL) return;
  size_t total_shown = 0;
  for (size_t i = 0; i < r->ngroups; i++) if (!r->groups[i].report_supp && shown(r->groups[i].kind)) total_shown++;
  size_t k = 0;
  for (size_t i = 0; i < r->ngroups; i++) {
    const lc_leak_group_t *g = &r->groups[i];
    if (g->report_supp || !shown(g->kind)) continue;
    k++;
    lc_out("==%d== %llu bytes in %llu block%s %s %s", pid, (unsigned long long)g->bytes,
           (unsigned long long)g->blocks, plural(g->blocks), g->blocks == 1 ? "is" : "are", leak_phrases[g->kind]);
    if (g->indirect_blocks)
      lc_out(" (+%llu bytes in %llu block%s indirectly)", (unsigned long long)g->indirect_bytes,
             (unsigned long long)g->indirect_blocks, plural(g->indirect_blocks));
    lc_out(" [%zu of %zu]\n", k, total_shown);
    lc_out_stack(g->stack);
    lc_out("\n");
  }
}

static void say_leak_summary(const lc_leak_result_t *r, int pid) {
  const lc_leak_result_t *s = &fin.sum;
  lc_out("==%d== LEAK SUMMARY:\n", pid);
  lc_out("==%d==    definitely lost: %llu bytes in %llu blocks\n", pid, (unsigned long long)s->definite_bytes,
         (unsigned long long)s->definite_blocks);
  lc_out("==%d==    indirectly lost: %llu bytes in %llu blocks\n", pid, (unsigned long long)s->indirect_bytes,
         (unsigned long long)s->indirect_blocks);
  lc_out("==%d==      possibly lost: %llu bytes in %llu blocks\n", pid, (unsigned long long)s->possible_bytes,
         (unsigned long long)s->possible_blocks);
  lc_out("==%d==    still reachable: %llu bytes in %llu blocks\n", pid, (unsigned long long)s->reachable_bytes,
         (unsigned long long)s->reachable_blocks);
  lc_out("==%d==         suppressed: %llu bytes in %llu blocks\n", pid, (unsigned long long)fin.supp_bytes,
         (unsigned long long)fin.supp_blocks);
  if (r->ungrouped)
    lc_out("==%d== warning: no memory was left to group the leaks by stack: totals only\n", pid);
  if (r->threads_unresponsive)
    lc_out("==%d== note: %d thread%s did not stop for the scan; their registers were not seen\n", pid,
           r->threads_unresponsive, r->threads_unresponsive == 1 ? "" : "s");
}

// A leak check that did not complete is a finding of its own: said whatever else was found.
static void say_incomplete(int pid, int status) {
  if (fin.left.incomplete == LC_INCOMPLETE_NONE) return;
  lc_out("==%d== error: the leak check did not complete: %s; leaks may be missing from this report", pid,
         incomplete_reasons[fin.left.incomplete]);
  if (status >= 0) lc_out(", so the run fails as for a finding (exit status %d)", status);
  lc_out("\n");
}

// Heap, leak and error summaries: when something was found, or with verbosity=1.
static void say_summary(const lc_leak_result_t *r, const lc_heap_usage_t *u, int pid, int status) {
  say_incomplete(pid, status);
  const lc_finding_counts_t *left = &fin.left;
  int any = left->errors > 0 || left->definite_blocks > 0 || (left->possible_blocks > 0 && lc_options.show_possibly) ||
            left->incomplete != LC_INCOMPLETE_NONE;
  if (!any && lc_options.verbosity <= 0) return;
  lc_out("==%d== HEAP SUMMARY:\n", pid);
  int scanned = r && !r->unscanned;      // else the scan's counts are zeros, not the heap
  if (scanned) lc_out("==%d==     in use at exit: %llu bytes in %llu blocks\n", pid, (unsigned long long)r->in_use_bytes,
                (unsigned long long)r->in_use_blocks);
  lc_out("==%d==   total heap usage: %llu allocs, %llu frees, %llu bytes allocated\n", pid,
         (unsigned long long)u->allocs, (unsigned long long)u->frees, (unsigned long long)u->bytes_allocated);
  if (scanned) say_leak_summary(r, pid);
  if (error_total) {
    lc_out("==%d== ERROR SUMMARY: %zu error%s (", pid, error_total, error_total == 1 ? "" : "s");
    int first = 1;
    for (int k = 0; k < LC_ERR_KINDS; k++)
      if (error_counts[k]) { lc_out("%s%s: %zu", first ? "" : ", ", lc_error_kind_names[k], error_counts[k]); first = 0; }
    lc_out(")\n");
  }
  if (fin.shown_blocks || error_total)
    lc_out("SUMMARY: heapcheck: %llu byte(s) leaked in %llu allocation(s).\n", (unsigned long long)fin.shown_bytes,
           (unsigned long long)fin.shown_blocks);
}

// Warnings about the set-up are said even for a clean run: a stale rule or a full depot hides findings.
static void say_setup_warnings(int pid) {
  for (int i = 0; i < lc_supp_count(); i++)
    if (!lc_supp_is_default(i) && lc_supp_matched(i) == 0)
      lc_out("==%d== warning: suppression '%s' (%s) matched nothing\n", pid, lc_supp_rule_text(i), lc_supp_rule_source(i));
  if (lc_options_rejected_count())
    lc_out("==%d== warning: options rejected at start-up: %s\n", pid, lc_options_rejected_names());
  if (lc_stackdepot_dropped())
    lc_out("==%d== warning: %llu stacks were not recorded (the stack depot is full or got no memory)\n", pid,
           (unsigned long long)lc_stackdepot_dropped());
}

static void json_leaks(lc_json_t *j, const lc_leak_result_t *r) {
  LC_JSON_LIT(j, "  \"leaks\": [");
  int first = 1;
  for (size_t i = 0; r && i < r->ngroups; i++) {
    const lc_leak_group_t *g = &r->groups[i];
    if (!g->report_supp && !shown(g->kind)) continue;
    symbolize_stack(g->stack, &exit_fr);
    lc_json_fmt(j, "%s\n    {\"kind\": \"%s\", \"fingerprint\": \"%016llx\", \"bytes\": %llu, \"blocks\": %llu, "
                   "\"indirect_bytes\": %llu, \"indirect_blocks\": %llu, \"stack\": ",
                first ? "" : ",", leak_kind_names[g->kind], (unsigned long long)g->report_fingerprint,
                (unsigned long long)g->bytes, (unsigned long long)g->blocks, (unsigned long long)g->indirect_bytes,
                (unsigned long long)g->indirect_blocks);
    first = 0;
    jstack(j, &exit_fr);
    LC_JSON_LIT(j, ", \"suppressed_by\": ");
    lc_json_str(j, g->report_supp ? lc_supp_rule_text(g->report_supp - 1) : NULL);
    LC_JSON_LIT(j, "}");
  }
  LC_JSON_LIT_SEL(j, first, "],\n", "\n  ],\n");
}

static void json_suppressions(lc_json_t *j) {
  LC_JSON_LIT(j, "  \"suppressions\": [");
  int first = 1;
  for (int i = 0; i < lc_supp_count(); i++) {
    if (lc_supp_is_default(i) && lc_supp_matched(i) == 0) continue;
    LC_JSON_LIT_SEL(j, first, "\n    {\"rule\": ", ",\n    {\"rule\": ");
    lc_json_str(j, lc_supp_rule_text(i));
    LC_JSON_LIT(j, ", \"source\": ");
    lc_json_str(j, lc_supp_rule_source(i));
    lc_json_fmt(j, ", \"matched\": %llu}", (unsigned long long)lc_supp_matched(i));
    first = 0;
  }
  LC_JSON_LIT_SEL(j, first, "],\n", "\n  ],\n");
}

// The exit-status policy the report was made under, and what the text could not say or left out of the findings:
// heapcheck-report check decides from these as the process did (docs/report-schema.md).
static void json_policy(lc_json_t *j, const lc_exit_policy_t *p) {
  LC_JSON_LIT(j, "    \"counted_leak_kinds\": [");
  int first = 1;
  for (int k = 0; k < LC_LEAK_KINDS; k++)
    if (p->counted_leaks & LC_LEAK_KIND_BIT(k)) {
      lc_json_fmt(j, "%s\"%s\"", first ? "" : ", ", leak_kind_names[k]);
      first = 0;
    }
  lc_json_fmt(j, "],\n    \"incomplete\": %s,\n    \"incomplete_reason\": ",
              fin.left.incomplete != LC_INCOMPLETE_NONE ? "true" : "false");
  lc_json_str(j, fin.left.incomplete != LC_INCOMPLETE_NONE ? incomplete_reasons[fin.left.incomplete] : NULL);
  // The rejected names that failed the run, one string each ("..." last when the list was cut).
  LC_JSON_LIT(j, ",\n    \"options_rejected\": [");
  const char *names = p->options_fail ? lc_options_rejected_names() : "";
  for (const char *n = names; *n;) {
    size_t len = strcspn(n, ",");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), n);
    if (n != names) LC_JSON_LIT(j, ", ");
    lc_json_str(j, name);
    n += len + (n[len] == ',');
  }
  lc_json_fmt(j, "],\n    \"text_lost\": %s,\n", lc_text_lost() ? "true" : "false");
}

static void json_summary(lc_json_t *j, const lc_leak_result_t *r, const lc_heap_usage_t *u, int status,
                         const lc_exit_policy_t *policy) {
  const lc_leak_result_t *s = &fin.sum;
  lc_json_fmt(j, "  \"summary\": {\n    \"heap\": {\"in_use_bytes\": %llu, \"in_use_blocks\": %llu, "
                 "\"total_allocs\": %llu, \"total_frees\": %llu, \"total_bytes\": %llu},\n",
              (unsigned long long)(r ? r->in_use_bytes : 0), (unsigned long long)(r ? r->in_use_blocks : 0),
              (unsigned long long)u->allocs, (unsigned long long)u->frees, (unsigned long long)u->bytes_allocated);
  if (r)
    lc_json_fmt(j, "    \"leaks\": {\"definite_bytes\": %llu, \"definite_blocks\": %llu, \"indirect_bytes\": %llu, "
                   "\"indirect_blocks\": %llu, \"possible_bytes\": %llu, \"possible_blocks\": %llu, "
                   "\"reachable_bytes\": %llu, \"reachable_blocks\": %llu, \"suppressed_bytes\": %llu, "
                   "\"suppressed_blocks\": %llu},\n",
                (unsigned long long)s->definite_bytes, (unsigned long long)s->definite_blocks,
                (unsigned long long)s->indirect_bytes, (unsigned long long)s->indirect_blocks,
                (unsigned long long)s->possible_bytes, (unsigned long long)s->possible_blocks,
                (unsigned long long)s->reachable_bytes, (unsigned long long)s->reachable_blocks,
                (unsigned long long)fin.supp_bytes, (unsigned long long)fin.supp_blocks);
  else
    LC_JSON_LIT(j, "    \"leaks\": null,\n");
  LC_JSON_LIT(j, "    \"errors\": {");
  int first = 1;
  for (int k = 0; k < LC_ERR_KINDS; k++)
    if (error_counts[k]) {
      lc_json_fmt(j, "%s\"%s\": %zu", first ? "" : ", ", lc_error_kind_names[k], error_counts[k]);
      first = 0;
    }
  lc_json_fmt(j, "},\n    \"error_count\": %zu,\n    \"errors_suppressed\": %zu,\n", error_total, errors_suppressed);
  if (status >= 0) lc_json_fmt(j, "    \"exit_status\": %d,\n", status);
  else LC_JSON_LIT(j, "    \"exit_status\": null,\n");
  json_policy(j, policy);
  lc_json_fmt(j, "    \"scan_seconds\": %.6f,\n    \"stack_depot_bytes\": %zu,\n    \"stacks\": %llu\n  }\n}\n",
              r ? r->scan_seconds : 0.0, lc_stackdepot_bytes(), (unsigned long long)lc_stackdepot_count());
}

// The JSON report's file (outfile.c): a temporary beside json_path, renamed over it once whole; -1 when none.
static int open_json(lc_outfile_t *out) {
  if (!lc_options.json_path[0]) return -1;
  return lc_outfile_create(out, "json_path", lc_options.json_path, file_mode());
}

static void write_json(const lc_leak_result_t *r, const lc_heap_usage_t *u, lc_exit_path_t path, int status,
                       const lc_exit_policy_t *policy, int pid) {
  static lc_outfile_t out;          // under report_lock
  int fd = open_json(&out);
  if (fd < 0) return;
  lc_json_t *j = &json;
  lc_json_begin(j, fd);
  lc_json_fmt(j, "{\n  \"heapcheck_report\": 2,\n  \"tool\": \"heapcheck\",\n  \"tool_version\": \"%s\",\n",
              LC_VERSION);
  lc_json_fmt(j, "  \"pid\": %d,\n  \"ppid\": %d,\n  \"command\": ", pid, (int)getppid());
  jcommand(j);
  LC_JSON_LIT(j, ",\n  \"exit_path\": ");
  lc_json_str(j, exit_path_names[path]);
  if (path == LC_EXIT_PATH_SIGNAL) {
    const char *name = fatal_signal ? sigabbrev_np(fatal_signal) : NULL;
    lc_json_fmt(j, ",\n  \"signal\": \"SIG%s\"", name ? name : "UNKNOWN");
  }
  LC_JSON_LIT(j, ",\n  \"options\": ");
  lc_json_str(j, lc_options_raw());
  LC_JSON_LIT(j, ",\n");
  json_errors(j);
  json_leaks(j, r);
  json_suppressions(j);
  json_summary(j, r, u, status, policy);
  int failed = lc_json_end(j) != 0;
  if (lc_outfile_commit(&out, !failed) != 0) {
    char msg[LC_OUTFILE_PATH_MAX + 64];
    int n = snprintf(msg, sizeof msg, "heapcheck: could not write the JSON report to '%s'\n", out.path);
    lc_write_all(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
  }
}

void lc_report_set_signal(int sig) { fatal_signal = sig; }

lc_finding_counts_t lc_report_final_begin(lc_leak_result_t *r) {
  fin.cancel_state = report_begin();
  session_begin();
  load_suppressions();
  fin.r = r;
  decide(r);
  totals(r);
  return fin.left;
}

void lc_report_final_end(const lc_heap_usage_t *usage, lc_exit_path_t path, int status, const lc_exit_policy_t *policy) {
  int pid = (int)getpid();
  say_leaks(fin.r, pid);
  say_summary(fin.r, usage, pid, status);
  say_setup_warnings(pid);
  lc_out_flush();
  write_json(fin.r, usage, path, status, policy, pid);
  fin.r = NULL;
  session_end();
  report_end(fin.cancel_state);
}
