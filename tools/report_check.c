/* report_check.c: "heapcheck-report check [--leak-kinds=LIST] [--expect EXPECT.json] [--exact]
 * REPORT", the CI gate and the oracle of the integration tests.
 *
 * Without --expect: exit 1 when REPORT fails the exit-status policy it was made under (errors,
 * unsuppressed leaks of the kinds its summary's counted_leak_kinds names, a leak check that did not
 * complete, rejected options); --leak-kinds replaces the kinds. A report that records no policy
 * (older ones) is judged as before: errors and unsuppressed leak-definite/possible fail it.
 * With --expect: EXPECT.json is an array of expectations (see docs/tools.md); each must hold, and
 * with --exact every unsuppressed finding must match at least one of them.
 * With --fingerprints: exit 1 when a finding's fingerprint is not what its frames give
 * (report_fingerprint.c). */
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Integer keys compared with the finding's own key of the same name. */
static const char *const num_keys[] = {"bytes",           "blocks",     "indirect_bytes",
                                       "indirect_blocks", "block_size", "offset"};
#define N_NUM (sizeof num_keys / sizeof num_keys[0])

struct expect {
    json_t *obj; /* as written, for messages */
    const char *kind;
    const char *fingerprint;
    int has_num[N_NUM];
    json_int_t num[N_NUM];
    int has_count;
    json_int_t count;
    int absent;
    int suppressed;    /* match suppressed leaks (only) */
    const char *stack; /* alloc, free, detected, leak, or NULL: any */
    const char *frame, *file;
    int has_line;
    json_int_t line;
    json_int_t matched; /* findings matching it */
};

/* Parsing the expectations ---------------------------------------------------------------- */

static int bad_expect(const char *path, size_t i, const char *what, const char *key)
{
    hcr_err("%s: expectation [%zu]: %s%s%s%s", path, i, what, key ? " \"" : "", key ? key : "",
            key ? "\"" : "");
    return -1;
}

static int parse_expect(const char *path, size_t i, json_t *o, struct expect *e)
{
    memset(e, 0, sizeof *e);
    e->obj = o;
    if (!json_is_object(o))
        return bad_expect(path, i, "is not an object", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t n;
        for (n = 0; n < N_NUM; n++)
            if (strcmp(k, num_keys[n]) == 0)
                break;
        if (n < N_NUM) {
            if (!json_is_integer(v))
                return bad_expect(path, i, "needs an integer for", k);
            e->has_num[n] = 1;
            e->num[n] = json_integer_value(v);
        } else if (strcmp(k, "kind") == 0 || strcmp(k, "fingerprint") == 0 ||
                   strcmp(k, "frame") == 0 || strcmp(k, "file") == 0 ||
                   strcmp(k, "stack") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0)
                return bad_expect(path, i, "needs a non-empty string for", k);
            const char *s = json_string_value(v);
            if (strcmp(k, "kind") == 0)
                e->kind = s;
            else if (strcmp(k, "fingerprint") == 0)
                e->fingerprint = s;
            else if (strcmp(k, "frame") == 0)
                e->frame = s;
            else if (strcmp(k, "file") == 0)
                e->file = s;
            else if (strcmp(s, "alloc") && strcmp(s, "free") && strcmp(s, "detected") &&
                     strcmp(s, "leak"))
                return bad_expect(path, i,
                                  "\"stack\" must be alloc, free, detected or leak, not", s);
            else
                e->stack = s;
        } else if (strcmp(k, "line") == 0) {
            if (!json_is_integer(v))
                return bad_expect(path, i, "needs an integer for", k);
            e->has_line = 1;
            e->line = json_integer_value(v);
        } else if (strcmp(k, "count") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0)
                return bad_expect(path, i, "needs an integer >= 0 for", k);
            e->has_count = 1;
            e->count = json_integer_value(v);
        } else if (strcmp(k, "absent") == 0 || strcmp(k, "suppressed") == 0) {
            if (!json_is_boolean(v))
                return bad_expect(path, i, "needs true or false for", k);
            if (k[0] == 'a')
                e->absent = json_is_true(v);
            else
                e->suppressed = json_is_true(v);
        } else {
            return bad_expect(path, i, "unknown key", k);
        }
    }
    if (!e->kind)
        return bad_expect(path, i, "has no", "kind");
    if (e->absent && e->has_count && e->count != 0)
        return bad_expect(path, i, "has both \"absent\": true and a non-zero", "count");
    return 0;
}

/* Matching ----------------------------------------------------------------------------------- */

