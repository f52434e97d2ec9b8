/* symbolize.c: owns the libdwfl report-time session (module reporting, per-pc cache, inline expansion, the files
 * it holds open) and the malloc-free table of remembered (possibly dlclose'd) modules.
 * Must not run on allocation paths; lc_symbolize_remember_modules() must not call malloc or stdio.
 * Must not include other libcheck headers: only libc, libdl and libdw/libelf (lc_os_fd_high is taken weakly). */
#define _GNU_SOURCE
#include "symbolize.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <errno.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BID_MAX 64  // raw build-id bytes kept (GNU build-ids are 20; leave room for longer ones)

/* ---------- module records: shared by the remembered table and the session ---------- */

typedef struct {
  const char *path;  // absolute when it could be made so; "linux-vdso.so.1" stays as is
  uintptr_t bias;    // dlpi_addr: load bias
  uintptr_t lo, hi;  // [lo, hi) spanned by the PT_LOAD segments
  unsigned bid_len;
  unsigned char bid[BID_MAX];
} modrec_t;

static int ranges_overlap(const modrec_t *a, const modrec_t *b) {
  return a->lo < b->hi && b->lo < a->hi;
}

static int same_bid(const modrec_t *a, const unsigned char *bid, unsigned len) {
  return a->bid_len == len && memcmp(a->bid, bid, len) == 0;
}

// Full path of the object into buf (no malloc: readlink/getcwd are plain syscalls). 0 when unnamed.
static size_t object_path(const struct dl_phdr_info *info, int first, char *buf, size_t cap) {
  const char *name = info->dlpi_name;
  if (!name || !name[0]) {
    if (!first) return 0;  // only the first object (the executable) is unnamed on purpose
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0) return 0;
    buf[n] = 0;
    return (size_t)n;
  }
  size_t len = strlen(name), pre = 0;
  // A relative dlopen() path would break after a chdir(): anchor it now.
  if (name[0] != '/' && strchr(name, '/')) {
    while (name[0] == '.' && name[1] == '/') name += 2;
    len = strlen(name);
    if (!getcwd(buf, cap)) return 0;
    pre = strlen(buf);
    if (pre + 1 >= cap) return 0;
    buf[pre++] = '/';
  }
  if (pre + len >= cap) return 0;
  memcpy(buf + pre, name, len + 1);
  return pre + len;
}

// Reads the GNU build-id note from the mapped image (the module is loaded while we look).
static unsigned mapped_build_id(const struct dl_phdr_info *info, unsigned char *out) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) continue;
    // Only trust a note that lies inside a loaded segment: anything else is not mapped.
    int mapped = 0;
    for (int j = 0; j < info->dlpi_phnum; j++) {
      const ElfW(Phdr) *ld = &info->dlpi_phdr[j];
      if (ld->p_type == PT_LOAD && ph->p_vaddr >= ld->p_vaddr &&
          ph->p_vaddr + ph->p_memsz <= ld->p_vaddr + ld->p_memsz)
        mapped = 1;
    }
    if (!mapped) continue;
    const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
    size_t len = ph->p_memsz, align = ph->p_align == 8 ? 8 : 4, off = 0;
    while (off + sizeof(ElfW(Nhdr)) <= len) {
      ElfW(Nhdr) nh;
      memcpy(&nh, p + off, sizeof nh);
      size_t name_off = off + sizeof nh;
      size_t desc_off = name_off + ((nh.n_namesz + align - 1) & ~(align - 1));
      size_t next = desc_off + ((nh.n_descsz + align - 1) & ~(align - 1));
      if (desc_off > len || next > len || next <= off) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(p + name_off, "GNU", 4) == 0) {
        unsigned n = nh.n_descsz < BID_MAX ? nh.n_descsz : BID_MAX;
        memcpy(out, p + desc_off, n);
        return n;
      }
      off = next;
    }
  }
  return 0;
}

// Everything but the path; 0 when the object maps nothing.
static int fill_rec(const struct dl_phdr_info *info, modrec_t *r) {
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    uintptr_t s = info->dlpi_addr + ph->p_vaddr, e = s + ph->p_memsz;
    if (s < lo) lo = s;
    if (e > hi) hi = e;
  }
  if (lo >= hi) return 0;
  r->bias = info->dlpi_addr;
  r->lo = lo;
  r->hi = hi;
  r->bid_len = mapped_build_id(info, r->bid);
  return 1;
}

