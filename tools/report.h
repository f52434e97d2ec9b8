/* report.h: shared pieces of heapcheck-report (see docs/report-schema.md for the format). */
#ifndef HEAPCHECK_TOOLS_REPORT_H
#define HEAPCHECK_TOOLS_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* The report format version this tool writes; it reads 1 to this one. Version 2 changed the
 * fingerprint (a line within the function, a module's base name: docs/report-schema.md). */
#define HCR_FORMAT_VERSION 2

/* Exit statuses shared by every subcommand. */
enum { HCR_OK = 0, HCR_FINDINGS = 1, HCR_BAD_INPUT = 2 };

/* report_load.c: reading and checking ----------------------------------------------------- */

/* "heapcheck-report: " + message + newline, on stderr. */
void hcr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read and parse a JSON file ("-" is stdin). On failure prints "PATH: what was wrong" (with line
 * and column for a syntax error) and returns NULL. */
json_t *hcr_load_json(const char *path);

/* hcr_load_json + checks that it is a heapcheck report of a version we understand, that every
 * finding is an object with a string "kind", that the keys we use have the right types and counts
 * are counts. Missing "errors"/"leaks" become empty arrays and a missing "fingerprint" is computed
 * from the stack as the library does (at the report's version), so the other subcommands need not
 * check again. NULL (message printed) when the file is not usable. */
json_t *hcr_load_report(const char *path);
/* The same, read from f (from where it is to its end; not closed), its messages naming path. */
json_t *hcr_load_report_from(const char *path, FILE *f);

/* A report read one finding at a time, for output that must not grow with the report (export):
 * fn gets each finding as hcr_load_report would hold it (checked, a missing fingerprint computed),
 * errors first, then leaks; *head (when not NULL) gets the report's other keys, checked too.
 * Memory: one finding and the other keys. Only the layout the library and merge write is
 * streamed (an object with "heapcheck_report" before "errors", "errors" before "leaks"); for any
 * other input, valid or not, it returns -1 without a message, and the caller reads the report
 * whole with hcr_load_report (which says what is wrong). Returns 0, -1, or 1 when fn returned
 * nonzero (the read stopped there). f: the report, open for reading at its start. */
typedef int (*hcr_finding_fn)(json_t *finding, int is_leak, void *arg);
int hcr_stream_report(const char *path, FILE *f, json_t **head, hcr_finding_fn fn, void *arg);

/* The format version of a loaded report (1 .. HCR_FORMAT_VERSION). */
int hcr_report_version(json_t *report);

/* Accessors (report_load.c) */

/* The "errors" / "leaks" arrays of a loaded report (never NULL after hcr_load_report). */
json_t *hcr_errors(json_t *report);
json_t *hcr_leaks(json_t *report);

const char *hcr_str(json_t *obj, const char *key);                  /* NULL unless a string */
int hcr_int(json_t *obj, const char *key, json_int_t *out);         /* 1 if an integer */
int hcr_is_suppressed(json_t *leak);                                /* suppressed_by set */
const char *hcr_kind(json_t *finding);
const char *hcr_fingerprint(json_t *finding);

/* The exit-status policy a report was made under: the leak kinds whose unsuppressed groups fail
 * it (summary.counted_leak_kinds, each once, at most max of them, pointing into the report; for a
 * report that records none, leak-definite and leak-possible, as check judged before); their count.
 * *recorded (if not NULL) says which. */
#define HCR_MAX_LEAK_KINDS 8
size_t hcr_counted_leak_kinds(json_t *report, const char **kinds, size_t max, int *recorded);
/* 1 if this leak of report fails it under that policy (unsuppressed, of a counted kind). */
int hcr_counts_leak(json_t *report, json_t *leak);

/* "kind\nfingerprint": the key merge and diff group findings on. Caller frees. */
char *hcr_finding_key(json_t *finding);

/* The stack a fingerprint is computed on: a leak's "stack", an error's "stacks.detected". */
json_t *hcr_key_stack(json_t *finding, int is_leak);

/* report_fingerprint.c: the library's fingerprint (libcheck/fingerprint.c) on JSON frames ------ */

/* The fingerprint of kind + stack as format `version` defines it (version 1: without the line
 * within the function, which version 1 frames do not carry); 16 hex digits into out[17]. */
void hcr_compute_fingerprint(const char *kind, json_t *stack, int version, char out[17]);

/* Every finding's "fingerprint" recomputed from its frames as `version` defines it: what merge and
 * diff compare when their inputs are of different versions. */
void hcr_refingerprint(json_t *report, int version);

/* check --fingerprints: one line per finding whose fingerprint is not what its frames give, a
 * result line; HCR_FINDINGS when one does not match, HCR_BAD_INPUT for a version 1 report. */
int hcr_verify_fingerprints(const char *path, json_t *report);

/* report_text.c: text shared by the subcommands ----------------------------------------------- */

/* Text of one frame: "function file:line", "function (module+0xoff)" or "module+0xoff"; with
 * basename_only the file is shortened to its basename. Returns buf. */
char *hcr_frame_text(json_t *frame, int basename_only, char *buf, size_t size);
/* s on out with control characters escaped (\n, \t, \xNN): a report is data, never terminal control. */
void hcr_put_text(FILE *out, const char *s);

/* One line per frame, "INDENT#N text". */
void hcr_print_stack(FILE *out, json_t *stack, const char *indent);

/* "kind fingerprint 64 bytes in 2 blocks ... at f file:line": one line, no newline, for diff and
 * check. */
void hcr_print_finding_line(FILE *out, json_t *finding, int is_leak);

/* report_write.c ------------------------------------------------------------------------------ */

/* Write doc to path (or stdout for "-") as indented JSON: into a temporary file next to path,
 * then rename, so that a failure leaves no partial file. 0 or -1 (message printed). */
int hcr_write_json_atomic(const char *path, json_t *doc);
/* Same for an already formatted text. */
int hcr_write_text_atomic(const char *path, const char *text, size_t len);
/* The same, written piece by piece to o.f: hcr_out_open (0, or -1 with a message), then
 * hcr_out_close with keep = 1 to put the file in place (0, or -1 with a message when it could not
 * be written) or keep = 0 to drop it (-1). For "-", o.f is stdout, whose errors main reports. */
struct hcr_out {
    FILE *f;
    char *tmp; /* the temporary file beside path, NULL for stdout */
    const char *path;
};
int hcr_out_open(struct hcr_out *o, const char *path);
int hcr_out_close(struct hcr_out *o, int keep);

/* Subcommands, report_<name>.c (argc/argv start at the subcommand name) ----------------------- */
int hcr_cmd_show(int argc, char **argv);
int hcr_cmd_merge(int argc, char **argv);
int hcr_cmd_diff(int argc, char **argv);
int hcr_cmd_check(int argc, char **argv);
int hcr_cmd_export(int argc, char **argv);

/* heapcheck-report.c -------------------------------------------------------------------------- */

/* Flushes stdout; when anything written to it failed, says so on stderr and returns -1. */
int hcr_stdout_done(void);

/* Usage of the whole tool, on out. */
void hcr_usage(FILE *out);
/* Print "heapcheck-report: SUB: msg" and the usage on stderr; returns HCR_BAD_INPUT. */
int hcr_usage_error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For getopt_long's '?' or ':' (optstring starting with ':'): the message and usage; returns
 * HCR_BAD_INPUT. */
int hcr_bad_option(const char *sub, int c, char **argv);

#endif
