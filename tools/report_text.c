/* report_text.c: frames and findings as text, shared by show, diff and check. */
#include "report.h"

#include <string.h>

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

char *hcr_frame_text(json_t *frame, int basename_only, char *buf, size_t size)
{
    const char *fn = hcr_str(frame, "function");
    const char *file = hcr_str(frame, "file");
    const char *mod = hcr_str(frame, "module");
    const char *off = hcr_str(frame, "offset");
    const char *addr = hcr_str(frame, "address");
    json_int_t line = 0;
    int has_line = hcr_int(frame, "line", &line);
    if (file && basename_only)
        file = base_name(file);
    if (mod && basename_only)
        mod = base_name(mod);

    char loc[1024] = "";
    if (file && has_line)
        snprintf(loc, sizeof loc, "%s:%" JSON_INTEGER_FORMAT, file, line);
    else if (file)
        snprintf(loc, sizeof loc, "%s", file);

    char modoff[1024] = "";
    if (mod && off)
        snprintf(modoff, sizeof modoff, "%s+%s", mod, off);
    else if (mod)
        snprintf(modoff, sizeof modoff, "%s", mod);
    else if (addr)
        snprintf(modoff, sizeof modoff, "%s", addr);

    if (fn && *loc)
        snprintf(buf, size, "%s %s", fn, loc);
    else if (fn && *modoff)
        snprintf(buf, size, "%s (%s)", fn, modoff);
    else if (fn)
        snprintf(buf, size, "%s", fn);
    else if (*modoff && *loc)
        snprintf(buf, size, "%s %s", modoff, loc);
    else if (*modoff)
        snprintf(buf, size, "%s", modoff);
    else if (*loc)
        snprintf(buf, size, "%s", loc);
    else
        snprintf(buf, size, "???");
    if (json_is_true(json_object_get(frame, "inlined"))) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, " [inlined]");
    }
    for (char *c = buf; *c; c++)      /* a report is data: no control character reaches the terminal */
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return buf;
}

void hcr_put_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}

void hcr_print_stack(FILE *out, json_t *stack, const char *indent)
{
    size_t i;
    json_t *fr;
    if (json_array_size(stack) == 0) {
        fprintf(out, "%s(no frames)\n", indent);
        return;
    }
    json_array_foreach(stack, i, fr) {
        char buf[2048];
        fprintf(out, "%s#%zu %s\n", indent, i, hcr_frame_text(fr, 0, buf, sizeof buf));
    }
}

static void print_blocks(FILE *out, json_int_t bytes, json_int_t blocks)
{
    fprintf(out, "%" JSON_INTEGER_FORMAT " byte%s in %" JSON_INTEGER_FORMAT " block%s", bytes,
            bytes == 1 ? "" : "s", blocks, blocks == 1 ? "" : "s");
}

void hcr_print_finding_line(FILE *out, json_t *f, int is_leak)
{
    fprintf(out, "%s %s", hcr_kind(f), hcr_fingerprint(f));
    json_int_t a = 0, b = 0;
    if (is_leak) {
        hcr_int(f, "bytes", &a);
        hcr_int(f, "blocks", &b);
        fputc(' ', out);
        print_blocks(out, a, b);
        a = b = 0;
        hcr_int(f, "indirect_bytes", &a);
        hcr_int(f, "indirect_blocks", &b);
        if (a || b) {
            fputs(" (+", out);
            print_blocks(out, a, b);
            fputs(" indirect)", out);
        }
    } else {
        const char *d = hcr_str(f, "description");
        if (d)
            fprintf(out, " (%s)", d);
    }
    if (hcr_int(f, "occurrences", &a) && a != 1)
        fprintf(out, " x%" JSON_INTEGER_FORMAT, a);
    json_t *stack = hcr_key_stack(f, is_leak);
    if (json_array_size(stack)) {
        char buf[2048];
        fprintf(out, " at %s", hcr_frame_text(json_array_get(stack, 0), 1, buf, sizeof buf));
    }
    if (is_leak && hcr_is_suppressed(f)) {
        const char *by = hcr_str(f, "suppressed_by");
        fprintf(out, " [suppressed by %s]", by ? by : "a rule");
    }
}
