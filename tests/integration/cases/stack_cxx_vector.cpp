// C++ new through the standard library: std::vector growth. The vector lives in malloc'd storage that is freed
// without destroying it, so its buffer is definitely lost with the stack of its last growth.
#include <cstdlib>
#include <new>
#include <vector>

#include "case_util.h"

__attribute__((noinline)) static void grow_vector(std::vector<long> &v) {
  for (long i = 0; i < 1000; i++)
    v.push_back(i);                          // grow_vector's line
}

int main() {
  void *storage = std::malloc(sizeof(std::vector<long>));
  std::vector<long> *v = new (storage) std::vector<long>;
  grow_vector(*v);
  std::free(storage);                        // the vector is not destroyed: its buffer leaks
  forget_stack();
  return 0;
}
