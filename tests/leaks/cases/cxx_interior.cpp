// C++ objects whose only pointer is an interior one by construction of the language, which memcheck's
// default heuristics (--leak-check-heuristics=all) count as still reachable, not possibly lost:
//  - newarray: new S[10] of a class with a destructor returns the block's address + 8 (after the count);
//  - multipleinheritance: a C* converted to its second base B* points into the middle of the C object.
struct S {
  S() : x(1) {}
  ~S() { x = 0; }
  long x;
};
struct A {
  virtual ~A() {}
  long a = 1;
};
struct B {
  virtual ~B() {}
  long b = 2;
};
struct C : A, B {
  long c = 3;
};

S *volatile array_root;
B *volatile base_root;

__attribute__((noinline)) static void make_array() { array_root = new S[10]; }
__attribute__((noinline)) static void make_derived() { base_root = new C; }

int main() {
  make_array();
  make_derived();
  return 0;
}
