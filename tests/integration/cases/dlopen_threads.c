/* One thread dlopen()s and dlclose()s a library in a loop (each time calling into it, which allocates and
 * frees) while other threads allocate and free. Must finish (no deadlock: ctest's timeout would say so) with a
 * clean report. argv[1] is the library (stack_dlib.c). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOADS 60
#define WORKERS 3
#define ROUNDS 20000

static void *loader(void *arg) {
  const char *path = arg;
  for (int i = 0; i < LOADS; i++) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); exit(2); }
    char *(*make)(size_t) = (char *(*)(size_t))dlsym(lib, "dlib_make");
    if (!make) exit(2);
    free(make(100 + (size_t)i));
    if (dlclose(lib) != 0) exit(2);
  }
  return NULL;
}

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg;
  void *keep[16] = { 0 };
  for (int i = 0; i < ROUNDS; i++) {
    seed = seed * 1103515245u + 12345u;
    int slot = (int)(seed >> 16) % 16;
    free(keep[slot]);
    keep[slot] = malloc(1 + (seed >> 8) % 512);
    if (!keep[slot]) exit(3);
    memset(keep[slot], 1, 1);
  }
  for (int i = 0; i < 16; i++) free(keep[i]);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  pthread_t l, w[WORKERS];
  if (pthread_create(&l, NULL, loader, argv[1]) != 0) return 2;
  for (size_t i = 0; i < WORKERS; i++)
    if (pthread_create(&w[i], NULL, worker, (void *)(i + 1)) != 0) return 2;
  pthread_join(l, NULL);
  for (int i = 0; i < WORKERS; i++) pthread_join(w[i], NULL);
  printf("dlopen_threads: done\n");
  return 0;
}
