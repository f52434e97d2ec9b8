/* leakcase.h: helpers shared by the leak-classification cases (tests/leaks/cases). Header-only. */
#ifndef LEAKCASE_H
#define LEAKCASE_H

#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Overwrites the dead part of the stack below the caller with zeros, so that no stale copy of a pointer that
 * the program dropped is left where a conservative scan (heapcheck's or memcheck's) could still see it. */
__attribute__((noinline, unused)) static void lc_case_clobber_stack(void) {
  volatile char pad[16384];
  memset((char *)pad, 0, sizeof pad);
  __asm__ volatile("" : : "r"(pad) : "memory");
}

#ifdef __cplusplus
}
#endif

#endif
