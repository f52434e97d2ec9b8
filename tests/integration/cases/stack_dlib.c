/* A small library for stack_dlopen.c: allocates on its caller's behalf. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static char *dlib_fill(size_t n) {
  char *p = malloc(n);                       /* dlib_fill's line */
  if (p) memset(p, 'd', n);
  return p;
}

char *dlib_make(size_t n) {
  return dlib_fill(n);                       /* dlib_make's line */
}
