/* leak_possible.c: only a pointer into the middle of a block survives.
 *
 * new_string() allocates a length header followed by the characters and
 * returns a pointer to the characters (like sds or a Pascal string).  The
 * program keeps that pointer in a global and never frees the string: at exit
 * the only pointer to the block is an interior one, so heapcheck reports it
 * as possibly lost.  (Possible leaks do not change the exit status by
 * default: leak_exitcode_kinds=definite.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct header { size_t len; };

static char *title;                     /* points past the header */

static char *new_string(const char *s)
{
    size_t len = strlen(s);
    struct header *h = malloc(sizeof *h + len + 1);    /* BUG: never freed */
    if (h == NULL)
        exit(1);
    h->len = len;
    memcpy(h + 1, s, len + 1);
    return (char *)(h + 1);
}

int main(void)
{
    title = new_string("possibly lost");
    puts(title);
    return 0;
}
