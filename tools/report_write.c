/* report_write.c: writing an output file so that it is either all there or not touched at all,
 * from one text (hcr_write_text_atomic) or piece by piece (hcr_out_open ... hcr_out_close). */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int hcr_write_text_atomic(const char *path, const char *text, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, text, len) != 0) {
            hcr_err("cannot write to standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    char *tmp;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        hcr_err("out of memory");
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        hcr_err("cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    int err = 0;
    if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        hcr_err("cannot write '%s': %s", path, strerror(err));
        unlink(tmp);
    }
    free(tmp);
    return err ? -1 : 0;
}

int hcr_write_json_atomic(const char *path, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        hcr_err("cannot format the JSON for '%s'", path);
        return -1;
    }
    size_t len = strlen(text);
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        hcr_err("out of memory");
        return -1;
    }
    withnl[len++] = '\n';
    withnl[len] = '\0';
    int rc = hcr_write_text_atomic(path, withnl, len);
    free(withnl);
    return rc;
}

int hcr_out_open(struct hcr_out *o, const char *path)
{
    o->path = path;
    o->tmp = NULL;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
        o->tmp = NULL;
        hcr_err("out of memory");
        return -1;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        hcr_err("cannot create '%s': %s", o->tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        return -1;
    }
    return 0;
}

int hcr_out_close(struct hcr_out *o, int keep)
{
    if (!o->tmp) /* stdout: main says whether everything written to it arrived */
        return keep ? 0 : -1;
    mode_t mask = umask(0);
    umask(mask);
    int err = 0;
    errno = 0;
    if (keep && (fflush(o->f) != 0 || ferror(o->f) || fchmod(fileno(o->f), 0666 & ~mask) != 0 ||
                 fsync(fileno(o->f)) != 0))
        err = errno ? errno : EIO;
    if (fclose(o->f) != 0 && keep && !err)
        err = errno;
    if (keep && !err && rename(o->tmp, o->path) != 0)
        err = errno;
    if (err)
        hcr_err("cannot write '%s': %s", o->path, strerror(err));
    if (!keep || err)
        unlink(o->tmp);
    free(o->tmp);
    return keep && !err ? 0 : -1;
}
