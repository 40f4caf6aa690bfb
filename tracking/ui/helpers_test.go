package ui_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

// xss is the hostile name given to everything a user names: if any page
// put it into the document as markup, the img's handler would run.
const xss = `</script><img src=x onerror=alert(1)>`

// hostile holds what the hostile store recorded.
type hostile struct {
	st                   store.Store
	expID, runID, run2ID string
	artifactDir          string // the folder the hostile artifact name makes
}

// hostileStore records an experiment, runs, a param, a metric with a
// history, tags and artifacts all named xss, beside a PNG and an HTML page,
// into a new in-memory store.
func hostileStore(t testing.TB) hostile { return recordHostile(t, memstore.New()) }

func recordHostile(t testing.TB, st store.Store) hostile {
	t.Helper()
	ctx := context.Background()
	expID, err := st.CreateExperiment(ctx, xss, "", []store.Tag{{Key: xss, Value: xss}})
	if err != nil {
		t.Fatal(err)
	}
	h := hostile{st: st, expID: expID}
	for i, name := range []string{xss, "second " + xss} {
		run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: name, UserID: xss,
			StartTime: 1_700_000_000_000 + int64(i)*60_000,
			Tags:      []store.Tag{{Key: "mlflow.source.name", Value: xss}}})
		if err != nil {
			t.Fatal(err)
		}
		id := run.Info.RunID
		var pts []store.Metric
		for s := range 50 {
			pts = append(pts, store.Metric{Key: xss, Value: math.Sin(float64(s)/8) + float64(i), Step: int64(s), Timestamp: int64(s)})
		}
		pts = append(pts, store.Metric{Key: "accuracy", Value: 0.9 + float64(i)/100})
		if err := st.LogBatch(ctx, id, pts, []store.Param{{Key: xss, Value: xss}, {Key: "test_size", Value: []string{"0.2", "0.3"}[i]}},
			[]store.Tag{{Key: xss, Value: xss}, {Key: "mlflow.note.content", Value: "notes: " + xss}}); err != nil {
			t.Fatal(err)
		}
		if err := st.LogInputs(ctx, id, []store.DatasetInput{{Dataset: store.Dataset{Name: xss, Digest: "abc123", SourceType: "code", Source: `{"uri": "` + xss + `"}`},
			Tags: []store.Tag{{Key: "mlflow.data.context", Value: "train"}}}}, nil); err != nil {
			t.Fatal(err)
		}
		repo, err := st.Artifacts(ctx, run.Info.ArtifactURI)
		if err != nil {
			t.Fatal(err)
		}
		put := func(p string, b []byte) {
			if err := repo.Put(ctx, p, bytes.NewReader(b)); err != nil {
				t.Fatalf("put %s: %v", p, err)
			}
		}
		put(xss+".txt", []byte(xss+"\n"))
		put("plots/square.png", pngSquare(t))
		put("plots/"+xss+".svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>alert(2)</script><rect width="40" height="40" fill="teal"/></svg>`))
		put("page.html", []byte(`<!DOCTYPE html><html><body><p id="p">framed</p><script>document.getElementById("p").textContent = "script ran in the frame";</script></body></html>`))
		put("config.json", []byte(`{"name": "`+strings.ReplaceAll(xss, `"`, `\"`)+`", "depth": 3}`))
		if _, err := st.UpdateRun(ctx, id, store.StatusFinished, run.Info.StartTime+42_000, ""); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			h.runID = id
		} else {
			h.run2ID = id
		}
	}
	h.artifactDir = strings.SplitN(xss, "/", 2)[0]
	return h
}

// pngSquare is a 24x24 PNG of one colour.
func pngSquare(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 24))
	for y := range 24 {
		for x := range 24 {
			img.Set(x, y, color.RGBA{200, 60, 30, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sweep is a SQLite store with a few autolog runs of grove's forest on
// Iris, one per test size, the newest carrying the metrics report as
// cmd/train attaches it.
type sweep struct {
	st     store.Store
	expID  string
	runIDs []string // oldest first
}

func sweepStore(t testing.TB) sweep {
	t.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "mlflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var s sweep
	for _, size := range []float64{0.2, 0.3, 0.4} {
		train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: size, Seed: 1, Stratify: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := autolog.Fit(ctx, c, forest.New(forest.Config{Trees: 20, Seed: 1}), train, test, autolog.Options{
			Experiment: "iris-forest", Params: map[string]string{"test_size": fmt.Sprint(size)}, FallbackDir: t.TempDir(),
		})
		if err != nil {
			t.Fatal(err)
		}
		s.expID = res.ExperimentID
		s.runIDs = append(s.runIDs, res.RunID)
	}
	s.st = c.Store()
	if _, err := report.Log(ctx, s.st, s.runIDs[len(s.runIDs)-1], report.Options{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// serve starts the UI over st on a loopback server for the test.
func serve(t testing.TB, st store.Store, opts ui.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(ui.New(st, opts))
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path from srv and returns the response and its body.
func get(t testing.TB, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// preview serves the UI on both test stores until the test binary is
// stopped, for a person to look at: go test ./tracking/ui -run TestPreview
// -preview 127.0.0.1:5001.
var previewAddr = flag.String("preview", "", "serve the UI on the test stores at this address until interrupted")

func TestPreview(t *testing.T) {
	if *previewAddr == "" {
		t.Skip("set -preview host:port to look at the UI on the test stores")
	}
	s := sweepStore(t)
	recordHostile(t, s.st)
	t.Logf("serving the sweep and the hostile names at http://%s/", *previewAddr)
	t.Fatal(http.ListenAndServe(*previewAddr, ui.New(s.st, ui.Options{})))
}
