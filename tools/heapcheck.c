/* heapcheck: run a program with libheapcheck.so preloaded.
 *
 *   heapcheck [--NAME=VALUE | --NAME]... [--] PROGRAM [ARGS...]
 *
 * Every option of libcheck/options.def is accepted as --NAME=VALUE (bools also as --NAME, meaning 1;
 * '-' may be written for '_' in NAME), and so are Valgrind's memcheck flags that have a heapcheck
 * counterpart (vg_flags). The values are validated here with the library's own parser
 * (libcheck/options.c), as is the HEAPCHECK_OPTIONS the environment already has; ours are appended to
 * it (later wins in the library), followed by root_pid=<our pid>; the library is put in front of
 * LD_PRELOAD and the program is exec'd in this very process, so its pid, exit status and signals are
 * the program's own. A setuid, setgid or capability program is run all the same, with a warning: the
 * loader ignores LD_PRELOAD for it. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "options.h"

#ifndef HEAPCHECK_VERSION
#define HEAPCHECK_VERSION "unknown"
#endif

/* Where the library is looked for when HEAPCHECK_LIBRARY is not set. HEAPCHECK_DRIVER_LIBDIR is the
 * install libdir as the build configured it (CMakeLists.txt): relative to the install bindir, so an
 * installed tree may be moved or installed under another prefix, or absolute when the libdir was given
 * so. The build tree keeps the driver in bin/ and the library in lib/, tried second. */
#ifndef HEAPCHECK_DRIVER_LIBDIR
#define HEAPCHECK_DRIVER_LIBDIR "../lib"
#endif
#define LIBRARY_NAME "libheapcheck.so"
#define LIBRARY_PLACES 2

/* The option table, the parser and the words come from the library's own options.c (compiled into this
 * program): what is accepted here is exactly what the library accepts. */
static lc_options_t scratch; /* lc_options_set writes here: only whether a value is accepted matters */

/* Valgrind's memcheck flags, as CTest (MEMORYCHECK_TYPE=Valgrind) and other harnesses written for memcheck
 * pass them, each turned into the heapcheck option that does that work. Matched before heapcheck's own
 * flags, on Valgrind's spelling only (--show_reachable=yes stays an error); the translated value is
 * validated like any other, and a message names the flag as it was given. */
enum vg_kind {
    VG_NATIVE,  /* heapcheck's own flag already ('-' for '_'): listed in the help, parsed as heapcheck's */
    VG_AS_IS,   /* the value is the option's */
    VG_YESNO,   /* yes or no: 1 or 0 */
    VG_FIXED,   /* no value: the option gets vg_flag.value */
    VG_CALLERS, /* 1 to 500, as Valgrind takes it; more than the option's maximum gets the maximum */
    VG_TOOL,    /* memcheck only; nothing to set */
    VG_IGNORED, /* one of the words of vg_flag.metavar; nothing to set */
};
static const struct vg_flag {
    const char *flag;    /* ending in '=' when it takes a value */
    const char *metavar; /* what follows the '=' in the help */
    const char *option;  /* heapcheck's option, NULL for VG_TOOL and VG_IGNORED */
    enum vg_kind kind;
    const char *value;   /* VG_FIXED: the option's value */
    const char *help;    /* NULL: another spelling of the entry before, not in the help */
} vg_flags[] = {
    {"--tool=", "memcheck", NULL, VG_TOOL, NULL,
     "Nothing to set: heapcheck does memcheck's work; another tool is an error."},
    {"--log-file=", "FILE", "log_path", VG_AS_IS, NULL, "--log_path=FILE (%p is the pid in both)."},
    {"-q", "", "verbosity", VG_FIXED, "0", "--verbosity=0 (also --quiet)."},
    {"--quiet", "", "verbosity", VG_FIXED, "0", NULL},
    {"-v", "", "verbosity", VG_FIXED, "1", "--verbosity=1 (also --verbose)."},
    {"--verbose", "", "verbosity", VG_FIXED, "1", NULL},
    {"--leak-check=", "yes|full|summary|no", "leak_check", VG_NATIVE, NULL,
     "--leak_check (yes is full)."},
    {"--show-reachable=", "yes|no", "show_reachable", VG_YESNO, NULL, "--show_reachable=1|0."},
    {"--show-possibly-lost=", "yes|no", "show_possibly", VG_YESNO, NULL, "--show_possibly=1|0."},
    {"--trace-children=", "yes|no", "trace_children", VG_YESNO, NULL, "--trace_children=1|0."},
    {"--num-callers=", "N", "max_frames", VG_CALLERS, NULL,
     "--max_frames=N; N from 1 to 500, cut to the maximum of --max_frames."},
    {"--error-exitcode=", "N", "exitcode", VG_AS_IS, NULL, "--exitcode=N."},
    {"--suppressions=", "FILE", "suppressions", VG_NATIVE, NULL,
     "--suppressions=FILE (Valgrind's { } blocks are read)."},
    {"--gen-suppressions=", "yes|no|all", NULL, VG_IGNORED, NULL,
     "Nothing to set: accepted, no suppression is generated."},
};
#define VG_FLAG_COUNT (sizeof vg_flags / sizeof vg_flags[0])