/* ---------- remembered modules: static storage, no malloc ---------- */

#define POOL_SIZE (64 * 1024)
static modrec_t g_rem[LC_SYM_REMEMBER_MAX];
static char g_rem_pool[POOL_SIZE];
static size_t g_rem_pool_used;
static unsigned g_rem_count;  // published with release after an entry is complete: append-only
static char g_rem_lock;

typedef struct {
  int index;
} remember_arg_t;

static int remember_cb(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  remember_arg_t *arg = data;
  int first = arg->index++ == 0;
  char path[PATH_MAX];
  size_t plen = object_path(info, first, path, sizeof path);
  if (!plen) return 0;
  modrec_t r;
  if (!fill_rec(info, &r)) return 0;
  unsigned n = __atomic_load_n(&g_rem_count, __ATOMIC_RELAXED);  // writers hold the lock
  for (unsigned i = 0; i < n; i++)
    if (g_rem[i].bias == r.bias && same_bid(&g_rem[i], r.bid, r.bid_len) && strcmp(g_rem[i].path, path) == 0)
      return 0;
  if (n >= LC_SYM_REMEMBER_MAX || g_rem_pool_used + plen + 1 > POOL_SIZE) return 0;
  memcpy(g_rem_pool + g_rem_pool_used, path, plen + 1);
  r.path = g_rem_pool + g_rem_pool_used;
  g_rem_pool_used += plen + 1;
  g_rem[n] = r;
  __atomic_store_n(&g_rem_count, n + 1, __ATOMIC_RELEASE);
  return 0;
}

void lc_symbolize_remember_modules(void) {
  while (__atomic_test_and_set(&g_rem_lock, __ATOMIC_ACQUIRE)) sched_yield();
  remember_arg_t arg = {0};
  dl_iterate_phdr(remember_cb, &arg);
  __atomic_clear(&g_rem_lock, __ATOMIC_RELEASE);
}

/* ---------- session state ---------- */

typedef struct chunk_s {
  struct chunk_s *next;
  size_t used, cap;
  char data[];
} chunk_t;

// One address range of one CU, for the fallback address -> CU lookup (see cu_fallback).
typedef struct {
  Dwarf_Addr lo, hi;  // [lo, hi), DWARF addresses (module-relative, before the dwfl bias)
  Dwarf_Addr maxhi;   // max hi over this and all lower entries: bounds the backward scan past overlaps
  Dwarf_Die cu;       // the CU DIE (valid while the session's Dwfl lives)
} curange_t;

typedef struct {
  modrec_t rec;
  const char *bid_hex;
  Dwfl_Module *dm;  // NULL when libdwfl could not open the file
  int stale;        // file on disk has another build-id than the mapped one: its DWARF would lie
  int cu_state;     // CU range table: 0 not built yet, 1 built (maybe empty), -1 no DWARF / failed
  curange_t *cur;   // sorted by lo; malloc'd, freed by lc_symbolize_end
  size_t ncur;
} smod_t;

typedef struct {
  uintptr_t pc;
  int exact, used, n;
  lc_sym_frame_t *frames;
} centry_t;

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

// A file libdwfl holds open for the session, as it was when opened: the program may close the number
// (close_range) and take it for a file of its own.
typedef struct {
  int fd;
  dev_t dev;
  ino_t ino;
} sfile_t;

static struct {
  int active;
  Dwfl *dwfl;
  sfile_t *files;
  size_t nfiles, capfiles;
  chunk_t *chunks;
  smod_t *mods;
  size_t nmods, capmods;
  centry_t *cache;
  size_t ccap, cused;
  demangle_fn demangle;
} S;

