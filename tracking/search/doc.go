// Package search is MLflow's run search grammar, parsed in one place: the
// filter strings, order_by clauses, page tokens and view types that
// MLflow's clients send to search_runs and search_experiments, read as
// MLflow reads them and answered as MLflow's SQL store answers them.
//
// ParseQuery reads a filter such as
//
//	metrics.acc > 0.9 and params.criterion = 'gini' and tags.`my tag` LIKE '%a%'
//
// and order_by clauses such as "metrics.acc DESC" into a Query: a Filter of
// Comparisons (entity, key, comparator, value) joined by AND, and a list of
// Orders. That small tree is the one form every store works from: the
// in-memory store evaluates it with Query.Match and Query.Sort, and
// Query.SQLite renders it as a WHERE expression and ORDER BY terms over
// MLflow's tables, for the SQLite store to search without loading runs.
// Both answer alike (a test runs random queries both ways on MLflow's
// database and on one with NaN, infinities and missing keys). Entities are
// attributes (status, run_name, start_time, end_time, run_id, user_id,
// artifact_uri, and the aliases created and "run name"), metrics, params,
// tags and datasets (name, digest, context), under MLflow's aliases
// (metric, param, tag, attr, run, ...).
//
// What is accepted, and the errors for what is not, are MLflow's: the
// grammar, which comparators suit which entity, the numbers and quoted
// strings values must be, the lists only run_id and dataset fields take,
// and the messages, word for word, as *store.Error values with MLflow's
// code (INVALID_PARAMETER_VALUE), so a server built on grove answers a bad
// filter as MLflow's does. MLflow reads filters with an SQL lexer; this
// package lexes and groups tokens the same way. So quoted values keep what
// is between their quotes as written, nothing unescaped, and a key after a
// period may be any word. The lexer knows fewer SQL keywords: a bare word
// such as key or type, which MLflow refuses as an invalid clause, is
// refused here as an unknown attribute.
//
// Matching and ordering follow MLflow's SQL store, the one behind
// mlflow.db: LIKE is case-sensitive and ILIKE folds ASCII letters only, as
// SQLite does; a run without the compared key fails every comparison but
// IS NULL; a NaN metric compares as 0 and orders after every number;
// missing values order last in either direction; ties fall to start time,
// newest first, then run id.
//
// Page tokens are MLflow's (base64 of {"offset": n}), so tokens from grove
// and from an MLflow server are interchangeable. ParseExperimentQuery does
// for search_experiments what ParseQuery does for runs: filters on name,
// creation_time, last_update_time and tags, orders on those and
// experiment_id.
package search
