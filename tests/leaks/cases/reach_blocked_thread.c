/* A thread that blocks every signal (so the scan cannot stop it) keeps pushing blocks onto a global list and
 * popping them off, and a second one mallocs and frees large blocks, while the exit scan runs. Everything is
 * reachable from the list at every moment: no leak may be reported, and the scan must not read a large block
 * being unmapped. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node { struct node *next; char pad[40]; };
static struct node *head;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void push(struct node *n) {
  pthread_mutex_lock(&lock);
  n->next = head;
  head = n;
  pthread_mutex_unlock(&lock);
}

static void *list_worker(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  unsigned r = 1;
  for (;;) {
    r = r * 1103515245 + 12345;
    if ((r >> 16) & 1) {
      push(malloc(sizeof(struct node)));
    } else {
      pthread_mutex_lock(&lock);
      struct node *n = head;
      if (n) head = n->next;
      pthread_mutex_unlock(&lock);
      free(n);
    }
  }
  return NULL;
}

static void *large_worker(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  for (;;) {
    char *p = malloc(200000);
    memset(p, 1, 200000);
    free(p);
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, list_worker, NULL);
  pthread_create(&t, NULL, large_worker, NULL);
  for (int i = 0; i < 10000; i++) push(malloc(sizeof(struct node)));
  usleep(100000);
  return 0;
}