static int file_matches(const char *want, const char *have)
{
    if (!have)
        return 0;
    size_t lw = strlen(want), lh = strlen(have);
    if (strchr(want, '/')) /* a path: the frame's file ends with it */
        return lh >= lw && strcmp(have + lh - lw, want) == 0 &&
               (lh == lw || have[lh - lw - 1] == '/' || want[0] == '/');
    const char *slash = strrchr(have, '/');
    return strcmp(slash ? slash + 1 : have, want) == 0;
}

static int has_frame_pattern(const struct expect *e)
{
    return e->frame || e->file || e->has_line;
}

/* One frame of the stack must satisfy frame, file and line together. */
static int stack_matches(const struct expect *e, json_t *stack)
{
    if (!json_is_array(stack))
        return 0;
    if (!has_frame_pattern(e))
        return json_array_size(stack) > 0;
    size_t i;
    json_t *fr;
    json_array_foreach(stack, i, fr) {
        json_int_t line;
        const char *fn = hcr_str(fr, "function");
        if (e->frame && !(fn && strcmp(fn, e->frame) == 0))
            continue;
        if (e->file && !file_matches(e->file, hcr_str(fr, "file")))
            continue;
        if (e->has_line && !(hcr_int(fr, "line", &line) && line == e->line))
            continue;
        return 1;
    }
    return 0;
}

static int matches(const struct expect *e, json_t *f, int is_leak)
{
    if (strcmp(hcr_kind(f), e->kind) != 0)
        return 0;
    if ((is_leak && hcr_is_suppressed(f)) != e->suppressed)
        return 0;
    if (e->fingerprint && strcmp(hcr_fingerprint(f), e->fingerprint) != 0)
        return 0;
    for (size_t n = 0; n < N_NUM; n++) {
        json_int_t v;
        if (e->has_num[n] && !(hcr_int(f, num_keys[n], &v) && v == e->num[n]))
            return 0;
    }
    if (!e->stack && !has_frame_pattern(e))
        return 1;
    if (is_leak) {
        /* a leak has one stack, its allocation stack: "leak" or "alloc" */
        if (e->stack && strcmp(e->stack, "leak") != 0 && strcmp(e->stack, "alloc") != 0)
            return 0;
        return stack_matches(e, json_object_get(f, "stack"));
    }
    json_t *stacks = json_object_get(f, "stacks");
    if (e->stack)
        return strcmp(e->stack, "leak") != 0 && stack_matches(e, json_object_get(stacks, e->stack));
    const char *k;
    json_t *st;
    json_object_foreach(stacks, k, st) {
        if (stack_matches(e, st))
            return 1;
    }
    return 0;
}

/* Output --------------------------------------------------------------------------------------- */

static void dump_stack(FILE *out, const char *name, json_t *stack)
{
    if (!json_is_array(stack))
        return;
    fprintf(out, "        %s:", name);
    size_t i;
    json_t *fr;
    json_array_foreach(stack, i, fr) {
        char buf[1024];
        if (i == 8) {
            fprintf(out, " | ... (%zu frames)", json_array_size(stack));
            break;
        }
        fprintf(out, "%s%s", i ? " | " : " ", hcr_frame_text(fr, 1, buf, sizeof buf));
    }
    fputc('\n', out);
}

static void dump_finding(FILE *out, json_t *f, int is_leak, size_t idx)
{
    fprintf(out, "  %s[%zu] %s %s", is_leak ? "leaks" : "errors", idx, hcr_kind(f),
            hcr_fingerprint(f));
    for (size_t n = 0; n < N_NUM; n++) {
        json_int_t v;
        if (hcr_int(f, num_keys[n], &v))
            fprintf(out, " %s=%" JSON_INTEGER_FORMAT, num_keys[n], v);
    }
    if (is_leak && hcr_is_suppressed(f)) {
        const char *by = hcr_str(f, "suppressed_by");
        fprintf(out, " suppressed_by=%s", by ? by : "?");
    }
    fputc('\n', out);
    if (is_leak) {
        dump_stack(out, "leak", json_object_get(f, "stack"));
    } else {
        json_t *stacks = json_object_get(f, "stacks");
        const char *k;
        json_t *st;
        json_object_foreach(stacks, k, st) dump_stack(out, k, st);
    }
}

