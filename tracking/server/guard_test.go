package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestGuard(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users, err := ParseHtpasswd(strings.NewReader("# team\nalice:"+string(hash)+"\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	open := Protect(ok, Guard{AllowedHosts: []string{"mlflow.example.com", "*.corp.example"}, CORSOrigins: []string{"https://ui.example.com"}})
	locked := Protect(ok, Guard{Users: users})
	for _, tt := range []struct {
		name    string
		h       http.Handler
		host    string
		header  map[string]string
		method  string
		status  int
		corsFor string
	}{
		{"loopback name", open, "localhost:5000", nil, "GET", 200, ""},
		{"loopback v4", open, "127.0.0.1:5000", nil, "GET", 200, ""},
		{"loopback v6", open, "[::1]:5000", nil, "GET", 200, ""},
		{"rebinding", open, "evil.example.net:5000", nil, "GET", 403, ""},
		{"listed host", open, "mlflow.example.com", nil, "GET", 200, ""},
		{"listed suffix", open, "a.corp.example:5000", nil, "GET", 200, ""},
		{"suffix is not a substring", open, "xcorp.example", nil, "GET", 403, ""},
		{"private address", open, "192.168.1.20:5000", nil, "GET", 200, ""},
		{"public address", open, "8.8.8.8:5000", nil, "GET", 403, ""},
		{"cross-origin write", open, "localhost", map[string]string{"Origin": "https://evil.example.net"}, "POST", 403, ""},
		{"own page writes", open, "mlflow.example.com", map[string]string{"Origin": "https://mlflow.example.com"}, "POST", 200, ""},
		{"local page writes", open, "localhost", map[string]string{"Origin": "http://localhost:3000"}, "POST", 200, ""},
		{"listed origin writes", open, "localhost", map[string]string{"Origin": "https://ui.example.com"}, "POST", 200, "https://ui.example.com"},
		{"unlisted origin gets no CORS", open, "localhost", map[string]string{"Origin": "https://evil.example.net"}, "GET", 200, ""},
		{"listed origin", open, "localhost", map[string]string{"Origin": "https://ui.example.com"}, "GET", 200, "https://ui.example.com"},
		{"preflight", open, "localhost", map[string]string{"Origin": "https://ui.example.com", "Access-Control-Request-Method": "POST"}, "OPTIONS", 204, "https://ui.example.com"},
		{"no credentials", locked, "localhost", nil, "GET", 401, ""},
		{"wrong password", locked, "localhost", map[string]string{"Authorization": basic("alice", "nope")}, "GET", 401, ""},
		{"unknown user", locked, "localhost", map[string]string{"Authorization": basic("bob", "s3cret")}, "GET", 401, ""},
		{"right password", locked, "localhost", map[string]string{"Authorization": basic("alice", "s3cret")}, "GET", 200, ""},
		{"right password again, remembered", locked, "localhost", map[string]string{"Authorization": basic("alice", "s3cret")}, "GET", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/health", nil)
			r.Host = tt.host
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.status, w.Body.String())
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.corsFor {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.corsFor)
			}
		})
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func TestHtpasswdRefusesWeakHashes(t *testing.T) {
	for _, line := range []string{"alice:$apr1$abc$def", "alice:{SHA}abc=", "alice:plain", "nocolon", ""} {
		if _, err := ParseHtpasswd(strings.NewReader(line), "test"); err == nil {
			t.Errorf("%q accepted", line)
		}
	}
}
