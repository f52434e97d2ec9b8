/* report_diff.c: "heapcheck-report diff [--json] BASELINE CURRENT": findings that appeared or went
 * away, keyed on (kind, fingerprint); suppressed leaks are left out of both sides. Reports of two
 * format versions are compared on fingerprints recomputed as the older version defines them. */
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* key -> [finding, is_leak] for every finding that counts, first one of each key. */
static json_t *finding_set(json_t *report)
{
    json_t *set = json_object();
    for (int is_leak = 0; is_leak < 2; is_leak++) {
        size_t i;
        json_t *f;
        json_array_foreach(is_leak ? hcr_leaks(report) : hcr_errors(report), i, f) {
            if (is_leak && hcr_is_suppressed(f))
                continue;
            char *k = hcr_finding_key(f);
            if (!k)
                continue;
            if (!json_object_get(set, k))
                json_object_set_new(set, k, json_pack("[Ob]", f, is_leak));
            free(k);
        }
    }
    return set;
}

/* Entries of a not in b, as [finding, is_leak] pairs in a's order. */
static json_t *missing_from(json_t *a, json_t *b)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) {
        if (!json_object_get(b, k))
            json_array_append(out, v);
    }
    return out;
}

static void print_list(FILE *out, const char *label, json_t *list)
{
    size_t i;
    json_t *pair;
    json_array_foreach(list, i, pair) {
        fprintf(out, "%-5s ", label);
        hcr_print_finding_line(out, json_array_get(pair, 0),
                               json_is_true(json_array_get(pair, 1)));
        fputc('\n', out);
    }
}

static json_t *findings_only(json_t *list)
{
    json_t *out = json_array();
    size_t i;
    json_t *pair;
    json_array_foreach(list, i, pair) json_array_append(out, json_array_get(pair, 0));
    return out;
}

int hcr_cmd_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int as_json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': as_json = 1; break;
        case 'h': hcr_usage(stdout); return HCR_OK;
        default: return hcr_bad_option("diff", c, argv);
        }
    }
    if (argc - optind != 2)
        return hcr_usage_error("diff", "needs exactly two reports, BASELINE and CURRENT (got %d)",
                               argc - optind);
    json_t *base = hcr_load_report(argv[optind]);
    json_t *cur = base ? hcr_load_report(argv[optind + 1]) : NULL;
    if (!cur) {
        json_decref(base);
        return HCR_BAD_INPUT;
    }
    int bv = hcr_report_version(base), cv = hcr_report_version(cur);
    if (bv != cv) { /* fingerprints of two versions do not compare: both as the older defines them */
        int v = bv < cv ? bv : cv;
        hcr_err("note: %s is a version %d report, %s a version %d one: findings are compared on "
                "fingerprints recomputed from their frames as version %d defines them",
                argv[optind], bv, argv[optind + 1], cv, v);
        hcr_refingerprint(base, v);
        hcr_refingerprint(cur, v);
    }
    json_t *bset = finding_set(base), *cset = finding_set(cur);
    json_t *added = missing_from(cset, bset), *fixed = missing_from(bset, cset);
    size_t n_new = json_array_size(added), n_fixed = json_array_size(fixed);
    int rc = n_new ? HCR_FINDINGS : HCR_OK;

    if (as_json) {
        json_t *doc = json_pack("{s:o,s:o,s:{s:I,s:I}}", "new", findings_only(added), "fixed",
                                findings_only(fixed), "summary", "new", (json_int_t)n_new, "fixed",
                                (json_int_t)n_fixed);
        if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            hcr_err("cannot print the JSON result");
            rc = HCR_BAD_INPUT;
        }
        putchar('\n');
        json_decref(doc);
    } else {
        print_list(stdout, "new", added);
        print_list(stdout, "fixed", fixed);
        printf("%zu new, %zu fixed (%s -> %s)\n", n_new, n_fixed, argv[optind], argv[optind + 1]);
    }
    json_decref(added);
    json_decref(fixed);
    json_decref(bset);
    json_decref(cset);
    json_decref(base);
    json_decref(cur);
    return rc;
}