static void dump_report(FILE *out, const char *path, json_t *r)
{
    fprintf(out, "findings in %s:\n", path);
    size_t i;
    json_t *f;
    json_array_foreach(hcr_errors(r), i, f) dump_finding(out, f, 0, i);
    json_array_foreach(hcr_leaks(r), i, f) dump_finding(out, f, 1, i);
    if (!json_array_size(hcr_errors(r)) && !json_array_size(hcr_leaks(r)))
        fputs("  (none)\n", out);
}

static void print_expect(FILE *out, size_t i, const struct expect *e)
{
    char *s = json_dumps(e->obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(out, "expectation [%zu] %s", i, s ? s : "?");
    free(s);
}

/* The gate ------------------------------------------------------------------------------------ */

/* The leak kinds that fail the gate (the exit-status policy; errors, an incomplete leak check and
 * rejected options always fail it), and where they came from. */
#define MAX_KINDS HCR_MAX_LEAK_KINDS
struct policy {
    const char *kind[MAX_KINDS];
    size_t n;
    const char *source; /* "the report", "--leak-kinds", or NULL: the default of older reports */
    int recorded;       /* the report records its policy: its summary's counts are checked too */
};

static int counted_kind(const struct policy *p, const char *kind)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->kind[i], kind) == 0)
            return 1;
    return 0;
}

/* The policy REPORT was made under (hcr_counted_leak_kinds). */
static void recorded_policy(json_t *r, struct policy *p)
{
    memset(p, 0, sizeof *p);
    p->n = hcr_counted_leak_kinds(r, p->kind, MAX_KINDS, &p->recorded);
    p->source = p->recorded ? "the report" : NULL;
}

/* --leak-kinds=LIST: the option's words (definite, possible, reachable), comma separated, or
 * empty. 0, or -1 for a word that is not one of them. */
static int parse_leak_kinds(const char *list, struct policy *p)
{
    static const char *const words[] = {"definite", "possible", "reachable"};
    static const char *const kinds[] = {"leak-definite", "leak-possible", "leak-reachable"};
    p->n = 0;
    p->source = "--leak-kinds";
    for (const char *w = list; *w;) {
        size_t len = strcspn(w, ","), i;
        for (i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strlen(words[i]) == len && strncmp(w, words[i], len) == 0)
                break;
        if (i == sizeof words / sizeof words[0])
            return -1;
        if (!counted_kind(p, kinds[i]))
            p->kind[p->n++] = kinds[i];
        w += len + (w[len] == ',');
    }
    return 0;
}

static int counts(const struct policy *p, json_t *f, int is_leak)
{
    if (!is_leak)
        return 1;
    return !hcr_is_suppressed(f) && counted_kind(p, hcr_kind(f));
}

/* The report's summary says more of a counted kind than its list shows (blocks the process did
 * not list: show_possibly=0, show_reachable=0, no memory to group them, more errors than it
 * keeps): the process failed on them, so does the gate. One line; returns how many are missing. */
static json_int_t unlisted(json_t *r, const char *what, const char *sum_part, const char *sum_key,
                           json_int_t listed)
{
    json_t *part = sum_part ? json_object_get(json_object_get(r, "summary"), sum_part)
                            : json_object_get(r, "summary");
    json_int_t total;
    if (!hcr_int(part, sum_key, &total) || total <= listed)
        return 0;
    printf("%s summary: %" JSON_INTEGER_FORMAT " %s counted in the report's summary but not in its "
           "list\n",
           sum_part ? "LEAK " : "ERROR", total - listed, what);
    return total - listed;
}

/* Exit-time problems that fail the gate whatever was found: a leak check that did not complete
 * (the findings cannot be trusted to be all) and options the process rejected. */
static int incomplete(json_t *r, int say)
{
    json_t *s = json_object_get(r, "summary");
    if (!json_is_true(json_object_get(s, "incomplete")))
        return 0;
    if (say) {
        const char *why = hcr_str(s, "incomplete_reason");
        printf("INCOMPLETE the leak check did not complete%s", why ? ": " : "");
        hcr_put_text(stdout, why ? why : "");
        puts("; leaks may be missing from the report");
    }
    return 1;
}

static size_t rejected_options(json_t *r)
{
    json_t *names = json_object_get(json_object_get(r, "summary"), "options_rejected");
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        fputs("OPTION rejected at start-up: ", stdout);
        hcr_put_text(stdout, json_is_string(n) ? json_string_value(n) : "?");
        putchar('\n');
    }
    return json_array_size(names);
}

static const char *plural(json_int_t n)
{
    return n == 1 ? "" : "s";
}

