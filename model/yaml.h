#ifndef ETLS_MODEL_YAML_H
#define ETLS_MODEL_YAML_H

#include <stddef.h>

#include "model/service.h"

/*
 * Desired-state documents written in YAML (docs/manifest.md, "YAML").
 * The document is read with libyaml and typed by the YAML 1.2 core schema
 * (so `on`, `off`, `yes`, `no` and `y` stay strings, as JSON would have
 * them; quoted scalars are always strings), converted to JSON, and then
 * parsed and validated by exactly the code that reads JSON documents
 * (model_service_parse), so both formats give the same service and the
 * same plan.  Every position (diagnostics, warnings, the position index
 * kept for later checks) is the YAML document's own line:col.  What JSON
 * cannot express is refused with its position: anchors and aliases,
 * tags other than the core schema's, complex keys, several documents,
 * .inf and .nan; a key repeated in one mapping is refused like a JSON
 * duplicate key.  Pure: no I/O.
 */

/*
 * model_service_parse() of the YAML document @text (@len bytes).  Same
 * contract: 0 and *@out (new), or ERR_INVALID with every problem in
 * @diags, or ERR_NOMEM.
 */
int model_service_parse_yaml(struct model_service **out, const char *text,
                             size_t len, const char *file,
                             struct model_diags *diags);

/*
 * The JSON text of the YAML document @text (new, NUL-terminated, one
 * token per line) and, for each of its lines, the YAML position it came
 * from (*@map_out, new array of *@n_map entries).  Returns 0, or
 * ERR_INVALID with one problem in @diags, or ERR_NOMEM.
 */
struct jsonpos_loc;
int model_yaml_to_json(char **json_out, size_t *json_len,
                       struct jsonpos_loc **map_out, size_t *n_map,
                       const char *text, size_t len, const char *file,
                       struct model_diags *diags);

#endif
