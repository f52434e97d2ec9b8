/* No false report: a correct program that uses every allocation call of the C library. Its report must be
 * clean (no error, no leak) and its exit status 0. Every property the program relies on is checked here, and
 * a failed check exits with a distinct status (line number). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "clean_api.c:%d: check failed: %s\n", __LINE__, #c); exit(__LINE__ % 200 + 1); } } while (0)

static int all(const unsigned char *p, size_t n, unsigned char v) {
  for (size_t i = 0; i < n; i++) if (p[i] != v) return 0;
  return 1;
}

static void fill(void *p, size_t n) { memset(p, 0x5a, n); }

static void aligned_calls(void) {
  for (size_t a = 16; a <= 4096; a *= 2) {
    void *p = NULL;
    CHECK(posix_memalign(&p, a, 100) == 0 && p && (uintptr_t)p % a == 0);
    CHECK(malloc_usable_size(p) == 100);
    fill(p, 100);
    free(p);
    p = aligned_alloc(a, 3 * a);
    CHECK(p && (uintptr_t)p % a == 0);
    fill(p, 3 * a);
    free(p);
    p = memalign(a, 77);
    CHECK(p && (uintptr_t)p % a == 0);
    fill(p, 77);
    free(p);
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  void *v = valloc(100);
  CHECK(v && (uintptr_t)v % page == 0);
  fill(v, 100);
  free(v);
  void *pv = pvalloc(100);                   /* rounded up to a whole page */
  CHECK(pv && (uintptr_t)pv % page == 0);
  fill(pv, page);
  free(pv);
}

static void sizes_and_zero(void) {
  for (size_t n = 1; n <= 300; n += 7) {     /* malloc_usable_size is the requested size: write exactly up to it */
    unsigned char *p = malloc(n);
    CHECK(p && malloc_usable_size(p) == n);
    memset(p, 0xab, malloc_usable_size(p));
    free(p);
  }
  void *z[8];                                /* malloc(0): distinct pointers, each freeable */
  for (int i = 0; i < 8; i++) { z[i] = malloc(0); CHECK(z[i] != NULL); }
  for (int i = 0; i < 8; i++) for (int j = 0; j < i; j++) CHECK(z[i] != z[j]);
  for (int i = 0; i < 8; i++) free(z[i]);
  free(NULL);
}

static void calloc_zeroed(void) {
  for (int round = 0; round < 3000; round++) { /* dirty blocks are freed and memory comes back through calloc */
    size_t n = 16 + (size_t)(round % 50) * 8;
    unsigned char *d = malloc(n);
    CHECK(d);
    memset(d, 0xff, n);
    free(d);
    unsigned char *c = calloc(1, n);
    CHECK(c && all(c, n, 0));
    free(c);
  }
  for (int round = 0; round < 4; round++) { /* large blocks (mmap'd) too */
    size_t n = 300 * 1024;
    unsigned char *d = malloc(n);
    CHECK(d);
    memset(d, 0xff, n);
    free(d);
    unsigned char *c = calloc(n / 8, 8);
    CHECK(c && all(c, n, 0));
    free(c);
  }
}

static void realloc_calls(void) {
  char *p = realloc(NULL, 10);               /* realloc(NULL, n) is malloc(n) */
  CHECK(p);
  memcpy(p, "0123456789", 10);
  for (size_t n = 20; n <= 200000; n = n * 3 / 2) { /* growth, through the mmap threshold */
    p = realloc(p, n);
    CHECK(p && memcmp(p, "0123456789", 10) == 0 && malloc_usable_size(p) == n);
    memset(p + 10, 'g', n - 10);
  }
  for (size_t n = 150000; n >= 10; n /= 3) { /* shrink */
    p = realloc(p, n);
    CHECK(p && memcmp(p, "0123456789", 10) == 0 && malloc_usable_size(p) == n);
    p[n - 1] = 's';
  }
  free(p);
  for (size_t big = 200000; big <= 1000000; big *= 5) {  /* a large block shrunk in place, then freed */
    p = malloc(big);
    CHECK(p);
    memset(p, 'b', big);
    p = realloc(p, big / 2 + 4096);
    CHECK(p && p[0] == 'b' && p[big / 2 + 4095] == 'b' && malloc_usable_size(p) == big / 2 + 4096);
    free(p);
  }
  int *a = reallocarray(NULL, 10, sizeof(int));
  CHECK(a);
  for (int i = 0; i < 10; i++) a[i] = i;
  a = reallocarray(a, 1000, sizeof(int));
  CHECK(a && a[9] == 9);
  a[999] = 1;
  free(a);
}

static void libc_allocating(void) {
  char *s = strdup("strdup'd string");
  CHECK(s && strcmp(s, "strdup'd string") == 0);
  free(s);
  s = strndup("0123456789", 4);
  CHECK(s && strcmp(s, "0123") == 0);
  free(s);
  char *f = NULL;
  CHECK(asprintf(&f, "%s-%d", "asprintf", 42) == 11 && strcmp(f, "asprintf-42") == 0);
  free(f);
  static char text[] = "first line\nsecond, longer line of text\nthird\n";
  FILE *in = fmemopen(text, sizeof text - 1, "r");
  CHECK(in);
  char *line = NULL;
  size_t cap = 0;
  int lines = 0;
  while (getline(&line, &cap, in) > 0) lines++;
  CHECK(lines == 3);
  free(line);
  fclose(in);
  FILE *t = tmpfile();                       /* stdio's own buffers */
  CHECK(t);
  fprintf(t, "%0500d\n", 1);
  fclose(t);
}

int main(void) {
  aligned_calls();
  sizes_and_zero();
  calloc_zeroed();
  realloc_calls();
  libc_allocating();
  printf("clean_api: all checks passed\n");
  return 0;
}
