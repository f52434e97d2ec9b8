/* A library of the program whose destructor runs after libheapcheck's destructor (it was initialized before
 * it) and uses libc's state: time zone data, stdio, the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((destructor)) static void late_fini(void) {
  time_t t = 86400 * 365;
  struct tm *tm = localtime(&t);
  char *copy = malloc(32);
  snprintf(copy, 32, "%d", tm ? tm->tm_year + 1900 : -1);
  fprintf(stderr, "late destructor: year %s, HOME %s\n", copy, getenv("HOME") ? "set" : "unset");
  free(copy);
}

int late_lib_year(void) {
  time_t t = 0;
  struct tm *tm = localtime(&t);
  return tm ? tm->tm_year + 1900 : -1;
}
