package rest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

func TestOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Options
	}{
		{"nothing set", nil, Options{}},
		{"token", map[string]string{"MLFLOW_TRACKING_TOKEN": "t0k"}, Options{Token: "t0k"}},
		{"basic", map[string]string{"MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pw"},
			Options{Username: "ann", Password: "pw"}},
		{"insecure true", map[string]string{"MLFLOW_TRACKING_INSECURE_TLS": "True"}, Options{InsecureTLS: true}},
		{"insecure 1", map[string]string{"MLFLOW_TRACKING_INSECURE_TLS": "1"}, Options{InsecureTLS: true}},
		{"insecure false", map[string]string{"MLFLOW_TRACKING_INSECURE_TLS": "false"}, Options{}},
		{"CA file", map[string]string{"MLFLOW_TRACKING_SERVER_CERT_PATH": "/etc/ca.pem"}, Options{ServerCertPath: "/etc/ca.pem"}},
		{"timeout", map[string]string{EnvTimeout: "7"}, Options{Timeout: 7 * time.Second}},
		{"timeout fraction", map[string]string{EnvTimeout: " 0.25 "}, Options{Timeout: 250 * time.Millisecond}},
		{"timeout empty", map[string]string{EnvTimeout: " "}, Options{}},
		{"retries", map[string]string{EnvMaxRetries: "5"}, Options{MaxRetries: 5}},
		{"no retries", map[string]string{EnvMaxRetries: "0"}, Options{MaxRetries: -1}},
		{"most retries", map[string]string{EnvMaxRetries: "10"}, Options{MaxRetries: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := optionsFrom(func(k string) string { return tt.env[k] })
			must(t, err)
			eq(t, "options", got, tt.want)
		})
	}
}

// TestOptionsFromEnvRefuses: a number that cannot be read is an error naming
// the variable and the value, not a silent default.
func TestOptionsFromEnvRefuses(t *testing.T) {
	tests := []struct{ name, value string }{
		{EnvTimeout, "abc"},
		{EnvTimeout, "-5"},
		{EnvTimeout, "0"},
		{EnvTimeout, "NaN"},
		{EnvTimeout, "1e300"},
		{EnvMaxRetries, "abc"},
		{EnvMaxRetries, "-5"},
		{EnvMaxRetries, "1.5"},
		{EnvMaxRetries, "11"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := optionsFrom(func(k string) string {
				if k == tt.name {
					return tt.value
				}
				return ""
			})
			if err == nil {
				t.Fatalf("%s=%s accepted", tt.name, tt.value)
			}
			for _, part := range []string{"rest: ", tt.name, strconv.Quote(tt.value)} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not say %q", err, part)
				}
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	for _, uri := range []string{"", "sqlite:///mlflow.db", "http://", "localhost:5000", "http://h:5000/?x=1", "://x",
		"http://ann:secret@h/%zz", "ftp://ann:secret@h/", "https://ann:secret@h/?q"} {
		_, err := New(uri, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "rest: ") {
			t.Errorf("New(%q) = %v, want a rest: error", uri, err)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("New(%q): error %q shows the password", uri, err)
		}
	}
}

// TestRequestHeaders checks authentication, the Host header and a path
// prefix, and that credentials in the URL never appear in errors.
func TestRequestHeaders(t *testing.T) {
	tests := []struct {
		name     string
		userinfo string
		opts     Options
		want     string
	}{
		{"none", "", Options{}, ""},
		{"bearer", "", Options{Token: "t0k"}, "Bearer t0k"},
		{"basic", "", Options{Username: "ann", Password: "pw"}, "Basic YW5uOnB3"},
		{"basic wins over token", "", Options{Token: "t0k", Username: "ann", Password: "pw"}, "Basic YW5uOnB3"},
		{"user in URL", "ann:pw@", Options{}, "Basic YW5uOnB3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, host, path string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, host, path = r.Header.Get("Authorization"), r.Host, r.URL.Path
				mlflowError(w, 404, "RESOURCE_DOES_NOT_EXIST", "no")
			}))
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			s, err := New("http://"+tt.userinfo+u.Host+"/mlflow/", tt.opts)
			must(t, err)
			_, err = s.GetExperiment(context.Background(), "1")
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("err = %v", err)
			}
			eq(t, "Authorization", got, tt.want)
			eq(t, "Host", host, u.Host)
			eq(t, "path", path, "/mlflow"+epExperimentGet)
			if strings.Contains(err.Error(), "pw") || strings.Contains(s.Server(), "pw") {
				t.Errorf("credentials leak into %q / %q", err, s.Server())
			}
		})
	}
}

