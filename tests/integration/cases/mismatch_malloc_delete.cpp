// mismatched-free: malloc(), released with operator delete.
#include <cstdlib>

int main() {
  void *p = std::malloc(sizeof(int));        // alloc
  int *volatile q = static_cast<int *>(p);   // out of the compiler's sight
  delete q;                                  // detected
  return 0;
}
