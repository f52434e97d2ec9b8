/* fork() from a multi-threaded program while the other threads allocate and free: each child allocates at
 * once (the allocator's locks must not be left held by a thread that does not exist in the child), tells the
 * parent through a pipe, and exits. No process may report an error. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define FORKS 8

static volatile int stop;

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg;
  while (!stop) {
    seed = seed * 1103515245u + 12345u;
    char *p = malloc(1 + (seed >> 8) % 65536);  /* up to 64 KiB: canaries and poison take a while */
    if (!p) exit(3);
    p[0] = 1;
    free(p);
  }
  return NULL;
}

static void child(int fd) {
  for (int j = 0; j < 100; j++) {
    char *p = malloc(16 + (size_t)j);
    if (!p) _exit(4);
    memset(p, 'c', 16 + (size_t)j);
    free(p);
  }
  char *s = strdup("child");
  if (!s) _exit(4);
  free(s);
  if (write(fd, "k", 1) != 1) _exit(5);
  exit(0);                                   /* through exit(): the child writes its report */
}

int main(void) {
  pthread_t w[WORKERS];
  for (size_t i = 0; i < WORKERS; i++)
    if (pthread_create(&w[i], NULL, worker, (void *)(i + 1)) != 0) return 2;
  int failed = 0;
  for (int i = 0; i < FORKS; i++) {
    int fds[2];
    if (pipe(fds) != 0) return 2;
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) { close(fds[0]); child(fds[1]); }
    close(fds[1]);
    char c = 0;
    ssize_t got = read(fds[0], &c, 1);
    close(fds[0]);
    int status;
    /* The child's exit status is heapcheck's to set; a child killed by a signal, or one that did not get
     * through its allocations, failed. */
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || got != 1 || c != 'k') failed++;
  }
  stop = 1;
  for (int i = 0; i < WORKERS; i++) pthread_join(w[i], NULL);
  printf("fork_threads: %d of %d children failed\n", failed, FORKS);
  return failed ? 1 : 0;
}
