/* heapcheck: run a program with libheapcheck.so preloaded.
 *
 *   heapcheck [--NAME=VALUE | --NAME]... [--] PROGRAM [ARGS...]
 *
 * Every option of libcheck/options.def is accepted as --NAME=VALUE (bools also as --NAME, meaning 1;
 * '-' may be written for '_' in NAME). The values are validated here, appended to whatever
 * HEAPCHECK_OPTIONS the environment already has (later wins in the library), followed by
 * root_pid=<our pid>; the library is put in front of LD_PRELOAD and the program is exec'd in this
 * very process, so its pid, exit status and signals are the program's own. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HEAPCHECK_VERSION
#define HEAPCHECK_VERSION "unknown"
#endif

enum opt_type { OPT_BOOL, OPT_INT, OPT_STR };

struct opt_desc {
    const char *name;
    enum opt_type type;
    const char *def; /* default, as text */
    const char *help;
};

/* The option table comes from the library's own list: never duplicate it here. */
#define HC_TYPE_bool OPT_BOOL
#define HC_TYPE_int OPT_INT
#define HC_TYPE_str OPT_STR
#define HC_DEF_bool(d) #d
#define HC_DEF_int(d) #d
#define HC_DEF_str(d) d
#define LC_OPTION(type, name, def, help) {#name, HC_TYPE_##type, HC_DEF_##type(def), help},
static const struct opt_desc options[] = {
#include "../libcheck/options.def"
};
#undef LC_OPTION
#define N_OPTIONS (sizeof options / sizeof options[0])

static const char *type_name[] = {[OPT_BOOL] = "0|1", [OPT_INT] = "N", [OPT_STR] = "STR"};

static void short_usage(FILE *out)
{
    fputs("usage: heapcheck [--OPTION=VALUE | --BOOL_OPTION]... [--] PROGRAM [ARGS...]\n"
          "       heapcheck --help | --version\n",
          out);
}

/* "  LHS  text" with text word-wrapped to HELP_COLUMNS, continuation lines under its start. */
#define HELP_COLUMNS 100
static void print_wrapped(const char *lhs, int width, const char *text)
{
    int avail = HELP_COLUMNS - width - 4;
    if (avail < 30)
        avail = 30;
    printf("  %-*s  ", width, lhs);
    const char *p = text;
    while (*p) {
        int n = (int)strlen(p);
        if (n > avail) {
            n = avail;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0) /* one word longer than the line */
                n = (int)strcspn(p, " ");
        }
        for (int k = 0; k < n; k++)
            putchar(p[k] == '\037' ? ' ' : p[k]);
        putchar('\n');
        p += n;
        while (*p == ' ')
            p++;
        if (*p)
            printf("  %-*s  ", width, "");
    }
}

static void help(void)
{
    short_usage(stdout);
    fputs("\nRuns PROGRAM with libheapcheck.so preloaded as its allocator. Options are passed to the\n"
          "library in HEAPCHECK_OPTIONS, after any it already holds (later wins). A bool option given\n"
          "without a value means 1; '-' may stand for '_' in a NAME (--max-frames=8). root_pid is\n"
          "always set to the program's pid. The library is $HEAPCHECK_LIBRARY if set, else\n"
          "<directory of heapcheck>/../lib/libheapcheck.so.\n"
          "\nOptions:\n",
          stdout);
    int width = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        int w = (int)(strlen(options[i].name) + strlen(type_name[options[i].type]) + 3);
        if (w > width)
            width = w;
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char lhs[256], text[1024];
        const struct opt_desc *o = &options[i];
        snprintf(lhs, sizeof lhs, "--%s=%s", o->name, type_name[o->type]);
        /* \037 is a space the wrapping does not break at */
        snprintf(text, sizeof text, "%s [default:\037%s%s%s]", o->help,
                 o->type == OPT_STR ? "'" : "", o->def, o->type == OPT_STR ? "'" : "");
        print_wrapped(lhs, width, text);
    }
    fputs("\n  -h, --help       This text.\n"
          "      --version    Print the version.\n"
          "\nExit status: PROGRAM's own; 2 for a usage error; 126/127 when PROGRAM cannot be run.\n",
          stdout);
}

__attribute__((format(printf, 1, 2))) static _Noreturn void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("heapcheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    short_usage(stderr);
    exit(2);
}

__attribute__((format(printf, 1, 2))) static _Noreturn void fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("heapcheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static const struct opt_desc *find_option(const char *name, size_t len)
{
    char norm[128];
    if (len == 0 || len >= sizeof norm)
        return NULL;
    for (size_t i = 0; i < len; i++)
        norm[i] = name[i] == '-' ? '_' : name[i];
    norm[len] = '\0';
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(options[i].name, norm) == 0)
            return &options[i];
    return NULL;
}

static int is_decimal_int(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p == '\0')
        return 0;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return 0;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && v >= INT_MIN && v <= INT_MAX;
}

