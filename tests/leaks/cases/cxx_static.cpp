// C++: static std::string / std::vector / std::map globals, objects reached only through a global pointer,
// and iostream use. Nothing is lost. At exit the static objects have been destroyed (their destructors run
// before the leak scan); the objects made with new and kept in globals are still reachable.
// argv[1] == "now": report on demand at the end of main, while the statics are alive, then die by SIGKILL
// so that this is the only report: the statics' blocks are still reachable too.
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <heapcheck.h>

static std::string static_text;
static std::vector<int> static_numbers;
static std::map<std::string, int> static_table;
static std::vector<std::string> *volatile kept_list;

__attribute__((noinline)) static void fill_statics() {
  static_text.assign("a string too long for the small-string buffer");
  for (int i = 0; i < 100; i++) static_numbers.push_back(i);
  static_table["one key long enough to live on the heap"] = 1;
  static_table["two"] = 2;
}

__attribute__((noinline)) static void make_kept() {
  kept_list = new std::vector<std::string>(3, std::string("another string too long for the buffer"));
}

int main(int argc, char **argv) {
  fill_statics();
  make_kept();
  std::cout << static_text.size() << " " << static_numbers.size() << " " << static_table.size() << std::endl;
  std::cerr << "to stderr" << std::endl;
  if (argc > 1 && std::strcmp(argv[1], "now") == 0) {
    HEAPCHECK_REPORT_LEAKS();
    std::raise(SIGKILL);
  }
  return 0;
}