// TestHostRefused: MLflow's --allowed-hosts check answers 403 in plain text;
// the error says how to fix it, and the request is not retried.
func TestHostRefused(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(403)
		w.Write([]byte("Invalid Host header - possible DNS rebinding attack detected"))
	}))
	defer srv.Close()
	s, err := New(srv.URL, Options{})
	must(t, err)
	_, err = s.GetExperimentByName(context.Background(), "x")
	u, _ := url.Parse(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "--allowed-hosts") || !strings.Contains(err.Error(), u.Host) {
		t.Errorf("err = %v, want advice on --allowed-hosts for %s", err, u.Host)
	}
	eq(t, "requests", n, 1)
}

func TestInsecureTLS(t *testing.T) {
	f := newFakeServer(t)
	tlsSrv := httptest.NewTLSServer(f.srv.Config.Handler)
	defer tlsSrv.Close()

	s, err := New(tlsSrv.URL, Options{})
	must(t, err)
	_, err = s.GetExperiment(context.Background(), "0")
	var re *Error
	if !errors.As(err, &re) || re.Attempts != 1 || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("err = %v, want one attempt refused for its certificate", err)
	}

	s, err = New(tlsSrv.URL, Options{InsecureTLS: true})
	must(t, err)
	e, err := s.GetExperiment(context.Background(), "0")
	must(t, err)
	eq(t, "experiment", e.Name, "Default")

	// Trusting the server's certificate authority instead.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o644))
	s, err = New(tlsSrv.URL, Options{ServerCertPath: ca})
	must(t, err)
	_, err = s.GetExperiment(context.Background(), "0")
	must(t, err)

	for _, bad := range []string{filepath.Join(t.TempDir(), "missing.pem"), filepath.Join("testdata", "ENDPOINTS.txt")} {
		if _, err := New(tlsSrv.URL, Options{ServerCertPath: bad}); err == nil {
			t.Errorf("ServerCertPath %s accepted", bad)
		}
	}
}

// TestNonJSONErrors: a proxy's HTML page or an empty 404 still gives an
// error that says what happened, and 404 still matches ErrNotFound.
func TestNonJSONErrors(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		notFound bool
		want     string
	}{
		{404, "", true, "Not Found"},
		{404, "<html>nope</html>", true, "<html>nope</html>"},
		{401, "", false, "MLFLOW_TRACKING_TOKEN"},
		{400, "bad", false, "bad"},
		{502, strings.Repeat("x", 1000), false, "..."},
	}
	for _, tt := range tests {
		err := statusError(tt.status, []byte(tt.body), "h")
		if errors.Is(err, store.ErrNotFound) != tt.notFound {
			t.Errorf("%d %q: errors.Is(ErrNotFound) = %v", tt.status, tt.body, !tt.notFound)
		}
		if !strings.Contains(err.Error(), tt.want) || len(err.Error()) > 400 {
			t.Errorf("%d %q: error %q, want it to hold %q, briefly", tt.status, tt.body, err, tt.want)
		}
	}
}

func TestMetricHistoryPages(t *testing.T) {
	f := newFakeServer(t)
	f.pageSize = 3
	s := f.store(Options{})
	ctx := context.Background()
	runID := testRun(t, ctx, s)
	var sent []store.Metric
	for _, step := range []int64{5, 1, 0, 9, 3, 2, 8, 4, 7, 6} {
		sent = append(sent, store.Metric{Key: "loss", Value: float64(step) / 10, Timestamp: 1000 + step, Step: step})
	}
	sent = append(sent, store.Metric{Key: "loss", Value: math.NaN(), Timestamp: 2000, Step: 10})
	must(t, s.LogBatch(ctx, runID, sent, nil, nil))
	got, err := s.GetMetricHistory(ctx, runID, "loss")
	must(t, err)
	eq(t, "points", len(got), 11)
	for i, m := range got[:10] {
		eq(t, "step", m.Step, int64(i))
		eq(t, "value", m.Value, float64(i)/10)
	}
	if !math.IsNaN(got[10].Value) {
		t.Errorf("NaN came back as %v", got[10].Value)
	}
	eq(t, "get-history requests", f.count(epMetricHistory), 4)
	for _, r := range f.requests {
		if strings.Contains(r, epMetricHistory) && !strings.Contains(r, "max_results=25000") {
			t.Errorf("%s: no max_results=25000", r)
		}
	}
}

// TestMetricHistoryStuckToken: an answer with a page token but no points
// (what MLflow 3.11 answers without max_results) is an error, not a loop.
func TestMetricHistoryStuckToken(t *testing.T) {
	x := loadExchange(t, "metrics-get-history-without-max-results")
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if r.URL.Query().Get("max_results") == "" {
			t.Errorf("request without max_results: %s", r.URL)
		}
		x.answer(w)
	}))
	defer srv.Close()
	s, err := New(srv.URL, Options{})
	must(t, err)
	_, err = s.GetMetricHistory(context.Background(), goldenRun, "loss")
	if err == nil || !strings.Contains(err.Error(), "page token") {
		t.Errorf("err = %v, want a page token error", err)
	}
	eq(t, "requests", n, 1)
}

