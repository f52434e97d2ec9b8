/* limits: a program that lowers its own memory limits while it runs, under libheapcheck.so.
 *
 *   limits as-after-start   RLIMIT_AS lowered to 512 MiB after start: the program's mallocs still work
 *                           (heapcheck must not hold gigabytes of address space it reserved early).
 *   limits data-squeeze     RLIMIT_DATA set 48 MiB above what the process uses: allocate 4 KiB blocks until
 *                           malloc fails, free them all (into the quarantine), allocate again: the memory the
 *                           program gave back must be found again. Then drops 10 blocks (one lost, nine
 *                           hanging from it), restores the limit and exits: the exit report names them.
 *   limits data-full-exit   allocate until malloc fails and exit holding it all, 10 blocks unreachable: the
 *                           exit-time report runs with no memory left; it may give totals only or say the
 *                           leak check could not run, but never crash: exit status 23 either way (the leak,
 *                           or a leak check that did not complete).
 *   limits scan-starved     drops 10 blocks of 4 KiB, then sets RLIMIT_DATA to what the process uses and exits:
 *                           the exit-time scan finds no memory for its tables, so the leak check does not
 *                           complete, which must fail the run (exit status 23) and be said, never pass as clean.
 *
 * Prints "ok: ..." or "FAIL: ..." on stderr; exit 1 when a check failed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MiB ((size_t)1 << 20)

static int failures;
#define CHECK(cond, ...)                                                                      \
  do {                                                                                        \
    fprintf(stderr, (cond) ? "ok: " : "FAIL: ");                                              \
    fprintf(stderr, __VA_ARGS__);                                                             \
    fprintf(stderr, "\n");                                                                    \
    if (!(cond)) failures++;                                                                  \
  } while (0)

struct node { struct node *next; char fill[4096 - sizeof(struct node *)]; };
static struct node *list;          // every kept block is reachable from here

static size_t vm_data_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmData: %zu kB", &kb) == 1) break;
  if (f) fclose(f);
  return kb * 1024;
}

static size_t fill_until_full(size_t limit) {
  size_t n = 0;
  while (n < limit) {
    struct node *b = malloc(sizeof *b);
    if (!b) break;
    b->next = list;
    b->fill[0] = (char)n;
    list = b;
    n++;
  }
  return n;
}

static void free_all(void) {
  while (list) { struct node *next = list->next; free(list); list = next; }
}

static void leak_ten(void) {
  for (int i = 0; i < 10 && list; i++) list = list->next;   // the first ten are dropped: definitely lost
}

static void as_after_start(void) {
  void *volatile warm = malloc(100);      // whatever heapcheck sets up at the first allocations is set up now
  free(warm);
  struct rlimit rl;
  getrlimit(RLIMIT_AS, &rl);
  struct rlimit low = { 512 * MiB, rl.rlim_max };
  CHECK(setrlimit(RLIMIT_AS, &low) == 0, "RLIMIT_AS lowered to 512 MiB");
  int ok = 1;
  void *small[2000], *large[50];
  for (int i = 0; i < 2000; i++) ok &= (small[i] = malloc(64 * 1024)) != NULL;
  for (int i = 0; i < 50; i++) ok &= (large[i] = malloc(MiB)) != NULL;
  CHECK(ok, "2000 blocks of 64 KiB and 50 of 1 MiB allocated under the limit");
  for (int i = 0; i < 2000; i++) free(small[i]);
  for (int i = 0; i < 50; i++) free(large[i]);
  setrlimit(RLIMIT_AS, &rl);
}

static struct rlimit data_limit;           // as it was before lower_data_limit

static void lower_data_limit(size_t room) {
  struct rlimit rl;
  getrlimit(RLIMIT_DATA, &rl);
  data_limit = rl;
  struct rlimit low = { vm_data_bytes() + room, rl.rlim_max };
  CHECK(setrlimit(RLIMIT_DATA, &low) == 0, "RLIMIT_DATA set %zu MiB above the current data size", room / MiB);
}

static void data_squeeze(void) {
  lower_data_limit(48 * MiB);
  size_t first = fill_until_full(1u << 20);
  CHECK(first > 2000, "first fill: %zu blocks of 4 KiB before malloc failed", first);
  free_all();
  size_t second = fill_until_full(1u << 20);
  CHECK(second >= first * 9 / 10, "second fill after freeing all: %zu blocks (first: %zu)", second, first);
  // Leave room for the exit report: free all but 100 blocks, of which 10 become unreachable.
  struct node *keep = NULL;
  for (int i = 0; i < 100 && list; i++) { struct node *b = list; list = b->next; b->next = keep; keep = b; }
  free_all();
  list = keep;
  leak_ten();
  setrlimit(RLIMIT_DATA, &data_limit);     // the exit report has room again
}

static void data_full_exit(void) {
  lower_data_limit(24 * MiB);
  size_t n = fill_until_full(1u << 20);
  CHECK(n > 1000, "filled %zu blocks of 4 KiB before malloc failed", n);
  leak_ten();
}

static void scan_starved(void) {
  fill_until_full(110);
  leak_ten();
  struct rlimit rl;
  getrlimit(RLIMIT_DATA, &rl);
  struct rlimit low = { vm_data_bytes(), rl.rlim_max };
  // Said before the limit: stdio may want memory for the message. Exit is left to the scan's lack of it.
  fprintf(stderr, "ok: 10 blocks dropped; RLIMIT_DATA goes down to the current data size\n");
  if (setrlimit(RLIMIT_DATA, &low) != 0) { fprintf(stderr, "FAIL: setrlimit\n"); exit(1); }
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "as-after-start") == 0) as_after_start();
  else if (strcmp(mode, "data-squeeze") == 0) data_squeeze();
  else if (strcmp(mode, "data-full-exit") == 0) data_full_exit();
  else if (strcmp(mode, "scan-starved") == 0) { scan_starved(); return 0; }
  else { fprintf(stderr, "usage: limits as-after-start|data-squeeze|data-full-exit|scan-starved\n"); return 2; }
  fprintf(stderr, "%s: %d failure(s)\n", mode, failures);
  return failures ? 1 : 0;
}
