/* report_load.c: reading a JSON report and checking it enough that the subcommands can trust it,
 * whole (hcr_load_report) or one finding at a time (hcr_stream_report, for export). */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int quiet; /* a streamed read that fails is read again whole, which says why: once */

void hcr_err(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    fputs("heapcheck-report: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The whole of a file in memory (or of from, when not NULL: read from where it is, not closed); NULL
 * with a message on failure. */
static char *slurp(const char *path, FILE *from, size_t *len)
{
    int is_stdin = from || strcmp(path, "-") == 0;
    FILE *f = from ? from : is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        hcr_err("cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = !buf || ferror(f);
    int err = errno;
    if (!is_stdin)
        fclose(f);
    if (failed) {
        hcr_err("cannot read '%s': %s", path, buf ? strerror(err) : "out of memory");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static json_t *load_json(const char *path, FILE *from)
{
    size_t len;
    char *text = slurp(path, from, &len);
    if (!text)
        return NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len) {
        hcr_err("%s: empty file, not JSON", path);
        free(text);
        return NULL;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) { /* jansson would only say "near end of file": say what and where */
        int line = 1, col = 1;
        for (const char *p = text; p < nul; p++, col++)
            if (*p == '\n') {
                line++;
                col = 0;
            }
        hcr_err("%s:%d:%d: invalid JSON: a NUL byte", path, line, col);
        free(text);
        return NULL;
    }
    json_error_t e;
    json_t *doc = json_loadb(text, len, 0, &e);
    free(text);
    if (!doc)
        hcr_err("%s:%d:%d: invalid JSON: %s", path, e.line, e.column, e.text);
    return doc;
}

json_t *hcr_load_json(const char *path)
{
    return load_json(path, NULL);
}

/* Validation ------------------------------------------------------------------------------- */

static const char *type_of(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* key absent, null or an integer */
static int want_int(const char *path, const char *where, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v) || json_is_integer(v))
        return 1;
    hcr_err("%s: %s: \"%s\" is %s, not an integer", path, where, key, type_of(v));
    return 0;
}

/* key absent, null or a count: an integer from 0 to 2^53 (sums of many stay exact and never overflow) */
static int want_count(const char *path, const char *where, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 1;
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= ((json_int_t)1 << 53))
        return 1;
    if (json_is_integer(v))
        hcr_err("%s: %s: \"%s\" is %" JSON_INTEGER_FORMAT ", not a count", path, where, key, json_integer_value(v));
    else
        hcr_err("%s: %s: \"%s\" is %s, not an integer", path, where, key, type_of(v));
    return 0;
}

/* key absent, null, or a value of the JSON type wanted (true/false for JSON_TRUE); an array's
 * elements, with elem_type, that type too */
static int want_type(const char *path, const char *where, json_t *obj, const char *key,
                     json_type type, json_type elem_type)
{
    static const char *const names[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
        [JSON_TRUE] = "true or false"};
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 1;
    json_type t = json_typeof(v) == JSON_FALSE ? JSON_TRUE : json_typeof(v);
    if (t != type) {
        hcr_err("%s: %s: \"%s\" is %s, not %s", path, where, key, type_of(v), names[type]);
        return 0;
    }
    size_t i;
    json_t *e;
    if (type == JSON_ARRAY)
        json_array_foreach(v, i, e)
            if (json_typeof(e) != elem_type) {
                hcr_err("%s: %s: \"%s\" holds %s, not only %s", path, where, key, type_of(e),
                        names[elem_type]);
                return 0;
            }
    return 1;
}

/* The summary's numbers are counts, its parts objects: merge adds them up. What decides the gate
 * besides the findings (the policy, an incomplete leak check, rejected options) has its types. */
static int check_summary(const char *path, json_t *summary)
{
    if (!summary || json_is_null(summary))
        return 1;
    static const char *const parts[] = {"heap", "leaks", "errors"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *p = json_object_get(summary, parts[i]);
        if (p && !json_is_null(p) && !json_is_object(p)) {
            hcr_err("%s: summary: \"%s\" is %s, not an object", path, parts[i], type_of(p));
            return 0;
        }
        const char *key;
        json_t *val;
        char where[64];
        snprintf(where, sizeof where, "summary.%s", parts[i]);
        if (json_is_object(p))
            json_object_foreach(p, key, val)
                if (!want_count(path, where, p, key))
                    return 0;
    }
    return want_count(path, "summary", summary, "error_count") &&
           want_count(path, "summary", summary, "errors_suppressed") &&
           want_int(path, "summary", summary, "exit_status") &&
           want_type(path, "summary", summary, "counted_leak_kinds", JSON_ARRAY, JSON_STRING) &&
           want_type(path, "summary", summary, "incomplete", JSON_TRUE, 0) &&
           want_type(path, "summary", summary, "incomplete_reason", JSON_STRING, 0) &&
           want_type(path, "summary", summary, "options_rejected", JSON_ARRAY, JSON_STRING) &&
           want_type(path, "summary", summary, "text_lost", JSON_TRUE, 0);
}

/* key absent, null or a string */
static int want_str(const char *path, const char *where, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v) || json_is_string(v))
        return 1;
    hcr_err("%s: %s: \"%s\" is %s, not a string", path, where, key, type_of(v));
    return 0;
}

