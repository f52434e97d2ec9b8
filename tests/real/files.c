/* files.c: a program for tests/real/files.sh, whose files and descriptors heapcheck must leave alone.
 *
 *   files leak             leaks 200 bytes in exec_leak() and exits 0
 *   files tree             the root of a process tree: forks a child that leaks 100 bytes in fork_leak(), and one
 *                          that execs this program as "files leak"; waits for both; prints "root PID" and leaks
 *                          nothing itself
 *   files closefds DIR     a double free (a report: the log and libdw's files are open now), close_range(3, ~0U, 0),
 *                          opens DIR/f0 .. DIR/f39 (descriptors 3 to 42, where the log and libdw's files were), a
 *                          second double free, writes "program fN" into each, leaks 300 bytes in closefds_leak()
 *   files stdclosed DIR    started with 0, 1 and 2 closed: a double free, then opens DIR/0, DIR/1 and DIR/2, which
 *                          must be 0, 1 and 2, with no other new descriptor below 64; a second double free, writes
 *                          "program N" into each, leaks 400 bytes in stdclosed_leak(); what it found goes to
 *                          DIR/status ("ok", or what was wrong)
 * A check of its own that fails prints "FAIL: ..." on stdout (the exit status is heapcheck's, 23, with findings). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOW 64

static void *volatile sink;

__attribute__((noinline)) static void release(void *p) { free(p); }

// A double free: heapcheck reports it (symbolized: libdw opens the program's files), the program goes on.
__attribute__((noinline)) static void first_error(void) {
  void *p = malloc(24);
  sink = p;
  release(p);
  release(p);
}

__attribute__((noinline)) static void second_error(void) {
  void *p = malloc(40);
  sink = p;
  release(p);
  release(p);
}

// Lost in the function named for it: the only pointer is dropped at once.
#define LOSE(n) do { void *volatile p_ = malloc(n); p_ = NULL; (void)p_; } while (0)
__attribute__((noinline)) static void exec_leak(void) { LOSE(200); }
__attribute__((noinline)) static void fork_leak(void) { LOSE(100); }
__attribute__((noinline)) static void closefds_leak(void) { LOSE(300); }
__attribute__((noinline)) static void stdclosed_leak(void) { LOSE(400); }

static void put(int fd, const char *text) {
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) printf("FAIL: cannot write to fd %d\n", fd);
}

static int open_in(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

static void close_from_3(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0) == 0) return;
#endif
  for (int fd = 3; fd < 65536; fd++) close(fd);
}

static int mode_tree(void) {
  printf("root %d\n", (int)getpid());
  fflush(stdout);
  pid_t a = fork();
  if (a == 0) {
    fork_leak();
    exit(0);
  }
  pid_t b = fork();
  if (b == 0) {
    execl("/proc/self/exe", "files", "leak", (char *)NULL);
    _exit(127);
  }
  int st, bad = a < 0 || b < 0;
  if (a > 0 && waitpid(a, &st, 0) != a) bad = 1;
  if (b > 0 && waitpid(b, &st, 0) != b) bad = 1;
  if (bad) printf("FAIL: the children did not run\n");
  return bad;
}

#define NFILES 40
static int mode_closefds(const char *dir) {
  first_error();
  close_from_3();
  int fds[NFILES];
  for (int i = 0; i < NFILES; i++) {
    char name[16];
    snprintf(name, sizeof name, "f%d", i);
    fds[i] = open_in(dir, name);
    if (fds[i] != 3 + i) printf("FAIL: the program's file %s is fd %d, not %d\n", name, fds[i], 3 + i);
  }
  second_error();
  for (int i = 0; i < NFILES; i++) {
    char text[32];
    snprintf(text, sizeof text, "program f%d\n", i);
    put(fds[i], text);
    close(fds[i]);
  }
  closefds_leak();
  return 0;
}

static int mode_stdclosed(const char *dir) {
  int before[LOW];
  for (int fd = 0; fd < LOW; fd++) before[fd] = fcntl(fd, F_GETFD) != -1;
  first_error();
  char why[512] = "";
  size_t w = 0;
  for (int i = 0; i < 3; i++) {
    char name[2] = { (char)('0' + i), 0 };
    if (before[i]) w += (size_t)snprintf(why + w, sizeof why - w, "fd %d was open at start; ", i);
    int fd = open_in(dir, name);
    if (fd != i) w += (size_t)snprintf(why + w, sizeof why - w, "DIR/%d opened as fd %d; ", i, fd);
  }
  for (int fd = 3; fd < LOW && w < sizeof why - 64; fd++)
    if (!before[fd] && fcntl(fd, F_GETFD) != -1) w += (size_t)snprintf(why + w, sizeof why - w, "fd %d appeared; ", fd);
  second_error();
  for (int fd = 0; fd < 3; fd++) {
    char text[32];
    snprintf(text, sizeof text, "program %d\n", fd);
    put(fd, text);
  }
  int st = open_in(dir, "status");
  put(st, w ? why : "ok");
  close(st);
  stdclosed_leak();
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "leak")) { exec_leak(); return 0; }
  if (!strcmp(mode, "tree")) return mode_tree();
  if (!strcmp(mode, "closefds") && argc > 2) return mode_closefds(argv[2]);
  if (!strcmp(mode, "stdclosed") && argc > 2) return mode_stdclosed(argv[2]);
  fprintf(stderr, "usage: files leak | tree | closefds DIR | stdclosed DIR\n");
  return 2;
}
