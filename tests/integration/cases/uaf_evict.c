/* use-after-free: a write into a freed block, found when the block leaves the quarantine: argv[1] blocks of
 * 32 KiB are freed after it (2 MiB with quarantine_mb=1; over 32 MiB with the default quarantine). */
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink;

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 64;
  char *p = malloc(64);                      /* alloc */
  char *volatile dangling = p;
  free(p);                                   /* free */
  dangling[5] = 'Z';                         /* the use after free */
  for (int i = 0; i < n; i++) {
    sink = malloc(32 * 1024); free(sink);    /* detected: in one of these frees */
  }
  printf("done\n");
  return 0;
}