static int gate(const char *path, json_t *r, const struct policy *p)
{
    size_t n_err = 0, n_leak = 0, n_ignored = 0;
    json_int_t listed_errors = 0, listed_blocks[MAX_KINDS] = {0};
    for (int is_leak = 0; is_leak < 2; is_leak++) {
        size_t i;
        json_t *f;
        json_array_foreach(is_leak ? hcr_leaks(r) : hcr_errors(r), i, f) {
            json_int_t n;
            if (!is_leak) /* a merged finding stands for its occurrences */
                listed_errors += hcr_int(f, "occurrences", &n) ? n : 1;
            else if (!hcr_is_suppressed(f) && hcr_int(f, "blocks", &n))
                for (size_t k = 0; k < p->n; k++)
                    if (strcmp(p->kind[k], hcr_kind(f)) == 0)
                        listed_blocks[k] += n;
            if (!counts(p, f, is_leak)) {
                n_ignored++;
                continue;
            }
            fputs(is_leak ? "LEAK  " : "ERROR ", stdout);
            hcr_print_finding_line(stdout, f, is_leak);
            putchar('\n');
            if (is_leak)
                n_leak++;
            else
                n_err++;
        }
    }
    /* Only a report that records its policy was written by a library whose summary counts what
     * the list leaves out; older reports are judged on their lists, as before. */
    json_int_t more_errors = 0, more_blocks = 0;
    if (p->recorded) {
        more_errors = unlisted(r, "errors", NULL, "error_count", listed_errors);
        for (size_t k = 0; k < p->n; k++) {
            char key[64], what[80];
            const char *word = strncmp(p->kind[k], "leak-", 5) == 0 ? p->kind[k] + 5 : p->kind[k];
            snprintf(key, sizeof key, "%s_blocks", word);
            snprintf(what, sizeof what, "%s blocks", p->kind[k]);
            more_blocks += unlisted(r, what, "leaks", key, listed_blocks[k]);
        }
    }
    int inc = incomplete(r, 1);
    size_t n_opt = rejected_options(r);
    int failed = n_err + n_leak || more_errors || more_blocks || inc || n_opt;
    printf("check %s: %s: %zu error%s, %zu leak%s", path, failed ? "FAILED" : "passed", n_err,
           plural((json_int_t)n_err), n_leak, plural((json_int_t)n_leak));
    if (more_errors)
        printf(", %" JSON_INTEGER_FORMAT " more error%s in the summary", more_errors,
               plural(more_errors));
    if (more_blocks)
        printf(", %" JSON_INTEGER_FORMAT " more leaked block%s in the summary", more_blocks,
               plural(more_blocks));
    if (inc)
        fputs(", leak check incomplete", stdout);
    if (n_opt)
        printf(", %zu rejected option%s", n_opt, plural((json_int_t)n_opt));
    if (p->source) {
        fputs(" (counted leak kinds: ", stdout);
        for (size_t k = 0; k < p->n; k++) {
            fputs(k ? ", " : "", stdout);
            hcr_put_text(stdout, p->kind[k]);
        }
        printf("%s, from %s", p->n ? "" : "none", p->source);
        if (n_ignored)
            printf("; %zu leak group%s not counted", n_ignored, plural((json_int_t)n_ignored));
        putchar(')');
    } else if (n_ignored) {
        printf(" (%zu suppressed or reachable leak group%s not counted)", n_ignored,
               plural((json_int_t)n_ignored));
    }
    putchar('\n');
    return failed ? HCR_FINDINGS : HCR_OK;
}

