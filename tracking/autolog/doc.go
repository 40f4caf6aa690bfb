// Package autolog trains a classifier and records the run the way MLflow's
// mlflow.sklearn.autolog() records a scikit-learn RandomForestClassifier, in
// one call and for any grove model (models.Classifier):
//
//	res, err := autolog.Fit(ctx, client, forest.New(cfg), train, test, autolog.Options{Experiment: "random_forest"})
//
// # What a run holds
//
//   - params: every hyper-parameter the model reports (Params, under
//     scikit-learn's names), plus the caller's own (Options.Params, such
//     as test_size), logged before training so a failed run still shows them;
//   - metrics at step 0, for the training set with the prefix training_
//     and the test set with test_: accuracy_score, precision_score,
//     recall_score and f1_score (weighted averages), log_loss, roc_auc
//     (one-vs-one weighted for more than two classes, the plain binary AUC
//     for two) and score (accuracy, as a classifier's score method). A metric
//     that scikit-learn would refuse, such as a ROC AUC on a test set missing
//     a class, is left out and named in Result.Warnings, as MLflow warns.
//     Score computes this family for any fitted model and dataset without a
//     client, so a program that trains without recording (cmd/train
//     -no-track) reports the same numbers under the same names;
//   - tags: estimator_name (RandomForestClassifier for grove's forest),
//     estimator_class (the Go type's full path), mlflow.runName,
//     mlflow.user, mlflow.source.name, mlflow.source.type=LOCAL,
//     mlflow.source.git.commit when the source lies in a git work tree, and
//     mlflow.autologging=grove;
//   - artifacts: training_confusion_matrix.png, test_confusion_matrix.png and
//     the calling program's source file under code/;
//   - the MLflow 3 logged model "model": its files model.grove (the model's
//     own Save) and MLmodel, whose grove flavor names the file, its format and
//     format version, the estimator and the class names, with the run id, the
//     model id, the creation time and a signature (one double column per
//     feature in, an int64 class code out); READY, linked to the run as its
//     output, with the model's params and the run's source tags, and every
//     metric attached to it with the dataset it was computed on;
//   - the data: the training and test sets as dataset inputs (name, digest,
//     source, column schema, row and element counts) with the context tags
//     train and test, so the MLflow UI shows which data the run saw; a
//     schema over MLflow's limit (about 19,000 columns) is left out, with a
//     warning, where MLflow's autolog would drop the whole input.
//
// OpenModel reads a logged model's file back for the format's loader
// (forest.Load for grove-forest).
//
// # The program's source
//
// The source file is the one of the first function on the call stack outside
// this package, as the compiler recorded its path, and mlflow.source.name
// is that path relative to the working directory. It exists when the
// program runs where it was built: go run, go test, or a binary built
// in place. A binary copied to another machine, or built with -trimpath,
// records the path in mlflow.source.name but logs no code/ file and no git
// commit; Result.Warnings says so and the run is otherwise complete.
// Options.SourceFile names the file explicitly.
//
// # Failures
//
// An error from the model's Fit ends the run FAILED and is returned; a panic
// ends it FAILED and goes on up; a cancelled ctx (Ctrl-C) ends it KILLED.
// When recording fails after training (the tracking server went away), the
// trained model is first saved to a folder grove-model-<run id> in
// Options.FallbackDir (the working directory, else the temp folder), with
// the same model.grove and MLmodel (class names, signature) the logged
// model would hold, and the error says where; the run is marked FAILED
// (KILLED after Ctrl-C) if the store answers within tracking.StopTimeout.
// Every such ending records the error as the run's artifact
// error_message.txt (tracking.Run.EndWithError).
//
// A run is FINISHED only when everything is recorded. A program that records
// more than Fit (a custom metric, a chart) starts the run with StartRun and
// passes it in Options.Run: Fit then leaves the run running when it
// succeeds, for the program to record the rest and end it, and ends it
// FAILED or KILLED as above when it fails.
package autolog
