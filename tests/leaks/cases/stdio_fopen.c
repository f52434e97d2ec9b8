/* stdio's own blocks: a FILE opened with fopen and never closed (read from, so that it has a buffer too),
 * stdout used with a full buffer, setvbuf'd stderr. libc keeps every FILE on its list of open files, so the
 * blocks are still reachable, not lost (memcheck agrees). argv[1]: a readable file. */
#include <stdio.h>

#include "leakcase.h"

static FILE *volatile kept;

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  FILE *f = fopen(argv[1], "r");
  if (!f) return 1;
  char line[64];
  if (!fgets(line, sizeof line, f)) return 1;
  FILE *g = fopen(argv[1], "r");                 /* the only pointer the program keeps is lost at once */
  if (!g) return 1;
  if (fgetc(g) == EOF) return 1;
  g = NULL;
  kept = f;
  printf("first line: %s", line);
  lc_case_clobber_stack();
  return 0;
}
