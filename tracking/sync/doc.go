// Package sync copies experiments, runs, artifacts and logged models from
// one store.Store to another: a local spool pushed to a tracking server, a
// server backed up into a SQLite file, two SQLite files merged.
//
//	sum, err := sync.Sync(ctx, from, to, sync.Options{Experiment: "random_forest"})
//
// # What is copied
//
// Experiments are matched by name and created on the target when missing.
// A run is copied with its name, user, start and end times, status, params,
// tags, every point of every metric history (step, timestamp and value),
// its dataset inputs, its artifacts (streamed, byte for byte) and the logged
// models it produced: their params, tags, status and files, the run's
// output link to them, and the metric points attached to them. The target
// assigns its own run and model ids. Files keep their bytes, so a model's
// MLmodel still names the ids it had on the source.
//
// Only ended runs (FINISHED, FAILED, KILLED) are copied: a RUNNING run may
// still be written to. Summary.Running counts the ones left for later.
//
// # Recognising copies: the protocol
//
// A copy carries two tags:
//
//	grove.sync.source_run_id   the source run's id, set when the copy is created
//	grove.sync.state           "partial" from creation, "complete" once every part is there
//
// A run is copied in this order: create the run (RUNNING, both tags, state
// partial); log its dataset inputs; create each logged model (with the tag
// grove.sync.source_model_id), link it as the run's output, copy its files
// and finalize it with the source's status; log params, tags and metric
// histories in batches within MLflow's limits (store.SplitBatch, or whole
// batches for a store.WholeBatcher); copy the run's artifacts; check that
// the source run is still there and active; set the status, end time and
// name; and last set grove.sync.state to complete.
//
// Each sync first lists the target experiment's runs and indexes them by
// grove.sync.source_run_id. A complete copy is skipped, so a second sync
// copies nothing. A partial copy, left by a sync that was interrupted (a
// signal, the target gone away, a full disk), is resumed in place: params
// and tags are idempotent, a metric history sends only the points the copy
// lacks, dataset inputs and models already there are kept, and files whose
// size matches are not sent again (stores never show a half-written file).
// So a rerun finishes the job without duplicates. The one thing a rerun can
// leave behind is a PENDING logged model created in the instant before it
// was linked to its run; it holds no files and no run points to it.
//
// A run deleted on the source while it is copied is not completed: its
// partial copy is deleted on the target when the target can delete runs
// (store.Manager: a SQLite store or a tracking server), and otherwise ended
// KILLED, still partial.
//
// # Continuing a run the target started
//
// A run that a program started on a tracking server and then recorded into
// a local spool, because the server went away, carries the tag
// grove.sync.continues_run_id with the server's run id. Sync adopts that
// run as the copy instead of creating a new one: the points and files it
// already has are not sent again, a logged model it already holds is taken
// as the copy of the spooled model of the same name (its files replaced by
// the spooled model's), and the run ends with the spooled run's status
// rather than staying RUNNING.
//
// # Options
//
// Experiment limits the sync to one experiment; without it every active
// experiment the source lists is synced, which needs a source that
// implements store.Manager (a SQLite store or a tracking server). DryRun
// reads everything and writes nothing: Progress gets one line per run that
// would be copied, and the Summary counts what would cross. DeleteSource
// deletes each source run once its copy is complete, which needs a source
// that implements store.Manager, as the SQLite store and a tracking server
// do.
package sync
