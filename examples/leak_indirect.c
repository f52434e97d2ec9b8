/* leak_indirect.c: a lost linked list.
 *
 * main() builds a list of 4 nodes and then drops the head pointer without
 * freeing the list.  The head node is definitely lost (no pointer to it);
 * the other 3 nodes are indirectly lost (only lost nodes point to them).
 * heapcheck reports one definite leak of 16 bytes "plus 48 indirect".
 */
#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };

static struct node *prepend(struct node *head, int value)
{
    struct node *n = malloc(sizeof *n); /* every node comes from here */
    if (n == NULL)
        exit(1);
    n->value = value;
    n->next = head;
    return n;
}

int main(void)
{
    struct node *list = NULL;
    int sum = 0;

    for (int i = 1; i <= 4; i++)
        list = prepend(list, i);
    for (struct node *n = list; n != NULL; n = n->next)
        sum += n->value;
    printf("sum %d\n", sum);
    list = NULL;                        /* BUG: the list is dropped, not freed */
    return 0;
}
