/* report_fingerprint.c: fingerprints from the frames of a JSON report, through the library's own
 * function (libcheck/fingerprint.c, compiled into this tool), and their verification. Reads frames
 * only as the library writes them; never keeps a rule of its own. */
#include "report.h"
#include "../libcheck/fingerprint.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

/* A line number as the fingerprint takes it: 0 (unknown) unless a positive int. */
static int line_of(json_t *frame, const char *key)
{
    json_int_t v;
    return hcr_int(frame, key, &v) && v > 0 && v <= INT_MAX ? (int)v : 0;
}

void hcr_compute_fingerprint(const char *kind, json_t *stack, int version, char out[17])
{
    lc_fp_frame_t f[LC_FINGERPRINT_FRAMES];
    int n = 0;
    for (; n < LC_FINGERPRINT_FRAMES && (size_t)n < json_array_size(stack); n++) {
        json_t *fr = json_array_get(stack, (size_t)n);
        f[n].function = hcr_str(fr, "function");
        f[n].module = hcr_str(fr, "module");
        f[n].line = line_of(fr, "line");
        f[n].function_line = version >= 2 ? line_of(fr, "function_line") : 0;
    }
    snprintf(out, 17, "%016" PRIx64, lc_fingerprint_compute(kind, f, n));
}

void hcr_refingerprint(json_t *report, int version)
{
    for (int is_leak = 0; is_leak < 2; is_leak++) {
        size_t i;
        json_t *f;
        json_array_foreach(is_leak ? hcr_leaks(report) : hcr_errors(report), i, f) {
            char buf[17];
            hcr_compute_fingerprint(hcr_kind(f), hcr_key_stack(f, is_leak), version, buf);
            json_object_set_new(f, "fingerprint", json_string(buf));
        }
    }
}

int hcr_verify_fingerprints(const char *path, json_t *report)
{
    int version = hcr_report_version(report);
    if (version < 2) {
        hcr_err("%s: a version %d report: its fingerprints follow that version's rule, which this "
                "tool does not keep; only version %d fingerprints can be verified",
                path, version, HCR_FORMAT_VERSION);
        return HCR_BAD_INPUT;
    }
    size_t n = 0, bad = 0;
    for (int is_leak = 0; is_leak < 2; is_leak++) {
        size_t i;
        json_t *f;
        json_array_foreach(is_leak ? hcr_leaks(report) : hcr_errors(report), i, f) {
            char buf[17];
            hcr_compute_fingerprint(hcr_kind(f), hcr_key_stack(f, is_leak), version, buf);
            n++;
            if (strcmp(buf, hcr_fingerprint(f)) == 0)
                continue;
            bad++;
            printf("MISMATCH %s[%zu] ", is_leak ? "leaks" : "errors", i);
            hcr_put_text(stdout, hcr_kind(f));
            fputs(": the report says ", stdout);
            hcr_put_text(stdout, hcr_fingerprint(f));
            printf(", its frames give %s\n", buf);
        }
    }
    printf("check %s: fingerprints %s: %zu of %zu finding%s match their frames\n", path,
           bad ? "FAILED" : "passed", n - bad, n, n == 1 ? "" : "s");
    return bad ? HCR_FINDINGS : HCR_OK;
}
