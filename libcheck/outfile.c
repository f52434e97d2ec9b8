/* outfile.c: names and creates heapcheck's output files (see outfile.h) and keeps the log's descriptor honest.
 * Every name is opened below an O_PATH descriptor of its directory, so what was checked is what is written, and
 * never through a symbolic link; raw opens (not the program's interposed functions), descriptors high and
 * close-on-exec, no allocation, no FILE streams. Decides nothing about what a report says or when it is written. */
#define _GNU_SOURCE
#include "outfile.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- names ---- */

static pid_t root_pid = -1;           // the root's pid; 0: this process is no root; -1: never told

void lc_outfile_set_root(int is_root) { root_pid = is_root ? getpid() : 0; }

static int is_root(void) { return root_pid < 0 || root_pid == getpid(); }

int lc_outfile_has_pid(const char *pattern) { return strstr(pattern, "%p") != NULL; }

int lc_outfile_name(const char *pattern, int per_process, char *out, size_t cap) {
  char pid[24];
  size_t pn = (size_t)snprintf(pid, sizeof pid, "%d", (int)getpid());
  size_t o = 0;
  int has_pid = 0;
  for (const char *p = pattern; *p; p++) {
    const char *piece = p;
    size_t n = 1;
    if (p[0] == '%' && p[1] == 'p') { piece = pid; n = pn; p++; has_pid = 1; }
    if (o + n >= cap) return -1;
    memcpy(out + o, piece, n);
    o += n;
  }
  out[o] = 0;
  if (!per_process || has_pid || is_root()) return 0;
  // One name for every process: each one but the root gets its own, or all but the last to write would be lost.
  if (o + 1 + pn >= cap) return -1;
  char *base = strrchr(out, '/');
  base = base ? base + 1 : out;
  char *dot = strrchr(base, '.');
  if (!dot || dot == base) dot = out + o;          // no extension (".profile" is a name, not an extension)
  memmove(dot + 1 + pn, dot, strlen(dot) + 1);
  dot[0] = '.';
  memcpy(dot + 1, pid, pn);
  return 0;
}

/* ---- safe creation ---- */

static const char why_link[] = "it is a symbolic link (name the file itself)";
static const char why_owner[] = "it belongs to another user";
static const char why_links[] = "it has other names (hard links)";
static const char why_replaced[] = "it was replaced while being opened";
static const char why_dir[] = "its directory is writable by every user and not sticky: any user could replace the "
                              "report (make it sticky, chmod +t, or choose another directory)";

// Another user's file is never written in place: its owner could read or rewrite the report, or have planted it
// (a FIFO that hands the report over, a file the program's user can write to). Root's files are the system's.
static int trusted(uid_t uid) { return uid == geteuid() || uid == 0; }

static int open_at(int dir, const char *name, int flags, unsigned mode) {
  int fd = (int)syscall(SYS_openat, dir, name, flags | O_CLOEXEC | O_NOCTTY, mode);
  return fd < 0 ? fd : lc_os_fd_high(fd);
}

static void close_keep_errno(int fd) {
  int e = errno;
  if (fd >= 0) lc_os_close(fd);
  errno = e;
}

// The directory of path, opened O_PATH, and *base its last component. In a directory that every user may write to
// and that is not sticky, anyone can rename or replace any name, also between a check and an open, and remove or
// replace the report once written: nothing is written there.
static int open_dir(const char *path, const char **base, const char **why) {
  char dir[LC_OUTFILE_PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash) {
    strcpy(dir, ".");
    *base = path;
  } else {
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    memcpy(dir, path, n);
    dir[n] = 0;
    *base = slash + 1;
  }
  if (!**base) { errno = EISDIR; return -1; }
  int d = lc_os_open(dir, O_PATH | O_DIRECTORY, 0);
  if (d < 0) return -1;
  struct stat st;
  if (fstat(d, &st) != 0) { close_keep_errno(d); return -1; }
  if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
    *why = why_dir;
    lc_os_close(d);
    return -1;
  }
  return d;
}

