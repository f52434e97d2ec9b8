/* report_probe.c: checks what `heapcheck-report check --expect` cannot express on one JSON report of
 * libheapcheck (docs/report-schema.md). Used by run_probe.sh.
 *
 *   report_probe REPORT ASSERTION...
 *
 *   --field KIND KEY VALUE        some finding of KIND has the top-level KEY equal to VALUE (strings compare as
 *                                 they are, numbers in decimal, true/false/null as written)
 *   --frame KIND FUNCTION KEY VALUE   some finding of KIND has, in one of its stacks, a frame of FUNCTION whose
 *                                 KEY equals VALUE (e.g. --frame leak-definite make_record inlined true)
 *   --max-frames N                there is a finding, and no stack of any finding has more than N frames
 *   --unsymbolized MODULE         some frame of a finding lies in the module whose file name is MODULE, and
 *                                 every such frame has a module offset and no function, file or line
 *   --kinds K1,K2,...             there is a finding, and every finding's kind is one of the list
 *
 * Exit status: 0 all hold; 1 one failed (each failure on stderr, then the findings); 2 bad usage or input. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *report;
static json_t *findings;                     /* errors then leaks, one array */

static void usage(void) {
  fprintf(stderr, "usage: report_probe REPORT [--field KIND KEY VALUE | --frame KIND FUNCTION KEY VALUE |\n"
                  "       --max-frames N | --unsymbolized MODULE | --kinds K1,K2,...]...\n");
  exit(2);
}

/* VALUE as text: strings as they are, the other scalars as JSON writes them. NULL for objects and arrays. */
static char *render(json_t *v) {
  if (!v) return NULL;
  if (json_is_string(v)) return strdup(json_string_value(v));
  if (json_is_object(v) || json_is_array(v)) return NULL;
  return json_dumps(v, JSON_ENCODE_ANY);
}

static int value_is(json_t *v, const char *want) {
  char *s = render(v);
  int eq = s && strcmp(s, want) == 0;
  free(s);
  return eq;
}

static const char *kind_of(json_t *f) {
  const char *k = json_string_value(json_object_get(f, "kind"));
  return k ? k : "";
}

