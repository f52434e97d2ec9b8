/* os.h: what libcheck takes straight from the kernel: its own memory (anonymous mappings, never the user heap)
 * and raw file access for the files it reads itself (/proc, the environment, suppression files).
 * Layer 0: uses nothing of libcheck but lc.h; takes no lock, so it is usable while the world is stopped. */
#ifndef LC_OS_H
#define LC_OS_H

#include "lc.h"

#include <sys/types.h>

// Checker-owned memory straight from the kernel (never the user heap). Zeroed. NULL on failure; errno kept.
void *lc_os_alloc(size_t size);
// The same, but only reserved: pages cost memory once touched (large tables that fill slowly).
void *lc_os_reserve(size_t size);
// pre: p came from lc_os_alloc/lc_os_reserve with the same size (or is NULL).
void lc_os_free(void *p, size_t size);
// Calls fn(start, end, arg) for every live checker-owned mapping (excluded from leak-scan roots). Lock-free:
// a mapping being registered at the same time may be missed, never half-seen.
#define LC_OS_MAX_RANGES 1024         // mappings registered at once; more still work, unregistered
typedef void (*lc_range_fn)(uintptr_t start, uintptr_t end, void *arg);
void lc_os_for_each_range(lc_range_fn fn, void *arg);

// Raw system calls for files libcheck itself reads or writes: never the program's interposed close(), never
// stdio, no allocation. Return what the system call returns (-1 on error, errno set). lc_os_open's descriptor is
// close-on-exec and moved high at once (lc_os_fd_high): a file heapcheck reads never keeps one of the program's
// numbers.
int lc_os_open(const char *path, int flags, int mode);
ssize_t lc_os_read(int fd, void *buf, size_t len);
int lc_os_close(int fd);
// Moves fd to a free number near the top of the descriptor limit (at most 4096: the kernel's table grows to the
// highest number in use), close-on-exec, and closes fd:
// programs take the lowest free numbers, and those must stay what they would be without heapcheck. When the top
// 64 numbers are taken it looks lower, down to half the limit. Returns the new number, or fd itself when none is
// free there (a tiny limit). errno is kept.
int lc_os_fd_high(int fd);
// Reads up to cap-1 bytes of path into buf, NUL-terminated; returns the length, or -1 if it cannot be opened.
ssize_t lc_os_read_file(const char *path, char *buf, size_t cap);

#endif
