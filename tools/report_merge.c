/* report_merge.c: "heapcheck-report merge -o OUT REPORT...": many reports (one per process) into
 * one of the same format. Findings are grouped on (kind, fingerprint): the first one seen is kept
 * (its stacks, description, ...), bytes/blocks/indirect_* are summed, "occurrences" counts them and
 * "pids" lists the processes they came from. Summaries are summed key by key; "exit_status" is
 * the highest non-null one. pid/ppid/command/exit_path become "pids" and "commands"; inputs that
 * are themselves merged reports are merged the same way. */
#define _GNU_SOURCE
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static json_int_t add_sat(json_int_t a, json_int_t b)
{
    json_int_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? (json_int_t)(~0ULL >> 1) : -(json_int_t)(~0ULL >> 1) - 1;
    return r;
}

/* Append v to the array if it is not already there (pids). */
static void add_unique_int(json_t *arr, json_int_t v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (json_integer_value(x) == v)
            return;
    }
    json_array_append_new(arr, json_integer(v));
}

/* The pids a finding (or report) stands for: its "pids" if merged, else [pid]. */
static void add_pids(json_t *dst, json_t *pids, json_t *pid)
{
    if (json_is_array(pids)) {
        size_t i;
        json_t *p;
        json_array_foreach(pids, i, p) {
            if (json_is_integer(p))
                add_unique_int(dst, json_integer_value(p));
        }
    } else if (json_is_integer(pid)) {
        add_unique_int(dst, json_integer_value(pid));
    }
}

static json_int_t occurrences(json_t *f)
{
    json_int_t n;
    return hcr_int(f, "occurrences", &n) ? n : 1;
}

static const char *const summed_keys[] = {"bytes", "blocks", "indirect_bytes", "indirect_blocks"};

/* dst += src for numbers, recursively for objects; other values: the first non-null wins. */
static void sum_into(json_t *dst, json_t *src)
{
    const char *k;
    json_t *sv;
    json_object_foreach(src, k, sv) {
        json_t *dv = json_object_get(dst, k);
        if (strcmp(k, "exit_status") == 0) { /* not a count: the highest one asked for */
            if (json_is_integer(sv) && (!json_is_integer(dv) ||
                                        json_integer_value(sv) > json_integer_value(dv)))
                json_object_set_new(dst, k, json_integer(json_integer_value(sv)));
            else if (!dv)
                json_object_set_new(dst, k, json_null());
        } else if (!dv || json_is_null(dv)) {
            json_object_set_new(dst, k, json_deep_copy(sv));
        } else if (json_is_integer(dv) && json_is_integer(sv)) {
            json_integer_set(dv, add_sat(json_integer_value(dv), json_integer_value(sv)));
        } else if (json_is_number(dv) && json_is_number(sv)) {
            json_object_set_new(dst, k, json_real(json_number_value(dv) + json_number_value(sv)));
        } else if (json_is_object(dv) && json_is_object(sv)) {
            sum_into(dv, sv);
        }
    }
}

struct merger {
    json_t *out;        /* the merged report */
    json_t *index;      /* "kind\nfingerprint" -> index in out.errors / out.leaks (as integer) */
    json_t *options;    /* the common "options" string, or JSON null once they differ */
    int first;
};

static int merge_findings(struct merger *m, json_t *report, const char *key)
{
    json_t *dst = json_object_get(m->out, key);
    json_t *pid = json_object_get(report, "pid");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, key), i, f) {
        char *k = hcr_finding_key(f);
        if (!k)
            return -1;
        /* errors and leaks are indexed apart: prefix the key with the array name */
        char *ik = NULL;
        if (asprintf(&ik, "%s\n%s", key, k) < 0) {
            free(k);
            return -1;
        }
        free(k);
        json_t *at = json_object_get(m->index, ik);
        if (!at) {
            json_t *copy = json_deep_copy(f);
            json_t *pids = json_array();
            add_pids(pids, json_object_get(f, "pids"), pid);
            json_object_set_new(copy, "occurrences", json_integer(occurrences(f)));
            json_object_set_new(copy, "pids", pids);
            json_object_set_new(m->index, ik, json_integer((json_int_t)json_array_size(dst)));
            json_array_append_new(dst, copy);
        } else {
            json_t *g = json_array_get(dst, (size_t)json_integer_value(at));
            for (size_t j = 0; j < sizeof summed_keys / sizeof summed_keys[0]; j++) {
                json_int_t a = 0, b = 0;
                int ha = hcr_int(g, summed_keys[j], &a), hb = hcr_int(f, summed_keys[j], &b);
                if (ha || hb)
                    json_object_set_new(g, summed_keys[j], json_integer(add_sat(a, b)));
            }
            json_object_set_new(g, "occurrences",
                                json_integer(add_sat(occurrences(g), occurrences(f))));
            add_pids(json_object_get(g, "pids"), json_object_get(f, "pids"), pid);
        }
        free(ik);
    }
    return 0;
}

