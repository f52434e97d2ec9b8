/* Linked with libctor_lib.so, whose constructor leaks 100 bytes before libheapcheck's constructor ran: the
 * block must be definitely lost (not taken for libc's start-up), its one frame in the constructor. */
#include <stdio.h>

int ctor_lib_answer(void);

int main(void) {
  printf("%d\n", ctor_lib_answer());
  return 0;
}
