package server

import (
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestArtifactPathsAreChecked(t *testing.T) {
	ts := newTestServer(t)
	_, run := ts.newRun("paths")
	// Put a file outside the artifact root that a traversal would reach.
	secret := filepath.Join(filepath.Dir(ts.root), "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, method, target string }{
		{"proxy download climbs out", "GET", "/api/2.0/mlflow-artifacts/artifacts/../secret.txt"},
		{"proxy download climbs out, encoded", "GET", "/api/2.0/mlflow-artifacts/artifacts/1/%2e%2e/%2e%2e/secret.txt"},
		{"proxy upload climbs out", "PUT", "/api/2.0/mlflow-artifacts/artifacts/a/../../evil.txt"},
		{"proxy upload with a backslash", "PUT", `/api/2.0/mlflow-artifacts/artifacts/a\..\..\evil.txt`},
		{"proxy upload of a drive path", "PUT", "/api/2.0/mlflow-artifacts/artifacts/C:/evil.txt"},
		{"proxy delete climbs out", "DELETE", "/api/2.0/mlflow-artifacts/artifacts/a/../.."},
		{"proxy listing climbs out", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=../"},
		{"proxy listing absolute", "GET", "/api/2.0/mlflow-artifacts/artifacts?path=%2Fetc"},
		{"get-artifact climbs out", "GET", "/get-artifact?run_id=" + run + "&path=../../../secret.txt"},
		{"get-artifact absolute", "GET", "/get-artifact?run_id=" + run + "&path=/etc/passwd"},
		{"get-artifact drive letter", "GET", "/get-artifact?run_id=" + run + "&path=C:/Windows/win.ini"},
		{"list climbs out", "GET", "/api/2.0/mlflow/artifacts/list?run_id=" + run + "&path=../.."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.method == "PUT" {
				body = []byte("x")
			}
			w := ts.do(tt.method, tt.target, body)
			if w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), "secret\"") || w.Body.String() == "secret" {
				t.Errorf("%s %s: %d %s, want 400", tt.method, tt.target, w.Code, w.Body.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(ts.root), "evil.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an upload landed outside the artifact root: %v", err)
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("a delete reached outside the artifact root: %v", err)
	}
}

func TestArtifactUploadDownloadAndList(t *testing.T) {
	ts := newTestServer(t)
	exp, run := ts.newRun("files")
	base := "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + run + "/artifacts/"
	ts.ok("PUT", base+"notes/hello.txt", []byte("hello grove\n"), nil)
	ts.ok("PUT", base+"chart.html", []byte("<script>fetch('/api/2.0/mlflow/runs/delete')</script>"), nil)

	w := ts.do("GET", base+"notes/hello.txt", nil)
	if w.Code != 200 || w.Body.String() != "hello grove\n" {
		t.Fatalf("download: %d %q", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Content-Length"); got != "12" {
		t.Errorf("Content-Length %q, want 12", got)
	}
	if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", got)
	}
	for _, target := range []string{base + "chart.html", "/get-artifact?run_id=" + run + "&path=chart.html"} {
		w = ts.do("GET", target, nil)
		csp := w.Header().Get("Content-Security-Policy")
		if w.Code != 200 || !strings.HasPrefix(csp, "sandbox") || strings.Contains(csp, "allow-same-origin") {
			t.Errorf("%s: %d, Content-Security-Policy %q: an HTML artifact must be sandboxed", target, w.Code, csp)
		}
		if !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: Content-Disposition %q, want an attachment", target, w.Header().Get("Content-Disposition"))
		}
	}

	var list struct {
		RootURI string `json:"root_uri"`
		Files   []struct {
			Path     string `json:"path"`
			IsDir    bool   `json:"is_dir"`
			FileSize *int64 `json:"file_size"`
		} `json:"files"`
	}
	for _, param := range []string{"run_id", "run_uuid"} {
		ts.ok("GET", "/api/2.0/mlflow/artifacts/list?"+param+"="+run+"&path=notes", nil, &list)
		if len(list.Files) != 1 || list.Files[0].Path != "notes/hello.txt" || list.Files[0].FileSize == nil || *list.Files[0].FileSize != 12 {
			t.Errorf("list by %s: %+v", param, list.Files)
		}
	}
	if want := "mlflow-artifacts:/" + exp + "/" + run + "/artifacts"; list.RootURI != want {
		t.Errorf("root_uri %q, want %q", list.RootURI, want)
	}

	ts.ok("DELETE", base+"notes", nil, nil)
	ts.ok("GET", "/api/2.0/mlflow/artifacts/list?run_id="+run, nil, &list)
	if len(list.Files) != 1 || list.Files[0].Path != "chart.html" {
		t.Errorf("after deleting notes: %+v", list.Files)
	}
	ts.fails("GET", base+"notes/hello.txt", nil, 404, "RESOURCE_DOES_NOT_EXIST")
}

// failingReader gives n bytes and then an error, as a client that drops
// the connection midway.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func TestBrokenUploadLeavesNothing(t *testing.T) {
	ts := newTestServer(t)
	target := "/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/big.bin"
	if w := ts.do("PUT", target, &failingReader{n: 1 << 20}); w.Code == 200 {
		t.Fatalf("a broken upload answered 200")
	}
	dir := filepath.Join(ts.root, "1", "r", "artifacts")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
	// An upload over the bound is refused and leaves nothing either.
	small := New(Config{Store: ts.st, ArtifactRoot: ts.root, MaxUploadBytes: 1000})
	ts.h = small
	if w := ts.do("PUT", target, strings.NewReader(strings.Repeat("y", 2000))); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d %s", w.Code, w.Body.String())
	}
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