/* A growing string. */
struct buf {
    char *s;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            fatal("out of memory");
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* Parse one --NAME[=VALUE] argument and append NAME=VALUE to *pairs. */
static void parse_option(const char *arg, struct buf *pairs)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct opt_desc *o = find_option(name, len);
    if (!o)
        usage_error("unknown option '%.*s' (see heapcheck --help)", (int)(len + 2), arg);
    const char *value = eq ? eq + 1 : NULL;
    switch (o->type) {
    case OPT_BOOL:
        if (!value)
            value = "1";
        else if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
            usage_error("option '--%s' takes 0 or 1, not '%s'", o->name, value);
        break;
    case OPT_INT:
        if (!value)
            usage_error("option '--%s' needs a value (--%s=N)", o->name, o->name);
        if (!is_decimal_int(value))
            usage_error("option '--%s' needs a decimal integer, not '%s'", o->name, value);
        break;
    case OPT_STR:
    default:
        if (!value)
            usage_error("option '--%s' needs a value (--%s=STR)", o->name, o->name);
        if (strchr(value, ':'))
            usage_error("the value of option '--%s' cannot contain ':' (it separates options in "
                        "HEAPCHECK_OPTIONS)",
                        o->name);
        break;
    }
    if (pairs->len)
        buf_add(pairs, ":");
    buf_add(pairs, o->name);
    buf_add(pairs, "=");
    buf_add(pairs, value);
}

/* The library to preload, as an absolute path (the program may chdir before it execs others). */
static char *library_path(void)
{
    char path[PATH_MAX + 64];
    const char *env = getenv("HEAPCHECK_LIBRARY");
    if (env && *env) {
        if (strlen(env) >= sizeof path)
            fatal("HEAPCHECK_LIBRARY is too long");
        strcpy(path, env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n < 0)
            fatal("cannot find my own executable (/proc/self/exe): %s", strerror(errno));
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(path, sizeof path, "%s/../lib/libheapcheck.so", exe);
    }
    struct stat st;
    if (stat(path, &st) != 0)
        fatal("library '%s' not found: %s (set HEAPCHECK_LIBRARY to its path)", path,
              strerror(errno));
    if (!S_ISREG(st.st_mode))
        fatal("library '%s' is not a regular file", path);
    char *abs = realpath(path, NULL);
    if (!abs)
        fatal("library '%s': %s", path, strerror(errno));
    if (strpbrk(abs, " :"))
        fatal("library path '%s' contains ' ' or ':', which LD_PRELOAD cannot hold", abs);
    return abs;
}

static int ld_preload_starts_with(const char *preload, const char *lib)
{
    size_t n = strlen(lib);
    return strncmp(preload, lib, n) == 0 &&
           (preload[n] == '\0' || preload[n] == ':' || preload[n] == ' ');
}

int main(int argc, char **argv)
{
    struct buf pairs = {0};
    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help();
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("heapcheck %s\n", HEAPCHECK_VERSION);
            return 0;
        }
        if (strncmp(a, "--", 2) == 0) {
            parse_option(a, &pairs);
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            usage_error("unknown option '%s' (see heapcheck --help)", a);
        break; /* the program: "--" may be left out */
    }
    if (i >= argc)
        usage_error("no program to run");

    char *lib = library_path();

    /* HEAPCHECK_OPTIONS: what the environment has, then ours, then root_pid (later wins). */
    struct buf hopts = {0};
    buf_add(&hopts, "");
    const char *old = getenv("HEAPCHECK_OPTIONS");
    if (old && *old) {
        buf_add(&hopts, old);
        if (hopts.s[hopts.len - 1] != ':')
            buf_add(&hopts, ":");
    }
    if (pairs.len) {
        buf_add(&hopts, pairs.s);
        buf_add(&hopts, ":");
    }
    char pidopt[64];
    snprintf(pidopt, sizeof pidopt, "root_pid=%ld", (long)getpid());
    buf_add(&hopts, pidopt);

    /* LD_PRELOAD: the library first, then whatever was there (ld.so takes ' ' and ':'). */
    struct buf preload = {0};
    buf_add(&preload, lib);
    const char *oldpre = getenv("LD_PRELOAD");
    if (oldpre && oldpre[strspn(oldpre, " :")] != '\0') {
        if (ld_preload_starts_with(oldpre, lib)) {
            preload.len = 0;
            preload.s[0] = '\0';
        } else {
            buf_add(&preload, ":");
        }
        buf_add(&preload, oldpre);
    }

    if (setenv("HEAPCHECK_OPTIONS", hopts.s, 1) != 0 || setenv("LD_PRELOAD", preload.s, 1) != 0)
        fatal("cannot set the environment: %s", strerror(errno));
    free(lib);
    free(pairs.s);
    free(hopts.s);
    free(preload.s);

    fflush(NULL);
    execvp(argv[i], argv + i);
    int err = errno;
    fprintf(stderr, "heapcheck: cannot run '%s': %s\n", argv[i], strerror(err));
    return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}
