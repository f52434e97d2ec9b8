/* Still reachable from the stack of a live thread: two threads each hold the only pointer to their block in
 * a local variable while they are blocked in a system call at exit, one in read() on a pipe that nobody
 * writes, one in pause(). main waits until both are inside their system call. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "leakcase.h"

static int block_pipe[2];
static volatile pid_t tids[2];

__attribute__((noinline)) static void *make_reader_block(void) { return memset(malloc(88), 'r', 88); }
__attribute__((noinline)) static void *make_pauser_block(void) { return memset(malloc(104), 'p', 104); }

__attribute__((noinline)) static void *reader(void *arg) {
  (void)arg;
  void *volatile mine = make_reader_block();
  lc_case_clobber_stack();
  tids[0] = (pid_t)syscall(SYS_gettid);
  char c;
  while (read(block_pipe[0], &c, 1) != 0) {}     /* nobody writes: blocked until the process ends */
  return mine;
}

__attribute__((noinline)) static void *pauser(void *arg) {
  (void)arg;
  void *volatile mine = make_pauser_block();
  lc_case_clobber_stack();
  tids[1] = (pid_t)syscall(SYS_gettid);
  for (;;) pause();
  return mine;
}

/* Waits until thread `tid` is inside system call `nr` (its /proc/self/task/TID/syscall line starts with it). */
static void wait_in_syscall(volatile pid_t *tid, long nr) {
  while (*tid == 0) usleep(1000);
  char path[64], buf[128];
  snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)*tid);
  for (;;) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) abort();
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
      buf[n] = 0;
      if (strtol(buf, NULL, 10) == nr && buf[0] != '-') return;
    }
    usleep(1000);
  }
}

int main(void) {
  if (pipe(block_pipe) != 0) return 1;
  pthread_t t1, t2;
  if (pthread_create(&t1, NULL, reader, NULL) != 0 || pthread_create(&t2, NULL, pauser, NULL) != 0) return 1;
  wait_in_syscall(&tids[0], SYS_read);
  wait_in_syscall(&tids[1], SYS_pause);
  lc_case_clobber_stack();
  return 0;
}