static int check_expectations(const char *path, json_t *r, const char *expect_path, int exact)
{
    json_t *doc = hcr_load_json(expect_path);
    if (!doc)
        return HCR_BAD_INPUT;
    if (!json_is_array(doc)) {
        hcr_err("%s: expected a JSON array of expectations", expect_path);
        json_decref(doc);
        return HCR_BAD_INPUT;
    }
    size_t n = json_array_size(doc);
    struct expect *ex = calloc(n ? n : 1, sizeof *ex);
    if (!ex) {
        hcr_err("out of memory");
        json_decref(doc);
        return HCR_BAD_INPUT;
    }
    int rc = HCR_OK;
    for (size_t i = 0; i < n; i++)
        if (parse_expect(expect_path, i, json_array_get(doc, i), &ex[i]) != 0) {
            rc = HCR_BAD_INPUT;
            break;
        }
    size_t failed = 0, unmatched = 0;
    /* Expectations of absence cannot be vouched for by a leak check that did not complete. */
    int inc = rc == HCR_OK && incomplete(r, 1);
    if (rc == HCR_OK) {
        for (int is_leak = 0; is_leak < 2; is_leak++) {
            size_t i;
            json_t *f;
            json_array_foreach(is_leak ? hcr_leaks(r) : hcr_errors(r), i, f) {
                int any = 0;
                for (size_t j = 0; j < n; j++)
                    if (matches(&ex[j], f, is_leak)) {
                        ex[j].matched++;
                        any = 1;
                    }
                if (!any && exact && !(is_leak && hcr_is_suppressed(f))) {
                    printf("FAIL finding not matched by any expectation (--exact): %s[%zu] ",
                           is_leak ? "leaks" : "errors", i);
                    hcr_print_finding_line(stdout, f, is_leak);
                    putchar('\n');
                    unmatched++;
                }
            }
        }
        for (size_t j = 0; j < n; j++) {
            const struct expect *e = &ex[j];
            if (e->absent || (e->has_count && e->count == 0)) {
                if (e->matched == 0)
                    continue;
                fputs("FAIL ", stdout);
                print_expect(stdout, j, e);
                printf(": no finding may match, %" JSON_INTEGER_FORMAT " do\n", e->matched);
            } else if (e->has_count) {
                if (e->matched == e->count)
                    continue;
                fputs("FAIL ", stdout);
                print_expect(stdout, j, e);
                printf(": expected %" JSON_INTEGER_FORMAT " matching finding%s, found %"
                       JSON_INTEGER_FORMAT "\n",
                       e->count, e->count == 1 ? "" : "s", e->matched);
            } else {
                if (e->matched > 0)
                    continue;
                fputs("FAIL ", stdout);
                print_expect(stdout, j, e);
                fputs(": no finding matches\n", stdout);
            }
            failed++;
        }
        if (failed || unmatched || inc) {
            dump_report(stdout, path, r);
            printf("check %s: FAILED: %zu of %zu expectation%s not met", path, failed, n,
                   n == 1 ? "" : "s");
            if (exact)
                printf(", %zu finding%s not expected", unmatched, unmatched == 1 ? "" : "s");
            if (inc)
                fputs(", leak check incomplete", stdout);
            putchar('\n');
            rc = HCR_FINDINGS;
        } else {
            printf("check %s: passed: %zu expectation%s met%s\n", path, n, n == 1 ? "" : "s",
                   exact ? ", no other findings" : "");
        }
    }
    free(ex);
    json_decref(doc);
    return rc;
}

int hcr_cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {{"expect", required_argument, NULL, 'e'},
                                             {"exact", no_argument, NULL, 'x'},
                                             {"fingerprints", no_argument, NULL, 'f'},
                                             {"leak-kinds", required_argument, NULL, 'k'},
                                             {"help", no_argument, NULL, 'h'},
                                             {0, 0, 0, 0}};
    const char *expect = NULL, *leak_kinds = NULL;
    int exact = 0, fingerprints = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': expect = optarg; break;
        case 'x': exact = 1; break;
        case 'f': fingerprints = 1; break;
        case 'k': leak_kinds = optarg; break;
        case 'h': hcr_usage(stdout); return HCR_OK;
        default: return hcr_bad_option("check", c, argv);
        }
    }
    if (argc - optind != 1)
        return hcr_usage_error("check", "needs exactly one report (got %d)", argc - optind);
    if (exact && !expect)
        return hcr_usage_error("check", "--exact needs --expect");
    if (fingerprints && expect)
        return hcr_usage_error("check", "--fingerprints and --expect are two different checks");
    struct policy given;
    if (leak_kinds && (expect || fingerprints))
        return hcr_usage_error("check", "--leak-kinds is for the gate, not with --%s",
                               expect ? "expect" : "fingerprints");
    if (leak_kinds && parse_leak_kinds(leak_kinds, &given) != 0)
        return hcr_usage_error("check",
                               "--leak-kinds takes definite, possible and reachable separated by "
                               "commas (or nothing), not '%s'",
                               leak_kinds);
    const char *path = argv[optind];
    json_t *r = hcr_load_report(path);
    if (!r)
        return HCR_BAD_INPUT;
    struct policy p;
    recorded_policy(r, &p);
    if (leak_kinds) { /* the report's own record still decides whether its summary is compared */
        given.recorded = p.recorded;
        p = given;
    }
    int rc = fingerprints ? hcr_verify_fingerprints(path, r)
             : expect     ? check_expectations(path, r, expect, exact)
                          : gate(path, r, &p);
    json_decref(r);
    return rc;
}
