/* report_show.c: "heapcheck-report show REPORT...": the reports as text. */
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void print_int(FILE *out, json_t *obj, const char *key, const char *fallback)
{
    json_int_t v;
    if (hcr_int(obj, key, &v))
        fprintf(out, "%" JSON_INTEGER_FORMAT, v);
    else
        fputs(fallback, out);
}

/* "a b c" from an array of strings. */
static void print_command(FILE *out, json_t *cmd)
{
    size_t i;
    json_t *arg;
    json_array_foreach(cmd, i, arg) {
        const char *s = json_string_value(arg);
        if (i)
            fputc(' ', out);
        hcr_put_text(out, s ? s : "?");
    }
}

static void print_header(FILE *out, const char *path, json_t *r)
{
    fprintf(out, "== %s", path);
    json_t *pids = json_object_get(r, "pids");
    if (json_is_array(pids)) {
        fprintf(out, ": merged from %zu process%s (pids", json_array_size(pids),
                json_array_size(pids) == 1 ? "" : "es");
        size_t i;
        json_t *p;
        json_array_foreach(pids, i, p) {
            fprintf(out, "%s%" JSON_INTEGER_FORMAT, i ? ", " : " ", json_integer_value(p));
        }
        fputs(")\n", out);
        json_t *cmds = json_object_get(r, "commands");
        json_t *c;
        json_array_foreach(cmds, i, c) {
            fputs("   command: ", out);
            print_command(out, c);
            fputc('\n', out);
        }
    } else {
        fputs(": pid ", out);
        print_int(out, r, "pid", "?");
        if (json_object_get(r, "ppid")) {
            fputs(" (ppid ", out);
            print_int(out, r, "ppid", "?");
            fputc(')', out);
        }
        json_t *cmd = json_object_get(r, "command");
        if (json_array_size(cmd)) {
            fputs(": ", out);
            print_command(out, cmd);
        }
        fputc('\n', out);
    }
    const char *ep = hcr_str(r, "exit_path"), *opts = hcr_str(r, "options");
    if (ep) {
        fputs("   exit path: ", out);
        hcr_put_text(out, ep);
        fputc('\n', out);
    }
    if (opts && *opts) {
        fputs("   options: ", out);
        hcr_put_text(out, opts);
        fputc('\n', out);
    }
}

static void print_occurrences(FILE *out, json_t *f)
{
    json_int_t n;
    json_t *pids = json_object_get(f, "pids");
    if (!hcr_int(f, "occurrences", &n) && !pids)
        return;
    fputs("  occurrences: ", out);
    print_int(out, f, "occurrences", "1");
    if (json_array_size(pids)) {
        fputs(" (pid", out);
        fputs(json_array_size(pids) > 1 ? "s" : "", out);
        size_t i;
        json_t *p;
        json_array_foreach(pids, i, p) {
            fprintf(out, "%s%" JSON_INTEGER_FORMAT, i ? ", " : " ", json_integer_value(p));
        }
        fputc(')', out);
    }
    fputc('\n', out);
}

/* "N bytes in M blocks", singular when 1 */
static void print_size(FILE *out, json_int_t bytes, json_int_t blocks)
{
    fprintf(out, "%" JSON_INTEGER_FORMAT " byte%s in %" JSON_INTEGER_FORMAT " block%s", bytes,
            bytes == 1 ? "" : "s", blocks, blocks == 1 ? "" : "s");
}

static void print_error(FILE *out, json_t *e)
{
    const char *desc = hcr_str(e, "description");
    fprintf(out, "\nERROR %s [%s]%s%s\n", hcr_kind(e), hcr_fingerprint(e), desc ? ": " : "",
            desc ? desc : "");
    const char *addr = hcr_str(e, "address"), *baddr = hcr_str(e, "block_address");
    json_int_t size, off;
    int has_size = hcr_int(e, "block_size", &size), has_off = hcr_int(e, "offset", &off);
    if (addr || baddr || has_size || has_off) {
        fputs("  ", out);
        const char *sep = "";
        if (addr) {
            fprintf(out, "address %s", addr);
            sep = ", ";
        }
        if (baddr || has_size) {
            fprintf(out, "%sblock", sep);
            if (baddr)
                fprintf(out, " %s", baddr);
            if (has_size)
                fprintf(out, " of %" JSON_INTEGER_FORMAT " bytes", size);
            sep = ", ";
        }
        if (has_off)
            fprintf(out, "%soffset %" JSON_INTEGER_FORMAT, sep, off);
        fputc('\n', out);
    }
    const char *exp = hcr_str(e, "expected"), *found = hcr_str(e, "found");
    if (exp)
        fprintf(out, "  expected %s\n", exp);
    if (found)
        fprintf(out, "  found    %s\n", found);
    print_occurrences(out, e);
    json_t *stacks = json_object_get(e, "stacks");
    static const struct {
        const char *key, *title;
    } order[] = {{"detected", "detected at"}, {"alloc", "allocated at"}, {"free", "freed at"}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        json_t *st = json_object_get(stacks, order[i].key);
        if (json_is_array(st)) {
            fprintf(out, "  %s:\n", order[i].title);
            hcr_print_stack(out, st, "    ");
        }
    }
    const char *k;
    json_t *st;
    json_object_foreach(stacks, k, st) { /* stacks of a kind this tool does not know */
        if (strcmp(k, "detected") && strcmp(k, "alloc") && strcmp(k, "free") && json_is_array(st)) {
            fprintf(out, "  %s stack:\n", k);
            hcr_print_stack(out, st, "    ");
        }
    }
}