/* Calls fn on every stack (array of frames) of finding f: "stack" of a leak, every member of "stacks". */
typedef int (*stack_fn)(json_t *stack, void *arg);
static int each_stack(json_t *f, stack_fn fn, void *arg) {
  json_t *s = json_object_get(f, "stack");
  if (json_is_array(s) && fn(s, arg)) return 1;
  json_t *stacks = json_object_get(f, "stacks");
  const char *key;
  json_t *v;
  if (json_is_object(stacks))
    json_object_foreach(stacks, key, v) if (json_is_array(v) && fn(v, arg)) return 1;
  return 0;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* --frame */
struct frame_q { const char *function, *key, *value; };
static int frame_match(json_t *stack, void *arg) {
  struct frame_q *q = arg;
  size_t i;
  json_t *fr;
  json_array_foreach(stack, i, fr) {
    const char *fn = json_string_value(json_object_get(fr, "function"));
    if (fn && strcmp(fn, q->function) == 0 && value_is(json_object_get(fr, q->key), q->value)) return 1;
  }
  return 0;
}

/* --max-frames */
struct max_q { size_t max, worst; };
static int max_frames(json_t *stack, void *arg) {
  struct max_q *q = arg;
  if (json_array_size(stack) > q->worst) q->worst = json_array_size(stack);
  return 0;
}

/* --unsymbolized */
struct unsym_q { const char *module; size_t seen, bad; };
static int unsymbolized(json_t *stack, void *arg) {
  struct unsym_q *q = arg;
  size_t i;
  json_t *fr;
  json_array_foreach(stack, i, fr) {
    const char *m = json_string_value(json_object_get(fr, "module"));
    if (!m || strcmp(base_name(m), q->module) != 0) continue;
    q->seen++;
    if (!json_is_null(json_object_get(fr, "function")) || !json_is_null(json_object_get(fr, "file")) ||
        !json_is_null(json_object_get(fr, "line")) || !json_is_string(json_object_get(fr, "offset"))) {
      char *s = json_dumps(fr, JSON_COMPACT);
      fprintf(stderr, "report_probe: frame of %s is symbolized or has no offset: %s\n", q->module, s ? s : "?");
      free(s);
      q->bad++;
    }
  }
  return 0;
}

static int kind_listed(const char *kind, const char *list) {
  size_t n = strlen(kind);
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && strncmp(p, kind, n) == 0) return 1;
    p += len + (comma ? 1 : 0);
  }
  return 0;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "report_probe: FAIL: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  json_error_t err;
  report = json_load_file(argv[1], 0, &err);
  if (!report) {
    fprintf(stderr, "report_probe: %s:%d:%d: %s\n", argv[1], err.line, err.column, err.text);
    return 2;
  }
  findings = json_array();
  json_array_extend(findings, json_object_get(report, "errors"));
  json_array_extend(findings, json_object_get(report, "leaks"));
  int failed = 0;
  size_t i;
  json_t *f;
  for (int a = 2; a < argc; a++) {
    const char *opt = argv[a];
    if (strcmp(opt, "--field") == 0 && a + 3 < argc) {
      const char *kind = argv[a + 1], *key = argv[a + 2], *value = argv[a + 3];
      int ok = 0;
      json_array_foreach(findings, i, f) if (strcmp(kind_of(f), kind) == 0 && value_is(json_object_get(f, key), value)) ok = 1;
      if (!ok) failed |= fail("no %s finding has %s = \"%s\"", kind, key, value);
      a += 3;
    } else if (strcmp(opt, "--frame") == 0 && a + 4 < argc) {
      struct frame_q q = { argv[a + 2], argv[a + 3], argv[a + 4] };
      int ok = 0;
      json_array_foreach(findings, i, f) if (strcmp(kind_of(f), argv[a + 1]) == 0 && each_stack(f, frame_match, &q)) ok = 1;
      if (!ok) failed |= fail("no %s finding has a frame of %s with %s = \"%s\"", argv[a + 1], q.function, q.key, q.value);
      a += 4;
    } else if (strcmp(opt, "--max-frames") == 0 && a + 1 < argc) {
      struct max_q q = { (size_t)strtoul(argv[a + 1], NULL, 10), 0 };
      json_array_foreach(findings, i, f) each_stack(f, max_frames, &q);
      if (json_array_size(findings) == 0) failed |= fail("no finding at all");
      else if (q.worst > q.max) failed |= fail("a stack has %zu frames, more than %zu", q.worst, q.max);
      a += 1;
    } else if (strcmp(opt, "--unsymbolized") == 0 && a + 1 < argc) {
      struct unsym_q q = { argv[a + 1], 0, 0 };
      json_array_foreach(findings, i, f) each_stack(f, unsymbolized, &q);
      if (q.seen == 0) failed |= fail("no frame lies in module %s", q.module);
      if (q.bad) failed = 1;
      a += 1;
    } else if (strcmp(opt, "--kinds") == 0 && a + 1 < argc) {
      if (json_array_size(findings) == 0) failed |= fail("no finding at all");
      json_array_foreach(findings, i, f)
        if (!kind_listed(kind_of(f), argv[a + 1])) failed |= fail("finding of kind %s, not one of %s", kind_of(f), argv[a + 1]);
      a += 1;
    } else {
      usage();
    }
  }
  if (failed) {
    fprintf(stderr, "report_probe: findings of %s:\n", argv[1]);
    json_array_foreach(findings, i, f) {
      json_t *copy = json_deep_copy(f);
      json_object_del(copy, "stacks");
      json_object_del(copy, "stack");
      char *s = json_dumps(copy, JSON_COMPACT);
      fprintf(stderr, "  %s\n", s ? s : "?");
      free(s);
      json_decref(copy);
    }
  }
  json_decref(findings);
  json_decref(report);
  return failed;
}
