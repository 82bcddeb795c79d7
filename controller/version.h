#ifndef ETLS_CONTROLLER_VERSION_H
#define ETLS_CONTROLLER_VERSION_H

#include <stdio.h>

/*
 * etls version: the version, the git commit it was built from and the
 * versions of the libraries it runs with.  Returns 0 (an exit status).
 */
int version_print(FILE *f);

#endif
