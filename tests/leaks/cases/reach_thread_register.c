/* Still reachable from a register only: a live thread moves the only pointer to its block into r12, erases
 * the copy in memory and loops on the pause system call in assembly, so that no memory holds the pointer.
 * main waits until the thread is inside pause(). x86-64 only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "leakcase.h"

static volatile pid_t tid;

__attribute__((noinline)) static void *make_register_block(void) { return memset(malloc(120), 'g', 120); }

__attribute__((noinline)) static void *holder(void *arg) {
  (void)arg;
  void *p = make_register_block();
  lc_case_clobber_stack();                       /* no stale copy below this frame */
  tid = (pid_t)syscall(SYS_gettid);
  __asm__ volatile("mov %0, %%r12\n\t"
                   "movq $0, %0\n\t"             /* the local variable no longer holds it */
                   "1: mov %1, %%eax\n\t"
                   "syscall\n\t"
                   "jmp 1b"
                   : "+m"(p)
                   : "i"(SYS_pause)
                   : "rax", "rcx", "r11", "r12", "memory");
  return NULL;
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, holder, NULL) != 0) return 1;
  while (tid == 0) usleep(1000);
  char path[64], buf[128];
  snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
  for (;;) {                                     /* until the thread is inside pause() */
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
      buf[n] = 0;
      if (buf[0] != '-' && strtol(buf, NULL, 10) == SYS_pause) break;
    }
    usleep(1000);
  }
  lc_case_clobber_stack();
  return 0;
}
