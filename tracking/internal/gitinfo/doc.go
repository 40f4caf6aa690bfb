// Package gitinfo reads the commit checked out in the git work tree that
// holds a file, from the .git folder itself, so that a run can record
// mlflow.source.git.commit on a machine without a git program.
package gitinfo
