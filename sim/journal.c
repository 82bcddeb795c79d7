/*
 * dcos-sim persistence: the state snapshot and the append log of changed
 * resources.  See journal.h.
 */
#include "sim/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "common/util.h"
#include "sim/state.h"

#define SNAP_NAME "state.json"
#define LOG_NAME "state.log"
#define SNAP_MAX ((size_t)256 * 1024 * 1024)
#define LOG_MAX ((size_t)1024 * 1024 * 1024)
#define COMPACT_MIN ((size_t)8 * 1024 * 1024) /* log bytes */
#define PATH_DEPTH 3

static int dir_path(char *out, size_t n, const struct sim *s,
                    const char *name)
{
    return snprintf(out, n, "%s/%s", s->opt.state_dir, name) < (int)n
               ? 0
               : ERR_INVALID;
}

/* The value at @path (an array of 1 to 3 keys) in @root, or NULL. */
static json_t *path_get(json_t *root, const json_t *path)
{
    size_t i;

    for (i = 0; root && i < json_array_size(path); i++)
        root = json_object_get(root,
                               json_string_value(json_array_get(path, i)));
    return root;
}

/* Whether @path is 1 to PATH_DEPTH strings. */
static bool path_valid(const json_t *path)
{
    size_t i, n = json_array_size(path);

    if (!json_is_array(path) || n == 0 || n > PATH_DEPTH)
        return false;
    for (i = 0; i < n; i++)
        if (!json_is_string(json_array_get(path, i)))
            return false;
    return true;
}

/* Set (@v, a new reference taken) or delete (@v NULL) @path in @root,
 * creating the objects on the way.  0 or ERR_NOMEM. */
static int path_apply(json_t *root, const json_t *path, json_t *v)
{
    size_t i, n = json_array_size(path);
    const char *k;

    for (i = 0; i + 1 < n; i++) {
        json_t *next;

        k = json_string_value(json_array_get(path, i));
        next = json_object_get(root, k);
        if (!json_is_object(next)) {
            if (!v)
                return 0;
            next = json_object();
            if (json_object_set_new(root, k, next) != 0)
                return ERR_NOMEM;
        }
        root = next;
    }
    k = json_string_value(json_array_get(path, n - 1));
    if (!v) {
        json_object_del(root, k);
        return 0;
    }
    return json_object_set(root, k, v) == 0 ? 0 : ERR_NOMEM;
}

/* Apply one log record (@line, @len bytes, no newline).  0, ERR_INVALID
 * (not a record) or ERR_NOMEM. */
static int record_apply(json_t *state, const char *line, size_t len)
{
    json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *path = json_object_get(rec, "p");
    json_t *v = json_object_get(rec, "v");
    int r = ERR_INVALID;

    if (json_is_object(rec) && path_valid(path) &&
        (v || json_is_true(json_object_get(rec, "d"))))
        r = path_apply(state, path, v);
    json_decref(rec);
    return r;
}

/*
 * Replay @text (@len bytes of DIR/state.log) into s->state.  A last record
 * that is torn (no newline, or does not parse) is dropped: *@good is the
 * length of the records kept.  Returns 0 or a negative enum err with @e
 * set.
 */
static int log_replay(struct sim *s, const char *text, size_t len,
                      size_t *good, const char *path, struct err_info *e)
{
    size_t off = 0, lineno = 0;

    *good = 0;
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        int r;

        lineno++;
        if (!nl)
            break; /* torn: the write never finished */
        r = record_apply(s->state, text + off, n);
        if (r == ERR_NOMEM)
            return err_set(e, r, "out of memory");
        if (r != 0 && off + n + 1 < len)
            return err_set(e, ERR_INVALID, "%s:%zu: not a state record",
                           path, lineno);
        if (r != 0)
            break; /* torn last record */
        off += n + 1;
        *good = off;
    }
    return 0;
}

/* Open DIR/state.log for appending (s->log_fd).  0 or a negative err. */
static int log_open(struct sim *s)
{
    char path[PATH_MAX];

    if (s->log_fd >= 0)
        return 0;
    if (dir_path(path, sizeof(path), s, LOG_NAME))
        return ERR_INVALID;
    s->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s->log_fd < 0) {
        LOG(LOG_ERROR, "sim", "cannot open the state log path=%s", path);
        return ERR_INTERNAL;
    }
    return 0;
}