static void *arena_alloc(size_t n) {
  n = (n + 15) & ~(size_t)15;
  chunk_t *c = S.chunks;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    c = malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->cap = cap;
    c->used = 0;
    c->next = S.chunks;
    S.chunks = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

static const char *arena_strcat3(const char *a, const char *b, const char *c) {
  size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
  char *p = arena_alloc(la + lb + lc + 1);
  if (!p) return NULL;
  memcpy(p, a, la);
  memcpy(p + la, b, lb);
  memcpy(p + la + lb, c, lc + 1);
  return p;
}

static const char *hex_of(const unsigned char *b, unsigned n) {
  if (!n) return NULL;
  static const char digits[] = "0123456789abcdef";
  char *p = arena_alloc(2 * n + 1);
  if (!p) return NULL;
  for (unsigned i = 0; i < n; i++) {
    p[2 * i] = digits[b[i] >> 4];
    p[2 * i + 1] = digits[b[i] & 15];
  }
  p[2 * n] = 0;
  return p;
}

static smod_t *add_mod(const modrec_t *r, const char *path) {
  if (S.nmods == S.capmods) {
    size_t cap = S.capmods ? 2 * S.capmods : 64;
    smod_t *m = realloc(S.mods, cap * sizeof *m);
    if (!m) return NULL;
    S.mods = m;
    S.capmods = cap;
  }
  smod_t *m = &S.mods[S.nmods];
  memset(m, 0, sizeof *m);
  m->rec = *r;
  m->rec.path = arena_strcat3(path, "", "");
  if (!m->rec.path) return NULL;
  m->bid_hex = hex_of(r->bid, r->bid_len);
  S.nmods++;
  return m;
}

/* ---------- the session's files ---------- */

// libheapcheck's (os.c): moves a descriptor near the top of the limit, close-on-exec. Absent where this file is
// linked alone (the golden tests): descriptors then stay where they are, close-on-exec.
extern int lc_os_fd_high(int fd) __attribute__((weak));

// Every file the session keeps lives above the program's range (libdwfl opens with the lowest free number, so a
// program started with stdin closed would find its ELF file on fd 0) and is remembered with its identity.
static int place(int fd) {
  if (fd < 0) return fd;
  if (lc_os_fd_high) fd = lc_os_fd_high(fd);
  else fcntl(fd, F_SETFD, FD_CLOEXEC);
  struct stat st;
  if (fstat(fd, &st) != 0) return fd;
  if (S.nfiles == S.capfiles) {
    size_t cap = S.capfiles ? 2 * S.capfiles : 32;
    sfile_t *v = realloc(S.files, cap * sizeof *v);
    if (!v) return fd;
    S.files = v;
    S.capfiles = cap;
  }
  S.files[S.nfiles++] = (sfile_t){.fd = fd, .dev = st.st_dev, .ino = st.st_ino};
  return fd;
}

static int still_ours(const sfile_t *f) {
  struct stat st;
  return fstat(f->fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino;
}

// libdwfl closes some of the files it was given itself (one that is no ELF file, a debug file that does not
// match): forgotten right after the calls that can do that, entries from `from` on, so that only the program's
// closing them later makes the session stale.
static void settle(size_t from) {
  size_t k = from;
  for (size_t i = from; i < S.nfiles; i++)
    if (still_ours(&S.files[i])) S.files[k++] = S.files[i];
  S.nfiles = k;
}

// f's number, closed now, is taken again on spare (a file of ours) and remembered as that file, so that dwfl_end's
// close of it cannot close a file the program opens meanwhile. 0 when the number holds another file: the program's.
static int hold(sfile_t *f, int spare) {
  struct stat st;
  if (spare < 0 || fcntl(f->fd, F_GETFD) != -1) return 0;
  int got = fcntl(spare, F_DUPFD_CLOEXEC, f->fd);
  if (got == f->fd && fstat(got, &st) == 0) {
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    return 1;
  }
  if (got >= 0) close(got);
  return 0;
}

static int current_cb(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  remember_arg_t *arg = data;
  int first = arg->index++ == 0;
  char path[PATH_MAX];
  modrec_t r;
  if (object_path(info, first, path, sizeof path) && fill_rec(info, &r)) add_mod(&r, path);
  return 0;
}

static void report_modules(void) {
  remember_arg_t arg = {0};
  dl_iterate_phdr(current_cb, &arg);
  // Newest remembered first; one that overlaps a loaded module (or a newer remembered one) is gone for
  // good: its address range now belongs to someone else.
  unsigned n = __atomic_load_n(&g_rem_count, __ATOMIC_ACQUIRE);
  for (unsigned i = n; i-- > 0;) {
    const modrec_t *r = &g_rem[i];
    int clash = 0;
    for (size_t j = 0; j < S.nmods && !clash; j++) clash = ranges_overlap(&S.mods[j].rec, r);
    if (!clash) add_mod(r, r->path);
  }
  if (!S.dwfl) return;
  dwfl_report_begin(S.dwfl);
  // S.mods no longer grows: pointers into it can be kept as module userdata.
  for (size_t i = 0; i < S.nmods; i++) {
    smod_t *m = &S.mods[i];
    if (m->rec.path[0] != '/') continue;  // vdso and friends: no file to open
    // Opened here rather than by libdwfl, so that it is placed high and close-on-exec; on success libdwfl owns it.
    size_t nf = S.nfiles;
    int fd = place(open(m->rec.path, O_RDONLY | O_CLOEXEC));
    // add_p_vaddr: base is the load bias (dlpi_addr), also right for prelinked objects.
    Dwfl_Module *dm = fd < 0 ? NULL : dwfl_report_elf(S.dwfl, m->rec.path, m->rec.path, fd, m->rec.bias, true);
    if (!dm) {
      if (fd >= 0 && (nf == S.nfiles || still_ours(&S.files[nf]))) close(fd);   // not given to libdwfl after all
      S.nfiles = nf;
      continue;
    }
    void **ud = NULL;
    dwfl_module_info(dm, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
    if (ud) *ud = m;
    m->dm = dm;
  }
  dwfl_report_end(S.dwfl, NULL, NULL);
  for (size_t i = 0; i < S.nmods; i++) {
    smod_t *m = &S.mods[i];
    if (!m->dm) continue;
    const unsigned char *bits = NULL;
    GElf_Addr vaddr;
    int len = dwfl_module_build_id(m->dm, &bits, &vaddr);
    if (m->rec.bid_len && len > 0 && !same_bid(&m->rec, bits, (unsigned)len)) m->stale = 1;
    else if (!m->rec.bid_len && len > 0) m->bid_hex = hex_of(bits, (unsigned)len);
  }
  settle(0);
}

static int readable(const char *dir, const char *sub, const char *name) {
  char p[PATH_MAX];
  int n = snprintf(p, sizeof p, "%s%s%s", dir, sub, name);
  return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

// Is there a local file the standard search could find? Mirrors its default path
// (":.debug:/usr/lib/debug": build-id tree, then the debuglink next to the file, in .debug/, under
// /usr/lib/debug) for the file as named and as resolved.
static int local_debuginfo_exists(Dwfl_Module *mod, const char *file_name, const char *link) {
  const unsigned char *bits = NULL;
  GElf_Addr vaddr;
  int n = dwfl_module_build_id(mod, &bits, &vaddr);
  if (n > 1) {
    char id[2 * BID_MAX + 8];
    int k = 0;
    for (int i = 0; i < n && i < BID_MAX; i++)
      k += snprintf(id + k, sizeof id - (size_t)k, i == 0 ? "%02x/" : "%02x", bits[i]);
    snprintf(id + k, sizeof id - (size_t)k, ".debug");
    if (readable("/usr/lib/debug/.build-id/", "", id)) return 1;
  }
  if (!link || !link[0]) return 0;
  if (link[0] == '/') return access(link, R_OK) == 0;
  if (!file_name) return 0;
  char *real = realpath(file_name, NULL);
  const char *names[2] = {file_name, real};
  int found = 0;
  for (int i = 0; i < 2 && !found; i++) {
    if (!names[i]) continue;
    char dir[PATH_MAX];
    const char *slash = strrchr(names[i], '/');
    size_t dl = slash ? (size_t)(slash - names[i]) : 0;
    if (dl + 2 >= sizeof dir) continue;
    memcpy(dir, names[i], dl);
    dir[dl] = '/';
    dir[dl + 1] = 0;
    found = readable(dir, "", link) || readable(dir, ".debug/", link) ||
            (dir[0] == '/' && readable("/usr/lib/debug", dir, link));
  }
  free(real);
  return found;
}

// dwfl_standard_find_debuginfo ends with a debuginfod query, which in elfutils 0.188 dlopens
// libdebuginfod (libcurl, gnutls, ... with their constructors) into the checked process even without
// DEBUGINFOD_URLS, and may go to the network. A report must not do either: delegate only when a local
// candidate exists.
static int find_debuginfo_local(Dwfl_Module *mod, void **userdata, const char *modname, GElf_Addr base,
                                const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                                char **debuginfo_file_name) {
  if (!local_debuginfo_exists(mod, file_name, debuglink_file)) {
    errno = 0;
    return -1;
  }
  // The file found is moved high. When it was found by build-id, libdwfl has already read it through the number it
  // was opened on; it is mapped whole, so nothing is read through that number again.
  return place(dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
                                            debuginfo_file_name));
}

static int find_elf_high(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                         Elf **elfp) {
  return place(dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp));
}

static const Dwfl_Callbacks g_callbacks = {
    // Modules come from dwfl_report_elf, so find_elf is only a safety net.
    .find_elf = find_elf_high,
    // Debuglink and /usr/lib/debug/.build-id lookups, local files only.
    .find_debuginfo = find_debuginfo_local,
    .section_address = dwfl_offline_section_address,
};

void lc_symbolize_begin(void) {
  if (S.active) lc_symbolize_end();
  memset(&S, 0, sizeof S);
  S.active = 1;
  // Only present when libstdc++ is loaded; no link dependency.
  S.demangle = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
  S.dwfl = dwfl_begin(&g_callbacks);
  report_modules();
}

int lc_symbolize_intact(void) {
  for (size_t i = 0; i < S.nfiles; i++)
    if (!still_ours(&S.files[i])) return 0;
  return 1;
}

void lc_symbolize_end(void) {
  // dwfl_end closes every number it holds: each must still be ours (or be taken again) then. One that now holds
  // the program's file would be closed under the program: that Dwfl is left as it is, its files closed here.
  int whole = 1, spare = -1;
  for (size_t i = 0; i < S.nfiles; i++) {
    if (still_ours(&S.files[i])) continue;
    if (spare < 0) spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    whole &= hold(&S.files[i], spare);
  }
  if (spare >= 0) close(spare);
  if (!whole) {
    for (size_t i = 0; i < S.nfiles; i++)
      if (still_ours(&S.files[i])) close(S.files[i].fd);
  } else if (S.dwfl) {
    dwfl_end(S.dwfl);
  }
  free(S.files);
  while (S.chunks) {
    chunk_t *c = S.chunks;
    S.chunks = c->next;
    free(c);
  }
  for (size_t i = 0; i < S.nmods; i++) free(S.mods[i].cur);
  free(S.mods);
  free(S.cache);
  memset(&S, 0, sizeof S);
}

/* ---------- one address ---------- */

static smod_t *find_mod(uintptr_t a, Dwfl_Module **dmp) {
  *dmp = NULL;
  if (S.dwfl) {
    Dwfl_Module *dm = dwfl_addrmodule(S.dwfl, a);
    if (dm) {
      void **ud = NULL;
      dwfl_module_info(dm, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
      if (ud && *ud) {
        *dmp = dm;
        return *ud;
      }
    }
  }
  for (size_t i = 0; i < S.nmods; i++)
    if (S.mods[i].rec.lo <= a && a < S.mods[i].rec.hi) return &S.mods[i];
  return NULL;
}

static const char *demangled(const char *name) {
  if (!name || !S.demangle || name[0] != '_' || name[1] != 'Z') return name;
  int status = -1;
  char *d = S.demangle(name, NULL, NULL, &status);
  if (!d || status != 0) {
    free(d);
    return name;
  }
  const char *r = arena_strcat3(d, "", "");
  free(d);
  return r ? r : name;
}

// name qualified by the classes and namespaces that enclose the function's declaration (E::leak, ns::D::~D),
// for when no linkage name can be demangled (none loaded: a program without libstdc++; none given: internal
// linkage): the declaration is found by following DW_AT_specification / DW_AT_abstract_origin, its enclosing
// scopes with dwarf_getscopes_die. A C function has none and keeps its name.
static const char *qualified(Dwarf_Die *die, const char *name) {
  Dwarf_Die decl = *die, next;
  Dwarf_Attribute at;
  for (int i = 0; i < 8; i++) {
    Dwarf_Attribute *ref = dwarf_attr(&decl, DW_AT_specification, &at);
    if (!ref) ref = dwarf_attr(&decl, DW_AT_abstract_origin, &at);
    if (!ref || !dwarf_formref_die(ref, &next)) break;
    decl = next;
  }
  Dwarf_Die *scopes = NULL;
  int n = dwarf_getscopes_die(&decl, &scopes);
  char buf[512];
  size_t len = 0;
  for (int i = n - 1; i >= 1; i--) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type &&
        tag != DW_TAG_namespace)
      continue;
    const char *s = dwarf_diename(&scopes[i]);
    int w = snprintf(buf + len, sizeof buf - len, "%s::", s ? s : "(anonymous namespace)");
    if (w < 0 || (size_t)w >= sizeof buf - len) { len = 0; break; }
    len += (size_t)w;
  }
  free(scopes);
  if (len == 0) return name;
  const char *r = arena_strcat3(buf, name, "");
  return r ? r : name;
}

// Linkage name (demangled: carries C++ scope and parameters) when it demangles, else DW_AT_name qualified by
// its scopes. The _integrate lookups follow abstract_origin/specification from inline and out-of-line DIEs.
static const char *die_function(Dwarf_Die *die) {
  Dwarf_Attribute at;
  const char *link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &at));
  if (!link) link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at));
  const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &at));
  if (link) {
    const char *d = demangled(link);
    if (d != link || !name) return d;
    return qualified(die, name);             // mangled, but nothing here demangles it
  }
  return name ? qualified(die, name) : NULL; // no linkage name: C, or C++ with internal linkage
}

