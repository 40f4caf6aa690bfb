package stalltest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestServer: a request reaches the server, which announces the
// connection and never answers, so the request ends at its deadline.
func TestServer(t *testing.T) {
	url, accepted := Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/2.0/mlflow/experiments/search", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the server answered %s", resp.Status)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the request's deadline", err)
	}
	select {
	case <-accepted:
	default:
		t.Error("the connection was not announced")
	}
}
