/* Still reachable through other heap blocks only: a 6-node singly linked list whose head is in a global. */
#include <stdlib.h>

#include "leakcase.h"

struct node { struct node *next; long payload[3]; };   /* 32 bytes */

struct node *volatile list_head;

__attribute__((noinline)) static struct node *make_node(struct node *next) {
  struct node *n = malloc(sizeof *n);
  n->next = next;
  n->payload[0] = n->payload[1] = n->payload[2] = 7;
  return n;
}

int main(void) {
  struct node *head = NULL;
  for (int i = 0; i < 6; i++) head = make_node(head);
  list_head = head;
  head = NULL;
  lc_case_clobber_stack();
  return 0;
}
