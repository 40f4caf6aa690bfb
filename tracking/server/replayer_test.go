package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// exchange is one request recorded against the real MLflow server and its
// answer (../shared/fixtures/mlflow/rest/).
type exchange struct {
	Seq         int             `json:"seq"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Request     json.RawMessage `json:"request"`
	Status      int             `json:"status"`
	Response    json.RawMessage `json:"response"`
	ContentType string          `json:"response_content_type"`
}

func (x exchange) name() string {
	p, _, _ := strings.Cut(x.Path, "?")
	return fmt.Sprintf("%03d %s %s", x.Seq, x.Method, p)
}

func loadJSONL(t *testing.T, path string) []exchange {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var xs []exchange
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var x exchange
		if err := json.Unmarshal(line, &x); err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		xs = append(xs, x)
	}
	return xs
}

// sharedDir returns ../shared/fixtures/mlflow/rest beside the module root,
// or "" when this clone has none.
func sharedDir() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "fixtures", "mlflow", "rest")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// fixture returns a copy of a fixture under testdata (or a sibling
// package's testdata), checked against its source when the shared fixtures
// are present.
func fixture(t *testing.T, path, shared string) string {
	t.Helper()
	if dir := sharedDir(); dir != "" {
		want, err := os.ReadFile(filepath.Join(dir, shared))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s differs from %s: copy it again", path, filepath.Join(dir, shared))
		}
	} else {
		t.Logf("../shared/fixtures/mlflow/rest not present: %s is not checked against its source", path)
	}
	return path
}

var (
	hexID   = regexp.MustCompile(`\b(m-)?[0-9a-f]{32}\b`)
	idKeys  = map[string]bool{"experiment_id": true, "run_id": true, "run_uuid": true, "model_id": true, "source_run_id": true}
	timeKey = map[string]bool{"creation_time": true, "last_update_time": true, "creation_timestamp_ms": true, "last_updated_timestamp_ms": true}
	pathKey = map[string]bool{"artifact_uri": true, "artifact_location": true, "root_uri": true}
)

// replayer sends recorded requests to a handler, with the ids MLflow made
// replaced by those the handler made for the same things.
type replayer struct {
	t     *testing.T
	h     http.Handler
	ids   map[string]string // MLflow's id -> ours
	roots []string          // local roots to strip from artifact locations
}

func (rp *replayer) mapHex(s string) string {
	return hexID.ReplaceAllStringFunc(s, func(id string) string {
		if v, ok := rp.ids[id]; ok {
			return v
		}
		return id
	})
}

// mapPath maps the ids in a recorded path: hex ids anywhere, experiment
// ids in the query and as the first segment of an artifact path.
func (rp *replayer) mapPath(p string) string {
	path, query, _ := strings.Cut(p, "?")
	path = rp.mapHex(path)
	if rest, ok := strings.CutPrefix(path, proxyPath+"/"); ok {
		first, after, _ := strings.Cut(rest, "/")
		if v, ok := rp.ids["exp:"+first]; ok {
			path = proxyPath + "/" + v + "/" + after
		}
	}
	if query == "" {
		return path
	}
	q, _ := url.ParseQuery(query)
	for k, vs := range q {
		for i, v := range vs {
			v = rp.mapHex(v)
			if k == "experiment_id" || k == "experiment_ids" {
				if m, ok := rp.ids["exp:"+v]; ok {
					v = m
				}
			}
			if k == "path" {
				if first, after, ok := strings.Cut(v, "/"); ok {
					if m, ok := rp.ids["exp:"+first]; ok {
						v = m + "/" + after
					}
				}
			}
			vs[i] = v
		}
	}
	return path + "?" + q.Encode()
}

// mapBody maps ids in a JSON request.
func (rp *replayer) mapBody(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if (k == "experiment_id" || k == "experiment_ids") && e != nil {
				v[k] = rp.mapExp(e)
				continue
			}
			v[k] = rp.mapBody(e)
		}
	case []any:
		for i := range v {
			v[i] = rp.mapBody(v[i])
		}
	case string:
		return rp.mapHex(v)
	}
	return v
}

func (rp *replayer) mapExp(e any) any {
	switch e := e.(type) {
	case string:
		if m, ok := rp.ids["exp:"+e]; ok {
			return m
		}
	case []any:
		for i := range e {
			e[i] = rp.mapExp(e[i])
		}
	}
	return e
}

// request builds the recorded request with our ids.
func (rp *replayer) request(x exchange) *http.Request {
	target := rp.mapPath(x.Path)
	var body []byte
	ctype := ""
	if x.Method != http.MethodGet && len(x.Request) > 0 && string(x.Request) != "null" {
		var blob struct {
			ContentType *string `json:"content_type"`
			Text        *string `json:"text"`
			Base64      *string `json:"base64"`
		}
		if x.Method == http.MethodPut && json.Unmarshal(x.Request, &blob) == nil && (blob.Text != nil || blob.Base64 != nil) {
			if blob.Text != nil {
				body = []byte(rp.mapHex(*blob.Text))
			} else {
				body, _ = base64.StdEncoding.DecodeString(*blob.Base64)
			}
			ctype = "application/octet-stream"
			if blob.ContentType != nil {
				ctype = *blob.ContentType
			}
		} else {
			var v any
			if err := json.Unmarshal(x.Request, &v); err != nil {
				rp.t.Fatalf("%s: request: %v", x.name(), err)
			}
			ctype = "application/json"
			if x.Method == http.MethodPut {
				// An uploaded JSON file was recorded parsed; MLflow's
				// log_dict wrote it indented by two spaces.
				body, _ = json.MarshalIndent(rp.mapBody(v), "", "  ")
				ctype = "application/octet-stream"
			} else {
				body, _ = json.Marshal(rp.mapBody(v))
			}
		}
	}
	r := httptest.NewRequest(x.Method, target, bytes.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

// check replays x and returns what differs from MLflow's answer.
func (rp *replayer) check(x exchange) []string {
	w := httptest.NewRecorder()
	rp.h.ServeHTTP(w, rp.request(x))
	var diffs []string
	if w.Code != x.Status {
		diffs = append(diffs, fmt.Sprintf("status %d, MLflow %d: %.300s", w.Code, x.Status, w.Body.String()))
		return diffs
	}
	var blob struct {
		Text   *string `json:"text"`
		Base64 *string `json:"base64"`
	}
	if x.Method == http.MethodGet && json.Unmarshal(x.Response, &blob) == nil && (blob.Text != nil || blob.Base64 != nil) &&
		!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		var want []byte
		if blob.Text != nil {
			want = []byte(rp.mapHex(*blob.Text))
		} else {
			want, _ = base64.StdEncoding.DecodeString(*blob.Base64)
		}
		// Recorded binary bodies are cut at 20,000 bytes.
		if got := w.Body.Bytes(); !bytes.HasPrefix(got, want) && !bytes.Equal(got, want) {
			diffs = append(diffs, fmt.Sprintf("downloaded %d bytes that differ from MLflow's %d", len(got), len(want)))
		}
		return diffs
	}
	var want, got any
	if err := json.Unmarshal(x.Response, &want); err != nil {
		rp.t.Fatalf("%s: recorded response: %v", x.name(), err)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		return []string{fmt.Sprintf("answer is not JSON: %.200s", w.Body.String())}
	}
	rp.compare("", want, got, &diffs)
	return diffs
}

// normPath reduces an artifact location to its part under the artifact
// root, which is what MLflow and grove agree on.
func (rp *replayer) normPath(s string) string {
	s = rp.mapHex(s)
	s = strings.TrimPrefix(s, "mlflow-artifacts:")
	for _, r := range rp.roots {
		s = strings.TrimPrefix(s, r)
	}
	s = strings.TrimLeft(s, "/")
	if first, after, ok := strings.Cut(s, "/"); ok {
		if m, ok := rp.ids["exp:"+first]; ok {
			s = m + "/" + after
		}
	} else if m, ok := rp.ids["exp:"+s]; ok {
		s = m
	}
	return s
}

// compare walks MLflow's answer and ours side by side: same keys, same JSON
// types, same values except ids (learnt and mapped), server-made times,
// messages and page tokens; artifact locations compared under their root.
func (rp *replayer) compare(at string, want, got any, diffs *[]string) {
	key := at[strings.LastIndex(at, ".")+1:]
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: object expected, got %T", at, got))
			return
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s missing", at, k))
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s not in MLflow's answer", at, k))
			}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		// Ids first, then a run's info, so that values holding ids or the
		// run's generated name compare mapped.
		rank := func(k string) int {
			switch {
			case idKeys[k]:
				return 0
			case k == "info" || k == "run_info":
				return 1
			}
			return 2
		}
		sort.Slice(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
		for _, k := range keys {
			if gv, ok := g[k]; ok {
				rp.compare(at+"."+k, w[k], gv, diffs)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: list expected, got %T", at, got))
			return
		}
		if len(g) != len(w) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %d items, MLflow %d", at, len(g), len(w)))
			return
		}
		if key == "tags" || key == "params" || (key == "metrics" && strings.HasSuffix(at, "data.metrics")) {
			// Tags and params are sets; MLflow lists them as inserted.
			byKey := func(l []any) []any {
				l = slices.Clone(l)
				sort.SliceStable(l, func(i, j int) bool {
					return fmt.Sprint(l[i].(map[string]any)["key"]) < fmt.Sprint(l[j].(map[string]any)["key"])
				})
				return l
			}
			w, g = byKey(w), byKey(g)
		}
		for i := range w {
			rp.compare(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], diffs)
		}
	case string:
		g, ok := got.(string)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: string expected, got %T", at, got))
			return
		}
		switch {
		case key == "message" || key == "next_page_token":
		case idKeys[key]:
			lookup := w
			if key == "experiment_id" {
				lookup = "exp:" + w
			}
			if m, ok := rp.ids[lookup]; ok {
				if m != g {
					*diffs = append(*diffs, fmt.Sprintf("%s = %q, MLflow's %q is ours %q", at, g, w, m))
				}
			} else {
				rp.ids[lookup] = g
			}
		case key == "run_name":
			// A run created without a name gets a generated one.
			if m, ok := rp.ids["name:"+w]; ok {
				if m != g {
					*diffs = append(*diffs, fmt.Sprintf("%s = %q, MLflow's %q is ours %q", at, g, w, m))
				}
			} else {
				rp.ids["name:"+w] = g
			}
		case pathKey[key]:
			if a, b := rp.normPath(w), rp.normPath(g); a != b {
				*diffs = append(*diffs, fmt.Sprintf("%s = %q, MLflow %q (compared as %q, %q)", at, g, w, b, a))
			}
		default:
			m := rp.mapHex(w)
			if n, ok := rp.ids["name:"+w]; ok {
				m = n
			}
			if m != g {
				*diffs = append(*diffs, fmt.Sprintf("%s = %.80q, MLflow %.80q", at, g, m))
			}
		}
	case float64:
		g, ok := got.(float64)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: number expected, got %T", at, got))
			return
		}
		// A recorded upload was cut at 20,000 bytes, so the file we hold
		// is that long where MLflow's was longer.
		cut := key == "file_size" && g == 20000 && w > 20000
		if !timeKey[key] && !cut && g != w {
			*diffs = append(*diffs, fmt.Sprintf("%s = %v, MLflow %v", at, g, w))
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			*diffs = append(*diffs, fmt.Sprintf("%s = %v, MLflow %v", at, got, want))
		}
	}
}
