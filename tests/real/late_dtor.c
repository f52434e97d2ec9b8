/* late_dtor: a clean program linked with a library whose destructor runs after libheapcheck's own destructor
 * and uses libc's time zone data and stdio. Nothing heapcheck does at exit may break it: exit 0. */
#include <stdio.h>

int late_lib_year(void);

int main(void) {
  printf("year %d\n", late_lib_year());
  return 0;
}
