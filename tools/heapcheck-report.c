/* heapcheck-report: read, merge, compare and check heapcheck JSON reports.
 * Subcommands live in report_<name>.c; shared loading/formatting in report_{load,text,write}.c. */
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#ifndef HEAPCHECK_VERSION
#define HEAPCHECK_VERSION "unknown"
#endif

void hcr_usage(FILE *out)
{
    fputs("usage: heapcheck-report show REPORT...\n"
          "       heapcheck-report merge -o OUT REPORT...\n"
          "       heapcheck-report diff [--json] BASELINE CURRENT\n"
          "       heapcheck-report check [--leak-kinds=LIST] REPORT\n"
          "       heapcheck-report check --expect EXPECT.json [--exact] REPORT\n"
          "       heapcheck-report check --fingerprints REPORT\n"
          "       heapcheck-report export --format=sarif|junit [-o OUT] REPORT...\n"
          "       heapcheck-report --help | --version\n",
          out);
}

static void help(void)
{
    hcr_usage(stdout);
    fputs("\n"
          "  show    Print each report as text: errors, leaks with their stacks, summary.\n"
          "  merge   Merge reports (e.g. one per process) into one: findings with the same kind,\n"
          "          fingerprint and suppression become one with summed bytes/blocks,\n"
          "          \"occurrences\" and \"pids\".\n"
          "          OUT is replaced atomically; '-' writes to standard output.\n"
          "  diff    Findings of CURRENT not in BASELINE (new) and of BASELINE not in CURRENT\n"
          "          (fixed), by kind and fingerprint; suppressed leaks are ignored. --json prints\n"
          "          {\"new\": [...], \"fixed\": [...]}. Exit 1 if anything is new.\n"
          "  check   Exit 1 if REPORT fails the exit-status policy it was made under: an error,\n"
          "          an unsuppressed leak of a kind its summary counts (definite by default; older\n"
          "          reports: definite and possible), a leak check that did not complete, a\n"
          "          rejected option. --leak-kinds=definite,possible,reachable (or empty) counts\n"
          "          those kinds instead.\n"
          "          --expect: every expectation of EXPECT.json must hold instead; --exact: and\n"
          "          every unsuppressed finding must match one. See docs/tools.md.\n"
          "          --fingerprints: exit 1 if a finding's fingerprint is not what its frames give.\n"
          "  export  SARIF 2.1.0 (one result per finding, suppressed leaks marked so) or JUnit XML\n"
          "          (one testcase per unsuppressed finding) to OUT, default standard output.\n"
          "\nExit status: 0 fine, 1 findings (diff, check), 2 bad usage, unreadable input or\n"
          "output that could not be written.\n"
          "REPORT may be '-' for standard input.\n",
          stdout);
}

int hcr_usage_error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    fputs("heapcheck-report: ", stderr);
    if (sub)
        fprintf(stderr, "%s: ", sub);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    hcr_usage(stderr);
    return HCR_BAD_INPUT;
}

int hcr_bad_option(const char *sub, int c, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *what = strncmp(arg, "--", 2) == 0 || !optopt ? arg : shortopt;
    if (c == ':')
        return hcr_usage_error(sub, "option '%s' needs a value", what);
    return hcr_usage_error(sub, "unknown option '%s'", what);
}

int hcr_stdout_done(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    /* a full disk or a closed pipe: the output is incomplete, which the caller must hear of */
    hcr_err("cannot write to standard output: %s", errno ? strerror(errno) : "a write failed");
    return -1;
}

static int run(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        {"show", hcr_cmd_show},   {"merge", hcr_cmd_merge},   {"diff", hcr_cmd_diff},
        {"check", hcr_cmd_check}, {"export", hcr_cmd_export},
    };
    if (argc < 2)
        return hcr_usage_error(NULL, "no subcommand");
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        help();
        return HCR_OK;
    }
    if (strcmp(sub, "--version") == 0) {
        printf("heapcheck-report %s (report format %d)\n", HEAPCHECK_VERSION, HCR_FORMAT_VERSION);
        return HCR_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(sub, cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    if (sub[0] == '-')
        return hcr_usage_error(NULL, "unknown option '%s'", sub);
    return hcr_usage_error(NULL, "unknown subcommand '%s'", sub);
}

int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    if (hcr_stdout_done() != 0)
        rc = HCR_BAD_INPUT;
    return rc;
}
