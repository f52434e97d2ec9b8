/* clean.c: a correct program.
 *
 * It allocates, grows, copies and frees memory the right way.  heapcheck
 * prints nothing, writes a report without findings and leaves the program's
 * exit status (0) alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    size_t cap = 4, len = 0;
    char **words = malloc(cap * sizeof *words);
    const char *input[] = { "one", "two", "three", "four", "five", "six" };

    if (words == NULL)
        return 1;
    for (size_t i = 0; i < 6; i++) {
        if (len == cap) {
            char **bigger = realloc(words, 2 * cap * sizeof *words);
            if (bigger == NULL)
                return 1;
            words = bigger;
            cap *= 2;
        }
        words[len] = strdup(input[i]);
        if (words[len] == NULL)
            return 1;
        len++;
    }
    for (size_t i = 0; i < len; i++) {
        printf("%s\n", words[i]);
        free(words[i]);
    }
    free(words);
    return 0;
}
