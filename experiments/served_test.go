package experiments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// masks hide what two recordings of the same training cannot share: run,
// model and request ids, times and the folders they were written in.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`'m-[0-9a-f]{32}'|m-[0-9a-f]{32}`), "MODEL"},
	// YAML quotes an id that starts with a digit (MLmodel's run_id), so
	// the quotes go with it.
	{regexp.MustCompile(`'[0-9a-f]{32}'|[0-9a-f]{32}`), "ID"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d| UTC)?`), "TIME"},
	{regexp.MustCompile(`\b1\d{12}\b`), "MILLIS"},
	{regexp.MustCompile(`(sqlite|http|file)://[^\s"'<>]*`), "URI"},
}

var location = regexp.MustCompile(`'?(mlflow-artifacts:|DIR/mlruns)/[^\s'"<>]*'?`)

func mask(s string, dirs ...string) string {
	for _, d := range dirs {
		s = strings.ReplaceAll(s, filepath.ToSlash(d), "DIR")
		s = strings.ReplaceAll(s, d, "DIR")
	}
	// A server that serves artifacts hands out mlflow-artifacts: locations
	// where SQLite hands out its folder, as MLflow's do.
	s = location.ReplaceAllString(s, "LOCATION")
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// command runs a built command in dir with no tracking URI or spool from
// the environment and returns its standard output.
func command(t *testing.T, dir, bin string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MLFLOW_TRACKING_URI=", "GROVE_SPOOL=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// recording is what cmd/train and cmd/report leave in one store, as a
// client reads it back.
type recording struct {
	run    map[string]any
	report string
}

// record trains through uri with cmd/train (adding a -metric, then another
// to the finished run with -run-id), draws the experiment with cmd/report
// and reads everything back through uri.
func record(t *testing.T, uri, dir string) recording {
	t.Helper()
	train, report := built(t, "./cmd/train"), built(t, "./cmd/report")
	var res struct {
		RunID string `json:"run_id"`
	}
	out := command(t, dir, train, "-tracking-uri", uri, "-experiment", "compare", "-run-name", "forest",
		"-trees", "5", "-seed", "7", "-metric", "custom_score=0.5", "-json")
	if err := json.Unmarshal(out, &res); err != nil || res.RunID == "" {
		t.Fatalf("train -json printed %q: %v", out, err)
	}
	command(t, dir, train, "-tracking-uri", uri, "-run-id", res.RunID, "-metric", "accuracy_on_new_data=0.98")
	page := command(t, dir, report, "-tracking-uri", uri, "-experiment", "compare", "-o", "-")
	return recording{run: readRun(t, uri, res.RunID, dir), report: mask(string(page), dir)}
}

// readRun is everything a client reads about a run, with ids, times and
// paths masked.
func readRun(t *testing.T, uri, runID, dir string) map[string]any {
	t.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{"status": run.Info.Status, "name": run.Info.RunName, "user": run.Info.UserID}
	params, tags, metrics := map[string]string{}, map[string]string{}, map[string][]string{}
	for _, p := range run.Data.Params {
		params[p.Key] = mask(p.Value, dir)
	}
	for _, tg := range run.Data.Tags {
		tags[tg.Key] = mask(tg.Value, dir)
	}
	for _, m := range run.Data.Metrics {
		h, err := c.MetricHistory(ctx, runID, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range h {
			metrics[m.Key] = append(metrics[m.Key], fmt.Sprintf("%d:%v:%s", p.Step, p.Value, p.DatasetName))
		}
	}
	out["params"], out["tags"], out["metrics"] = params, tags, metrics
	var inputs []string
	for _, d := range run.Inputs.Datasets {
		inputs = append(inputs, fmt.Sprintf("%s %s %s %s %v", d.Dataset.Name, d.Dataset.Digest, d.Dataset.SourceType, mask(d.Dataset.Profile, dir), d.Tags))
	}
	sort.Strings(inputs)
	out["datasets"] = inputs

	files := func(uri string) map[string]string {
		repo, err := c.Store().Artifacts(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		list, err := store.AllFiles(ctx, repo, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range list {
			rc, err := repo.Open(ctx, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if f.Size != int64(len(b)) {
				t.Errorf("%s: listed as %d bytes, read %d", f.Path, f.Size, len(b))
			}
			// Bytes, or for a file that names ids, times or folders, its
			// masked text, summed so that a difference prints short.
			got[f.Path] = fmt.Sprintf("masked %x", sha256.Sum256([]byte(mask(string(b), dir))))
		}
		return got
	}
	out["artifacts"] = files(run.Info.ArtifactURI)
	var models []any
	for _, o := range run.Outputs.Models {
		m, err := c.Store().GetLoggedModel(ctx, o.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		mparams := map[string]string{}
		for _, p := range m.Params {
			mparams[p.Key] = p.Value
		}
		var mmetrics []string
		for _, mt := range m.Metrics {
			mmetrics = append(mmetrics, fmt.Sprintf("%s=%v@%d", mt.Key, mt.Value, mt.Step))
		}
		sort.Strings(mmetrics)
		models = append(models, map[string]any{"name": m.Name, "status": m.Status, "type": m.ModelType,
			"params": mparams, "metrics": mmetrics, "files": files(m.ArtifactLocation)})
	}
	out["models"] = models
	return out
}

// TestTrainAndReportThroughServer runs cmd/train (with -metric, and -metric
// on the finished run) and cmd/report once through a tracking server over
// SQLite and once into SQLite directly: a client reads the same run back
// from both stores, artifacts and logged model included, and the two
// report pages are the same once ids and times are masked.
func TestTrainAndReportThroughServer(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the commands against a tracking server in -short mode")
	}
	directDir, servedDir := t.TempDir(), t.TempDir()
	direct := record(t, "sqlite:///"+filepath.ToSlash(filepath.Join(directDir, "mlflow.db")), directDir)

	st, err := sqlstore.Open(context.Background(), filepath.Join(servedDir, "mlflow.db"), sqlstore.Options{ArtifactRoot: filepath.Join(servedDir, "mlruns")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(servedDir, "mlruns")}))
	defer st.Close()
	defer hs.Close()
	served := record(t, hs.URL, servedDir)

	for k := range direct.run {
		if !reflect.DeepEqual(direct.run[k], served.run[k]) {
			t.Errorf("%s differs:\n direct: %v\n served: %v", k, direct.run[k], served.run[k])
		}
	}
	// What is compared must be there to compare.
	if len(direct.run["models"].([]any)) == 0 {
		t.Errorf("the run holds no logged model: %v", direct.run)
	}
	if _, ok := direct.run["artifacts"].(map[string]string)["metrics_report.html"]; !ok {
		t.Errorf("the run holds no metrics_report.html: %v", direct.run["artifacts"])
	}
	for _, key := range []string{"custom_score", "accuracy_on_new_data"} {
		if _, ok := direct.run["metrics"].(map[string][]string)[key]; !ok || !strings.Contains(direct.report, key) {
			t.Errorf("metric %s is missing from the run or the report page", key)
		}
	}
	if direct.report != served.report {
		t.Errorf("the report pages differ:\n%s", firstDiff(direct.report, served.report))
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d\n direct: %q\n served: %q", i, a[from:min(len(a), i+200)], b[from:min(len(b), i+200)])
}
