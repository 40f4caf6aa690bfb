package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/grove-ml/grove/internal/sharedtest"
	"github.com/grove-ml/grove/tracking/store"
)

// placeholder is where the fixtures' absolute paths are rooted; see
// ../../shared/fixtures/mlflow/README.md.
const placeholder = "/fixtures/mlflow"

// copyTree copies the files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listAll lists every file and folder under dir, as MLflow's read-back
// does: folders without a size.
func listAll(t *testing.T, repo store.ArtifactRepo, dir string) []any {
	t.Helper()
	out := []any{}
	list, err := repo.List(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range list {
		if fi.IsDir {
			out = append(out, map[string]any{"path": fi.Path, "is_dir": true, "file_size": nil})
			out = append(out, listAll(t, repo, fi.Path)...)
		} else {
			out = append(out, map[string]any{"path": fi.Path, "is_dir": false, "file_size": fi.Size})
		}
	}
	return out
}

func point(m store.Metric) map[string]any {
	return map[string]any{"step": m.Step, "timestamp": m.Timestamp, "value": m.Value}
}

// readBack reads experiment name the way the fixture's golden-read_store.json
// was made with MLflow's client, in the same JSON shape.
func readBack(t *testing.T, s *Store, name string) map[string]any {
	t.Helper()
	ctx := context.Background()
	exp, err := s.GetExperimentByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp.ID}})
	if err != nil || next != "" {
		t.Fatalf("SearchRuns: %v, next %q", err, next)
	}
	var outRuns []any
	modelIDs := map[string]bool{}
	for _, r := range runs {
		// GetRun must agree with SearchRuns.
		got, err := s.GetRun(ctx, r.Info.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("GetRun(%s) = %+v\nSearchRuns gave %+v", r.Info.RunID, got, r)
		}
		metrics, history := map[string]any{}, map[string]any{}
		for _, m := range r.Data.Metrics {
			metrics[m.Key] = point(m)
			h, err := s.GetMetricHistory(ctx, r.Info.RunID, m.Key)
			if err != nil {
				t.Fatal(err)
			}
			var pts []any
			for _, p := range h {
				pts = append(pts, point(p))
			}
			history[m.Key] = pts
		}
		params, tags := map[string]any{}, map[string]any{}
		for _, p := range r.Data.Params {
			params[p.Key] = p.Value
		}
		for _, tg := range r.Data.Tags {
			tags[tg.Key] = tg.Value
		}
		ioList := func(ms []store.ModelIO) []any {
			out := []any{}
			for _, m := range ms {
				out = append(out, map[string]any{"model_id": m.ModelID, "step": m.Step})
				modelIDs[m.ModelID] = true
			}
			return out
		}
		datasets := []any{}
		for _, d := range r.Inputs.Datasets {
			dtags := map[string]any{}
			for _, tg := range d.Tags {
				dtags[tg.Key] = tg.Value
			}
			datasets = append(datasets, map[string]any{"name": d.Dataset.Name, "digest": d.Dataset.Digest, "source_type": d.Dataset.SourceType, "tags": dtags})
		}
		repo, err := s.Artifacts(ctx, r.Info.ArtifactURI)
		if err != nil {
			t.Fatal(err)
		}
		outRuns = append(outRuns, map[string]any{
			"artifacts": listAll(t, repo, ""),
			"info": map[string]any{
				"artifact_uri": r.Info.ArtifactURI, "end_time": r.Info.EndTime, "experiment_id": r.Info.ExperimentID,
				"lifecycle_stage": r.Info.LifecycleStage, "run_id": r.Info.RunID, "run_name": r.Info.RunName,
				"start_time": r.Info.StartTime, "status": string(r.Info.Status), "user_id": r.Info.UserID,
			},
			"inputs":         map[string]any{"datasets": datasets, "models": ioList(r.Inputs.Models)},
			"outputs":        map[string]any{"models": ioList(r.Outputs.Models)},
			"metrics":        metrics,
			"metric_history": history,
			"params":         params,
			"tags":           tags,
		})
	}
	var models []any
	ids := make([]string, 0, len(modelIDs))
	for id := range modelIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m, err := s.GetLoggedModel(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		repo, err := s.Artifacts(ctx, m.ArtifactLocation)
		if err != nil {
			t.Fatal(err)
		}
		params, tags := map[string]any{}, map[string]any{}
		for _, p := range m.Params {
			params[p.Key] = p.Value
		}
		for _, tg := range m.Tags {
			tags[tg.Key] = tg.Value
		}
		metrics := []any{}
		for _, mt := range m.Metrics {
			metrics = append(metrics, map[string]any{"key": mt.Key, "value": mt.Value, "step": mt.Step, "timestamp": mt.Timestamp,
				"dataset_name": nilIfEmpty(mt.DatasetName), "dataset_digest": nilIfEmpty(mt.DatasetDigest)})
		}
		models = append(models, map[string]any{
			"artifact_location": m.ArtifactLocation, "artifacts": listAll(t, repo, ""),
			"creation_timestamp": m.CreationTime, "experiment_id": m.ExperimentID,
			"last_updated_timestamp": m.LastUpdatedTime, "metrics": metrics, "model_id": m.ModelID,
			"model_type": nilIfEmpty(m.ModelType), "name": m.Name, "params": params, "source_run_id": m.SourceRunID,
			"status": strings.TrimPrefix(m.Status.String(), "LOGGED_MODEL_"), "tags": tags,
		})
	}
	return map[string]any{
		"experiment": map[string]any{
			"artifact_location": exp.ArtifactLocation, "creation_time": exp.CreationTime, "experiment_id": exp.ID,
			"last_update_time": exp.LastUpdateTime, "lifecycle_stage": exp.LifecycleStage, "name": exp.Name,
			"tags": exp.Tags,
		},
		"logged_models": models,
		"runs":          outRuns,
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonValue turns v into what encoding/json makes of it, so that values
// built in Go compare with values read from a file.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoldenReadBack reads the database the real MLflow wrote and finds what
// MLflow's own client read from it (testdata/golden-read_store.json).
func TestGoldenReadBack(t *testing.T) {
	root := t.TempDir()
	copyTree(t, "testdata/golden-artifacts", filepath.Join(root, "golden-artifacts"))
	dbPath := filepath.Join(root, "golden.db")
	copyFile(t, "testdata/golden.db", dbPath)
	compareReadBack(t, dbPath, root, "testdata/golden-read_store.json", "golden")
}

// TestAutologReadBack does the same with the run MLflow's sklearn autolog
// recorded, which has a dataset input and metrics of a logged model. It is
// too big to copy into testdata and is skipped without the shared fixtures.
func TestAutologReadBack(t *testing.T) {
	src := sharedFixture(t, "autolog-iris")
	root := t.TempDir()
	dir := filepath.Join(root, "autolog-iris")
	copyTree(t, filepath.Join(src, "mlruns"), filepath.Join(dir, "mlruns"))
	dbPath := filepath.Join(dir, "mlflow.db")
	copyFile(t, filepath.Join(src, "mlflow.db"), dbPath)
	compareReadBack(t, dbPath, root, filepath.Join(src, "read_store.json"), "autolog-iris")
}

// sharedFixture returns ../shared/fixtures/mlflow/<name> beside the module
// root, or skips the test when a clone has no such folder.
func sharedFixture(t *testing.T, name string) string {
	t.Helper()
	return sharedtest.Path(t, "fixtures/mlflow/"+name)
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// compareReadBack rewrites the fixture paths of the database copy at dbPath
// to root, as the fixture README says, opens it with grove and compares
// what grove reads with what MLflow's client read (the JSON file want).
func compareReadBack(t *testing.T, dbPath, root, wantFile, experiment string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(dbPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE experiments SET artifact_location = replace(artifact_location, ?, ?)`,
		`UPDATE runs SET artifact_uri = replace(artifact_uri, ?, ?)`,
		`UPDATE logged_models SET artifact_location = replace(artifact_location, ?, ?)`,
	} {
		if _, err := db.Exec(q, placeholder, root); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(context.Background(), dbPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SchemaRevision() != Revision {
		t.Errorf("fixture revision %s, want %s", s.SchemaRevision(), Revision)
	}
	raw, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.ReplaceAll(string(raw), placeholder, root))
	var want map[string]any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := jsonValue(t, readBack(t, s, experiment)).(map[string]any)

	for _, m := range want["logged_models"].([]any) {
		lm := m.(map[string]any)
		// A fixture's MLmodel spells its own path, which was shortened to the
		// placeholder after MLflow measured the file: expect the size the
		// copy has on disk for files that mention the placeholder.
		loc := lm["artifact_location"].(string)
		for _, a := range lm["artifacts"].([]any) {
			fi := a.(map[string]any)
			p := filepath.Join(loc, fi["path"].(string))
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), placeholder) {
				fi["file_size"] = float64(len(b))
			}
		}
		// grove's Metric has no run id (the model's source run logged it);
		// MLflow lists a model's metrics in no documented order.
		for _, mt := range lm["metrics"].([]any) {
			delete(mt.(map[string]any), "run_id")
		}
		sortByKey(lm["metrics"].([]any))
	}
	for _, m := range got["logged_models"].([]any) {
		sortByKey(m.(map[string]any)["metrics"].([]any))
	}

	// MLflow's client listed runs in its own order; match them by id.
	byID := func(runs any) map[string]any {
		out := map[string]any{}
		for _, r := range runs.([]any) {
			out[r.(map[string]any)["info"].(map[string]any)["run_id"].(string)] = r
		}
		return out
	}
	for _, k := range []string{"experiment", "logged_models"} {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s:\n got %v\nwant %v", k, got[k], want[k])
		}
	}
	gotRuns, wantRuns := byID(got["runs"]), byID(want["runs"])
	if len(gotRuns) != len(wantRuns) || len(wantRuns) == 0 {
		t.Fatalf("got %d runs, want %d", len(gotRuns), len(wantRuns))
	}
	for id, w := range wantRuns {
		g := gotRuns[id]
		for k, wv := range w.(map[string]any) {
			if gv := g.(map[string]any)[k]; !reflect.DeepEqual(gv, wv) {
				t.Errorf("run %s %s:\n got %v\nwant %v", id, k, gv, wv)
			}
		}
	}
}

func sortByKey(list []any) {
	sort.SliceStable(list, func(i, j int) bool {
		return list[i].(map[string]any)["key"].(string) < list[j].(map[string]any)["key"].(string)
	})
}
