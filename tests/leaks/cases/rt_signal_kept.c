/* The program handles the real-time signal the leak scan would borrow by default (SIGRTMAX-2) and another
 * thread keeps sending it to the process while main asks for on-demand leak reports: every signal sent must
 * reach the program's handler (the scan borrows a signal the program has not claimed). Exit 0 when all did. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <heapcheck.h>

static volatile sig_atomic_t handled;
static volatile int sent;
static volatile int done;

static void on_signal(int sig) { (void)sig; handled++; }

static void *sender(void *arg) {
  (void)arg;
  union sigval v = { 0 };
  while (!done) {
    if (sigqueue(getpid(), SIGRTMAX - 2, v) == 0) sent++;
    usleep(200);
  }
  return NULL;
}

int main(void) {
  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGRTMAX - 2, &sa, NULL);
  pthread_t t;
  pthread_create(&t, NULL, sender, NULL);
  for (int i = 0; i < 30; i++) HEAPCHECK_REPORT_LEAKS();
  done = 1;
  pthread_join(t, NULL);
  for (int i = 0; i < 100 && handled < sent; i++) usleep(1000);
  printf("sent %d handled %d\n", sent, (int)handled);
  return handled == sent ? 0 : 1;
}
