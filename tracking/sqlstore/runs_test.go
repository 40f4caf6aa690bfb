package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

var generated = regexp.MustCompile(`^[a-z]+-[a-z]+-\d{1,3}$`)

func TestRuns(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	expID, _ := s.CreateExperiment(ctx, "runs", "", nil)

	r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, UserID: "ana", Tags: []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.Info.RunID) {
		t.Errorf("run id %q", r.Info.RunID)
	}
	if !generated.MatchString(r.Info.RunName) || len(r.Info.RunName) > 20 {
		t.Errorf("generated name %q", r.Info.RunName)
	}
	e, _ := s.GetExperiment(ctx, expID)
	if want := e.ArtifactLocation + "/" + r.Info.RunID + "/artifacts"; r.Info.ArtifactURI != want {
		t.Errorf("artifact uri %s, want %s", r.Info.ArtifactURI, want)
	}
	got, err := s.GetRun(ctx, r.Info.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Info != r.Info || got.Info.Status != store.StatusRunning || got.Info.StartTime == 0 || got.Info.EndTime != 0 {
		t.Errorf("GetRun info %+v, CreateRun gave %+v", got.Info, r.Info)
	}
	if name, _ := got.Tag("mlflow.runName"); name != r.Info.RunName {
		t.Errorf("mlflow.runName tag %q, run name %q", name, r.Info.RunName)
	}
	if src, _ := got.Tag("mlflow.source.name"); src != "train.go" {
		t.Errorf("source tag %q", src)
	}
	// The row as MLflow writes it.
	var st, sn, ep, sv string
	var end sql.NullInt64
	sqlDB(t, s).QueryRow(`SELECT source_type, source_name, entry_point_name, source_version, end_time FROM runs WHERE run_uuid = ?`, r.Info.RunID).Scan(&st, &sn, &ep, &sv, &end)
	if st != "UNKNOWN" || sn != "" || ep != "" || sv != "" || end.Valid {
		t.Errorf("run row: %q %q %q %q %v", st, sn, ep, sv, end)
	}

	// Name from the tag; a request name and a different tag conflict.
	r2, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, Tags: []store.Tag{{Key: "mlflow.runName", Value: "from-tag"}}})
	if err != nil || r2.Info.RunName != "from-tag" {
		t.Errorf("name from tag: %+v %v", r2, err)
	}
	if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: "a", Tags: []store.Tag{{Key: "mlflow.runName", Value: "b"}}}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("conflicting names: %v", err)
	}
	if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "42"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("run in missing experiment: %v", err)
	}

	info, err := s.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, 5000, "renamed")
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != store.StatusFinished || info.EndTime != 5000 || info.RunName != "renamed" {
		t.Errorf("updated info %+v", info)
	}
	got, _ = s.GetRun(ctx, r.Info.RunID)
	if name, _ := got.Tag("mlflow.runName"); name != "renamed" {
		t.Errorf("tag after rename %q", name)
	}
	if _, err := s.UpdateRun(ctx, r.Info.RunID, "DONE", 0, ""); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := s.UpdateRun(ctx, "0123", store.StatusFailed, 0, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	if _, err := s.GetRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	// Renaming through the tag renames the run too.
	if err := s.LogBatch(ctx, r2.Info.RunID, nil, nil, []store.Tag{{Key: "mlflow.runName", Value: "via-tag"}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetRun(ctx, r2.Info.RunID)
	if got.Info.RunName != "via-tag" {
		t.Errorf("run name after tag %q", got.Info.RunName)
	}
}

func TestParamsImmutable(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "params")
	id := r.Info.RunID
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "max_depth", Value: "3"}, {Key: "criterion", Value: "gini"}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "max_depth", Value: "3"}}, nil); err != nil {
		t.Errorf("same value again: %v", err)
	}
	err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "n_estimators", Value: "10"}, {Key: "max_depth", Value: "5"}}, nil)
	if !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("changed value: %v", err)
	}
	for _, w := range []string{"max_depth", `"3"`, `"5"`, id} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
	got, _ := s.GetRun(ctx, id)
	if v, _ := got.Param("max_depth"); v != "3" {
		t.Errorf("max_depth = %q after refused change", v)
	}
	if _, ok := got.Param("n_estimators"); ok {
		t.Error("a refused batch was partly written")
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("duplicate key in one batch: %v", err)
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "big", Value: strings.Repeat("x", store.MaxParamValueLength+1)}}, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("too long value: %v", err)
	}
}

func TestArtifacts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "arts")
	repo, err := s.Artifacts(ctx, r.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Put(ctx, "charts/loss.html", strings.NewReader("<html>")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.FromSlash(r.Info.ArtifactURI), "charts", "loss.html")); err != nil {
		t.Errorf("artifact not where MLflow looks: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.Path()), "mlruns", r.Info.ExperimentID, r.Info.RunID, "artifacts", "charts", "loss.html")); err != nil {
		t.Errorf("artifact not under mlruns beside the database: %v", err)
	}
	if _, err := s.Artifacts(ctx, "file://"+r.Info.ArtifactURI); err != nil {
		t.Errorf("file URI: %v", err)
	}
	for _, uri := range []string{"", "s3://bucket/x", "mlflow-artifacts:/1/x"} {
		if _, err := s.Artifacts(ctx, uri); err == nil {
			t.Errorf("Artifacts(%q) succeeded", uri)
		}
	}
}
