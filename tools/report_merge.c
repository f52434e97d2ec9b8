/* report_merge.c: "heapcheck-report merge -o OUT REPORT...": many reports (one per process) into
 * one of the same format. Findings are grouped on (kind, fingerprint, suppressed_by): the first one
 * seen is kept (its stacks, description, ...), bytes/blocks/indirect_* are summed, "occurrences"
 * counts them and "pids" lists the processes they came from. Summaries are summed key by key;
 * "exit_status" is the highest non-null one, a boolean true if any is, an array the union (the
 * policy and problems check fails on). pid/ppid/command/exit_path become "pids" and
 * "commands"; inputs that are themselves merged reports are merged the same way. Every lookup is
 * hashed: linear in reports, findings and pids. */
#define _GNU_SOURCE
#include "report.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static json_int_t add_sat(json_int_t a, json_int_t b)
{
    json_int_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? (json_int_t)(~0ULL >> 1) : -(json_int_t)(~0ULL >> 1) - 1;
    return r;
}

/* A set of process ids (open addressing): each pid is looked up once per occurrence, so a
 * merge stays linear in pids and findings (a list searched each time was quadratic). */
struct pidset {
    json_int_t *key;
    unsigned char *used;
    size_t cap, n; /* cap is 0 or a power of two; n < cap / 2 */
};

static size_t pid_hash(json_int_t v)
{
    uint64_t x = (uint64_t)v * 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

/* Slot of v, or of the free slot where it would go. pre: cap > 0. */
static size_t pid_slot(const struct pidset *s, json_int_t v)
{
    size_t mask = s->cap - 1, i = pid_hash(v) & mask;
    while (s->used[i] && s->key[i] != v)
        i = (i + 1) & mask;
    return i;
}

static int pid_grow(struct pidset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    struct pidset n = {calloc(cap, sizeof *n.key), calloc(cap, 1), cap, 0};
    if (!n.key || !n.used) {
        free(n.key);
        free(n.used);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->used[i]) {
            size_t j = pid_slot(&n, s->key[i]);
            n.used[j] = 1;
            n.key[j] = s->key[i];
            n.n++;
        }
    free(s->key);
    free(s->used);
    *s = n;
    return 0;
}

static void pid_free(struct pidset *s)
{
    free(s->key);
    free(s->used);
    memset(s, 0, sizeof *s);
}

/* Append v to arr unless seen holds it already. 0 or -1 (out of memory). */
static int add_pid(struct pidset *seen, json_t *arr, json_int_t v)
{
    if (2 * (seen->n + 1) > seen->cap && pid_grow(seen) != 0)
        return -1;
    size_t i = pid_slot(seen, v);
    if (seen->used[i])
        return 0;
    seen->used[i] = 1;
    seen->key[i] = v;
    seen->n++;
    return json_array_append_new(arr, json_integer(v));
}

/* The pids a finding (or report) stands for: its "pids" if merged, else [pid]. */
static int add_pids(struct pidset *seen, json_t *dst, json_t *pids, json_t *pid)
{
    if (json_is_array(pids)) {
        size_t i;
        json_t *p;
        json_array_foreach(pids, i, p) {
            if (json_is_integer(p) && add_pid(seen, dst, json_integer_value(p)) != 0)
                return -1;
        }
    } else if (json_is_integer(pid)) {
        return add_pid(seen, dst, json_integer_value(pid));
    }
    return 0;
}

static json_int_t occurrences(json_t *f)
{
    json_int_t n;
    return hcr_int(f, "occurrences", &n) ? n : 1;
}

static const char *const summed_keys[] = {"bytes", "blocks", "indirect_bytes", "indirect_blocks"};

/* The elements of src that dst does not hold yet, appended to it: a set kept in order. */
static void union_into(json_t *dst, json_t *src)
{
    size_t i, j;
    json_t *e, *d;
    json_array_foreach(src, i, e) {
        int seen = 0;
        json_array_foreach(dst, j, d) seen = seen || json_equal(d, e);
        if (!seen)
            json_array_append(dst, e);
    }
}

/* dst += src for numbers, recursively for objects; true if either is for booleans (incomplete,
 * text_lost); the union for arrays (counted_leak_kinds, options_rejected: what failed any input
 * fails the merged report); other values: the first non-null wins. */
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
        } else if (json_is_boolean(dv) && json_is_true(sv)) {
            json_object_set_new(dst, k, json_true());
        } else if (json_is_array(dv) && json_is_array(sv)) {
            union_into(dv, sv);
        }
    }
}

/* The findings of out.errors or out.leaks, each with the pids it came from. */
struct slots {
    struct pidset *v; /* v[i] belongs to the array's element i */
    size_t n, cap;
};

