/* report_export.c: "heapcheck-report export --format=sarif|junit [-o OUT] REPORT...".
 * SARIF 2.1.0: one run, one result per finding, the top frame of the detection (errors) or
 * allocation (leaks) stack as its location, every stack as a SARIF stack, suppressed leaks as
 * results with an external suppression; streamed: written a finding at a time as the reports are
 * read (hcr_stream_report), never held whole. JUnit XML: one testsuite per report, one testcase
 * per finding (failure for errors and the leaks the report's policy counts, as check fails on
 * them, skipped for the others; suppressed leaks are left out), and a failing one for a leak
 * check that did not complete and for each rejected option. */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef HEAPCHECK_VERSION
#define HEAPCHECK_VERSION "unknown"
#endif

static char *stack_text(json_t *stack)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    hcr_print_stack(f, stack, "");
    fclose(f);
    return text;
}

static char *finding_text(json_t *f, int is_leak)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return NULL;
    hcr_print_finding_line(m, f, is_leak);
    fclose(m);
    return text;
}

/* SARIF ----------------------------------------------------------------------------------------- */

/* A file path as a URI reference: absolute paths become file:// URIs; bytes outside the
 * unreserved set and '/' are percent-encoded. */
static json_t *path_uri(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n * 3 + 8), *p = out;
    if (!out)
        return NULL;
    if (path[0] == '/')
        p += sprintf(p, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~/+", *s))
            *p++ = (char)*s;
        else
            p += sprintf(p, "%%%02X", *s);
    }
    *p = '\0';
    json_t *j = json_string(out);
    free(out);
    return j;
}

static json_t *sarif_location(json_t *frame)
{
    json_t *loc = json_object();
    const char *file = hcr_str(frame, "file"), *fn = hcr_str(frame, "function");
    const char *mod = hcr_str(frame, "module");
    json_int_t line;
    if (file) {
        json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri", path_uri(file));
        if (hcr_int(frame, "line", &line) && line > 0) {
            json_t *region = json_pack("{s:I}", "startLine", line);
            json_int_t col;
            if (hcr_int(frame, "column", &col) && col > 0)
                json_object_set_new(region, "startColumn", json_integer(col));
            json_object_set_new(phys, "region", region);
        }
        json_object_set_new(loc, "physicalLocation", phys);
    } else if (mod) {
        json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri", path_uri(mod));
        const char *off = hcr_str(frame, "offset");
        if (off && strncmp(off, "0x", 2) == 0)
            json_object_set_new(phys, "address",
                                json_pack("{s:I}", "offset", (json_int_t)strtoll(off, NULL, 16)));
        json_object_set_new(loc, "physicalLocation", phys);
    }
    if (fn)
        json_object_set_new(loc, "logicalLocations",
                            json_pack("[{s:s,s:s}]", "name", fn, "kind", "function"));
    return loc;
}

static json_t *sarif_stack(const char *name, json_t *stack)
{
    json_t *frames = json_array();
    size_t i;
    json_t *fr;
    json_array_foreach(stack, i, fr) {
        json_array_append_new(frames, json_pack("{s:o}", "location", sarif_location(fr)));
    }
    return json_pack("{s:{s:s},s:o}", "message", "text", name, "frames", frames);
}

static const char *sarif_level(const char *kind, int is_leak)
{
    if (!is_leak || strcmp(kind, "leak-definite") == 0)
        return "error";
    if (strcmp(kind, "leak-possible") == 0)
        return "warning";
    return "note";
}

/* The rule of a finding's kind, added to rules (kind -> rule, in the order first seen) unless it
 * is there: its description comes from the first finding of the kind. */
static void add_rule(json_t *rules, json_t *f, int is_leak)
{
    const char *kind = hcr_kind(f);
    if (!json_object_get(rules, kind))
        json_object_set_new(rules, kind,
                            json_pack("{s:s,s:{s:s}}", "id", kind, "shortDescription", "text",
                                      is_leak ? "memory leak" : "heap error"));
}