static void print_leak(FILE *out, json_t *l)
{
    json_int_t bytes = 0, blocks = 0, ib = 0, iblk = 0;
    hcr_int(l, "bytes", &bytes);
    hcr_int(l, "blocks", &blocks);
    hcr_int(l, "indirect_bytes", &ib);
    hcr_int(l, "indirect_blocks", &iblk);
    fprintf(out, "\nLEAK %s [%s]: ", hcr_kind(l), hcr_fingerprint(l));
    print_size(out, bytes, blocks);
    if (ib || iblk) {
        fputs(" (+ ", out);
        print_size(out, ib, iblk);
        fputs(" indirectly lost)", out);
    }
    fputc('\n', out);
    if (hcr_is_suppressed(l)) {
        const char *by = hcr_str(l, "suppressed_by");
        fprintf(out, "  suppressed by: %s\n", by ? by : "(a rule)");
    }
    print_occurrences(out, l);
    json_t *st = json_object_get(l, "stack");
    if (json_is_array(st)) {
        fputs("  allocated at:\n", out);
        hcr_print_stack(out, st, "    ");
    }
}

static void print_pair(FILE *out, json_t *o, const char *what, const char *bytes_key,
                       const char *blocks_key)
{
    json_int_t b, n;
    if (!hcr_int(o, bytes_key, &b) || !hcr_int(o, blocks_key, &n))
        return;
    fprintf(out, "  %-16s ", what);
    print_size(out, b, n);
    fputc('\n', out);
}

static void print_summary(FILE *out, json_t *r)
{
    json_t *s = json_object_get(r, "summary");
    fputs("\nSUMMARY\n", out);
    if (!json_is_object(s)) {
        fputs("  (no summary in the report)\n", out);
        return;
    }
    json_t *heap = json_object_get(s, "heap");
    if (json_is_object(heap)) {
        fputs("  heap:            ", out);
        print_int(out, heap, "in_use_bytes", "?");
        fputs(" bytes in ", out);
        print_int(out, heap, "in_use_blocks", "?");
        fputs(" blocks in use at exit; ", out);
        print_int(out, heap, "total_allocs", "?");
        fputs(" allocations, ", out);
        print_int(out, heap, "total_frees", "?");
        fputs(" frees, ", out);
        print_int(out, heap, "total_bytes", "?");
        fputs(" bytes allocated\n", out);
    }
    json_t *lk = json_object_get(s, "leaks");
    if (json_is_object(lk)) {
        print_pair(out, lk, "definitely lost:", "definite_bytes", "definite_blocks");
        print_pair(out, lk, "indirectly lost:", "indirect_bytes", "indirect_blocks");
        print_pair(out, lk, "possibly lost:", "possible_bytes", "possible_blocks");
        print_pair(out, lk, "still reachable:", "reachable_bytes", "reachable_blocks");
        print_pair(out, lk, "suppressed:", "suppressed_bytes", "suppressed_blocks");
    }
    fputs("  errors:          ", out);
    print_int(out, s, "error_count", "?");
    json_t *ek = json_object_get(s, "errors");
    if (json_object_size(ek)) {
        const char *k;
        json_t *v;
        const char *sep = " (";
        json_object_foreach(ek, k, v) {
            fprintf(out, "%s%s: %" JSON_INTEGER_FORMAT, sep, k, json_integer_value(v));
            sep = ", ";
        }
        fputc(')', out);
    }
    fputc('\n', out);
    json_t *es = json_object_get(s, "exit_status");
    if (json_is_integer(es))
        fprintf(out, "  exit status:     %" JSON_INTEGER_FORMAT " (set by heapcheck)\n",
                json_integer_value(es));
    else if (es)
        fputs("  exit status:     the program's own\n", out);
    json_t *supp = json_object_get(r, "suppressions");
    size_t i;
    json_t *sp;
    json_array_foreach(supp, i, sp) {
        const char *rule = hcr_str(sp, "rule"), *src = hcr_str(sp, "source");
        fprintf(out, "  suppression %s%s%s%s: matched ", rule ? rule : "?", src ? " (" : "",
                src ? src : "", src ? ")" : "");
        print_int(out, sp, "matched", "?");
        fputc('\n', out);
    }
}

static void show_one(FILE *out, const char *path, json_t *r)
{
    print_header(out, path, r);
    size_t i;
    json_t *f;
    json_array_foreach(hcr_errors(r), i, f) print_error(out, f);
    json_array_foreach(hcr_leaks(r), i, f) print_leak(out, f);
    if (!json_array_size(hcr_errors(r)) && !json_array_size(hcr_leaks(r)))
        fputs("\nno errors, no leaks\n", out);
    print_summary(out, r);
}

int hcr_cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            hcr_usage(stdout);
            return HCR_OK;
        }
        return hcr_bad_option("show", c, argv);
    }
    if (optind >= argc)
        return hcr_usage_error("show", "no report given");
    int n = argc - optind;
    json_t **reports = calloc((size_t)n, sizeof *reports);
    if (!reports) {
        hcr_err("out of memory");
        return HCR_BAD_INPUT;
    }
    int rc = HCR_OK;
    for (int i = 0; i < n && rc == HCR_OK; i++) /* all of them readable before any output */
        if (!(reports[i] = hcr_load_report(argv[optind + i])))
            rc = HCR_BAD_INPUT;
    for (int i = 0; i < n && rc == HCR_OK; i++) {
        if (i)
            putchar('\n');
        show_one(stdout, argv[optind + i], reports[i]);
    }
    for (int i = 0; i < n; i++)
        json_decref(reports[i]);
    free(reports);
    return rc;
}
