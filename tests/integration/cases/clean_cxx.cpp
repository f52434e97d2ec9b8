// No false report, C++: every form of operator new and delete, standard containers growing and shrinking,
// and an exception (its object comes from the allocator too). The report must be clean and the status 0.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#define CHECK(c) do { if (!(c)) { std::fprintf(stderr, "clean_cxx.cpp:%d: check failed: %s\n", __LINE__, #c); std::exit(__LINE__ % 200 + 1); } } while (0)

struct alignas(64) Wide { char bytes[64]; };
struct alignas(256) Wider { char bytes[300]; };
struct Counted { int v; Counted() : v(1) {} ~Counted() { v = 0; } };

static void operators() {
  int *one = new int(5);                     // new / delete
  CHECK(*one == 5);
  delete one;
  int *many = new int[100]();                // new[] / delete[]
  CHECK(many[99] == 0);
  delete[] many;
  Counted *objs = new Counted[7];            // new[] with a cookie (non-trivial destructor)
  CHECK(objs[6].v == 1);
  delete[] objs;
  int *nt = new (std::nothrow) int(3);       // nothrow forms
  CHECK(nt && *nt == 3);
  delete nt;
  char *nta = new (std::nothrow) char[33];
  CHECK(nta);
  delete[] nta;
  Wide *w = new Wide;                        // aligned new / delete
  CHECK(reinterpret_cast<std::uintptr_t>(w) % 64 == 0);
  delete w;
  Wider *ws = new Wider[3];                  // aligned new[] / delete[]
  CHECK(reinterpret_cast<std::uintptr_t>(ws) % 256 == 0);
  delete[] ws;
  void *raw = ::operator new(48);            // explicit calls, sized and aligned deletes
  ::operator delete(raw, 48);
  raw = ::operator new[](48);
  ::operator delete[](raw, 48);
  raw = ::operator new(128, std::align_val_t(128));
  CHECK(reinterpret_cast<std::uintptr_t>(raw) % 128 == 0);
  ::operator delete(raw, 128, std::align_val_t(128));
  raw = ::operator new[](128, std::align_val_t(64), std::nothrow);
  CHECK(raw);
  ::operator delete[](raw, std::align_val_t(64), std::nothrow);
  raw = ::operator new(16, std::align_val_t(32));
  ::operator delete(raw, std::align_val_t(32));
}

static void containers() {
  std::vector<std::string> v;
  for (int i = 0; i < 2000; i++) v.push_back("a string long enough not to fit in place " + std::to_string(i));
  v.resize(10);
  v.shrink_to_fit();
  CHECK(v.size() == 10);
  std::map<int, std::vector<int>> m;
  for (int i = 0; i < 500; i++) m[i].assign(static_cast<size_t>(i % 17), i);
  m.clear();
  std::string s;
  for (int i = 0; i < 5000; i++) s += static_cast<char>('a' + i % 26);
  CHECK(s.size() == 5000);
  auto sp = std::make_shared<std::vector<double>>(1000, 1.5);
  auto up = std::make_unique<int[]>(64);
  CHECK(sp->at(999) == 1.5 && up[63] == 0);
}

static void exceptions() {
  int caught = 0;
  for (int i = 0; i < 10; i++) {
    try {
      throw std::runtime_error("an exception with a message long enough to be on the heap " + std::to_string(i));
    } catch (const std::exception &e) {
      caught += e.what()[0] == 'a';
    }
  }
  CHECK(caught == 10);
}

int main() {
  operators();
  containers();
  exceptions();
  std::printf("clean_cxx: all checks passed\n");
  return 0;
}
