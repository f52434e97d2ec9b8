/* allocation_size_too_big.c: calloc() with a count that overflows the size.
 *
 * The record count comes from the input (here a header string) and is not
 * checked: count * sizeof(struct record) does not fit in a size_t.  calloc()
 * correctly returns NULL, but the request is a bug; with warn_size_too_big=1
 * (heapcheck --warn_size_too_big) heapcheck reports allocation-size-too-big.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record { long id; double value; };

int main(void)
{
    const char *header = "records=2305843009213693953";
    unsigned long long count = strtoull(strchr(header, '=') + 1, NULL, 10);

    struct record *r = calloc(count, sizeof *r);   /* BUG: count is not checked */
    if (r == NULL) {
        fprintf(stderr, "cannot allocate %llu records\n", count);
        return 1;
    }
    free(r);
    return 0;
}
