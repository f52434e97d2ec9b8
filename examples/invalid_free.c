/* invalid_free.c: free() of a pointer into the middle of a block.
 *
 * The program skips the leading blanks of a strdup()ed line and then frees
 * the advanced pointer instead of the one malloc returned.  heapcheck reports
 * invalid-free (3 bytes into the 15-byte block) and leaves the block alone,
 * so at exit the block is also reported as a definite leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *skip_blanks(char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

int main(void)
{
    char *line = strdup("   key = value");
    if (line == NULL)
        return 1;
    line = skip_blanks(line);           /* the start of the block is lost */
    printf("[%s]\n", line);
    free(line);                         /* BUG: not the pointer malloc returned */
    return 0;
}
