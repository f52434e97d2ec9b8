// A std::string leaked in main, which then returns: the pointer to it is gone, but copies of it stay in the
// stack memory that the exit machinery (exit, its handlers, heapcheck's report) reuses. After main returned
// no frame of the program is live, so none of that counts: the string is definitely lost, its buffer
// indirectly (as memcheck says).
#include <string>

int main() {
  new std::string(200, 'l');
  return 0;
}