// Joins only onto an absolute comp dir: a relative one (-fdebug-prefix-map=...=., as distro builds use)
// would just repeat the prefix that the file name already carries.
static const char *absolute(const char *file, const char *comp_dir) {
  if (!file || file[0] == '/' || !comp_dir || comp_dir[0] != '/') return file;
  const char *r = arena_strcat3(comp_dir, "/", file);
  return r ? r : file;
}

typedef struct {
  lc_sym_frame_t *v;
  int n, cap;
} fvec_t;

static lc_sym_frame_t *push(fvec_t *f, const lc_sym_frame_t *base) {
  if (f->n == f->cap) {
    int cap = f->cap ? 2 * f->cap : 8;
    lc_sym_frame_t *v = realloc(f->v, (size_t)cap * sizeof *v);
    if (!v) return NULL;
    f->v = v;
    f->cap = cap;
  }
  f->v[f->n] = *base;
  return &f->v[f->n++];
}

/* ---------- address -> CU without .debug_aranges ---------- */

// libdwfl finds the CU of an address through .debug_aranges only (elfutils 0.188: dwfl_module_addrdie and
// dwfl_module_getsrc both go through dwarf_getaranges, which gives nothing without the section). clang
// emits no .debug_aranges unless -gdwarf-aranges, and a binary that mixes gcc and clang objects has entries
// for the gcc CUs only; there libdwfl even takes an address in a gap between two listed CUs for part of the
// lower one. Either way the CU is found here from the CU DIEs' own ranges (DW_AT_low_pc/high_pc or
// DW_AT_ranges), in a table built once per module at its first miss.