static json_t *sarif_result(json_t *f, int is_leak, int version)
{
    const char *kind = hcr_kind(f);
    char *msg = finding_text(f, is_leak);
    json_t *res = json_pack("{s:s,s:s,s:{s:s}}", "ruleId", kind, "level", sarif_level(kind, is_leak),
                            "message", "text", msg ? msg : kind);
    free(msg);
    json_t *key = hcr_key_stack(f, is_leak);
    json_t *locs = json_array();
    if (json_array_size(key))
        json_array_append_new(locs, sarif_location(json_array_get(key, 0)));
    json_object_set_new(res, "locations", locs);
    char fp_name[32]; /* the fingerprint's rule changes with the format version: so does its name */
    snprintf(fp_name, sizeof fp_name, "heapcheck/v%d", version);
    json_object_set_new(res, "partialFingerprints",
                        json_pack("{s:s}", fp_name, hcr_fingerprint(f)));
    json_t *stacks = json_array();
    if (is_leak) {
        json_t *st = json_object_get(f, "stack");
        if (json_is_array(st))
            json_array_append_new(stacks, sarif_stack("allocated at", st));
    } else {
        const char *k;
        json_t *st;
        json_object_foreach(json_object_get(f, "stacks"), k, st) {
            if (json_is_array(st))
                json_array_append_new(stacks, sarif_stack(k, st));
        }
    }
    json_object_set_new(res, "stacks", stacks);
    if (is_leak && hcr_is_suppressed(f)) {
        const char *by = hcr_str(f, "suppressed_by");
        json_object_set_new(res, "suppressions",
                            json_pack("[{s:s,s:s}]", "kind", "external", "justification",
                                      by ? by : "suppressed"));
    }
    json_t *props = json_object();
    static const char *const copied[] = {"bytes",      "blocks", "indirect_bytes", "indirect_blocks",
                                         "block_size", "offset", "occurrences",    "pids"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *v = json_object_get(f, copied[i]);
        if (v && !json_is_null(v))
            json_object_set_new(props, copied[i], json_deep_copy(v));
    }
    json_object_set_new(res, "properties", props);
    return res;
}

/* The document is written around the results as jansson would format it whole (JSON_INDENT(2)),
 * each value jansson formats indented to its depth, so that the output is the same text. */
static void put_indented(FILE *out, json_t *v, const char *indent)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    for (const char *p = text ? text : "null"; *p; p++) {
        putc(*p, out);
        if (*p == '\n')
            fputs(indent, out);
    }
    free(text);
}

/* One input report: streamed (f, read twice), or, when its layout is not one the stream takes,
 * loaded whole (whole). */
struct input {
    const char *path;
    FILE *f;
    json_t *whole;
    int version;
};

struct sarif {
    FILE *out;
    json_t *rules;   /* of the report being read, then of all (kind -> rule) */
    int version;     /* the format version of the report being written */
    size_t nresults; /* written so far */
};

static int collect_rule(json_t *f, int is_leak, void *arg)
{
    add_rule(((struct sarif *)arg)->rules, f, is_leak);
    return 0;
}

static int write_result(json_t *f, int is_leak, void *arg)
{
    struct sarif *st = arg;
    json_t *res = sarif_result(f, is_leak, st->version);
    fputs(st->nresults++ ? ",\n        " : "\n        ", st->out);
    put_indented(st->out, res, "        ");
    json_decref(res);
    return ferror(st->out) ? -1 : 0; /* a full disk: stop reading */
}

static int each_finding(json_t *r, hcr_finding_fn fn, void *arg)
{
    for (int is_leak = 0; is_leak < 2; is_leak++) {
        size_t i;
        json_t *f;
        json_array_foreach(is_leak ? hcr_leaks(r) : hcr_errors(r), i, f) {
            if (fn(f, is_leak, arg) != 0)
                return 1;
        }
    }
    return 0;
}

/* Opens an input for the first read, checks it whole and adds its rules to st->rules (in the
 * order of its errors, then its leaks, as if it were loaded whole). 0, or -1 (message printed). */
static int first_read(struct input *in, struct sarif *st)
{
    if (strcmp(in->path, "-") == 0) { /* read twice: from a copy of standard input */
        if (!(in->f = tmpfile())) {
            hcr_err("cannot copy standard input to a temporary file: %s", strerror(errno));
            return -1;
        }
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0 && fwrite(buf, 1, n, in->f) == n)
            continue;
        if (ferror(stdin)) {
            hcr_err("cannot read '-': %s", strerror(errno));
            return -1;
        }
        if (ferror(in->f) || fflush(in->f) != 0) {
            hcr_err("cannot copy standard input to a temporary file: %s", strerror(errno));
            return -1;
        }
        rewind(in->f);
    } else if (!(in->f = fopen(in->path, "rb"))) {
        json_decref(hcr_load_report(in->path)); /* says why, as every subcommand does */
        return -1;
    }
    json_t *mine = json_object(), *head = NULL;
    json_t *all = st->rules;
    st->rules = mine;
    int rc = hcr_stream_report(in->path, in->f, &head, collect_rule, st);
    if (rc != 0) { /* not a layout the stream takes, or bad: read whole, which says what is wrong */
        json_object_clear(mine);
        rewind(in->f);
        in->whole = hcr_load_report_from(in->path, in->f);
        if (in->whole)
            each_finding(in->whole, collect_rule, st);
    }
    st->rules = all;
    const char *k;
    json_t *rule;
    json_object_foreach(mine, k, rule) {
        if (!json_object_get(all, k))
            json_object_set(all, k, rule);
    }
    json_decref(mine);
    if (rc != 0 && !in->whole)
        return -1;
    in->version = hcr_report_version(in->whole ? in->whole : head);
    json_decref(head);
    return 0;
}

