package tracking

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// Run is a handle on one run: what a program logs through while it trains.
type Run struct {
	c    *Client
	info store.RunInfo
}

// ID returns the run's 32-hex id.
func (r *Run) ID() string { return r.info.RunID }

// Name returns the run's name (mlflow.runName).
func (r *Run) Name() string { return r.info.RunName }

// ExperimentID returns the id of the run's experiment.
func (r *Run) ExperimentID() string { return r.info.ExperimentID }

// ArtifactURI returns where the run's artifacts are stored.
func (r *Run) ArtifactURI() string { return r.info.ArtifactURI }

// Info returns the run's identity and state as last seen by this handle.
func (r *Run) Info() store.RunInfo { return r.info }

// Client returns the client the run logs through.
func (r *Run) Client() *Client { return r.c }

// LogParam records a hyper-parameter. Logging the same value again is fine;
// a different value is an error, since a run's params never change.
func (r *Run) LogParam(ctx context.Context, key, value string) error {
	return r.c.LogBatch(ctx, r.info.RunID, nil, []store.Param{{Key: key, Value: value}}, nil)
}

// LogParams records several params, in sorted key order.
func (r *Run) LogParams(ctx context.Context, params map[string]string) error {
	return r.c.LogBatch(ctx, r.info.RunID, nil, sortedParams(params), nil)
}

// LogMetric records one point of a metric at step, stamped with the
// current time.
func (r *Run) LogMetric(ctx context.Context, key string, value float64, step int64) error {
	return r.c.LogBatch(ctx, r.info.RunID, []store.Metric{{Key: key, Value: value, Step: step}}, nil, nil)
}

// LogMetrics records several metrics at one step, stamped with the current
// time, in sorted key order.
func (r *Run) LogMetrics(ctx context.Context, values map[string]float64, step int64) error {
	ms := make([]store.Metric, 0, len(values))
	for _, k := range sortedKeys(values) {
		ms = append(ms, store.Metric{Key: k, Value: values[k], Step: step})
	}
	return r.c.LogBatch(ctx, r.info.RunID, ms, nil, nil)
}

// LogMetricPoints records metric points as given (a zero Timestamp means
// now), in as many requests as MLflow's limits need.
func (r *Run) LogMetricPoints(ctx context.Context, points []store.Metric) error {
	return r.c.LogBatch(ctx, r.info.RunID, points, nil, nil)
}

// SetTag sets a tag; unlike a param, a tag may change.
func (r *Run) SetTag(ctx context.Context, key, value string) error {
	return r.c.LogBatch(ctx, r.info.RunID, nil, nil, []store.Tag{{Key: key, Value: value}})
}

// SetTags sets several tags, in sorted key order.
func (r *Run) SetTags(ctx context.Context, tags map[string]string) error {
	return r.c.LogBatch(ctx, r.info.RunID, nil, nil, sortedTags(tags))
}

// LogInputs links datasets to the run; each should carry the
// mlflow.data.context tag (train, test, eval).
func (r *Run) LogInputs(ctx context.Context, datasets ...store.DatasetInput) error {
	if err := r.c.store.LogInputs(ctx, r.info.RunID, datasets, nil); err != nil {
		return fmt.Errorf("tracking: log inputs of run %s: %w", r.info.RunID, err)
	}
	return nil
}

// End ends the run with status (FINISHED, FAILED or KILLED) at the current
// time.
func (r *Run) End(ctx context.Context, status store.RunStatus) error {
	if !status.Terminal() {
		return invalid("end run %s: status %q is not FINISHED, FAILED or KILLED", r.info.RunID, status)
	}
	info, err := r.c.store.UpdateRun(ctx, r.info.RunID, status, r.c.nowMillis(), "")
	if err != nil {
		return fmt.Errorf("tracking: end run %s as %s: %w", r.info.RunID, status, err)
	}
	r.info = *info
	return nil
}

// StopTimeout bounds how long EndWithError waits for the store, so that a
// stalled store cannot hold a program that has decided to stop.
const StopTimeout = 5 * time.Second

// ErrorArtifact is the artifact EndWithError records a run's error in. An
// MLflow run has no field for why it failed; MLflow's own integrations
// record the error as this text file before they mark the run FAILED (its
// Optuna integration does so for a failed trial), and the MLflow UI shows it
// in the run's Artifacts tab.
const ErrorArtifact = "error_message.txt"

// ErrorStatus is the status a run that stopped on an error ends with:
// KILLED when ctx was cancelled (a user pressed Ctrl-C, or a signal
// stopped the program), else FAILED.
func ErrorStatus(ctx context.Context) store.RunStatus {
	if ctx.Err() != nil {
		return store.StatusKilled
	}
	return store.StatusFailed
}