static int cmp_curange(const void *a, const void *b) {
  const curange_t *x = a, *y = b;
  if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
  return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static void build_cu_table(smod_t *m, Dwarf *dw) {
  m->cu_state = -1;
  curange_t *v = NULL;
  size_t n = 0, cap = 0;
  Dwarf_CU *cu = NULL, *next = NULL;
  Dwarf_Half version;
  uint8_t unit_type;
  Dwarf_Die cudie, subdie;
  while (dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie, &subdie) == 0) {
    cu = next;
    // Type and partial (dwz) units hold no code. A skeleton unit (-gsplit-dwarf) gives ranges and lines,
    // but its scopes are in the .dwo: like the .debug_aranges path, no inline chain there.
    if (dwarf_tag(&cudie) != DW_TAG_compile_unit && dwarf_tag(&cudie) != DW_TAG_skeleton_unit) continue;
    Dwarf_Addr base, lo, hi;
    for (ptrdiff_t off = 0; (off = dwarf_ranges(&cudie, off, &base, &lo, &hi)) > 0;) {
      if (hi <= lo) continue;  // empty, or a discarded section's tombstone that wrapped around
      if (n == cap) {
        size_t c = cap ? 2 * cap : 64;
        curange_t *nv = realloc(v, c * sizeof *nv);
        if (!nv) {
          free(v);
          return;
        }
        v = nv;
        cap = c;
      }
      v[n++] = (curange_t){.lo = lo, .hi = hi, .cu = cudie};
    }
  }
  if (n) qsort(v, n, sizeof *v, cmp_curange);
  for (size_t i = 0; i < n; i++) v[i].maxhi = i && v[i - 1].maxhi > v[i].hi ? v[i - 1].maxhi : v[i].hi;
  m->cur = v;
  m->ncur = n;
  m->cu_state = 1;
}