func TestWireNumbers(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{1, "1"}, {0.0625, "0.0625"}, {math.NaN(), `"NaN"`}, {math.Inf(1), `"Infinity"`}, {math.Inf(-1), `"-Infinity"`}, {1e21, "1e+21"}} {
		b, err := json.Marshal(api.Float(tt.v))
		must(t, err)
		eq(t, "encoded", string(b), tt.want)
		var back api.Float
		must(t, json.Unmarshal(b, &back))
		if float64(back) != tt.v && !(math.IsNaN(tt.v) && math.IsNaN(float64(back))) {
			t.Errorf("%s read back as %v", b, back)
		}
	}
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{{"1767225600000", 1767225600000, true}, {`"1767225600000"`, 1767225600000, true}, {"1.7e12", 1.7e12, true},
		{"null", 0, true}, {`"x"`, 0, false}, {"1.5", 0, false}} {
		var n api.Int
		err := json.Unmarshal([]byte(tt.in), &n)
		if (err == nil) != tt.ok || (tt.ok && int64(n) != tt.want) {
			t.Errorf("api.Int %s = %d, %v", tt.in, n, err)
		}
	}
}

func TestBatchWhat(t *testing.T) {
	for _, tt := range []struct {
		b    batch
		want string
	}{
		{batch{Metrics: make([]store.Metric, 3)}, "log 3 metric points to run r"},
		{batch{Params: make([]store.Param, 1), Tags: make([]store.Tag, 2)}, "log 1 param and 2 tags to run r"},
		{batch{make([]store.Metric, 1), make([]store.Param, 2), make([]store.Tag, 1)}, "log 1 metric point, 2 params and 1 tag to run r"},
	} {
		eq(t, "what", tt.b.what("r"), tt.want)
	}
}

// TestEndpointsRegistered: every endpoint grove calls is one the recorded
// server registers, with that method (testdata/ENDPOINTS.txt).
func TestEndpointsRegistered(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "ENDPOINTS.txt"))
	must(t, err)
	routes := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, m := range strings.Split(f[0], ",") {
			routes[m+" "+f[1]] = true
		}
	}
	for _, r := range []string{
		"POST " + epExperimentCreate, "GET " + epExperimentGet, "GET " + epExperimentGetByName,
		"POST " + epExperimentSetTag, "POST " + epRunCreate, "POST " + epRunUpdate, "GET " + epRunGet,
		"POST " + epRunSearch, "POST " + epLogBatch, "POST " + epLogInputs, "POST " + epLogOutputs,
		"GET " + epMetricHistory, "POST " + epLoggedModels, "GET " + epLoggedModels + "/<model_id>",
		"PATCH " + epLoggedModels + "/<model_id>", "GET " + epArtifacts,
		"GET " + epArtifacts + "/<path:artifact_path>", "PUT " + epArtifacts + "/<path:artifact_path>",
	} {
		if !routes[r] {
			t.Errorf("the server registers no %s", r)
		}
	}
}

// TestUnreadableAnswer: a 200 that is not MLflow's JSON (a captive portal,
// a wrong URL prefix) is an error that says so, not retried.
func TestUnreadableAnswer(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Write([]byte("<html>welcome</html>"))
	}))
	defer srv.Close()
	s, err := New(srv.URL, Options{})
	must(t, err)
	_, err = s.GetRun(context.Background(), goldenRun)
	if err == nil || !strings.Contains(err.Error(), "unreadable answer") {
		t.Errorf("err = %v, want an unreadable answer", err)
	}
	_, err = s.CreateRun(context.Background(), store.CreateRunRequest{ExperimentID: "1"})
	if err == nil || !strings.Contains(err.Error(), "no run in the answer") && !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("err = %v", err)
	}
	eq(t, "requests", n, 2)
}

func TestSearchRunsPages(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{})
	ctx := context.Background()
	for i := range 5 {
		_, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", StartTime: 1767225600000 + int64(i)})
		must(t, err)
	}
	var starts []int64
	token, pages := "", 0
	for {
		runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{"0"}, MaxResults: 2, PageToken: token})
		must(t, err)
		pages++
		for _, r := range runs {
			starts = append(starts, r.Info.StartTime-1767225600000)
		}
		if next == "" {
			break
		}
		token = next
	}
	eq(t, "pages", pages, 3)
	eq(t, "start times, newest first", starts, []int64{4, 3, 2, 1, 0})
}