/* A stack: absent, null, or an array of objects. */
static int want_stack(const char *path, const char *where, json_t *stack)
{
    if (!stack || json_is_null(stack))
        return 1;
    if (!json_is_array(stack)) {
        hcr_err("%s: %s is %s, not an array of frames", path, where, type_of(stack));
        return 0;
    }
    size_t i;
    json_t *fr;
    json_array_foreach(stack, i, fr) {
        if (!json_is_object(fr)) {
            hcr_err("%s: %s[%zu] is %s, not a frame object", path, where, i, type_of(fr));
            return 0;
        }
        char w[128];
        snprintf(w, sizeof w, "%s[%zu]", where, i);
        if (!want_str(path, w, fr, "function") || !want_str(path, w, fr, "file") ||
            !want_str(path, w, fr, "module") || !want_str(path, w, fr, "offset") ||
            !want_str(path, w, fr, "address") || !want_int(path, w, fr, "line") ||
            !want_int(path, w, fr, "function_line"))
            return 0;
    }
    return 1;
}

/* Process ids: integers, as merge keeps them. */
static int want_pids(const char *path, const char *where, json_t *pids)
{
    if (!pids)
        return 1;
    if (!json_is_array(pids)) {
        hcr_err("%s: %s\"pids\" is %s, not an array", path, where, type_of(pids));
        return 0;
    }
    size_t i;
    json_t *p;
    json_array_foreach(pids, i, p)
        if (!json_is_integer(p)) {
            hcr_err("%s: %s\"pids\" holds %s, not a process id", path, where, type_of(p));
            return 0;
        }
    return 1;
}

