/* heap_buffer_underflow.c: a write one byte before a heap block.
 *
 * chomp() removes the last character of a line (the '\n') without checking
 * that there is one.  For the empty last line, last is -1 and the '\0' lands
 * one byte before the block.  heapcheck finds the damaged canary in front of
 * the block when it is freed and reports heap-buffer-underflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void chomp(char *line)
{
    int last = (int)strlen(line) - 1;
    line[last] = '\0';                  /* BUG: last is -1 for an empty line */
}

int main(void)
{
    const char *input[] = { "first\n", "second\n", "" };

    for (int i = 0; i < 3; i++) {
        char *line = strdup(input[i]);  /* the block that gets damaged */
        if (line == NULL)
            return 1;
        chomp(line);
        printf("[%s]\n", line);
        free(line);                     /* the underflow is detected here */
    }
    return 0;
}
