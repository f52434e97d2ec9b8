/* leak_definite.c: heap blocks that nothing points to any more.
 *
 * greeting() returns a malloc()ed string and the caller never frees it.  At
 * exit no pointer to the three blocks is left anywhere, so heapcheck reports
 * them as definitely lost: one group of 3 blocks (same allocation stack).
 */
#include <stdio.h>
#include <stdlib.h>

static char *greeting(const char *name)
{
    char *s = malloc(32);               /* BUG: the caller never frees it */
    if (s == NULL)
        exit(1);
    snprintf(s, 32, "hello, %s", name);
    return s;
}

int main(void)
{
    const char *names[] = { "ada", "brian", "grace" };

    for (int i = 0; i < 3; i++)
        puts(greeting(names[i]));
    return 0;
}
