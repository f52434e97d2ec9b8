/* Leaks through libc functions that allocate for the caller: a strdup'd string and a getline buffer, both
 * dropped. Each is definitely lost, with the program's calling function in the allocation stack. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_strdup(void) {
  char *s = strdup("thirty-one characters of text.");
  s[0] = 'T';
}

__attribute__((noinline)) static void leak_getline(void) {
  static char text[] = "one line\n";
  FILE *f = fmemopen(text, sizeof text - 1, "r");
  if (!f) abort();
  char *line = NULL;
  size_t cap = 0;
  if (getline(&line, &cap, f) < 0) abort();
  fclose(f);
}

int main(void) {
  leak_strdup();
  leak_getline();
  lc_case_clobber_stack();
  return 0;
}