/* "N", "0|1", "full|summary|no", "LIST", "STR": what follows --NAME= in the help */
static const char *value_name(const lc_option_info_t *o, char *out, size_t cap)
{
    switch (o->type) {
    case LC_OPT_BOOL:
        return "0|1";
    case LC_OPT_INT:
        return "N";
    case LC_OPT_LIST:
        return "LIST";
    case LC_OPT_STR:
        return "STR";
    case LC_OPT_ENUM:
    default:
        break;
    }
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < lc_option_word_count; i++) {
        const lc_option_word_info_t *w = &lc_option_words[i];
        if (&lc_option_table[w->option] != o || w->alias)
            continue;
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "|" : "", w->word);
    }
    return out;
}

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
          "always set to the program's pid. The library is $HEAPCHECK_LIBRARY if set, else\n",
          stdout);
    const char *libdir = HEAPCHECK_DRIVER_LIBDIR;
    printf("%s%s/" LIBRARY_NAME " (the install libdir) or\n"
           "<directory of heapcheck>/../lib/" LIBRARY_NAME " (a build tree).\n"
           "\nOptions:\n",
           libdir[0] == '/' ? "" : "<directory of heapcheck>/", libdir);
    int width = 0;
    char vn[256];
    for (int i = 0; i < lc_option_count; i++) {
        const lc_option_info_t *o = &lc_option_table[i];
        int w = (int)(strlen(o->name) + strlen(value_name(o, vn, sizeof vn)) + 3);
        if (w > width)
            width = w;
    }
    for (int i = 0; i < lc_option_count; i++) {
        char lhs[512], text[2048], expected[256];
        const lc_option_info_t *o = &lc_option_table[i];
        int quoted = o->type != LC_OPT_BOOL && o->type != LC_OPT_INT;
        snprintf(lhs, sizeof lhs, "--%s=%s", o->name, value_name(o, vn, sizeof vn));
        /* \037 is a space the wrapping does not break at */
        snprintf(text, sizeof text, "%s Takes %s. [default:\037%s%s%s]", o->help,
                 lc_options_expected(o, expected, sizeof expected), quoted ? "'" : "", o->def,
                 quoted ? "'" : "");
        print_wrapped(lhs, width, text);
    }
    fputs("\nValgrind's flags, for harnesses written for memcheck (ctest -T memcheck), as heapcheck's:\n",
          stdout);
    int vwidth = 0;
    for (size_t k = 0; k < VG_FLAG_COUNT; k++) {
        int w = (int)(strlen(vg_flags[k].flag) + strlen(vg_flags[k].metavar));
        if (w > vwidth)
            vwidth = w;
    }
    for (size_t k = 0; k < VG_FLAG_COUNT; k++) {
        char lhs[64];
        if (!vg_flags[k].help)
            continue; /* another spelling of the entry before */
        snprintf(lhs, sizeof lhs, "%s%s", vg_flags[k].flag, vg_flags[k].metavar);
        print_wrapped(lhs, vwidth, vg_flags[k].help);
    }
    fputs("\n  -h, --help       This text.\n"
          "      --version    Print the version.\n"
          "\nExit status: PROGRAM's own; 2 for a usage error or a rejected option (also one in\n"
          "HEAPCHECK_OPTIONS); 126/127 when PROGRAM cannot be run.\n",
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

static const lc_option_info_t *find_option(const char *name, size_t len)
{
    char norm[128];
    if (len == 0 || len >= sizeof norm)
        return NULL;
    for (size_t i = 0; i < len; i++)
        norm[i] = name[i] == '-' ? '_' : name[i];
    return lc_options_find(norm, len);
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
    const lc_option_info_t *o = find_option(name, len);
    if (!o)
        usage_error("unknown option '%.*s' (see heapcheck --help)", (int)(len + 2), arg);
    const char *value = eq ? eq + 1 : NULL;
    char vn[256], expected[256];
    if (!value && o->type == LC_OPT_BOOL)
        value = "1";
    if (!value)
        usage_error("option '--%s' needs a value (--%s=%s)", o->name, o->name, value_name(o, vn, sizeof vn));
    if (o->type == LC_OPT_STR && strchr(value, ':'))
        usage_error("the value of option '--%s' cannot contain ':' (it separates options in "
                    "HEAPCHECK_OPTIONS)",
                    o->name);
    size_t vlen = strlen(value);
    if (!lc_options_set(&scratch, o, value, vlen)) {
        lc_options_expected(o, expected, sizeof expected);
        if (o->type == LC_OPT_STR)
            usage_error("option '--%s' takes %s, not a value of %zu bytes", o->name, expected, vlen);
        usage_error("option '--%s' takes %s, not '%s'", o->name, expected, value);
    }
    if (pairs->len)
        buf_add(pairs, ":");
    buf_add(pairs, o->name);
    buf_add(pairs, "=");
    buf_add(pairs, value);
}

/* Is w one of the '|'-separated words? */
static int has_word(const char *words, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = words;; p++) {
        const char *end = strchrnul(p, '|');
        if ((size_t)(end - p) == n && strncmp(p, w, n) == 0)
            return 1;
        if (!*end)
            return 0;
        p = end;
    }
}

