/* use-after-free: realloc() of a freed pointer; realloc returns NULL. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char *p = malloc(30);                      /* alloc */
  char *volatile dangling = p;
  free(p);                                   /* free */
  char *q = realloc(dangling, 60);           /* detected */
  printf("realloc returned %s\n", q ? "a block" : "NULL");
  return 0;
}
