/* golden_dlib.c: the shared library that golden_dlclose dlopens, calls into, and dlcloses. -O0 -g. */

typedef int (*golden_capture_fn)(void **pcs, int max);

int dlib_run(golden_capture_fn capture, void **pcs, int max) {
  int n = capture(pcs, max);  // dlib_run: call line
  return n;
}
