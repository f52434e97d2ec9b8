/* outfile.h: heapcheck's output files (log_path, json_path): the name each process writes, created so that no link,
 * file or directory of another user can turn them against the program, through descriptors above the program's
 * range that are checked before each use. Layer 1: uses lc and os only; knows no option and no report (its callers
 * pass the pattern and the mode). */
#ifndef LC_OUTFILE_H
#define LC_OUTFILE_H

#include "lc.h"

#include <sys/types.h>

#define LC_OUTFILE_PATH_MAX 4096

// This process is the root of the checked tree (the program itself: the driver's root_pid, or a process whose
// parent does not run with libheapcheck), as init.c found it at start-up. A process forked from it is not (its pid
// differs). Never called (a unit test): every process is taken for the root.
void lc_outfile_set_root(int is_root);
// 1 when pattern names a file per pid (it holds %p); 0 when every process would get the same name from it.
int lc_outfile_has_pid(const char *pattern);
// The name this process writes: pattern with every %p replaced by the pid; with per_process, when pattern has no
// %p and this process is not the root, ".PID" goes before the extension of the last component, or at its end
// when it has none (r.json -> r.4242.json, out -> out.4242). Returns 0, or -1 when it does not fit in cap.
int lc_outfile_name(const char *pattern, int per_process, char *out, size_t cap);

/* ---- a whole report (json_path) ---- */

typedef struct lc_outfile_s {
  int fd;                           // what the report is written to; -1: nothing open
  int dir;                          // the final name's directory: the rename happens in it, not through the path
  char path[LC_OUTFILE_PATH_MAX];   // the final name, as expanded
  char tmp[256];                    // the temporary's name in dir; "" when the file is written in place
} lc_outfile_t;

// Opens what a whole report for pattern (the option `what`, for messages) is written to: a new temporary beside
// the final name, created O_EXCL with an unpredictable name and mode (less the umask), or, when the final name is
// a FIFO or a device of this user or root, that file itself. Refused, said on stderr: a symbolic link as the final
// name, a directory that every user may write to and that is not sticky, any other error.
// Returns f->fd, or -1.
int lc_outfile_create(lc_outfile_t *f, const char *what, const char *pattern, unsigned mode);
// Closes f. ok: the temporary replaces the final name (one rename: a reader sees the old file or the whole new
// one); else it is removed. Returns 0 when the final name holds the whole report.
int lc_outfile_commit(lc_outfile_t *f, int ok);

/* ---- the text report (log_path) ---- */

// The descriptor text goes to: the file pattern names (%p expanded; shared by every process without it, appended
// to), opened at the first call and again when the program closed it or another file took its number (checked
// with fstat before each use, never written blindly), in a forked child under the child's own name; or 2 (the
// program's stderr, lc.c) when pattern is empty, the file cannot be opened safely (said once on stderr) or a
// write to it failed. A new file gets mode (less the umask).
int lc_outfile_log_fd(const char *pattern, unsigned mode);
// Writes buf to fd (as lc_out_flush got it from lc_outfile_log_fd) as lc_write_all does. When a write to the log
// fails (a full file system), it says so once on stderr, with the path and the error, and buf and all later text
// go to stderr. Returns 0, or -1 when buf reached neither.
int lc_outfile_log_write(int fd, const char *buf, size_t len);

#endif
