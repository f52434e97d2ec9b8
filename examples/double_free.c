/* double_free.c: an error path frees a buffer, the common cleanup frees it again.
 *
 * load() frees c->data when the input is bad but leaves the dangling pointer
 * in the struct; main()'s cleanup then frees it a second time.  heapcheck
 * reports double-free with three stacks: the second free (detected), the
 * first free and the allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config {
    char *data;
};

static int load(struct config *c, const char *text)
{
    c->data = malloc(64);
    if (c->data == NULL)
        return -1;
    if (strchr(text, '=') == NULL) {
        free(c->data);                  /* first free: c->data is not reset */
        return -1;
    }
    snprintf(c->data, 64, "%s", text);
    return 0;
}

int main(void)
{
    struct config c = { NULL };

    if (load(&c, "no equals sign here") != 0)
        fprintf(stderr, "bad config\n");
    free(c.data);                       /* BUG: second free of the same block */
    return 0;
}