/* Memory: the rules, one finding and one report's other keys (a report the stream does not take
 * is held whole): the results are written as the second read of each report goes. */
static int export_sarif(char **paths, int n, const char *out)
{
    struct input *in = calloc((size_t)n, sizeof *in);
    struct sarif st = {.rules = json_object()};
    int rc = in && st.rules ? HCR_OK : HCR_BAD_INPUT;
    if (rc != HCR_OK)
        hcr_err("out of memory");
    for (int i = 0; i < n && rc == HCR_OK; i++) {
        in[i].path = paths[i];
        if (first_read(&in[i], &st) != 0)
            rc = HCR_BAD_INPUT;
    }
    struct hcr_out o;
    if (rc == HCR_OK && hcr_out_open(&o, out) != 0)
        rc = HCR_BAD_INPUT;
    if (rc == HCR_OK) {
        st.out = o.f;
        json_t *rule_list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(st.rules, k, v) json_array_append(rule_list, v);
        json_t *tool = json_pack("{s:{s:s,s:s,s:o}}", "driver", "name", "heapcheck", "version",
                                 HEAPCHECK_VERSION, "rules", rule_list);
        fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
              "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": ",
              st.out);
        put_indented(st.out, tool, "      ");
        json_decref(tool);
        fputs(",\n      \"results\": [", st.out);
        for (int i = 0; i < n && rc == HCR_OK; i++) {
            st.version = in[i].version;
            int r;
            if (in[i].whole) {
                r = each_finding(in[i].whole, write_result, &st);
            } else {
                rewind(in[i].f);
                r = hcr_stream_report(in[i].path, in[i].f, NULL, write_result, &st);
                if (r < 0)
                    hcr_err("%s: changed while it was read", in[i].path);
            }
            if (r != 0)
                rc = HCR_BAD_INPUT;
        }
        fputs(st.nresults ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n", st.out);
        if (ferror(st.out))
            rc = HCR_BAD_INPUT; /* said by hcr_out_close, or for stdout by main */
        if (hcr_out_close(&o, rc == HCR_OK) != 0)
            rc = HCR_BAD_INPUT;
    }
    for (int i = 0; in && i < n; i++) {
        if (in[i].f)
            fclose(in[i].f);
        json_decref(in[i].whole);
    }
    free(in);
    json_decref(st.rules);
    return rc;
}

/* JUnit ------------------------------------------------------------------------------------------ */

static void xml_escape(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n':
        case '\t': fputc(*p, f); break;
        default:
            if (*p >= 0x20)
                fputc(*p, f); /* other control characters cannot be in XML 1.0 */
        }
    }
}

static void junit_case(FILE *x, const char *suite, json_t *f, int is_leak, int counted)
{
    const char *kind = hcr_kind(f);
    char *line = finding_text(f, is_leak);
    fputs("    <testcase classname=\"heapcheck.", x);
    xml_escape(x, kind);
    fputs("\" name=\"", x);
    xml_escape(x, line ? line : kind);
    fputs("\" file=\"", x);
    xml_escape(x, suite);
    fputs("\">\n", x);
    if (!counted) {
        fputs("      <skipped message=\"", x);
        xml_escape(x, kind);
        fputs(" (not counted)\"/>\n", x);
    } else {
        fputs("      <failure type=\"", x);
        xml_escape(x, kind);
        fputs("\" message=\"", x);
        xml_escape(x, line ? line : kind);
        fputs("\">", x);
        if (is_leak) {
            char *st = stack_text(json_object_get(f, "stack"));
            fputs("allocated at:\n", x);
            xml_escape(x, st ? st : "");
            free(st);
        } else {
            const char *k;
            json_t *s;
            json_object_foreach(json_object_get(f, "stacks"), k, s) {
                char *st = stack_text(s);
                xml_escape(x, k);
                fputs(":\n", x);
                xml_escape(x, st ? st : "");
                free(st);
            }
        }
        fputs("</failure>\n", x);
    }
    fputs("    </testcase>\n", x);
    free(line);
}

static void junit_problem(FILE *x, const char *suite, const char *type, const char *what,
                          const char *detail)
{
    fputs("    <testcase classname=\"heapcheck.", x);
    fputs(type, x);
    fputs("\" name=\"", x);
    xml_escape(x, what);
    xml_escape(x, detail);
    fputs("\" file=\"", x);
    xml_escape(x, suite);
    fprintf(x, "\">\n      <failure type=\"%s\" message=\"", type);
    xml_escape(x, what);
    xml_escape(x, detail);
    fputs("\"/>\n    </testcase>\n", x);
}