/* See journal.h. */
int sim_journal_load(struct sim *s, struct err_info *e)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0, good = 0;
    json_error_t jerr;
    int r;

    s->log_fd = -1;
    if (dir_path(path, sizeof(path), s, SNAP_NAME))
        return err_set(e, ERR_INVALID, "state directory path too long");
    r = util_read_file(&text, &len, path, SNAP_MAX);
    if (r == ERR_NOTFOUND) {
        s->state = json_object();
        if (!s->state)
            return err_set(e, ERR_NOMEM, "out of memory");
        s->dirty = s->dirty_all = true;
    } else if (r) {
        return err_set(e, r, "cannot read %s", path);
    } else {
        s->state = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        OPENSSL_cleanse(text, len);
        free(text);
        text = NULL;
        if (!s->state)
            return err_set(e, ERR_INVALID, "%s:%d:%d: %s", path, jerr.line,
                           jerr.column, jerr.text);
        if (!json_is_object(s->state))
            return err_set(e, ERR_INVALID, "%s: not a JSON object", path);
        s->snap_bytes = len;
    }
    if (dir_path(path, sizeof(path), s, LOG_NAME))
        return err_set(e, ERR_INVALID, "state directory path too long");
    r = util_read_file(&text, &len, path, LOG_MAX);
    if (r == ERR_NOTFOUND)
        return 0;
    if (r)
        return err_set(e, r, "cannot read %s", path);
    r = log_replay(s, text, len, &good, path, e);
    OPENSSL_cleanse(text, len);
    free(text);
    if (r)
        return r;
    if (good < len) {
        LOG(LOG_WARN, "sim", "state log: torn last record dropped path=%s "
            "bytes=%zu", path, len - good);
        if (truncate(path, (off_t)good) != 0)
            return err_set(e, ERR_INTERNAL, "cannot truncate %s", path);
    }
    s->log_bytes = good;
    return 0;
}

/* Write a snapshot of the whole state and empty the log. */
static int snapshot_write(struct sim *s)
{
    char path[PATH_MAX];
    char *text;
    size_t len;
    int r;

    if (dir_path(path, sizeof(path), s, SNAP_NAME))
        return ERR_INVALID;
    text = json_dumps(s->state, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return ERR_NOMEM;
    len = strlen(text);
    r = util_write_file_atomic(path, text, len, 0600);
    OPENSSL_cleanse(text, len);
    free(text);
    if (r) {
        LOG(LOG_ERROR, "sim", "cannot write state path=%s", path);
        return r;
    }
    s->snap_bytes = len;
    /* The records of the log are in the snapshot now; replaying them
     * over it again (a crash before the truncation) changes nothing. */
    if (log_open(s) == 0 && ftruncate(s->log_fd, 0) == 0)
        s->log_bytes = 0;
    return 0;
}

/* Append @n bytes of @buf to the log; on failure cut the log back to its
 * last whole record.  0 or ERR_INTERNAL. */
static int log_append(struct sim *s, const char *buf, size_t n, bool sync)
{
    size_t off = 0;

    if (log_open(s) != 0)
        return ERR_INTERNAL;
    while (off < n) {
        ssize_t w = write(s->log_fd, buf + off, n - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (ftruncate(s->log_fd, (off_t)s->log_bytes) != 0)
                LOG(LOG_ERROR, "sim", "state log: cannot cut a torn record");
            LOG(LOG_ERROR, "sim", "cannot append to the state log");
            return ERR_INTERNAL;
        }
        off += (size_t)w;
    }
    s->log_bytes += n;
    if (sync && fdatasync(s->log_fd) != 0) {
        LOG(LOG_ERROR, "sim", "cannot flush the state log");
        return ERR_INTERNAL;
    }
    return 0;
}

/* The records of the touched resources, one a line (new), or NULL. */
static char *records_render(struct sim *s, size_t *len)
{
    const char *k;
    json_t *path;
    char *out = NULL;
    size_t cap = 0;

    *len = 0;
    json_object_foreach(s->touched, k, path) {
        json_t *v = path_get(s->state, path);
        json_t *rec = v ? json_pack("{s:O,s:O}", "p", path, "v", v)
                        : json_pack("{s:O,s:b}", "p", path, "d", 1);
        char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        size_t n = line ? strlen(line) : 0;

        json_decref(rec);
        if (line && *len + n + 2 > cap) {
            size_t ncap = (*len + n + 2) * 2;
            char *grown = malloc(ncap);

            if (grown && out)
                memcpy(grown, out, *len);
            if (out)
                OPENSSL_cleanse(out, cap);
            free(out);
            out = grown;
            cap = grown ? ncap : 0;
        }
        if (!line || !out) {
            if (line)
                OPENSSL_cleanse(line, n);
            free(line);
            if (out)
                OPENSSL_cleanse(out, cap);
            free(out);
            return NULL;
        }
        memcpy(out + *len, line, n);
        out[*len + n] = '\n';
        *len += n + 1;
        OPENSSL_cleanse(line, n);
        free(line);
    }
    return out;
}

/* See journal.h. */
int sim_journal_persist(struct sim *s, bool sync)
{
    char *buf;
    size_t len = 0;
    int r;

    if (s->dirty_all ||
        (s->log_bytes > COMPACT_MIN && s->log_bytes > s->snap_bytes)) {
        r = snapshot_write(s);
        goto done;
    }
    buf = records_render(s, &len);
    if (!buf && json_object_size(s->touched) > 0) {
        s->dirty_all = true; /* written whole next time */
        return ERR_NOMEM;
    }
    r = len ? log_append(s, buf, len, sync) : 0;
    if (buf)
        OPENSSL_cleanse(buf, len);
    free(buf);
done:
    if (r)
        return r;
    json_object_clear(s->touched);
    s->dirty = s->dirty_all = false;
    return 0;
}

/* See journal.h. */
void sim_journal_close(struct sim *s)
{
    if (s->log_fd >= 0)
        close(s->log_fd);
    s->log_fd = -1;
    json_decref(s->touched);
    s->touched = NULL;
}
