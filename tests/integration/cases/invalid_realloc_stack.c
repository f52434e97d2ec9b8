/* invalid-free: realloc() of a stack address; realloc returns NULL and the program goes on. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char buf[32] = "abc";
  void *volatile p = buf;
  void *q = realloc(p, 64);                  /* detected */
  printf("realloc returned %s\n", q ? "a block" : "NULL");
  free(q);
  return 0;
}
