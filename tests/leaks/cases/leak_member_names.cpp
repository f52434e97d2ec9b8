// Member functions defined inside their class leak, in a C++ program that does not load libstdc++ (nothing
// here needs it), so no demangler is at hand: the frames must still be named with their classes and
// namespaces (E::leak, outer::(anonymous namespace)::S::In::f, D::~D), not bare.
#include <cstdlib>

static void *volatile sink;

struct D { ~D() { sink = malloc(70); sink = nullptr; } };
struct E { void leak() { sink = malloc(30); sink = nullptr; } };
namespace outer { namespace { struct S { struct In { void f() { sink = malloc(11); sink = nullptr; } }; }; } }

int main() {
  { D local; }
  E e;
  e.leak();
  outer::S::In i;
  i.f();
  return 0;
}
