/* heapcheck.h: the on-demand API of libheapcheck.so.
 *
 * A program may include this header and call these functions whether or not it runs under heapcheck: they are
 * declared weak, so without the library they are NULL, and the HEAPCHECK_* macros below do nothing.
 *
 *   #include <heapcheck.h>
 *   ...
 *   HEAPCHECK_CHECK_HEAP();          // verify every live and freed block now
 *   HEAPCHECK_REPORT_LEAKS();        // run a leak scan now and report what is lost at this point
 */
#ifndef HEAPCHECK_H
#define HEAPCHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Verifies the canaries of every live block, the poison of every quarantined one and the heap's own free-chunk
 * metadata. Each damaged block is reported (once) as heap-buffer-overflow, heap-buffer-underflow,
 * use-after-free or corrupted-header, damaged heap metadata as corrupted-heap. Returns the number of damaged
 * blocks found by this call. */
__attribute__((weak)) size_t heapcheck_check_heap(void);

/* Runs the leak scan now and writes the leak report (text, and JSON when json_path is set) without ending
 * the program. Returns the definitely lost bytes (clamped to INT_MAX), or -1 when leak checking is off. */
__attribute__((weak)) int heapcheck_report_leaks(void);

#define HEAPCHECK_CHECK_HEAP() (heapcheck_check_heap ? heapcheck_check_heap() : (size_t)0)
#define HEAPCHECK_REPORT_LEAKS() (heapcheck_report_leaks ? heapcheck_report_leaks() : -1)

#ifdef __cplusplus
}
#endif

#endif
