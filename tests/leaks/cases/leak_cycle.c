/* A cycle of three 48-byte blocks that nothing else points to: one definitely lost block owning the two
 * others (indirectly lost), reported as one leak group. */
#include <stdlib.h>

#include "leakcase.h"

struct node { struct node *next; long pad[5]; };    /* 48 bytes */

__attribute__((noinline)) static struct node *make_node(void) { return calloc(1, sizeof(struct node)); }

__attribute__((noinline)) static void make_cycle(void) {
  struct node *a = make_node(), *b = make_node(), *c = make_node();
  a->next = b;
  b->next = c;
  c->next = a;
}

int main(void) {
  make_cycle();
  lc_case_clobber_stack();
  return 0;
}
