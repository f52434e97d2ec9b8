/* A binary tree of depth 3 whose root nobody points to: the root (made by make_root) is definitely lost
 * and owns the 6 other nodes (made by make_node), indirectly lost. */
#include <stdlib.h>

#include "leakcase.h"

struct tree { struct tree *left, *right; long value; };   /* 24 bytes */

__attribute__((noinline)) static struct tree *make_node(int depth) {
  struct tree *t = calloc(1, sizeof *t);
  t->value = depth;
  if (depth > 1) {
    t->left = make_node(depth - 1);
    t->right = make_node(depth - 1);
  }
  return t;
}

__attribute__((noinline)) static struct tree *make_root(void) {
  struct tree *root = calloc(1, sizeof *root);
  root->left = make_node(2);
  root->right = make_node(2);
  return root;
}

int main(void) {
  make_root();
  lc_case_clobber_stack();
  return 0;
}
