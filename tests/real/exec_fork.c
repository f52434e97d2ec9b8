/* exec_fork.c: processes made by a program under heapcheck (tests/real/exec_fork.sh).
 *
 *   exec_fork spawn PROG [ARGS...]   allocates, forks, the child execs PROG; the parent waits, allocates
 *                                    and frees more, and exits with the child's status. Two processes.
 *   exec_fork exec PROG [ARGS...]    allocates, prints its pid, then execs PROG in this very process
 *                                    (no fork): one process, whose pre-exec image never exits.
 *   exec_fork work                   a clean child to exec: allocates, verifies and frees 5000 blocks.
 *   exec_fork fork                   the parent fills 2000 blocks and forks without exec. The child
 *                                    verifies the inherited blocks, allocates 5000 blocks of its own
 *                                    and a 1 MiB one, verifies and frees all of them (inherited ones
 *                                    too), and leaks one block of 4242 bytes in child_leak(): its own
 *                                    report must show that leak, the parent's must be clean.
 *   exec_fork fork-threads           4 threads allocate and free blocks of up to 64 KiB without pause
 *                                    while the main thread forks 40 times; each child allocates,
 *                                    verifies and frees (the allocator's locks must be usable in the
 *                                    child) and exits 0; its exit-time checks must find nothing.
 * Prints what it did on stdout; exit 0 on success, 1 when a check failed (or the child's status). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void escape(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }
static inline unsigned char pat(size_t k, size_t i) { return (unsigned char)(k * 29 + i * 3 + 5); }

static int fill_check(size_t nb, size_t base, const char *who) {
  unsigned char **b = calloc(nb, sizeof *b);
  if (!b) { printf("%s: calloc failed\n", who); return 1; }
  int bad = 0;
  for (size_t k = 0; k < nb; k++) {
    size_t n = 8 + (k * 131) % 3000;
    b[k] = malloc(n);
    if (!b[k]) { bad++; continue; }
    for (size_t i = 0; i < n; i++) b[k][i] = pat(k + base, i);
  }
  for (size_t k = 0; k < nb; k++) {
    size_t n = 8 + (k * 131) % 3000;
    for (size_t i = 0; b[k] && i < n; i++)
      if (b[k][i] != pat(k + base, i)) { bad++; break; }
    free(b[k]);
  }
  free(b);
  if (bad) printf("%s: %d blocks failed or damaged\n", who, bad);
  return bad != 0;
}

static int run_child(char **argv) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    execv(argv[0], argv);
    perror("execv");
    _exit(127);
  }
  int st;
  if (waitpid(pid, &st, 0) != pid) { perror("waitpid"); return 1; }
  printf("child %s exited with %d\n", argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int mode_spawn(char **argv) {
  char *before = strdup("allocated before the fork");
  int bad = fill_check(1000, 0, "parent before");
  int st = run_child(argv);
  bad |= fill_check(1000, 7, "parent after");
  printf("parent: %s, %s\n", before, bad ? "FAILED" : "blocks intact");
  free(before);
  return bad ? 1 : st;
}

static int mode_exec(char **argv) {
  char *kept = strdup("a block the exec discards with the whole image");
  escape(kept);
  printf("pid %d execs %s\n", (int)getpid(), argv[0]);
  fflush(stdout);
  execv(argv[0], argv);
  perror("execv");
  return 127;
}

__attribute__((noinline)) static void *child_leak(void) {
  void *p = malloc(4242);
  if (p) memset(p, 0x42, 4242);
  escape(p);
  return p;
}

static void *volatile leaked_once;

static int mode_fork(void) {
  enum { N = 2000 };
  static unsigned char *b[N];
  for (size_t k = 0; k < N; k++) {
    b[k] = malloc(16 + k % 500);
    if (!b[k]) return 1;
    for (size_t i = 0; i < 16 + k % 500; i++) b[k][i] = pat(k, i);
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    int bad = 0;
    for (size_t k = 0; k < N; k++)
      for (size_t i = 0; i < 16 + k % 500; i++)
        if (b[k][i] != pat(k, i)) { bad++; break; }
    bad += fill_check(5000, 100, "child");
    unsigned char *big = malloc(1 << 20);
    if (big) { memset(big, 0x99, 1 << 20); bad += big[12345] != 0x99; } else bad++;
    free(big);
    for (size_t k = 0; k < N; k++) free(b[k]);
    leaked_once = child_leak();
    leaked_once = NULL;                              // lost: the child's report must say so
    printf("child %d: %s\n", (int)getpid(), bad ? "FAILED" : "inherited and own blocks intact");
    exit(bad ? 1 : 0);
  }
  for (size_t k = 0; k < N; k += 2) free(b[k]);    // the parent frees its copies meanwhile
  int bad = fill_check(3000, 50, "parent");
  int st;
  if (waitpid(pid, &st, 0) != pid) { perror("waitpid"); return 1; }
  for (size_t k = 1; k < N; k += 2) free(b[k]);
  printf("parent: child exited with %d; parent %s\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
         bad ? "FAILED" : "blocks intact");
  return bad ? 1 : 0;
}

#define NFORKS 40
static atomic_int stop;

static void *churn(void *arg) {
  uintptr_t seed = (uintptr_t)arg;
  void *keep[64] = { 0 };
  while (!atomic_load(&stop)) {
    seed = seed * 6364136223846793005ull + 1;
    unsigned i = (unsigned)(seed >> 40) % 64;
    free(keep[i]);
    keep[i] = malloc(1 + (seed >> 20) % 65536);
  }
  for (int i = 0; i < 64; i++) free(keep[i]);
  return NULL;
}

static int mode_fork_threads(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, churn, (void *)(i + 1));
  int bad = 0;
  for (int f = 0; f < NFORKS; f++) {
    usleep(1000);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); bad++; continue; }
    if (pid == 0) {
      alarm(20);                                     // a lock left held at fork would hang here
      int r = fill_check(500, (size_t)f, "fork-threads child");
      exit(r);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      printf("child %d of fork %d failed (status %#x)\n", (int)pid, f, st);
      bad++;
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  printf("fork-threads: %d forks, %d failed\n", NFORKS, bad);
  return bad ? 1 : 0;
}

int main(int argc, char **argv) {
  alarm(120);
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "spawn") == 0 && argc > 2) return mode_spawn(argv + 2);
  if (strcmp(mode, "exec") == 0 && argc > 2) return mode_exec(argv + 2);
  if (strcmp(mode, "work") == 0) {
    int r = fill_check(5000, 3, "work");
    printf("work %d: %s\n", (int)getpid(), r ? "FAILED" : "blocks intact");
    return r;
  }
  if (strcmp(mode, "fork") == 0) return mode_fork();
  if (strcmp(mode, "fork-threads") == 0) return mode_fork_threads();
  fprintf(stderr, "usage: exec_fork spawn|exec PROG [ARGS...] | work | fork | fork-threads\n");
  return 2;
}
