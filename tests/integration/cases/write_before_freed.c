/* A write at p[-8] of a freed block (the 8 bytes before its user bytes, the front canary while it was live),
 * after the block left the quarantine (or at once with quarantine_mb=0): its chunk is in the thread's cache
 * then. The word written is the address of a global. heapcheck must say so and never hand out memory there;
 * the next mallocs of that size go on working. The program says what it saw. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char decoy[4096];

int main(void) {
  char *keep = malloc(1000), *p = malloc(1000), *guard = malloc(1000);
  char *volatile alias = p;                                /* the compiler must not see the write */
  free(p);                                                 /* freed */
  for (int i = 0; i < 400; i++) free(malloc(100000));     /* out of the 32 MiB quarantine */
  uint64_t forged = (uint64_t)(uintptr_t)(decoy + 2048);
  memcpy(alias - 8, &forged, 8);                           /* the write */
  int wild = 0;
  char *got[4];
  for (int i = 0; i < 4; i++) {
    got[i] = malloc(1000);                                 /* detected */
    if ((uintptr_t)got[i] >= (uintptr_t)decoy && (uintptr_t)got[i] < (uintptr_t)(decoy + sizeof decoy)) { wild = 1; got[i] = NULL; }
    else if (got[i]) memset(got[i], 1, 1000);
  }
  for (int i = 0; i < 4; i++) free(got[i]);
  for (size_t i = 0; i < sizeof decoy; i++) if (decoy[i]) wild = 1;
  printf("%s\n", wild ? "malloc returned the program's own memory" : "no allocation in the program's globals");
  free(keep);
  free(guard);
  return 0;
}
