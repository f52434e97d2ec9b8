/* use_after_free.c: a write through a dangling pointer to a freed list node.
 * pop() frees the last node but leaves q.tail pointing to it, so the next
 * push() writes q.tail->next into the freed node.  heapcheck keeps freed
 * blocks poisoned in quarantine, finds the write when it verifies the poison
 * (here at exit) and reports use-after-free with the alloc and free stacks. */
#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };
static struct { struct node *head, *tail; } q;

static void push(int value)
{
    struct node *n = malloc(sizeof *n);
    if (n == NULL)
        exit(1);
    *n = (struct node){ value, NULL };
    if (q.tail != NULL)
        q.tail->next = n;               /* BUG: q.tail may be a freed node */
    else
        q.head = n;
    q.tail = n;
}

static int pop(void)
{
    struct node *n = q.head;
    int value = n->value;
    q.head = n->next;
    free(n);                            /* q.tail is not reset when n was the last */
    return value;
}

int main(void)
{
    push(1);
    printf("%d\n", pop());
    push(2);                            /* writes into the node freed by pop() */
    return 0;
}
