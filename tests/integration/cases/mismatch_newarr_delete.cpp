// mismatched-free: operator new[], released with operator delete.
int main() {
  char *p = new char[10];                    // alloc
  char *volatile q = p;                      // out of the compiler's sight
  delete q;                                  // detected
  return 0;
}
