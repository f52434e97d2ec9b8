/* options.h: the run-time options, generated from options.def, and the table that describes them (type, range,
 * words, what secure execution does with them). Read once (defaults, then HEAPCHECK_OPTIONS) before the first
 * block is handed out; read-only afterwards. Must not depend on anything above the base layer: the driver
 * compiles options.c too, to validate with the very parser the library uses. */
#ifndef LC_OPTIONS_H
#define LC_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define LC_OPTION_STR_MAX 512           // a str option holds at most LC_OPTION_STR_MAX - 1 bytes

// The words of the enum and list options: an enum option holds one of them, a list option a mask of
// LC_OPTION_BIT(word) for the words it names.
typedef enum lc_option_word_e {
#define LC_WORD(option, constant, word) constant,
#include "options.def"
  LC_OPTION_WORDS
} lc_option_word_t;
_Static_assert(LC_OPTION_WORDS <= 64, "a list option's mask has one bit per word");
#define LC_OPTION_BIT(w) (UINT64_C(1) << (w))

typedef struct lc_options_s {
#define LC_FIELD_bool(name) int name;
#define LC_FIELD_int(name) long name;
#define LC_FIELD_enum(name) lc_option_word_t name;
#define LC_FIELD_list(name) uint64_t name;
#define LC_FIELD_str(name) char name[LC_OPTION_STR_MAX];
#define LC_OPTION(type, name, def, min, max, secure, help) LC_FIELD_##type(name)
#include "options.def"
#undef LC_FIELD_bool
#undef LC_FIELD_int
#undef LC_FIELD_enum
#undef LC_FIELD_list
#undef LC_FIELD_str
} lc_options_t;

extern lc_options_t lc_options;

/* ---- the table ---- */

typedef enum lc_option_type_e { LC_OPT_BOOL, LC_OPT_INT, LC_OPT_ENUM, LC_OPT_LIST, LC_OPT_STR } lc_option_type_t;
// What secure execution does with an option from HEAPCHECK_OPTIONS: takes it, or ignores it for this reason.
typedef enum lc_option_secure_e {
  LC_SECURE_TAKEN, LC_SECURE_FILE, LC_SECURE_STATUS, LC_SECURE_FINDINGS, LC_SECURE_PROCESS, LC_SECURE_TIMING
} lc_option_secure_t;

typedef struct lc_option_info_s {
  const char *name;
  lc_option_type_t type;
  const char *def;                  // the default as written in HEAPCHECK_OPTIONS
  long min, max;                    // LC_OPT_INT (and 0, 1 for LC_OPT_BOOL)
  lc_option_secure_t secure;
  const char *help;
  size_t offset;                    // of the field in lc_options_t
} lc_option_info_t;

typedef struct lc_option_word_info_s {
  int option;                       // index in lc_option_table
  lc_option_word_t value;
  int alias;                        // 1: another spelling, accepted but shown after the words
  const char *word;
} lc_option_word_info_t;

extern const lc_option_info_t lc_option_table[];
extern const int lc_option_count;
extern const lc_option_word_info_t lc_option_words[];
extern const int lc_option_word_count;

// The option named by [name, name + len), or NULL.
const lc_option_info_t *lc_options_find(const char *name, size_t len);
// What o accepts, as a phrase: "0 or 1", "an integer from 1 to 64", "one of full, summary, no (or yes)",
// "a comma-separated list of definite, possible, reachable (may be empty)", "at most 511 bytes".
// post: out is NUL-terminated (cut to cap - 1 bytes). Returns out.
const char *lc_options_expected(const lc_option_info_t *o, char *out, size_t cap);
// Why secure execution ignores o ("names a file", ...), or "" when it is taken.
const char *lc_options_secure_reason(const lc_option_info_t *o);
// The value o has in opts, as it would be written in HEAPCHECK_OPTIONS (cut to cap - 1 bytes). Returns out.
const char *lc_options_format(const lc_options_t *opts, const lc_option_info_t *o, char *out, size_t cap);
// Sets o in opts from the text [val, val + len): 1 when the whole text is a value o accepts, else 0 and
// opts is left as it was.
int lc_options_set(lc_options_t *opts, const lc_option_info_t *o, const char *val, size_t len);

/* ---- parsing ---- */

typedef enum lc_option_note_kind_e {
  LC_NOTE_REJECTED,                 // malformed, an unknown name, or a value the option does not accept
  LC_NOTE_IGNORED,                  // secure execution: the option is not taken from the environment
} lc_option_note_kind_t;
typedef struct lc_option_note_s {
  lc_option_note_kind_t kind;
  const lc_option_info_t *option;   // NULL for a malformed entry or an unknown name
  const char *name;                 // as written (cut to 63 bytes), NUL-terminated
  const char *msg;                  // "option leak_check=fulll rejected: expected ...; using full" (no newline)
} lc_option_note_t;
typedef void (*lc_option_note_fn)(const lc_option_note_t *note, void *arg);

void lc_options_defaults(lc_options_t *o);
// Applies the entries of one "a=1:b=2" string to o in order (later wins), calling note once per entry that is
// rejected or, when secure, ignored; either leaves the option as it was. Returns the count of rejected entries.
int lc_options_parse(lc_options_t *o, const char *s, int secure, lc_option_note_fn note, void *arg);

/* ---- start-up ---- */

// Sets lc_options: defaults, build-time LC_DEFAULT_OPTIONS, then HEAPCHECK_OPTIONS read whole from
// /proc/self/environ with raw system calls into checker memory (usable at the very first malloc, before libc
// has set up environ; envp, else environ, when /proc cannot be read). Secure execution (getauxval(AT_SECURE))
// takes only the options options.def marks taken. What was rejected or ignored is said by lc_options_warn().
void lc_options_init(char **envp);
// lc_options_init with the environment image (NUL-separated strings, as /proc/self/environ) read from
// environ_path and the secure flag given: the seam for tests.
void lc_options_load(const char *environ_path, char **envp, int secure);
// Writes what lc_options_init rejected or ignored to stderr, once output is safe; says it once.
void lc_options_warn(void);
// HEAPCHECK_OPTIONS as it was at start-up, whole ("" when unset): the environment may be gone by report time.
const char *lc_options_raw(void);
// Entries rejected at start-up (build-time options included), and their names, comma separated ("" if none;
// cut with "..." past a few hundred bytes).
int lc_options_rejected_count(void);
const char *lc_options_rejected_names(void);
// 1 when a rejected option must fail the run: the exit status becomes exitcode, as for a finding. Never under
// secure execution, where the environment decides nothing about the exit status.
int lc_options_failed(void);
// 1 when the process runs under secure execution (as lc_options_init or lc_options_load found it).
int lc_options_secure(void);
void lc_options_print_help(int fd);

#endif
