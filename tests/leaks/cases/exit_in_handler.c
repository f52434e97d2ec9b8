/* exit() from a signal handler that (most likely) interrupted malloc or free: heapcheck cannot scan safely
 * then, and must say so instead of staying silent; when the signal landed outside the allocator, the leak is
 * reported as usual. */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

static void *volatile sink;

static void on_alarm(int sig) { (void)sig; exit(0); }

int main(void) {
  sink = malloc(100);
  sink = NULL;
  signal(SIGALRM, on_alarm);
  struct itimerval it = { { 0, 0 }, { 0, 20000 } };
  setitimer(ITIMER_REAL, &it, NULL);
  for (;;) { sink = malloc(64); free(sink); }
}
