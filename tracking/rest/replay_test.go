package rest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// exchange is one recorded request to a real MLflow server and its answer
// (testdata/*.json, testdata/python-client-autolog.jsonl).
type exchange struct {
	Seq         int             `json:"seq"`
	Method      string          `json:"method"`
	Path        string          `json:"path"` // with the query, as sent
	Request     json.RawMessage `json:"request"`
	Status      int             `json:"status"`
	Response    json.RawMessage `json:"response"`
	ContentType string          `json:"response_content_type"`
}

func loadExchange(t testing.TB, name string) exchange {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var x exchange
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return x
}

func loadAutolog(t testing.TB) []exchange {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "python-client-autolog.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var xs []exchange
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var x exchange
		if err := json.Unmarshal(line, &x); err != nil {
			t.Fatalf("python-client-autolog.jsonl line %d: %v", i+1, err)
		}
		xs = append(xs, x)
	}
	return xs
}

// endpoint is the recorded path without its query.
func (x exchange) endpoint() string { p, _, _ := strings.Cut(x.Path, "?"); return p }

func (x exchange) query() url.Values {
	_, q, _ := strings.Cut(x.Path, "?")
	v, _ := url.ParseQuery(q)
	return v
}

// answer writes the recorded answer: JSON, or the file bytes of a download.
func (x exchange) answer(w http.ResponseWriter) {
	var blob struct {
		Text   *string `json:"text"`
		Base64 *string `json:"base64"`
	}
	if x.ContentType == "application/octet-stream" && json.Unmarshal(x.Response, &blob) == nil {
		w.Header().Set("Content-Type", x.ContentType)
		w.WriteHeader(x.Status)
		switch {
		case blob.Text != nil:
			io.WriteString(w, *blob.Text)
		case blob.Base64 != nil:
			b, _ := base64.StdEncoding.DecodeString(*blob.Base64)
			w.Write(b)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(x.Status)
	w.Write(x.Response)
}

// check reports how a request differs from the recorded one. exact: the
// same JSON values (grove may add run_uuid, equal to run_id, as MLflow's
// Python client does); otherwise the same field names and JSON types.
func (x exchange) check(r *http.Request, body []byte, exact bool) error {
	if r.Method != x.Method || r.URL.Path != x.endpoint() {
		return fmt.Errorf("got %s %s, recorded %s %s", r.Method, r.URL.Path, x.Method, x.endpoint())
	}
	switch {
	case x.Request == nil:
		return nil // only the answer is replayed
	case r.Method == http.MethodGet:
		return sameQuery(r.URL.Query(), x.query(), exact)
	case r.Method == http.MethodPut:
		return sameUpload(r, body, x.Request)
	}
	var got, want any
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("request body is not JSON: %v", err)
	}
	if err := json.Unmarshal(x.Request, &want); err != nil {
		return fmt.Errorf("recorded request is not JSON: %v", err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	if !exact {
		if g, w := shape(got), shape(want); g != w {
			return fmt.Errorf("request shape\n got %s\nwant %s", g, w)
		}
		return nil
	}
	dropTwin(got, want)
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("request\n got %s\nwant %s", body, x.Request)
	}
	return nil
}

// dropTwin removes run_uuid from got when it repeats run_id and the
// recording has none: MLflow reads either, and its Python client sends both.
func dropTwin(got, want any) {
	g, ok1 := got.(map[string]any)
	w, ok2 := want.(map[string]any)
	if !ok1 || !ok2 {
		return
	}
	if _, ok := w["run_uuid"]; !ok && g["run_uuid"] != nil && g["run_uuid"] == g["run_id"] {
		delete(g, "run_uuid")
	}
}

func sameQuery(got, want url.Values, exact bool) error {
	if got.Get("run_uuid") != "" && want.Get("run_uuid") == "" && got.Get("run_uuid") == got.Get("run_id") {
		got = cloneValues(got)
		got.Del("run_uuid")
	}
	if exact && !reflect.DeepEqual(got, want) {
		return fmt.Errorf("query %v, recorded %v", got, want)
	}
	if !exact && !reflect.DeepEqual(keys(got), keys(want)) {
		return fmt.Errorf("query keys %v, recorded %v", keys(got), keys(want))
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

func keys(v url.Values) []string {
	var ks []string
	for k := range v {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// sameUpload compares an upload with the recorded one: {content_type,
// text|base64} (base64 bodies were cut at 20,000 bytes when recorded), or
// a JSON file recorded as its value.
func sameUpload(r *http.Request, body []byte, rec json.RawMessage) error {
	var blob struct {
		ContentType *string `json:"content_type"`
		Text        *string `json:"text"`
		Base64      *string `json:"base64"`
	}
	_ = json.Unmarshal(rec, &blob)
	if blob.ContentType != nil && r.Header.Get("Content-Type") != *blob.ContentType {
		return fmt.Errorf("upload Content-Type %q, recorded %q", r.Header.Get("Content-Type"), *blob.ContentType)
	}
	switch {
	case blob.Text != nil:
		if string(body) != *blob.Text {
			return fmt.Errorf("upload body %q, recorded %q", body, *blob.Text)
		}
	case blob.Base64 != nil:
		want, err := base64.StdEncoding.DecodeString(*blob.Base64)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(body, want) {
			return fmt.Errorf("upload body differs from the recorded one in its first %d bytes", len(want))
		}
	default:
		var got, w any
		if json.Unmarshal(body, &got) != nil || json.Unmarshal(rec, &w) != nil || !reflect.DeepEqual(got, w) {
			return fmt.Errorf("upload body %s, recorded %s", body, rec)
		}
	}
	return nil
}

// shape describes a JSON value by its field names and types, merging the
// shapes of array elements, so that two requests with the same fields
// compare equal whatever their values.
func shape(v any) string {
	switch v := v.(type) {
	case map[string]any:
		ks := make([]string, 0, len(v))
		for k := range v {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		parts := make([]string, len(ks))
		for i, k := range ks {
			parts[i] = k + ":" + shape(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		seen := map[string]bool{}
		var parts []string
		for _, e := range v {
			if s := shape(e); !seen[s] {
				seen[s] = true
				parts = append(parts, s)
			}
		}
		sort.Strings(parts)
		return "[" + strings.Join(parts, "|") + "]"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// replayer is an httptest server that expects the recorded requests in
// order, checks each against its recording and answers as MLflow did.
type replayer struct {
	t     testing.TB
	srv   *httptest.Server
	exact bool

	mu     sync.Mutex
	xs     []exchange
	next   int
	bodies [][]byte
}

func newReplayer(t testing.TB, exact bool, xs ...exchange) *replayer {
	rp := &replayer{t: t, xs: xs, exact: exact}
	rp.srv = httptest.NewServer(http.HandlerFunc(rp.serve))
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *replayer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.bodies = append(rp.bodies, body)
	if rp.next >= len(rp.xs) {
		rp.t.Errorf("unexpected request %d: %s %s %s", rp.next+1, r.Method, r.URL, body)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	x := rp.xs[rp.next]
	rp.next++
	if err := x.check(r, body, rp.exact); err != nil {
		rp.t.Errorf("request %d (recorded seq %d, %s %s): %v", rp.next, x.Seq, x.Method, x.endpoint(), err)
	}
	x.answer(w)
}

// store returns a Store talking to the replayer, without retries so that a
// wrong request shows as one failure.
func (rp *replayer) store() *Store {
	s, err := New(rp.srv.URL, Options{MaxRetries: -1})
	if err != nil {
		rp.t.Fatal(err)
	}
	return s
}

func (rp *replayer) done() {
	rp.t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.next != len(rp.xs) {
		rp.t.Errorf("%d of %d recorded requests were sent", rp.next, len(rp.xs))
	}
}
