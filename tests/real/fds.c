/* fds: heapcheck (and the libraries it uses) must not take the descriptors a program would get. Run with stdin
 * and stdout closed: they are still closed when main starts and after its first allocations (libunwind opens
 * a pipe when it starts), and no new descriptor below 64 appears meanwhile. Exit 1 otherwise. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOW 64

int main(void) {
  int before[LOW];
  for (int fd = 0; fd < LOW; fd++) before[fd] = fcntl(fd, F_GETFD) != -1;
  for (int i = 0; i < 100; i++) {
    void *volatile p = malloc(16 + (size_t)i);
    free(p);
  }
  int bad = 0;
  for (int fd = 0; fd < 2; fd++)
    if (before[fd] || fcntl(fd, F_GETFD) != -1) {
      char msg[80];
      int n = snprintf(msg, sizeof msg, "fds: descriptor %d is open; the program was started without it\n", fd);
      if (write(2, msg, (size_t)n) < 0) bad = 2;
      bad = 1;
    }
  for (int fd = 0; fd < LOW; fd++)
    if (!before[fd] && fcntl(fd, F_GETFD) != -1) {
      char msg[80];
      int n = snprintf(msg, sizeof msg, "fds: descriptor %d appeared during the allocations\n", fd);
      if (write(2, msg, (size_t)n) < 0) bad = 2;
      bad = 1;
    }
  return bad;
}
