/* fingerprint.h: the fingerprint of a finding, the key on which reports are merged and compared
 * (docs/report-schema.md, "Fingerprints"). One pure function, compiled into libheapcheck and into
 * heapcheck-report, so the library that writes a fingerprint and the tool that recomputes one from the
 * JSON frames cannot disagree. Depends on nothing but <stdint.h>: no libcheck header, no allocation, no I/O. */
#ifndef LC_FINGERPRINT_H
#define LC_FINGERPRINT_H

#include <stdint.h>

#define LC_FINGERPRINT_FRAMES 4   // frames of the key stack that count, innermost first

// What a fingerprint reads of one frame; every field may be unknown (NULL / 0).
typedef struct lc_fp_frame_s {
  const char *function;   // function name as reported
  const char *module;     // path of the module; only its base name counts (stable across install paths)
  int line;               // source line of the frame (the call, for a caller)
  int function_line;      // first line of the frame's function (its declaration line)
} lc_fp_frame_t;

// FNV-1a 64 of: kind, then for each of the first LC_FINGERPRINT_FRAMES frames "\n" and the function name,
// or the module's base name when the function is unknown, or "?"; after the name of the site frame (the
// innermost of those frames whose function, line and function_line are all known) "@" and
// line - function_line in decimal. Without a site frame the value is the one format version 1 gave for
// frames with function names.
// pre: kind != NULL; frames[0..n) readable (n <= 0: none).
uint64_t lc_fingerprint_compute(const char *kind, const lc_fp_frame_t *frames, int n);

#endif