static int check_finding(const char *path, const char *array, size_t idx, json_t *f, int is_leak,
                         int version)
{
    char where[64];
    snprintf(where, sizeof where, "%s[%zu]", array, idx);
    if (!json_is_object(f)) {
        hcr_err("%s: %s is %s, not a finding object", path, where, type_of(f));
        return 0;
    }
    json_t *kind = json_object_get(f, "kind");
    if (!kind) {
        hcr_err("%s: %s has no \"kind\"", path, where);
        return 0;
    }
    if (!json_is_string(kind) || json_string_length(kind) == 0) {
        hcr_err("%s: %s: \"kind\" is %s, not a kind name", path, where,
                json_is_string(kind) ? "empty" : type_of(kind));
        return 0;
    }
    if (!want_str(path, where, f, "fingerprint") || !want_count(path, where, f, "occurrences"))
        return 0;
    char w[128];
    snprintf(w, sizeof w, "%s: ", where);
    if (!want_pids(path, w, json_object_get(f, "pids")))
        return 0;
    if (is_leak) {
        /* counts like the summary's: merge adds them up, check compares them */
        static const char *const counts[] = {"bytes", "blocks", "indirect_bytes",
                                             "indirect_blocks"};
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
            if (!want_count(path, where, f, counts[i]))
                return 0;
        snprintf(w, sizeof w, "%s.stack", where);
        if (!want_stack(path, w, json_object_get(f, "stack")))
            return 0;
    } else {
        if (!want_count(path, where, f, "block_size") || !want_int(path, where, f, "offset"))
            return 0;
        json_t *stacks = json_object_get(f, "stacks");
        if (stacks && !json_is_null(stacks)) {
            if (!json_is_object(stacks)) {
                hcr_err("%s: %s: \"stacks\" is %s, not an object", path, where, type_of(stacks));
                return 0;
            }
            const char *k;
            json_t *st;
            json_object_foreach(stacks, k, st) {
                snprintf(w, sizeof w, "%s.stacks.%s", where, k);
                if (!want_stack(path, w, st))
                    return 0;
            }
        }
    }
    /* A report written without fingerprints (hand-made, older writer): compute them. */
    json_t *fp = json_object_get(f, "fingerprint");
    if (!json_is_string(fp)) {
        char buf[17];
        hcr_compute_fingerprint(json_string_value(kind), hcr_key_stack(f, is_leak), version, buf);
        json_object_set_new(f, "fingerprint", json_string(buf));
    }
    return 1;
}

static int check_findings(const char *path, json_t *report, const char *key, int is_leak,
                          int version)
{
    json_t *a = json_object_get(report, key);
    if (!a || json_is_null(a)) {
        json_object_set_new(report, key, json_array());
        return 1;
    }
    if (!json_is_array(a)) {
        hcr_err("%s: \"%s\" is %s, not an array", path, key, type_of(a));
        return 0;
    }
    size_t i;
    json_t *f;
    json_array_foreach(a, i, f) {
        if (!check_finding(path, key, i, f, is_leak, version))
            return 0;
    }
    return 1;
}

/* Suppression rules: "matched" is a count merge adds up. */
static int check_suppressions(const char *path, json_t *r)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(r, "suppressions"), i, s) {
        char where[64];
        snprintf(where, sizeof where, "suppressions[%zu]", i);
        if (!json_is_object(s)) {
            hcr_err("%s: %s is %s, not a rule object", path, where, type_of(s));
            return 0;
        }
        if (!want_str(path, where, s, "rule") || !want_str(path, where, s, "source") ||
            !want_count(path, where, s, "matched"))
            return 0;
    }
    return 1;
}

/* The checks of a report object (its findings only when with_findings: a streamed report's are
 * checked one by one). 1, or 0 with a message. */
