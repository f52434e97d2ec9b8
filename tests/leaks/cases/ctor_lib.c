/* A library of the program whose constructor leaks: it runs before libheapcheck's own constructor (the
 * library was initialized first), and its leak is the program's all the same. */
#include <stdlib.h>

void *ctor_lib_sink;

__attribute__((constructor)) static void ctor_lib_init(void) {
  ctor_lib_sink = malloc(100);
  ctor_lib_sink = NULL;                     /* lost: definitely */
}

int ctor_lib_answer(void) { return 42; }
