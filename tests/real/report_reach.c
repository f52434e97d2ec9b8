/* report_reach: the exit report reaches the program's stderr whole, and only its stderr.
 *   report_reach leaks N [itimer] [nonblock]: leaks N blocks from N different stacks (a report of N groups, well
 *     over a pipe's 64 KiB), with a 100 us interval timer whose handler has no SA_RESTART (writes are
 *     interrupted) and/or O_NONBLOCK set on fd 2 (writes meet EAGAIN while the reader is slow).
 *   report_reach datafile PATH: started with fd 2 closed, opens PATH (it gets number 2), writes one line into it
 *     and leaks: the report must not go into PATH.
 *   report_reach dup2|freopen PATH: makes PATH its stderr (dup2 onto fd 2, or freopen of stderr) and leaks: the
 *     report goes into PATH, as the program's own stderr messages would. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

void *volatile sink;
static volatile int ticks;

// Nine levels, each choosing one of two call sites by a bit of `bits`: 512 different allocation stacks.
static void step_b(unsigned bits, int level);
__attribute__((noinline)) static void step_a(unsigned bits, int level) {
  if (level == 0) { sink = malloc(24); return; }
  if (bits & 1) step_a(bits >> 1, level - 1); else step_b(bits >> 1, level - 1);
  __asm__ volatile("" ::: "memory");                 // no tail call: the frame stays on the stack
}
__attribute__((noinline)) static void step_b(unsigned bits, int level) {
  if (level == 0) { sink = malloc(40); return; }
  if (bits & 1) step_a(bits >> 1, level - 1); else step_b(bits >> 1, level - 1);
  __asm__ volatile("" ::: "memory");
}

static void tick(int sig) { (void)sig; ticks++; }

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "datafile") == 0) {
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd != 2) { fprintf(stdout, "report_reach: expected fd 2, got %d (start with 2>&-)\n", fd); return 1; }
    if (write(fd, "data\n", 5) != 5) return 1;
    sink = malloc(77);
    sink = NULL;
    return 0;
  }
  if (argc >= 3 && (strcmp(argv[1], "dup2") == 0 || strcmp(argv[1], "freopen") == 0)) {
    if (argv[1][0] == 'd') {
      int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 2) != 2) return 1;
      close(fd);
    } else if (!freopen(argv[2], "w", stderr)) {
      return 1;
    }
    fprintf(stderr, "own message\n");
    fflush(stderr);
    sink = malloc(77);
    sink = NULL;
    return 0;
  }
  if (argc < 3 || strcmp(argv[1], "leaks") != 0) { fprintf(stdout, "usage: report_reach leaks N [itimer] [nonblock] | datafile|dup2|freopen PATH\n"); return 2; }
  unsigned n = (unsigned)atoi(argv[2]);
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "itimer") == 0) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = tick;                          // no SA_RESTART: blocked writes return EINTR or short
      sigaction(SIGALRM, &sa, NULL);
      struct itimerval it = { { 0, 100 }, { 0, 100 } };
      setitimer(ITIMER_REAL, &it, NULL);
    } else if (strcmp(argv[i], "nonblock") == 0) {
      fcntl(2, F_SETFL, fcntl(2, F_GETFL) | O_NONBLOCK);
    }
  }
  for (unsigned i = 0; i < n && i < 512; i++) step_a(i, 9);
  sink = NULL;
  return 0;
}
