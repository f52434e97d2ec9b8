/* A library for reach_dlopen_static: keeps the only pointer to a block in a static variable of its own, and
 * the only pointer to another in a __thread variable of its own (dynamic TLS, allocated by the loader). */
#include <stdlib.h>
#include <string.h>

static void *volatile kept;
static __thread void *kept_in_tls;

void dlib_keep_block(void) { kept = memset(malloc(136), 'k', 136); }
void dlib_keep_tls_block(void) { kept_in_tls = memset(malloc(232), 't', 232); }