struct merger {
    json_t *out;          /* the merged report */
    json_t *index;        /* merge_key() -> index in out.errors / out.leaks (as integer) */
    struct slots slots[2]; /* [is_leak] */
    struct pidset pids;   /* out.pids */
    json_t *supp_index;   /* (rule, source) -> index in out.suppressions */
    json_t *options;      /* the common "options" string, or JSON null once they differ */
    int first;
    int version;          /* format version of the inputs so far; 0 once they differ */
    const char *first_path;
    int policy_unrecorded; /* an input's summary has no counted_leak_kinds (an older report) */
};

/* A string for a key: its length first, so that no two lists of parts give the same key; null
 * is "-". */
static void key_part(FILE *k, const char *s)
{
    if (s)
        fprintf(k, "%zu:%s", strlen(s), s);
    else
        fputc('-', k);
}

/* The key findings merge on: the array, kind, fingerprint and, for a leak, the rule that
 * suppressed it (null when none), so that a finding suppressed in one process and not in
 * another stays two findings whatever the order of the inputs. Caller frees. */
static char *merge_key(json_t *f, int is_leak)
{
    char *key = NULL;
    size_t len = 0;
    FILE *k = open_memstream(&key, &len);
    if (!k)
        return NULL;
    fputc(is_leak ? 'l' : 'e', k);
    key_part(k, hcr_kind(f));
    key_part(k, hcr_fingerprint(f));
    if (is_leak && hcr_is_suppressed(f)) {
        const char *by = hcr_str(f, "suppressed_by");
        fputc('+', k);
        key_part(k, by);
    }
    if (fclose(k) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

static struct pidset *new_slot(struct slots *sl)
{
    if (sl->n == sl->cap) {
        size_t cap = sl->cap ? sl->cap * 2 : 64;
        struct pidset *v = realloc(sl->v, cap * sizeof *v);
        if (!v)
            return NULL;
        sl->v = v;
        sl->cap = cap;
    }
    struct pidset *s = &sl->v[sl->n++];
    memset(s, 0, sizeof *s);
    return s;
}

static void free_slots(struct slots *sl)
{
    for (size_t i = 0; i < sl->n; i++)
        pid_free(&sl->v[i]);
    free(sl->v);
    memset(sl, 0, sizeof *sl);
}

static int merge_findings(struct merger *m, json_t *report, int is_leak)
{
    const char *key = is_leak ? "leaks" : "errors";
    json_t *dst = json_object_get(m->out, key);
    struct slots *sl = &m->slots[is_leak];
    json_t *pid = json_object_get(report, "pid");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(report, key), i, f) {
        char *k = merge_key(f, is_leak);
        if (!k)
            return -1;
        json_t *at = json_object_get(m->index, k);
        int rc = 0;
        if (!at) {
            struct pidset *seen = new_slot(sl);
            json_t *copy = json_deep_copy(f);
            json_t *pids = json_array();
            if (!seen || !copy || !pids) {
                json_decref(copy);
                json_decref(pids);
                free(k);
                return -1;
            }
            json_object_set_new(copy, "occurrences", json_integer(occurrences(f)));
            json_object_set_new(copy, "pids", pids);
            json_object_set_new(m->index, k, json_integer((json_int_t)json_array_size(dst)));
            json_array_append_new(dst, copy);
            rc = add_pids(seen, pids, json_object_get(f, "pids"), pid);
        } else {
            size_t at_i = (size_t)json_integer_value(at);
            json_t *g = json_array_get(dst, at_i);
            for (size_t j = 0; j < sizeof summed_keys / sizeof summed_keys[0]; j++) {
                json_int_t a = 0, b = 0;
                int ha = hcr_int(g, summed_keys[j], &a), hb = hcr_int(f, summed_keys[j], &b);
                if (ha || hb)
                    json_object_set_new(g, summed_keys[j], json_integer(add_sat(a, b)));
            }
            json_object_set_new(g, "occurrences",
                                json_integer(add_sat(occurrences(g), occurrences(f))));
            rc = add_pids(&sl->v[at_i], json_object_get(g, "pids"), json_object_get(f, "pids"),
                          pid);
        }
        free(k);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Inputs of two format versions: fingerprints of one do not compare with the other's, so every
 * finding merged so far is keyed again on its fingerprint recomputed as version 1 defines it
 * (hcr_refingerprint), and so is every finding of the inputs still to come. Findings that then
 * share a key are merged as if they had come so. */
static int rekey(struct merger *m)
{
    json_t *old = json_pack("{s:O,s:O}", "errors", json_object_get(m->out, "errors"), "leaks",
                            json_object_get(m->out, "leaks"));
    if (!old)
        return -1;
    json_object_set_new(m->out, "errors", json_array());
    json_object_set_new(m->out, "leaks", json_array());
    json_object_clear(m->index);
    free_slots(&m->slots[0]);
    free_slots(&m->slots[1]);
    hcr_refingerprint(old, 1);
    int rc = merge_findings(m, old, 0) || merge_findings(m, old, 1) ? -1 : 0;
    json_decref(old);
    return rc;
}

/* Suppression rules: one per (rule, source), "matched" summed. */
static int merge_suppressions(struct merger *m, json_t *src)
{
    json_t *dst = json_object_get(m->out, "suppressions");
    size_t i;
    json_t *s;
    json_array_foreach(src, i, s) {
        char *key = NULL;
        size_t len = 0;
        FILE *k = open_memstream(&key, &len);
        if (!k)
            return -1;
        key_part(k, hcr_str(s, "rule"));
        key_part(k, hcr_str(s, "source"));
        if (fclose(k) != 0) {
            free(key);
            return -1;
        }
        json_t *at = json_object_get(m->supp_index, key);
        if (at) {
            json_t *d = json_array_get(dst, (size_t)json_integer_value(at));
            json_int_t a = 0, b = 0;
            hcr_int(d, "matched", &a);
            hcr_int(s, "matched", &b);
            json_object_set_new(d, "matched", json_integer(add_sat(a, b)));
        } else {
            json_object_set_new(m->supp_index, key, json_integer((json_int_t)json_array_size(dst)));
            json_array_append_new(dst, json_deep_copy(s));
        }
        free(key);
    }
    return 0;
}

static int merge_one(struct merger *m, json_t *r, const char *path)
{
    json_t *out = m->out;
    int v = hcr_report_version(r);
    if (m->first) {
        static const char *const copied[] = {"tool", "tool_version"};
        for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
            json_t *cv = json_object_get(r, copied[i]);
            if (cv)
                json_object_set_new(out, copied[i], json_deep_copy(cv));
        }
        json_t *o = json_object_get(r, "options");
        m->options = o ? json_deep_copy(o) : json_null();
        m->version = v;
        m->first_path = path;
        m->first = 0;
    } else if (!json_equal(m->options, json_object_get(r, "options"))) {
        json_decref(m->options);
        m->options = json_null();
    }
    if (m->version && v != m->version) {
        hcr_err("note: %s is a version %d report, %s a version %d one: findings are merged on "
                "fingerprints recomputed from their frames as version 1 defines them, and the "
                "output is a version 1 report",
                m->first_path, m->version, path, v);
        m->version = 0;
        if (rekey(m) != 0)
            return -1;
    }
    if (!m->version)
        hcr_refingerprint(r, 1);
    if (add_pids(&m->pids, json_object_get(out, "pids"), json_object_get(r, "pids"),
                 json_object_get(r, "pid")) != 0)
        return -1;
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
    if (merge_findings(m, r, 0) || merge_findings(m, r, 1) ||
        merge_suppressions(m, json_object_get(r, "suppressions")))
        return -1;
    json_t *s = json_object_get(r, "summary");
    if (!json_is_array(json_object_get(s, "counted_leak_kinds")))
        m->policy_unrecorded = 1;
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

    struct merger m = {
        .out = json_object(), .index = json_object(), .supp_index = json_object(), .first = 1};
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
        if (merge_one(&m, r, argv[i]) != 0) {
            hcr_err("out of memory");
            rc = HCR_BAD_INPUT;
        }
        json_decref(r);
        if (rc != HCR_OK)
            break;
    }
    if (rc == HCR_OK) {
        /* the version of the inputs, 1 when they were of different versions (see rekey) */
        json_object_set_new(out, "heapcheck_report", json_integer(m.version ? m.version : 1));
        if (json_is_string(m.options))
            json_object_set(out, "options", m.options);
        else
            json_object_del(out, "options");
        if (json_is_null(json_object_get(out, "tool_version")))
            json_object_del(out, "tool_version");
        /* Inputs that record no policy were judged with definite and possible leaks counted: a
         * merged report that records one for the others counts those kinds as well. */
        json_t *kinds = json_object_get(json_object_get(out, "summary"), "counted_leak_kinds");
        if (m.policy_unrecorded && json_is_array(kinds)) {
            const char *k[HCR_MAX_LEAK_KINDS];
            size_t n = hcr_counted_leak_kinds(NULL, k, HCR_MAX_LEAK_KINDS, NULL);
            json_t *old = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(old, json_string(k[i]));
            union_into(kinds, old);
            json_decref(old);
        }
        if (hcr_write_json_atomic(outpath, out) != 0)
            rc = HCR_BAD_INPUT;
    }
    json_decref(m.options);
    json_decref(m.index);
    json_decref(m.supp_index);
    free_slots(&m.slots[0]);
    free_slots(&m.slots[1]);
    pid_free(&m.pids);
    json_decref(out);
    return rc;
}
