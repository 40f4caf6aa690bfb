package autolog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/mlmodel"
	"github.com/grove-ml/grove/tracking/store"
)

// logAfterTraining records what training produced: the confusion matrix
// pictures, the program's source, the logged model and the metrics.
func (a *autolog) logAfterTraining(ctx context.Context, ev *evaluation) error {
	names := a.train.ClassNames
	sets := []*scored{&ev.train}
	if ev.test != nil {
		sets = append(sets, ev.test)
	}
	for _, s := range sets {
		var png bytes.Buffer
		which := strings.TrimSuffix(s.prefix, "_")
		if err := evaluate.WriteConfusionMatrixPNG(&png, s.ConfusionMatrix, names, which+" confusion matrix"); err != nil {
			return fmt.Errorf("autolog: draw the %s confusion matrix: %w", which, err)
		}
		if err := a.run.LogArtifactBytes(ctx, s.prefix+"confusion_matrix.png", png.Bytes()); err != nil {
			return err
		}
	}

	if err := a.logSource(ctx); err != nil {
		return err
	}

	var modelID string
	if sv, ok := a.model.(models.Saver); ok {
		lm, err := a.logModel(ctx, sv)
		if err != nil {
			return err
		}
		modelID = lm.ModelID
		a.res.ModelID = modelID
	} else {
		a.res.Warnings = append(a.res.Warnings, fmt.Sprintf("no logged model: %T cannot save itself (models.Saver)", a.model))
	}

	// Metrics go last and carry the model id and the dataset they were
	// computed on, so MLflow attaches them to the logged model too.
	// One time stamp for the points, kept when the run is recorded again
	// into the spool, so that sync finds the points the server already has.
	if a.stamp == 0 {
		a.stamp = time.Now().UnixMilli()
	}
	now := a.stamp
	var points []store.Metric
	for _, s := range sets {
		for _, m := range s.metrics {
			points = append(points, store.Metric{
				Key: m.name, Value: m.value, Timestamp: now,
				ModelID: modelID, DatasetName: a.datasetName(), DatasetDigest: s.digest,
			})
		}
	}
	return a.run.LogMetricPoints(ctx, points)
}

// logSource logs the program's source file under code/. A source that is
// not on this machine (a binary copied elsewhere or built with -trimpath)
// is not an error: the run says where the program came from in
// mlflow.source.name, and a warning says the file was not found.
func (a *autolog) logSource(ctx context.Context) error {
	if !a.srcFound {
		if a.src == "" {
			a.res.Warnings = append(a.res.Warnings, "source file not logged: no caller on the stack")
		} else {
			a.res.Warnings = append(a.res.Warnings, fmt.Sprintf("source file %s not logged: it is not on this machine", a.src))
		}
		return nil
	}
	if err := a.run.LogArtifactFile(ctx, a.src, "code"); err != nil {
		return err
	}
	a.res.SourceFile = a.src
	return nil
}

// logModel logs the fitted model as an MLflow 3 logged model: the model
// file, and an MLmodel file whose grove flavor names it.
func (a *autolog) logModel(ctx context.Context, sv models.Saver) (*store.LoggedModel, error) {
	var file bytes.Buffer
	if err := sv.Save(&file); err != nil {
		return nil, fmt.Errorf("autolog: save model: %w", err)
	}
	spec := tracking.ModelSpec{
		Name:   ModelName,
		Params: a.model.Params(),
		Tags:   a.sourceTags,
		Write: func(ctx context.Context, lm *store.LoggedModel, files store.ArtifactRepo) error {
			mm := a.mlmodel(sv, lm.ModelID, lm.ArtifactLocation, int64(file.Len()))
			if err := files.Put(ctx, ModelFile, bytes.NewReader(file.Bytes())); err != nil {
				return err
			}
			return files.Put(ctx, "MLmodel", bytes.NewReader(mm.Marshal()))
		},
	}
	lm, err := a.run.LogModel(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("autolog: %w", err)
	}
	return lm, nil
}

// mlmodel is the MLmodel of the fitted model, whose file is size bytes:
// the grove flavor (model file, format, estimator, class names), the run
// and the signature. modelID and artifactPath are empty for a model saved
// outside the store.
func (a *autolog) mlmodel(sv models.Saver, modelID, artifactPath string, size int64) *mlmodel.Model {
	format, version := sv.ModelFormat()
	classes, _ := json.Marshal(a.train.ClassNames)
	return &mlmodel.Model{
		ArtifactPath: artifactPath,
		Flavors: map[string]map[string]any{Flavor: {
			"model_file":      ModelFile,
			"format":          format,
			"format_version":  version,
			"estimator_name":  estimatorName(a.model),
			"estimator_class": estimatorClass(a.model),
			"class_names":     string(classes),
			"go_version":      goVersion(),
		}},
		ModelID:        modelID,
		RunID:          a.run.ID(),
		ModelSizeBytes: size,
		Signature: &mlmodel.Signature{
			Inputs:  mlmodel.ColSpec(a.train.FeatureNames, "double"),
			Outputs: mlmodel.TensorSpec("int64", -1),
		},
		Created: time.Now(),
	}
}

// OpenModel opens the model file of a logged model that Fit recorded and
// returns it with the model's MLmodel metadata. The caller loads it with the
// loader of the format the MLmodel names (forest.Load for "grove-forest").
func OpenModel(ctx context.Context, c *tracking.Client, modelID string) (io.ReadCloser, *mlmodel.Model, error) {
	lm, err := c.Store().GetLoggedModel(ctx, modelID)
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: logged model %s: %w", modelID, err)
	}
	repo, err := c.Store().Artifacts(ctx, lm.ArtifactLocation)
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: files of model %s: %w", modelID, err)
	}
	rc, err := repo.Open(ctx, "MLmodel")
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: MLmodel of model %s: %w", modelID, err)
	}
	text, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	rc.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: MLmodel of model %s: %w", modelID, err)
	}
	mm, err := mlmodel.Parse(text)
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: model %s: %w", modelID, err)
	}
	fl, ok := mm.Flavors[Flavor]
	if !ok {
		return nil, nil, fmt.Errorf("autolog: model %s has no %s flavor; its flavors are %s", modelID, Flavor, strings.Join(flavorNames(mm), ", "))
	}
	file, _ := fl["model_file"].(string)
	if file == "" || path.Clean(file) != file || strings.HasPrefix(file, "/") || strings.HasPrefix(file, "..") {
		return nil, nil, fmt.Errorf("autolog: model %s: the %s flavor names model file %q, not a file beside MLmodel", modelID, Flavor, file)
	}
	f, err := repo.Open(ctx, file)
	if err != nil {
		return nil, nil, fmt.Errorf("autolog: model file of model %s: %w", modelID, err)
	}
	return f, mm, nil
}

func flavorNames(mm *mlmodel.Model) []string {
	out := make([]string, 0, len(mm.Flavors))
	for k := range mm.Flavors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// hasScheme reports whether s looks like a URI with a scheme (s3://...,
// file:///...) rather than a local path; a one-letter scheme is a Windows
// drive.
func hasScheme(s string) bool {
	i := strings.Index(s, "://")
	return i > 1 && !strings.ContainsAny(s[:i], `/\`)
}
