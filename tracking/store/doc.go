// Package store is MLflow's data model as grove speaks it: experiments, runs,
// params, metrics, tags, dataset inputs and MLflow 3 logged models, the limits
// MLflow puts on them, the errors it reports, and the Store interface that every
// backend meets.
//
// It is a leaf: the SQLite store (tracking/sqlstore), the REST store
// (tracking/rest) and the client users hold (tracking) import it, and it
// imports none of them. Words are MLflow's own (RUNNING, FINISHED,
// mlflow.runName, artifact_uri), so a reader who knows MLflow knows this package.
//
// Manager is the rest of what MLflow's tracking server offers (deleting,
// restoring, renaming, removing tags, searching experiments and logged
// models), kept apart from Store so that a store can record runs without it;
// tracking/server uses it where a store has it.
//
// GenerateRunName lives here, beside the entities, because both the stores and
// the client name unnamed runs and models, and this is the one package all of
// them import.
package store
