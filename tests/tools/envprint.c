/* Test helper for the driver: prints what heapcheck handed to the program. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *o = getenv("HEAPCHECK_OPTIONS"), *p = getenv("LD_PRELOAD");
    printf("HEAPCHECK_OPTIONS=%s\n", o ? o : "(unset)");
    printf("LD_PRELOAD=%s\n", p ? p : "(unset)");
    printf("PID=%ld\n", (long)getpid());
    for (int i = 1; i < argc; i++)
        printf("ARG%d=%s\n", i, argv[i]);
    return 0;
}