/* What fails a report besides its findings, as check says it: a leak check that did not complete
 * and each rejected option, one failing testcase each (written on x when not NULL); their count. */
static size_t junit_problems(FILE *x, const char *suite, json_t *report)
{
    json_t *s = json_object_get(report, "summary");
    size_t n = 0, i;
    json_t *name;
    if (json_is_true(json_object_get(s, "incomplete"))) {
        const char *why = hcr_str(s, "incomplete_reason");
        if (x)
            junit_problem(x, suite, "incomplete", why ? "the leak check did not complete: "
                                                      : "the leak check did not complete",
                          why ? why : "");
        n++;
    }
    json_array_foreach(json_object_get(s, "options_rejected"), i, name) {
        if (x)
            junit_problem(x, suite, "option-rejected", "option rejected at start-up: ",
                          json_is_string(name) ? json_string_value(name) : "?");
        n++;
    }
    return n;
}

static int export_junit(json_t **reports, char **paths, int n, const char *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *x = open_memstream(&text, &len);
    if (!x) {
        hcr_err("out of memory");
        return HCR_BAD_INPUT;
    }
    size_t total = 0, total_fail = 0, total_skip = 0;
    char *body = NULL;
    size_t blen = 0;
    FILE *b = open_memstream(&body, &blen);
    if (!b) {
        fclose(x);
        free(text);
        hcr_err("out of memory");
        return HCR_BAD_INPUT;
    }
    for (int r = 0; r < n; r++) {
        size_t problems = junit_problems(NULL, NULL, reports[r]);
        size_t tests = problems, fails = problems, skips = 0;
        for (int is_leak = 0; is_leak < 2; is_leak++) {
            size_t i;
            json_t *f;
            json_array_foreach(is_leak ? hcr_leaks(reports[r]) : hcr_errors(reports[r]), i, f) {
                if (is_leak && hcr_is_suppressed(f))
                    continue;
                tests++;
                if (is_leak && !hcr_counts_leak(reports[r], f))
                    skips++;
                else
                    fails++;
            }
        }
        fprintf(b, "  <testsuite name=\"");
        xml_escape(b, paths[r]);
        fprintf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", tests,
                fails, skips);
        for (int is_leak = 0; is_leak < 2; is_leak++) {
            size_t i;
            json_t *f;
            json_array_foreach(is_leak ? hcr_leaks(reports[r]) : hcr_errors(reports[r]), i, f) {
                if (!(is_leak && hcr_is_suppressed(f)))
                    junit_case(b, paths[r], f, is_leak, !is_leak || hcr_counts_leak(reports[r], f));
            }
        }
        junit_problems(b, paths[r], reports[r]);
        fputs("  </testsuite>\n", b);
        total += tests;
        total_fail += fails;
        total_skip += skips;
    }
    fclose(b);
    fprintf(x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"heapcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"%zu\">\n",
            total, total_fail, total_skip);
    fputs(body ? body : "", x);
    fputs("</testsuites>\n", x);
    free(body);
    int bad = fclose(x) != 0 || !text;
    int rc = !bad && hcr_write_text_atomic(out, text, len) == 0 ? HCR_OK : HCR_BAD_INPUT;
    free(text);
    return rc;
}

int hcr_cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {0, 0, 0, 0}};
    const char *format = NULL, *out = "-";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'h': hcr_usage(stdout); return HCR_OK;
        default: return hcr_bad_option("export", c, argv);
        }
    }
    if (!format)
        return hcr_usage_error("export", "no --format=sarif|junit");
    int sarif = strcmp(format, "sarif") == 0;
    if (!sarif && strcmp(format, "junit") != 0)
        return hcr_usage_error("export", "unknown format '%s' (sarif or junit)", format);
    if (optind >= argc)
        return hcr_usage_error("export", "no report given");
    int n = argc - optind;
    if (sarif)
        return export_sarif(argv + optind, n, out);
    json_t **reports = calloc((size_t)n, sizeof *reports);
    if (!reports) {
        hcr_err("out of memory");
        return HCR_BAD_INPUT;
    }
    int rc = HCR_OK;
    for (int i = 0; i < n && rc == HCR_OK; i++)
        if (!(reports[i] = hcr_load_report(argv[optind + i])))
            rc = HCR_BAD_INPUT;
    if (rc == HCR_OK)
        rc = export_junit(reports, argv + optind, n, out);
    for (int i = 0; i < n; i++)
        json_decref(reports[i]);
    free(reports);
    return rc;
}