// The CU DIE whose own ranges hold a (a libdwfl address; *bias is set to the module's DWARF bias), from
// the module's table, built here the first time. NULL without DWARF or when no CU claims a. Ranges should
// not overlap (a discarded function's tombstone range near 0 might); where they do, the one starting last
// wins.
static Dwarf_Die *cu_fallback(smod_t *m, Dwfl_Module *dm, Dwarf_Addr a, Dwarf_Addr *bias) {
  Dwarf *dw = dwfl_module_getdwarf(dm, bias);
  if (!dw) return NULL;
  if (m->cu_state == 0) build_cu_table(m, dw);
  if (m->cu_state != 1 || !m->ncur) return NULL;
  Dwarf_Addr da = a - *bias;
  size_t l = 0, u = m->ncur;  // first entry with lo > da
  while (l < u) {
    size_t mid = l + (u - l) / 2;
    if (m->cur[mid].lo <= da) l = mid + 1;
    else u = mid;
  }
  for (size_t i = l; i-- > 0 && m->cur[i].maxhi > da;)
    if (da < m->cur[i].hi) return &m->cur[i].cu;
  return NULL;
}

// The inline chain at a (like eu-addr2line -i -f): innermost location from the line table, each inlined
// subroutine's call_file/call_line/call_column is the location in the frame outside it.
// The CU is the one .debug_aranges names (libdwfl's lookup) when that CU's own ranges hold a, else the one
// the fallback table finds; when neither holds a, libdwfl's answer stands as it is.
static void dwarf_frames(smod_t *m, Dwfl_Module *dm, Dwarf_Addr a, const lc_sym_frame_t *base, fvec_t *f,
                         int *done) {
  const char *file = NULL;
  int line = 0, col = 0;
  Dwarf_Addr bias = 0;
  Dwarf_Die *cudie = dwfl_module_addrdie(dm, a, &bias);
  Dwarf_Die *other = NULL;
  if (!cudie || dwarf_haspc(cudie, a - bias) != 1) other = cu_fallback(m, dm, a, &bias);
  if (other) {
    cudie = other;
    Dwarf_Line *dl = dwarf_getsrc_die(cudie, a - bias);
    if (dl) {
      Dwarf_Attribute at;
      file = absolute(dwarf_linesrc(dl, NULL, NULL), dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &at)));
      dwarf_lineno(dl, &line);
      dwarf_linecol(dl, &col);
    }
  } else {
    Dwfl_Line *ln = dwfl_module_getsrc(dm, a);
    if (ln) {
      file = dwfl_lineinfo(ln, NULL, &line, &col, NULL, NULL);
      file = absolute(file, dwfl_line_comp_dir(ln));
    }
  }
  Dwarf_Die *scopes = NULL;
  int ns = cudie ? dwarf_getscopes(cudie, a - bias, &scopes) : 0;
  if (ns > 0) {
    // dwarf_getscopes continues from an inlined subroutine into its abstract origin's scopes; the concrete
    // nesting (inlined DIE -> caller's DIEs -> real subprogram) comes from dwarf_getscopes_die.
    Dwarf_Die inner = scopes[0];
    free(scopes);
    scopes = NULL;
    ns = dwarf_getscopes_die(&inner, &scopes);
  }
  if (ns > 0) {
    Dwarf_Die cu;
    Dwarf_Files *files = NULL;
    const char *comp_dir = NULL;
    if (dwarf_diecu(&scopes[0], &cu, NULL, NULL)) {
      if (dwarf_getsrcfiles(&cu, &files, NULL) != 0) files = NULL;
      Dwarf_Attribute at;
      comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &at));
    }
    for (int i = 0; i < ns && !*done; i++) {
      int tag = dwarf_tag(&scopes[i]);
      if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
      lc_sym_frame_t *fr = push(f, base);
      if (!fr) break;
      fr->function = die_function(&scopes[i]);
      int first_line;
      if (dwarf_decl_line(&scopes[i], &first_line) == 0 && first_line > 0) fr->function_line = first_line;
      fr->file = file;
      fr->line = line;
      fr->column = col;
      if (tag == DW_TAG_subprogram) {
        *done = 1;
        break;
      }
      fr->inlined = 1;
      Dwarf_Attribute at;
      Dwarf_Word v;
      file = NULL;
      line = col = 0;
      if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &at), &v) == 0)
        file = absolute(dwarf_filesrc(files, v, NULL, NULL), comp_dir);
      if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &at), &v) == 0) line = (int)v;
      if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_column, &at), &v) == 0) col = (int)v;
    }
  }
  free(scopes);
  if (!*done) {
    // No subprogram DIE (asm, no DWARF for this CU, odd producer): the real function ends the chain with
    // the location reached so far; its name comes from the symbol table.
    lc_sym_frame_t *fr = push(f, base);
    if (fr) {
      fr->file = file;
      fr->line = line;
      fr->column = col;
    }
  }
}

