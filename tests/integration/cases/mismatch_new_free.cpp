// mismatched-free: operator new, released with free().
#include <cstdlib>

int main() {
  int *p = new int(7);                       // alloc
  void *volatile q = p;                      // out of the compiler's sight
  std::free(q);                              // detected
  return 0;
}
