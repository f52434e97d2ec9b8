// C++ new through libstdc++: std::string growth (std::string's members are compiled into libstdc++.so). The
// string lives in malloc'd storage that is freed without destroying it, so its heap buffer is definitely lost
// with the stack of its last growth: operator new <- libstdc++ <- grow_string <- main.
#include <cstdlib>
#include <new>
#include <string>

#include "case_util.h"

__attribute__((noinline)) static void grow_string(std::string &s) {
  for (int i = 0; i < 200; i++)
    s.append("0123456789");                  // grow_string's line
}

int main() {
  void *storage = std::malloc(sizeof(std::string));
  std::string *s = new (storage) std::string;
  grow_string(*s);
  std::free(storage);                        // the string is not destroyed: its buffer leaks
  forget_stack();
  return 0;
}