static int check_report(const char *path, json_t *r, int with_findings)
{
    if (!json_is_object(r)) {
        hcr_err("%s: the top-level value is %s, not a heapcheck report object", path, type_of(r));
        return 0;
    }
    json_t *v = json_object_get(r, "heapcheck_report");
    if (!v) {
        hcr_err("%s: not a heapcheck report (no \"heapcheck_report\" format version)", path);
        return 0;
    }
    if (!json_is_integer(v)) {
        hcr_err("%s: the format version \"heapcheck_report\" is %s, not an integer", path,
                type_of(v));
        return 0;
    }
    json_int_t ver = json_integer_value(v);
    if (ver > HCR_FORMAT_VERSION) {
        hcr_err("%s: format version %" JSON_INTEGER_FORMAT
                " is newer than this tool understands (%d)",
                path, ver, HCR_FORMAT_VERSION);
        return 0;
    }
    if (ver < 1) {
        hcr_err("%s: invalid format version %" JSON_INTEGER_FORMAT, path, ver);
        return 0;
    }
    json_t *summary = json_object_get(r, "summary");
    if (summary && !json_is_null(summary) && !json_is_object(summary)) {
        hcr_err("%s: \"summary\" is %s, not an object", path, type_of(summary));
        return 0;
    }
    static const char *const arrays[] = {"command", "commands", "pids", "suppressions"};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        json_t *a = json_object_get(r, arrays[i]);
        if (a && !json_is_null(a) && !json_is_array(a)) {
            hcr_err("%s: \"%s\" is %s, not an array", path, arrays[i], type_of(a));
            return 0;
        }
    }
    if (!want_int(path, "report", r, "pid") || !want_int(path, "report", r, "ppid") ||
        !want_count(path, "report", r, "merged_reports") || !check_summary(path, summary) ||
        !check_suppressions(path, r))
        return 0;
    json_t *pids = json_object_get(r, "pids");
    return want_pids(path, "", json_is_null(pids) ? NULL : pids) &&
           (!with_findings || (check_findings(path, r, "errors", 0, (int)ver) &&
                               check_findings(path, r, "leaks", 1, (int)ver)));
}

json_t *hcr_load_report_from(const char *path, FILE *f)
{
    json_t *r = load_json(path, f);
    if (r && !check_report(path, r, 1)) {
        json_decref(r);
        return NULL;
    }
    return r;
}

