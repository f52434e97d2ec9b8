/* Leaks across fork(): a block lost before the fork is lost in both processes; after the fork the parent
 * and the child each lose a block of their own. Each process writes its own report; merged, the pre-fork
 * leak counts 2 blocks (one per process) and the others 1 each. The parent waits for the child and aborts
 * (no report, SIGABRT) unless the child's exit status is argv[1] (23: it was checked and leaked; 0: it was
 * not checked, report_forked_children=0; "-": any status, as under valgrind). */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_before_fork(void) { memset(malloc(24), 'b', 24); }
__attribute__((noinline)) static void leak_in_child(void) { memset(malloc(40), 'c', 40); }
__attribute__((noinline)) static void leak_in_parent(void) { memset(malloc(56), 'p', 56); }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int child_status = argv[1][0] == '-' ? -1 : atoi(argv[1]);
  leak_before_fork();
  lc_case_clobber_stack();
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    leak_in_child();
    lc_case_clobber_stack();
    exit(0);
  }
  leak_in_parent();
  lc_case_clobber_stack();
  int st;
  if (waitpid(pid, &st, 0) != pid || (child_status >= 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != child_status)))
    abort();
  return 0;
}
