/* late_dtor: a clean program linked with a library whose destructor, run after libheapcheck's exit-time
 * report, uses libc's time zone data and stdio. Nothing heapcheck did at exit may break it: exit 0. */
#include <stdio.h>

int late_lib_year(void);

int main(void) {
  printf("year %d\n", late_lib_year());
  return 0;
}