json_t *hcr_load_report(const char *path)
{
    json_t *r = hcr_load_json(path);
    if (r && !check_report(path, r, 1)) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* Streaming ----------------------------------------------------------------------------------- */

/* A report read as a sequence of top-level members, each value but the finding arrays parsed
 * whole by jansson, the finding arrays element by element: memory for one finding at a time.
 * Only the layout the library and merge write is streamed (an object whose "heapcheck_report"
 * comes before "errors", and "errors" before "leaks", each once); anything else, a syntax error
 * included, makes the read fail without a word, and the caller reads the report whole, which
 * accepts what jansson accepts and says what is wrong exactly as the other subcommands do. */
struct reader {
    FILE *f;
    int c;            /* the next byte, or EOF */
    char *buf;        /* the text of the value being read */
    size_t len, cap;
    int bad;          /* not streamable (or not JSON): give up */
};

#define MAX_DEPTH 1000 /* deeper values are left to the whole read (jansson stops at 2048) */

static void next(struct reader *rd)
{
    rd->c = getc_unlocked(rd->f);
    if (rd->c == 0)
        rd->bad = 1; /* a NUL byte: hcr_load_json says where */
}

static void skip_ws(struct reader *rd)
{
    while (rd->c == ' ' || rd->c == '\t' || rd->c == '\n' || rd->c == '\r')
        next(rd);
}

static void keep(struct reader *rd)
{
    if (rd->len + 1 >= rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 4096;
        char *b = realloc(rd->buf, cap);
        if (!b) {
            rd->bad = 1;
            return;
        }
        rd->buf = b;
        rd->cap = cap;
    }
    rd->buf[rd->len++] = (char)rd->c;
    next(rd);
}

/* A string with its escapes, from its opening quote to its closing one. */
static void string(struct reader *rd)
{
    keep(rd);
    while (rd->c != '"' && !rd->bad) {
        if (rd->c == '\\')
            keep(rd);
        if (rd->c == EOF) {
            rd->bad = 1;
            return;
        }
        keep(rd);
    }
    keep(rd);
}

/* Copies one JSON value's text into buf: a string, a nested value to its matching bracket, a
 * number or literal to the next delimiter. jansson then checks it. */
static void capture(struct reader *rd)
{
    rd->len = 0;
    if (rd->c == '"') {
        string(rd);
        return;
    }
    if (rd->c != '{' && rd->c != '[') {
        while (rd->c != EOF && !rd->bad && !strchr(",}] \t\n\r", rd->c))
            keep(rd);
        return;
    }
    int depth = 0;
    do {
        if (rd->c == EOF || rd->bad) {
            rd->bad = 1;
            return;
        }
        if (rd->c == '"') {
            string(rd);
            continue;
        }
        if (rd->c == '{' || rd->c == '[') {
            if (++depth > MAX_DEPTH) {
                rd->bad = 1;
                return;
            }
        } else if (rd->c == '}' || rd->c == ']') {
            depth--;
        }
        keep(rd);
    } while (depth > 0);
}

/* The value just captured, parsed; NULL (and bad) when jansson refuses it. */
static json_t *parse(struct reader *rd)
{
    if (rd->bad || rd->len == 0) {
        rd->bad = 1;
        return NULL;
    }
    json_error_t e;
    json_t *v = json_loadb(rd->buf, rd->len, JSON_DECODE_ANY, &e);
    if (!v)
        rd->bad = 1;
    return v;
}

static int expect_byte(struct reader *rd, int c)
{
    skip_ws(rd);
    if (rd->c != c)
        rd->bad = 1;
    else
        next(rd);
    return !rd->bad;
}

/* One finding array, element by element. */
static int stream_findings(struct reader *rd, const char *path, const char *key, int is_leak,
                           int version, hcr_finding_fn fn, void *arg)
{
    skip_ws(rd);
    if (rd->c != '[') { /* only null is a report's way to have none; the whole read judges the rest */
        capture(rd);
        json_t *v = parse(rd);
        if (v && !json_is_null(v))
            rd->bad = 1;
        json_decref(v);
        return !rd->bad;
    }
    next(rd);
    skip_ws(rd);
    if (rd->c == ']') {
        next(rd);
        return 1;
    }
    for (size_t i = 0;; i++) {
        skip_ws(rd);
        capture(rd);
        json_t *f = parse(rd);
        if (!f || !check_finding(path, key, i, f, is_leak, version)) {
            rd->bad = 1;
            json_decref(f);
            return 0;
        }
        int rc = fn(f, is_leak, arg);
        json_decref(f);
        if (rc != 0)
            return -1;
        skip_ws(rd);
        if (rd->c == ']') {
            next(rd);
            return 1;
        }
        if (!expect_byte(rd, ','))
            return 0;
    }
}

int hcr_stream_report(const char *path, FILE *f, json_t **head_out, hcr_finding_fn fn, void *arg)
{
    struct reader rd = {.f = f};
    json_t *head = json_object();
    int version = 0, seen[2] = {0, 0}, stopped = 0;
    quiet++;
    next(&rd);
    if (!head)
        rd.bad = 1;
    if (rd.bad || !expect_byte(&rd, '{'))
        goto done;
    skip_ws(&rd);
    int more = rd.c != '}'; /* members follow */
    if (!more)
        next(&rd);
    while (more) {
        skip_ws(&rd);
        if (rd.c != '"') {
            rd.bad = 1;
            break;
        }
        capture(&rd);
        json_t *k = parse(&rd);
        const char *key = json_string_value(k);
        if (!key || !expect_byte(&rd, ':')) {
            rd.bad = 1;
            json_decref(k);
            break;
        }
        int is_leak = strcmp(key, "leaks") == 0;
        if (is_leak || strcmp(key, "errors") == 0) {
            /* once each, errors first, after the version that their fingerprints need */
            if (!version || seen[is_leak] || (!is_leak && seen[1])) {
                rd.bad = 1;
                json_decref(k);
                break;
            }
            seen[is_leak] = 1;
            int rc = stream_findings(&rd, path, key, is_leak, version, fn, arg);
            json_decref(k);
            if (rc < 0)
                stopped = 1;
            if (rc <= 0)
                break;
        } else {
            skip_ws(&rd);
            capture(&rd);
            json_t *v = parse(&rd);
            if (!v) {
                json_decref(k);
                break;
            }
            if (strcmp(key, "heapcheck_report") == 0) {
                /* a later duplicate wins, as in the whole read, unless findings came first */
                json_int_t ver = json_is_integer(v) ? json_integer_value(v) : 0;
                if (seen[0] || seen[1] || ver < 1 || ver > HCR_FORMAT_VERSION)
                    rd.bad = 1; /* the whole read says what is wrong with it */
                else
                    version = (int)ver;
            }
            json_object_set_new(head, key, v);
            json_decref(k);
            if (rd.bad)
                break;
        }
        skip_ws(&rd);
        if (rd.c == '}') {
            next(&rd);
            more = 0;
        } else if (!expect_byte(&rd, ',')) {
            break;
        }
    }
    if (!rd.bad && !stopped) {
        skip_ws(&rd);
        if (rd.c != EOF || ferror(f))
            rd.bad = 1;
    }
done:
    free(rd.buf);
    int ok = !rd.bad && !stopped && check_report(path, head, 0);
    quiet--;
    if (ok && head_out)
        *head_out = head;
    else
        json_decref(head);
    return ok ? 0 : stopped ? 1 : -1;
}

/* Accessors --------------------------------------------------------------------------------- */

size_t hcr_counted_leak_kinds(json_t *report, const char **kinds, size_t max, int *recorded)
{
    json_t *list = json_object_get(json_object_get(report, "summary"), "counted_leak_kinds");
    size_t n = 0;
    if (recorded)
        *recorded = json_is_array(list);
    if (!json_is_array(list)) { /* the policy check applied before reports recorded one */
        static const char *const before[] = {"leak-definite", "leak-possible"};
        for (; n < max && n < 2; n++)
            kinds[n] = before[n];
        return n;
    }
    size_t i, j;
    json_t *k;
    json_array_foreach(list, i, k) {
        const char *s = json_string_value(k);
        for (j = 0; s && j < n && strcmp(kinds[j], s) != 0; j++)
            continue;
        if (s && j == n && n < max)
            kinds[n++] = s;
    }
    return n;
}

int hcr_counts_leak(json_t *report, json_t *leak)
{
    const char *kinds[HCR_MAX_LEAK_KINDS];
    size_t n = hcr_counted_leak_kinds(report, kinds, HCR_MAX_LEAK_KINDS, NULL);
    for (size_t i = 0; i < n && !hcr_is_suppressed(leak); i++)
        if (strcmp(kinds[i], hcr_kind(leak)) == 0)
            return 1;
    return 0;
}

int hcr_report_version(json_t *report)
{
    json_int_t v;
    if (!hcr_int(report, "heapcheck_report", &v) || v < 1 || v > HCR_FORMAT_VERSION)
        return 1; /* never after hcr_load_report */
    return (int)v;
}

json_t *hcr_errors(json_t *report)
{
    return json_object_get(report, "errors");
}

json_t *hcr_leaks(json_t *report)
{
    return json_object_get(report, "leaks");
}

const char *hcr_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)); /* NULL unless a string */
}

int hcr_int(json_t *obj, const char *key, json_int_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return 0;
    if (out)
        *out = json_integer_value(v);
    return 1;
}

int hcr_is_suppressed(json_t *leak)
{
    json_t *s = json_object_get(leak, "suppressed_by");
    return s && !json_is_null(s) && !json_is_false(s);
}

const char *hcr_kind(json_t *finding)
{
    const char *k = hcr_str(finding, "kind");
    return k ? k : "?";
}

const char *hcr_fingerprint(json_t *finding)
{
    const char *k = hcr_str(finding, "fingerprint");
    return k ? k : "";
}

char *hcr_finding_key(json_t *finding)
{
    char *key;
    if (asprintf(&key, "%s\n%s", hcr_kind(finding), hcr_fingerprint(finding)) < 0)
        return NULL;
    return key;
}

json_t *hcr_key_stack(json_t *finding, int is_leak)
{
    if (is_leak)
        return json_object_get(finding, "stack");
    return json_object_get(json_object_get(finding, "stacks"), "detected");
}
