#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_too_large(struct err_info *e, size_t max)
{
    if (max >= 1024u * 1024u && max % (1024u * 1024u) == 0)
        return err_set(e, ERR_INVALID, "larger than the limit of %zu MiB",
                       max / (1024u * 1024u));
    if (max >= 1024u && max % 1024u == 0)
        return err_set(e, ERR_INVALID, "larger than the limit of %zu KiB",
                       max / 1024u);
    return err_set(e, ERR_INVALID, "larger than the limit of %zu bytes",
                   max);
}

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    return "a special file";
}

static int file_open_err(struct err_info *e, int errnum)
{
    switch (errnum) {
    case ENOENT:
        return err_set(e, ERR_NOTFOUND, "no such file");
    case ENOTDIR:
        return err_set(e, ERR_NOTFOUND,
                       "no such file (a parent is not a directory)");
    case EACCES:
    case EPERM:
        return err_set(e, ERR_INVALID, "permission denied");
    case ELOOP:
        return err_set(e, ERR_INVALID, "too many levels of symbolic links");
    case ENAMETOOLONG:
        return err_set(e, ERR_INVALID, "file name too long");
    case ENOMEM:
        return err_set(e, ERR_NOMEM, "out of memory");
    default:
        return err_set(e, ERR_INVALID, "cannot open the file: %s",
                       strerror(errnum));
    }
}

int file_open_regular(const char *path, size_t max, struct err_info *e)
{
    struct stat st;
    int fd, flags;

    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int errnum = errno;

        /* A socket cannot be opened (ENXIO): say what it is. */
        if (errnum != ENOENT && stat(path, &st) == 0 &&
            !S_ISREG(st.st_mode))
            return err_set(e, ERR_INVALID, "not a regular file (%s)",
                           file_kind(st.st_mode));
        return file_open_err(e, errnum);
    }
    if (fstat(fd, &st) != 0) {
        int errnum = errno;

        close(fd);
        return err_set(e, ERR_INVALID, "cannot inspect the file: %s",
                       strerror(errnum));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INVALID, "not a regular file (%s)",
                       file_kind(st.st_mode));
    }
    if ((unsigned long long)st.st_size > (unsigned long long)max) {
        close(fd);
        return file_too_large(e, max);
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        close(fd);
        return err_set(e, ERR_INVALID, "cannot read the file");
    }
    return fd;
}

long file_read_fd(int fd, unsigned char *p, size_t max)
{
    size_t len = 0;

    while (len < max + 1) {
        ssize_t n = read(fd, p + len, max + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    return (long)len;
}

int file_read(char **out, size_t *len_out, const char *path, size_t max,
              struct err_info *e)
{
    unsigned char *p;
    long n;
    int fd;

    fd = file_open_regular(path, max, e);
    if (fd < 0)
        return fd;
    p = malloc(max + 2);
    if (!p) {
        close(fd);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    n = file_read_fd(fd, p, max);
    close(fd);
    if (n < 0) {
        free(p);
        return err_set(e, ERR_INVALID, "cannot read the file");
    }
    if ((size_t)n > max) {
        free(p);
        return file_too_large(e, max);
    }
    p[n] = '\0';
    *out = (char *)p;
    if (len_out)
        *len_out = (size_t)n;
    return 0;
}