static int compute(uintptr_t pc, int exact, lc_sym_frame_t **out) {
  size_t nf = S.nfiles;        // debug files found for this pc's module are opened below
  lc_sym_frame_t base;
  memset(&base, 0, sizeof base);
  base.pc = pc;
  Dwarf_Addr a = exact || pc == 0 ? pc : pc - 1;
  Dwfl_Module *dm = NULL;
  smod_t *m = find_mod(a, &dm);
  if (m) {
    base.module = m->rec.path;
    base.build_id = m->bid_hex;
    base.module_offset = pc - m->rec.bias;
  }
  fvec_t f = {0};
  if (dm && !m->stale) {
    int done = 0;
    dwarf_frames(m, dm, a, &base, &f, &done);
    lc_sym_frame_t *last = f.n ? &f.v[f.n - 1] : NULL;
    if (last && !last->function) {
      GElf_Off off;
      GElf_Sym sym;
      last->function = demangled(dwfl_module_addrinfo(dm, a, &off, &sym, NULL, NULL, NULL));
    }
  }
  settle(nf);
  if (!f.n && !push(&f, &base)) {
    *out = NULL;
    return 0;
  }
  lc_sym_frame_t *v = arena_alloc((size_t)f.n * sizeof *v);
  if (v) memcpy(v, f.v, (size_t)f.n * sizeof *v);
  int n = v ? f.n : 0;
  free(f.v);
  *out = v;
  return n;
}

