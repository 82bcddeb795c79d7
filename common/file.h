#ifndef ETLS_COMMON_FILE_H
#define ETLS_COMMON_FILE_H

#include <stddef.h>

#include "common/err.h"

/*
 * The one way etls opens a file it reads (manifests, saved plans, token,
 * password and key files, CA bundles, a simulator's cluster.json): only a
 * regular file, opened without blocking (a FIFO or a device would hang a
 * plain open or read), of at most a stated size.  Failures say which:
 * "no such file", "permission denied", "not a regular file (a FIFO)",
 * "larger than the limit of 1 MiB", ...
 */

/*
 * Open @path read-only (O_NONBLOCK while opening, O_CLOEXEC) and check that
 * it is a regular file of at most @max bytes.  Returns the descriptor (>= 0;
 * blocking mode restored), or ERR_NOTFOUND (no such file or directory) or
 * ERR_INVALID with @e (may be NULL) set to a one-line reason that does not
 * repeat @path.
 */
int file_open_regular(const char *path, size_t max, struct err_info *e);

/*
 * Read all of the regular file @path (file_open_regular's checks) into a
 * new NUL-terminated buffer *@out (free with free()), its length in
 * *@len_out (may be NULL).  A file that grows past @max while being read is
 * "larger than the limit".  Returns 0, ERR_NOTFOUND, ERR_INVALID or
 * ERR_NOMEM, with @e (may be NULL) set on failure.
 */
int file_read(char **out, size_t *len_out, const char *path, size_t max,
              struct err_info *e);

/*
 * Read up to @max + 1 bytes of @fd into @p (room for @max + 1 bytes),
 * retrying EINTR.  Returns the count, or -1 on a read error.
 */
long file_read_fd(int fd, unsigned char *p, size_t max);

/*
 * Set @e to "larger than the limit of <@max as 1 MiB, 64 KiB or N bytes>"
 * and return ERR_INVALID.
 */
int file_too_large(struct err_info *e, size_t max);

#endif