/* 1 when arg is one of Valgrind's flags: then its heapcheck option is appended to *pairs (or nothing is,
 * for one with nothing to set); 0 otherwise. A value Valgrind or heapcheck would not take is exit 2. */
static int valgrind_flag(const char *arg, struct buf *pairs)
{
    const struct vg_flag *f = NULL;
    const char *v = NULL;
    for (size_t k = 0; k < VG_FLAG_COUNT && !f; k++) {
        size_t n = strlen(vg_flags[k].flag);
        int takes_value = vg_flags[k].flag[n - 1] == '=';
        if (vg_flags[k].kind == VG_NATIVE)
            continue;
        if (takes_value ? strncmp(arg, vg_flags[k].flag, n) == 0 : strcmp(arg, vg_flags[k].flag) == 0) {
            f = &vg_flags[k];
            v = takes_value ? arg + n : "";
        }
    }
    if (!f)
        return 0;
    int flen = (int)(strchrnul(arg, '=') - arg);
    const lc_option_info_t *o = f->option ? lc_options_find(f->option, strlen(f->option)) : NULL;
    if (f->option && !o)
        fatal("Valgrind's '%.*s' maps to an unknown option '%s'", flen, arg, f->option);
    char num[24];
    switch (f->kind) {
    case VG_TOOL:
        if (strcmp(v, "memcheck") != 0)
            usage_error("'%s': heapcheck checks the heap as Valgrind's memcheck does; it has no other tool",
                        arg);
        return 1;
    case VG_IGNORED:
        if (!has_word(f->metavar, v))
            usage_error("option '%.*s' takes one of %s, not '%s'", flen, arg, f->metavar, v);
        return 1;
    case VG_YESNO:
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            usage_error("option '%.*s' takes yes or no, not '%s'", flen, arg, v);
        v = strcmp(v, "yes") == 0 ? "1" : "0";
        break;
    case VG_FIXED:
        v = f->value;
        break;
    case VG_CALLERS: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < 1 || n > 500)
            usage_error("option '%.*s' takes an integer from 1 to 500, not '%s'", flen, arg, v);
        snprintf(num, sizeof num, "%ld", n < o->max ? n : o->max);
        v = num;
        break;
    }
    case VG_AS_IS:
    case VG_NATIVE:
        break;
    }
    char expected[256];
    if (o->type == LC_OPT_STR && strchr(v, ':'))
        usage_error("the value of option '%.*s' cannot contain ':' (it separates options in "
                    "HEAPCHECK_OPTIONS)",
                    flen, arg);
    size_t vlen = strlen(v);
    if (!lc_options_set(&scratch, o, v, vlen)) {
        lc_options_expected(o, expected, sizeof expected);
        if (o->type == LC_OPT_STR)
            usage_error("option '%.*s' (heapcheck's --%s) takes %s, not a value of %zu bytes", flen, arg,
                        o->name, expected, vlen);
        usage_error("option '%.*s' (heapcheck's --%s) takes %s, not '%s'", flen, arg, o->name, expected, v);
    }
    if (pairs->len)
        buf_add(pairs, ":");
    buf_add(pairs, o->name);
    buf_add(pairs, "=");
    buf_add(pairs, v);
    return 1;
}

/* 0 when path is a regular file; else why it cannot be the library: an errno, or -1 (not a regular file). */
static int unusable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno ? errno : ENOENT;
    return S_ISREG(st.st_mode) ? 0 : -1;
}

static void say_unusable(const char *path, int why, const char *end)
{
    if (why < 0)
        fprintf(stderr, "heapcheck: library '%s' is not a regular file%s\n", path, end);
    else
        fprintf(stderr, "heapcheck: library '%s' not found: %s%s\n", path, strerror(why), end);
}