static centry_t *cache_slot(uintptr_t pc, int exact) {
  if (!S.cache) return NULL;
  size_t mask = S.ccap - 1, h = (size_t)((pc * 0x9E3779B97F4A7C15ull) >> 17) ^ (size_t)exact;
  for (size_t i = h & mask;; i = (i + 1) & mask)
    if (!S.cache[i].used || (S.cache[i].pc == pc && S.cache[i].exact == exact)) return &S.cache[i];
}

static void cache_put(uintptr_t pc, int exact, lc_sym_frame_t *frames, int n) {
  if (2 * (S.cused + 1) > S.ccap) {
    size_t cap = S.ccap ? 2 * S.ccap : 1024;
    centry_t *old = S.cache, *nc = calloc(cap, sizeof *nc);
    size_t oldcap = S.ccap;
    if (!nc) return;  // just uncached
    S.cache = nc;
    S.ccap = cap;
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].used) *cache_slot(old[i].pc, old[i].exact) = old[i];
    free(old);
  }
  centry_t *e = cache_slot(pc, exact);
  if (!e) return;
  if (!e->used) S.cused++;
  *e = (centry_t){.pc = pc, .exact = !!exact, .used = 1, .n = n, .frames = frames};
}

int lc_symbolize_pc(uintptr_t pc, int exact, lc_sym_frame_t *out, int max) {
  if (!out || max <= 0) return 0;
  exact = !!exact;
  lc_sym_frame_t *frames = NULL;
  int n = 0;
  if (S.active) {
    centry_t *e = cache_slot(pc, exact);
    if (e && e->used) {
      frames = e->frames;
      n = e->n;
    } else {
      n = compute(pc, exact, &frames);
      if (n) cache_put(pc, exact, frames, n);
    }
  }
  if (!n) {
    memset(out, 0, sizeof *out);
    out[0].pc = pc;
    return 1;
  }
  if (n <= max) {
    memcpy(out, frames, (size_t)n * sizeof *out);
    return n;
  }
  memcpy(out, frames, (size_t)(max - 1) * sizeof *out);
  out[max - 1] = frames[n - 1];
  return max;
}
