#ifndef ETLS_SIM_JOURNAL_H
#define ETLS_SIM_JOURNAL_H

#include <stdbool.h>

#include "common/err.h"

/*
 * dcos-sim persistence (sim/journal.c): DIR/state.json, a snapshot of the
 * whole state, and DIR/state.log, an append log of the resources changed
 * since that snapshot, one JSON record a line:
 *
 *   {"p":["secrets","default","elastic/secret"],"v":{...}}   set
 *   {"p":["iam","users","alice"],"d":true}                    delete
 *
 * "p" is the path of the resource in the state (1 to 3 object keys, as
 * given to sim_state_touch()), "v" its value when the record was written.
 * Loading replays the log over the snapshot; a torn last record (a crash
 * in the middle of a write) is dropped and cut off the file.  The log is
 * compacted into a new snapshot when it grows past both 8 MiB and the
 * snapshot's size, at every start, and when a change was not located
 * (sim_state_dirty()).  See docs/sim.md "The state directory".
 */

struct sim;

/*
 * Load DIR/state.json (a new, empty state when absent) and replay
 * DIR/state.log into s->state.  Returns 0 or a negative enum err with @e
 * set (unreadable files, a snapshot that is not a JSON object, a record
 * other than the last that does not parse).
 */
int sim_journal_load(struct sim *s, struct err_info *e);

/*
 * Write what changed since the last call: the touched resources appended
 * to the log (flushed to disk with fdatasync() when @sync), or a new
 * snapshot (atomic, fsynced) and an emptied log when a compaction is due.
 * Lock held.  Clears s->dirty on success.  Returns 0 or a negative enum
 * err (the changes stay pending).
 */
int sim_journal_persist(struct sim *s, bool sync);

/* Close the log (the files stay). */
void sim_journal_close(struct sim *s);

#endif
