/* tidy.c: the clean test program of the consumer projects. It frees what it allocates and uses heapcheck.h
 * (found through the installed package); with --expect-heapcheck it exits 3 when the library is not loaded,
 * so a test that passes has really run under heapcheck. */
#include <heapcheck.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int expect = argc > 1 && strcmp(argv[1], "--expect-heapcheck") == 0;
    if (expect && !heapcheck_check_heap) {
        fprintf(stderr, "tidy: not running under heapcheck\n");
        return 3;
    }
    char *s = malloc(32);
    if (!s)
        return 1;
    strcpy(s, "tidy");
    size_t damaged = HEAPCHECK_CHECK_HEAP();
    printf("%s: %zu damaged blocks\n", s, damaged);
    free(s);
    return damaged ? 1 : 0;
}
