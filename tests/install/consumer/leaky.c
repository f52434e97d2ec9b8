/* leaky.c: a test program of the consumer projects that passes on its own (exit 0) and loses a linked list,
 * so that only heapcheck can fail it. */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    int value;
};

static struct node *make_list(int n)
{
    struct node *head = NULL;
    for (int i = 0; i < n; i++) {
        struct node *p = malloc(sizeof *p);
        if (!p)
            exit(1);
        p->next = head;
        p->value = i;
        head = p;
    }
    return head;
}

int main(void)
{
    struct node *list = make_list(3);
    printf("leaky: first value %d\n", list->value);
    list = NULL; /* the whole list is lost */
    return 0;
}