// zeros is an endless reader of a given length that holds no buffer.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), z.n))
	clear(p[:k])
	z.n -= int64(k)
	return k, nil
}

func TestUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 128 MiB")
	}
	ts := newTestServer(t)
	const size = 128 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ts.ok("PUT", "/api/2.0/mlflow-artifacts/artifacts/big/file.bin", &zeros{n: size}, nil)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("uploading %d MiB allocated %d MiB: the body is not streamed", size>>20, alloc>>20)
	}
	st, err := os.Stat(filepath.Join(ts.root, "big", "file.bin"))
	if err != nil || st.Size() != size {
		t.Fatalf("uploaded file: %v, %v", st, err)
	}
	w := ts.do("GET", "/api/2.0/mlflow-artifacts/artifacts/big/file.bin", nil)
	if w.Header().Get("Content-Length") != "134217728" || w.Body.Len() != size {
		t.Errorf("download: Content-Length %q, %d bytes", w.Header().Get("Content-Length"), w.Body.Len())
	}
}

func TestExperimentLocationStaysUnderRoot(t *testing.T) {
	ts := newTestServer(t)
	for _, loc := range []string{"/etc", "file:///etc", "../outside", "mlflow-artifacts:/../x", "mlflow-artifacts:/", "s3://bucket/x"} {
		ts.fails("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "e" + loc, "artifact_location": loc}, 400, "INVALID_PARAMETER_VALUE")
	}
	var e struct {
		ExperimentID string `json:"experiment_id"`
	}
	ts.ok("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "custom", "artifact_location": "mlflow-artifacts:/team/custom"}, &e)
	var got struct {
		Experiment struct {
			ArtifactLocation string `json:"artifact_location"`
		} `json:"experiment"`
	}
	ts.ok("GET", "/api/2.0/mlflow/experiments/get?experiment_id="+e.ExperimentID, nil, &got)
	if got.Experiment.ArtifactLocation != "mlflow-artifacts:/team/custom" {
		t.Errorf("artifact_location %q", got.Experiment.ArtifactLocation)
	}
}

// TestMLflowProxyLocations serves a run whose artifact URI MLflow's own
// server wrote in its proxy mode (mlflow-artifacts:/...): its files are
// under the artifact root.
func TestMLflowProxyLocations(t *testing.T) {
	ts := newTestServer(t)
	exp, run := ts.newRun("proxied")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(filepath.Dir(ts.root), "mlflow.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE runs SET artifact_uri = ? WHERE run_uuid = ?`, "mlflow-artifacts:/"+exp+"/"+run+"/artifacts", run); err != nil {
		t.Fatal(err)
	}
	ts.ok("PUT", "/api/2.0/mlflow-artifacts/artifacts/"+exp+"/"+run+"/artifacts/a.txt", []byte("abc"), nil)
	w := ts.do("GET", "/get-artifact?run_id="+run+"&path=a.txt", nil)
	if w.Code != 200 || w.Body.String() != "abc" {
		t.Errorf("get-artifact: %d %q", w.Code, w.Body.String())
	}
}
