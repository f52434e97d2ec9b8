/* options.h: the run-time options, generated from options.def. Read once (defaults, then HEAPCHECK_OPTIONS)
 * before the first block is handed out; read-only afterwards. */
#ifndef LC_OPTIONS_H
#define LC_OPTIONS_H

#define LC_OPTION_STR_MAX 512

typedef struct lc_options_s {
#define LC_OPTION_bool(name) int name;
#define LC_OPTION_int(name) long name;
#define LC_OPTION_str(name) char name[LC_OPTION_STR_MAX];
#define LC_OPTION(type, name, def, help) LC_OPTION_##type(name)
#include "options.def"
#undef LC_OPTION
#undef LC_OPTION_bool
#undef LC_OPTION_int
#undef LC_OPTION_str
} lc_options_t;

extern lc_options_t lc_options;

// Reads HEAPCHECK_OPTIONS from /proc/self/environ with raw system calls (usable at the very first malloc,
// before libc has set up environ), falling back to `envp`. Unknown or malformed entries are remembered and
// said by lc_options_warn() once output is safe.
void lc_options_init(char **envp);
void lc_options_warn(void);
// HEAPCHECK_OPTIONS as it was at start-up ("" when unset): the environment may be gone by report time.
const char *lc_options_raw(void);
void lc_options_print_help(int fd);
// Parses one "a=1:b=2" string into `o`, calling bad(msg) per bad entry. Returns the count of bad entries.
int lc_options_parse(lc_options_t *o, const char *s, void (*bad)(const char *msg, void *arg), void *arg);
void lc_options_defaults(lc_options_t *o);

#endif