/* The places the library is looked for, beside the driver's own executable: n of them into places. */
static int library_places(char places[LIBRARY_PLACES][PATH_MAX + 64])
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len < 0)
        fatal("cannot find my own executable (/proc/self/exe): %s", strerror(errno));
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *dirs[LIBRARY_PLACES] = {HEAPCHECK_DRIVER_LIBDIR, "../lib"};
    int n = 0;
    for (int k = 0; k < LIBRARY_PLACES; k++) {
        if (k > 0 && strcmp(dirs[k], dirs[0]) == 0)
            continue; /* the install libdir is the build tree's lib/ */
        if (dirs[k][0] == '/')
            snprintf(places[n], sizeof places[n], "%s/" LIBRARY_NAME, dirs[k]);
        else
            snprintf(places[n], sizeof places[n], "%s/%s/" LIBRARY_NAME, exe, dirs[k]);
        n++;
    }
    return n;
}

/* The library to preload, as an absolute path (the program may chdir before it execs others). */
static char *library_path(void)
{
    char places[LIBRARY_PLACES][PATH_MAX + 64];
    const char *path = NULL;
    const char *env = getenv("HEAPCHECK_LIBRARY");
    if (env && *env) {
        /* named by the user: that file or nothing */
        if (strlen(env) >= sizeof places[0])
            fatal("HEAPCHECK_LIBRARY is too long");
        int why = unusable(env);
        if (why) {
            say_unusable(env, why, why > 0 ? " (set HEAPCHECK_LIBRARY to its path)" : "");
            exit(2);
        }
        path = env;
    } else {
        int n = library_places(places);
        int why[LIBRARY_PLACES];
        for (int k = 0; k < n && !path; k++)
            if (!(why[k] = unusable(places[k])))
                path = places[k];
        if (!path) {
            /* every place tried, in order; one place keeps the one-line message */
            for (int k = 0; k < n; k++)
                say_unusable(places[k], why[k], n == 1 ? " (set HEAPCHECK_LIBRARY to its path)" : "");
            if (n > 1)
                fprintf(stderr,
                        "heapcheck: " LIBRARY_NAME " is in none of these %d places (the install libdir, "
                        "then a build tree's lib/); set HEAPCHECK_LIBRARY to its path\n",
                        n);
            exit(2);
        }
    }
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

/* HEAPCHECK_OPTIONS inherited from the environment: each rejected entry said, then exit 2 (the library
 * would reject it too, and fail the run only at its end). */
static void env_note(const lc_option_note_t *n, void *arg)
{
    (void)arg;
    fprintf(stderr, "heapcheck: HEAPCHECK_OPTIONS: %s\n", n->msg);
}

static void check_env_options(const char *value)
{
    lc_options_defaults(&scratch);
    if (lc_options_parse(&scratch, value, 0, env_note, NULL) > 0)
        exit(2);
}

/* The file execvp would run for name: itself when it holds a '/', else the first executable regular
 * file of that name on PATH. 0 when there is none (execvp then fails and says so). */
static int resolve_program(const char *name, char *out, size_t cap)
{
    struct stat st;
    if (strchr(name, '/'))
        return snprintf(out, cap, "%s", name) < (int)cap;
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin";
    for (const char *p = path;; p++) {
        const char *end = strchrnul(p, ':');
        int n = end > p ? snprintf(out, cap, "%.*s/%s", (int)(end - p), p, name)
                        : snprintf(out, cap, "%s", name); /* an empty entry is the current directory */
        if (n > 0 && (size_t)n < cap && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
            access(out, X_OK) == 0)
            return 1;
        if (!*end)
            return 0;
        p = end;
    }
}

/* The kernel runs a program in secure execution (AT_SECURE) when exec changes its credentials: setuid
 * to another user than ours, setgid to another group, or file capabilities for a user other than root.
 * glibc's loader then ignores every LD_PRELOAD entry holding a '/': the program would run unchecked. */
static void warn_if_secure(const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    struct statvfs vfs;
    if (!resolve_program(name, path, sizeof path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
        return; /* the bits and capabilities of a nosuid mount are not honoured */
    int suid = (st.st_mode & S_ISUID) && st.st_uid != getuid();
    /* setgid without group execute is mandatory locking, not setgid */
    int sgid = (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP) && st.st_gid != getgid();
    int caps = getuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0;
    if (!suid && !sgid && !caps)
        return;
    fprintf(stderr,
            "heapcheck: warning: '%s' is %s: the loader runs it in secure execution, which ignores "
            "LD_PRELOAD, so it is not checked\n",
            path, suid && sgid ? "setuid and setgid" : suid ? "setuid" : sgid ? "setgid" : "given file capabilities");
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
        if (valgrind_flag(a, &pairs)) {
            i++;
            continue;
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
    if (old)
        check_env_options(old);
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

    warn_if_secure(argv[i]);
    fflush(NULL);
    execvp(argv[i], argv + i);
    int err = errno;
    fprintf(stderr, "heapcheck: cannot run '%s': %s\n", argv[i], strerror(err));
    return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}
