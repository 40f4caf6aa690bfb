// Package artifact stores a run's artifacts (files and folders) in a local
// folder, the way MLflow's local artifact repository lays them out, so that
// `mlflow ui` shows and downloads them.
//
// A Local is rooted at one artifact URI: a run's
// <experiment artifact location>/<run id>/artifacts, or a logged model's
// <experiment artifact location>/models/<model id>/artifacts. The root may be
// spelled as a path or as a file:// URI, as MLflow records it in the
// database; it is created on the first write.
//
// Paths given to a Local are relative, '/'-separated, and checked by
// CleanPath before any file is touched: absolute paths, drive letters,
// backslashes, "." and ".." segments, empty segments and NUL bytes are
// refused. The files themselves are reached through an os.Root, so a
// symbolic link inside the folder cannot lead a write or a read outside it
// either.
//
// Put writes to a temporary file beside the target and renames it into
// place, so a crash or a failing reader never leaves a half-written file
// under its real name; readers see the old file or the new one. PutFile and
// PutDir upload files from the local disk. grove never writes MLflow's
// legacy meta.yaml files here.
//
// A repository made by NewLocalIn knows the store's folder of all artifacts
// (mlruns) and keeps a go.mod at its top (ModuleFile): runs record copies of
// Go programs, and the file keeps the go command from building them as part
// of a module that encloses the folder. MLflow reads only the experiments'
// folders below it.
//
// ProxiedPath finds the folder an mlflow-artifacts: location names under a
// tracking server's artifact root, for the server's API and the web UI
// alike.
package artifact