// EndWithError ends the run FAILED or KILLED (status, see ErrorStatus) at
// the current time, first recording cause's message, when there is one, as
// the artifact ErrorArtifact, so that the run says why it ended. Unlike End it goes on
// after ctx is cancelled, since a program stopped by a signal must still
// mark its run, and it waits at most StopTimeout in all, half of it at most
// for the error. Recording the error is best effort (a store that just
// failed may refuse it too); the error returned is that of ending the run.
func (r *Run) EndWithError(ctx context.Context, status store.RunStatus, cause error) error {
	if status != store.StatusFailed && status != store.StatusKilled {
		return invalid("end run %s with an error: status %q is not FAILED or KILLED", r.info.RunID, status)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), StopTimeout)
	defer cancel()
	if cause != nil {
		actx, acancel := context.WithTimeout(ctx, StopTimeout/2)
		_ = r.LogArtifactBytes(actx, ErrorArtifact, []byte(cause.Error()+"\n"))
		acancel()
	}
	return r.End(ctx, status)
}

// artifacts returns the repository of the run's artifact root.
func (r *Run) artifacts(ctx context.Context) (store.ArtifactRepo, error) {
	repo, err := r.c.store.Artifacts(ctx, r.info.ArtifactURI)
	if err != nil {
		return nil, fmt.Errorf("tracking: artifacts of run %s at %s: %w", r.info.RunID, r.info.ArtifactURI, err)
	}
	return repo, nil
}

// LogArtifactBytes writes data as the artifact at artifactPath, a
// '/'-separated path under the run's artifact root such as "charts/loss.html".
func (r *Run) LogArtifactBytes(ctx context.Context, artifactPath string, data []byte) error {
	if err := ValidateArtifactPath(artifactPath); err != nil {
		return err
	}
	repo, err := r.artifacts(ctx)
	if err != nil {
		return err
	}
	if err := repo.Put(ctx, artifactPath, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("tracking: write artifact %s of run %s: %w", artifactPath, r.info.RunID, err)
	}
	return nil
}

// LogArtifactFile copies the local file into the run's artifacts, under the
// folder artifactDir ("" for the root), keeping its base name, as MLflow's
// log_artifact does.
func (r *Run) LogArtifactFile(ctx context.Context, localPath, artifactDir string) error {
	dest := path.Base(filepath.ToSlash(localPath))
	if artifactDir != "" {
		dest = path.Join(artifactDir, dest)
	}
	if err := ValidateArtifactPath(dest); err != nil {
		return err
	}
	repo, err := r.artifacts(ctx)
	if err != nil {
		return err
	}
	if err := artifact.PutFile(ctx, repo, dest, localPath); err != nil {
		return fmt.Errorf("tracking: write artifact %s of run %s from %s: %w", dest, r.info.RunID, localPath, err)
	}
	return nil
}

// LogArtifactDir copies every file under localDir into the run's artifacts,
// under the folder artifactDir ("" for the root), as MLflow's log_artifacts
// does. Symbolic links and other non-regular files are skipped.
func (r *Run) LogArtifactDir(ctx context.Context, localDir, artifactDir string) error {
	if artifactDir != "" {
		if err := ValidateArtifactPath(artifactDir); err != nil {
			return err
		}
	}
	st, err := os.Stat(localDir)
	if err != nil {
		return fmt.Errorf("tracking: log artifact folder: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("tracking: log artifact folder: %s is not a folder", localDir)
	}
	repo, err := r.artifacts(ctx)
	if err != nil {
		return err
	}
	if err := artifact.PutDir(ctx, repo, artifactDir, localDir); err != nil {
		return fmt.Errorf("tracking: log artifact folder %s to run %s: %w", localDir, r.info.RunID, err)
	}
	return nil
}

// ListArtifacts lists the files and folders directly under dir ("" for the
// root) of the run's artifacts.
func (r *Run) ListArtifacts(ctx context.Context, dir string) ([]store.FileInfo, error) {
	if dir != "" {
		if err := ValidateArtifactPath(dir); err != nil {
			return nil, err
		}
	}
	repo, err := r.artifacts(ctx)
	if err != nil {
		return nil, err
	}
	list, err := repo.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("tracking: list artifacts %q of run %s: %w", dir, r.info.RunID, err)
	}
	return list, nil
}

// ValidateArtifactPath checks a '/'-separated artifact path relative to an
// artifact root, by artifact.CleanPath's rules (not absolute, no drive
// letter, no empty, "." or ".." parts, no backslash or NUL byte), and that it
// is not empty: it names where a file goes. Stores check again where the
// path lands.
func ValidateArtifactPath(p string) error {
	if p == "" {
		return invalid("artifact path is empty")
	}
	if _, err := artifact.CleanPath(p); err != nil {
		var pe *artifact.PathError
		if errors.As(err, &pe) {
			return invalid("artifact path %q %s; it must be relative to the artifact root, with '/' between folders", p, pe.Reason)
		}
		return invalid("%v", err)
	}
	return nil
}