/* Suppression rules: one per (rule, source), "matched" summed. */
static void merge_suppressions(json_t *dst, json_t *src)
{
    size_t i, j;
    json_t *s, *d;
    json_array_foreach(src, i, s) {
        const char *rule = hcr_str(s, "rule"), *source = hcr_str(s, "source");
        int found = 0;
        json_array_foreach(dst, j, d) {
            const char *r2 = hcr_str(d, "rule"), *s2 = hcr_str(d, "source");
            if ((rule && r2 ? strcmp(rule, r2) == 0 : rule == r2) &&
                (source && s2 ? strcmp(source, s2) == 0 : source == s2)) {
                json_int_t a = 0, b = 0;
                hcr_int(d, "matched", &a);
                hcr_int(s, "matched", &b);
                json_object_set_new(d, "matched", json_integer(add_sat(a, b)));
                found = 1;
                break;
            }
        }
        if (!found)
            json_array_append_new(dst, json_deep_copy(s));
    }
}

static int merge_one(struct merger *m, json_t *r)
{
    json_t *out = m->out;
    if (m->first) {
        static const char *const copied[] = {"tool", "tool_version"};
        for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
            json_t *v = json_object_get(r, copied[i]);
            if (v)
                json_object_set_new(out, copied[i], json_deep_copy(v));
        }
        json_t *o = json_object_get(r, "options");
        m->options = o ? json_deep_copy(o) : json_null();
        m->first = 0;
    } else if (!json_equal(m->options, json_object_get(r, "options"))) {
        json_decref(m->options);
        m->options = json_null();
    }
    add_pids(json_object_get(out, "pids"), json_object_get(r, "pids"), json_object_get(r, "pid"));
    json_t *cmds = json_object_get(r, "commands");
    if (json_is_array(cmds))
        json_array_extend(json_object_get(out, "commands"), cmds);
    else if (json_object_get(r, "command"))
        json_array_append(json_object_get(out, "commands"), json_object_get(r, "command"));
    json_int_t n = 1;
    hcr_int(r, "merged_reports", &n);
    json_int_t total = 0;
    hcr_int(out, "merged_reports", &total);
    json_object_set_new(out, "merged_reports", json_integer(add_sat(total, n)));
    if (merge_findings(m, r, "errors") || merge_findings(m, r, "leaks"))
        return -1;
    merge_suppressions(json_object_get(out, "suppressions"), json_object_get(r, "suppressions"));
    json_t *s = json_object_get(r, "summary");
    if (json_is_object(s))
        sum_into(json_object_get(out, "summary"), s);
    return 0;
}

int hcr_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    const char *outpath = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': outpath = optarg; break;
        case 'h': hcr_usage(stdout); return HCR_OK;
        default: return hcr_bad_option("merge", c, argv);
        }
    }
    if (!outpath)
        return hcr_usage_error("merge", "no output file (-o OUT)");
    if (optind >= argc)
        return hcr_usage_error("merge", "no report given");

    struct merger m = {.out = json_object(), .index = json_object(), .first = 1};
    json_t *out = m.out;
    json_object_set_new(out, "heapcheck_report", json_integer(HCR_FORMAT_VERSION));
    json_object_set_new(out, "tool", json_string("heapcheck"));
    json_object_set_new(out, "tool_version", json_null());
    json_object_set_new(out, "merged_reports", json_integer(0));
    json_object_set_new(out, "pids", json_array());
    json_object_set_new(out, "commands", json_array());
    json_object_set_new(out, "options", json_null());
    json_object_set_new(out, "errors", json_array());
    json_object_set_new(out, "leaks", json_array());
    json_object_set_new(out, "suppressions", json_array());
    json_object_set_new(out, "summary", json_object());

    int rc = HCR_OK;
    for (int i = optind; i < argc; i++) {
        json_t *r = hcr_load_report(argv[i]);
        if (!r) {
            rc = HCR_BAD_INPUT;
            break;
        }
        if (merge_one(&m, r) != 0) {
            hcr_err("out of memory");
            rc = HCR_BAD_INPUT;
        }
        json_decref(r);
        if (rc != HCR_OK)
            break;
    }
    if (rc == HCR_OK) {
        if (json_is_string(m.options))
            json_object_set(out, "options", m.options);
        else
            json_object_del(out, "options");
        if (json_is_null(json_object_get(out, "tool_version")))
            json_object_del(out, "tool_version");
        if (hcr_write_json_atomic(outpath, out) != 0)
            rc = HCR_BAD_INPUT;
    }
    json_decref(m.options);
    json_decref(m.index);
    json_decref(out);
    return rc;
}