// "heapcheck: cannot VERB WHAT 'PATH': WHY (or the error)TAIL"
static void say(const char *verb, const char *what, const char *path, const char *why, const char *tail) {
  char msg[LC_OUTFILE_PATH_MAX + 512];
  int n = snprintf(msg, sizeof msg, "heapcheck: cannot %s %s '%s': %s%s\n", verb, what, path,
                   why ? why : strerror(errno), tail);
  if (n > 0) lc_write_all(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

// Not guessable by another user: with O_EXCL a guessed name only makes one attempt fail, but a predictable one
// lets that user take every attempt.
static unsigned long long random64(void) {
  unsigned long long r;
  if (syscall(SYS_getrandom, &r, sizeof r, GRND_NONBLOCK) == (long)sizeof r) return r;
  static unsigned long long counter;        // no getrandom (an old kernel, a seccomp filter): still unlikely
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  r = (unsigned long long)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (unsigned long long)ts.tv_sec << 40;
  r ^= (unsigned long long)getpid() << 20 ^ (unsigned long long)(uintptr_t)&ts;
  return r ^ ++counter * 0xBF58476D1CE4E5B9ull;
}

static const char *last_component(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int lc_outfile_create(lc_outfile_t *f, const char *what, const char *pattern, unsigned mode) {
  f->fd = f->dir = -1;
  f->tmp[0] = 0;
  const char *why = NULL, *tail = "", *base;
  if (lc_outfile_name(pattern, 1, f->path, sizeof f->path) != 0) {
    snprintf(f->path, sizeof f->path, "%s", pattern);
    errno = ENAMETOOLONG;
    goto fail;
  }
  f->dir = open_dir(f->path, &base, &why);
  if (f->dir < 0) goto fail;
  struct stat st;
  if (fstatat(f->dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) { why = why_link; goto fail; }
    if (S_ISDIR(st.st_mode)) { errno = EISDIR; goto fail; }
    if (!S_ISREG(st.st_mode)) {
      // A FIFO or a device (/dev/null, a terminal) is written in place: a rename would replace it with a file.
      if (!trusted(st.st_uid)) { why = why_owner; goto fail; }
      f->fd = open_at(f->dir, base, O_WRONLY | O_NOFOLLOW, 0);
      if (f->fd < 0) goto fail;
      struct stat now;
      if (fstat(f->fd, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) return f->fd;
      why = why_replaced;
      goto fail;
    }
  }
  // A new file beside the final name, renamed over it at the end: a reader never sees half a report, and what
  // was at the name (a file of anyone's, a link) is replaced, never written through. O_EXCL with a name nobody
  // can guess: no one can have created it first.
  for (int tries = 0; tries < 16; tries++) {
    snprintf(f->tmp, sizeof f->tmp, "%.200s.tmp.%016llx", base, random64());
    f->fd = open_at(f->dir, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    if (f->fd >= 0) return f->fd;
    if (errno != EEXIST) break;
  }
  f->tmp[0] = 0;
  tail = " (creating a temporary file beside it)";
fail:
  say("write", what, f->path, why, tail);
  close_keep_errno(f->fd);
  close_keep_errno(f->dir);
  f->fd = f->dir = -1;
  f->tmp[0] = 0;
  return -1;
}

int lc_outfile_commit(lc_outfile_t *f, int ok) {
  int r = ok ? 0 : -1;
  if (f->fd >= 0 && lc_os_close(f->fd) != 0 && errno != EINTR) r = -1;   // NFS says write errors at close
  if (f->tmp[0]) {
    if (r == 0 && renameat(f->dir, f->tmp, f->dir, last_component(f->path)) != 0) r = -1;
    if (r != 0) unlinkat(f->dir, f->tmp, 0);
  }
  if (f->dir >= 0) lc_os_close(f->dir);
  f->fd = f->dir = -1;
  f->tmp[0] = 0;
  return r;
}

/* ---- the log ---- */

// The log's descriptor is checked against the file it was opened on before each use: the program may have closed
// it (close_range(3, ~0U, 0)) and opened one of its own files on that number.
static struct {
  lc_lock_t lock;
  int fd;                                // -1: not open
  dev_t dev;
  ino_t ino;
  pid_t pid;                             // the process that opened it (a forked child writes its own)
  int gone;                              // 1: text goes to stderr for good (refused, or a write failed)
  char path[LC_OUTFILE_PATH_MAX];
} lg = { .fd = -1 };

// The text of a signal handler that ends the process (init.c, fatal.c) can come while its thread is in here: it goes
// to stderr instead of waiting for a lock its own thread holds. Callers otherwise hold the report lock, which fork
// takes, so a child never inherits this one held.
static __thread int holding __attribute__((tls_model("initial-exec")));
static int lock_log(void) {
  if (holding) return 0;
  lc_lock(&lg.lock);
  holding = 1;
  return 1;
}
static void unlock_log(void) {
  holding = 0;
  lc_unlock(&lg.lock);
}

static int same_file(int fd, dev_t dev, ino_t ino) {
  struct stat st;
  return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

// The log file at path, appended to: created with mode, or an existing one of this user's (or root's) with no other
// name. Never through a symbolic link, never a file slipped in between the look and the open.
static int open_log(const char *path, unsigned mode, const char **why) {
  const char *base;
  int d = open_dir(path, &base, why);
  if (d < 0) return -1;
  struct stat st, now;
  int fd = -1, exists = fstatat(d, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists)
    // O_NONBLOCK: a FIFO slipped in meanwhile is refused below instead of holding the program until it has a reader
    fd = open_at(d, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, mode);
  else if (S_ISLNK(st.st_mode)) *why = why_link;
  else if (S_ISDIR(st.st_mode)) errno = EISDIR;
  else if (!trusted(st.st_uid)) *why = why_owner;
  else if (S_ISREG(st.st_mode) && st.st_nlink > 1) *why = why_links;
  else fd = open_at(d, base, O_WRONLY | O_APPEND | O_NOFOLLOW, 0);
  if (fd < 0 && errno == ELOOP && !*why) *why = why_link;
  if (fd >= 0) {
    int ok = fstat(fd, &now) == 0;
    if (ok && exists) ok = now.st_dev == st.st_dev && now.st_ino == st.st_ino;
    else if (ok) ok = S_ISREG(now.st_mode) && trusted(now.st_uid) && now.st_nlink == 1 &&
                      fcntl(fd, F_SETFL, O_APPEND) == 0;
    if (!ok) {
      *why = why_replaced;
      lc_os_close(fd);
      fd = -1;
    } else {
      lg.dev = now.st_dev;
      lg.ino = now.st_ino;
    }
  }
  close_keep_errno(d);
  return fd;
}

int lc_outfile_log_fd(const char *pattern, unsigned mode) {
  if (!pattern || !pattern[0] || !lock_log()) return 2;
  int fd = 2;
  pid_t pid = getpid();
  if (lg.gone) goto out;
  if (lg.fd >= 0 && same_file(lg.fd, lg.dev, lg.ino)) {
    if (lg.pid == pid) { fd = lg.fd; goto out; }
    // A forked child: the parent's file when the name is the same (no %p), else a file of its own.
    char path[LC_OUTFILE_PATH_MAX];
    if (lc_outfile_name(pattern, 0, path, sizeof path) == 0 && strcmp(path, lg.path) == 0) {
      lg.pid = pid;
      fd = lg.fd;
      goto out;
    }
    lc_os_close(lg.fd);
  }
  // Not open yet, or its number no longer holds the log: opened (again) by its name. The old number is not closed:
  // it is not ours any more.
  lg.fd = -1;
  const char *why = NULL;
  if (lc_outfile_name(pattern, 0, lg.path, sizeof lg.path) != 0) {
    snprintf(lg.path, sizeof lg.path, "%s", pattern);
    errno = ENAMETOOLONG;
  } else {
    lg.fd = open_log(lg.path, mode, &why);
  }
  if (lg.fd < 0) {
    lg.gone = 1;
    say("open", "log_path", lg.path, why, "; writing to stderr");
    goto out;
  }
  lg.pid = pid;
  fd = lg.fd;
out:
  unlock_log();
  return fd;
}

int lc_outfile_log_write(int fd, const char *buf, size_t len) {
  if (fd == 2 || fd != __atomic_load_n(&lg.fd, __ATOMIC_RELAXED)) return lc_write_all(fd, buf, len);
  int saved = errno;
  const char *p = buf;
  size_t left = len;
  // As lc_write_all, but the error is kept: it is said.
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n > 0) { p += n; left -= (size_t)n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pf = { .fd = fd, .events = POLLOUT };
      if (poll(&pf, 1, -1) >= 0 || errno == EINTR) continue;
    }
    int e = n == 0 ? ENOSPC : errno;
    if (lock_log()) {
      if (lg.fd == fd && !lg.gone) {
        lg.gone = 1;
        lg.fd = -1;
        errno = e;
        say("write", "log_path", lg.path, NULL, "; writing to stderr");
        lc_os_close(fd);
      }
      unlock_log();
    }
    errno = saved;
    return lc_write_all(2, buf, len);       // whole: the part the log took may be all the user can see
  }
  errno = saved;
  return 0;
}
