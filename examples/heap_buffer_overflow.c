/* heap_buffer_overflow.c: an off-by-one heap-buffer-overflow.
 *
 * dup_name() allocates strlen(s) bytes for a copy of s and forgets the
 * terminating '\0', so strcpy() writes one byte past the end of the block.
 * heapcheck finds the damaged canary after the block when it is freed and
 * reports heap-buffer-overflow "1 byte after the 9-byte block", with the
 * stack of the malloc() and the stack of the free() that noticed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_name(const char *s)
{
    char *copy = malloc(strlen(s));     /* BUG: no room for the '\0' */
    if (copy == NULL)
        return NULL;
    strcpy(copy, s);                    /* writes strlen(s) + 1 bytes */
    return copy;
}

int main(void)
{
    char *name = dup_name("heapcheck");
    if (name == NULL)
        return 1;
    printf("hello, %s\n", name);
    free(name);                         /* the overflow is detected here */
    return 0;
}
