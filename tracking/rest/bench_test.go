package rest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// benchServer answers every endpoint with its recorded answer, as cheaply
// as a server can, so that the benchmarks measure the client.
func benchServer(b *testing.B) *httptest.Server {
	answers := map[string][]byte{}
	for ep, fixture := range map[string]string{epRunCreate: "runs-create", epRunUpdate: "runs-update"} {
		answers[ep] = loadExchange(b, fixture).Response
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if a, ok := answers[r.URL.Path]; ok {
			w.Write(a)
			return
		}
		w.Write([]byte("{}"))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkRun logs what the issue sizes a training run at: 100 params,
// 10 metrics x 1,000 steps (one log-batch per step, as a training loop
// logs) and 5 artifacts of 64 KiB, then ends the run.
func BenchmarkRun(b *testing.B) {
	srv := benchServer(b)
	s, err := New(srv.URL, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	params := make([]store.Param, 100)
	for i := range params {
		params[i] = store.Param{Key: "param_" + strconv.Itoa(i), Value: strconv.Itoa(i * 7)}
	}
	step := make([]store.Metric, 10)
	blob := bytes.Repeat([]byte("grove "), 64<<10/6)
	b.ReportAllocs()
	for b.Loop() {
		run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "1", StartTime: 1767225600000})
		if err != nil {
			b.Fatal(err)
		}
		id := run.Info.RunID
		if err := s.LogBatch(ctx, id, nil, params, nil); err != nil {
			b.Fatal(err)
		}
		for i := range 1000 {
			for k := range step {
				step[k] = store.Metric{Key: "metric_" + strconv.Itoa(k), Value: float64(i) / 1000, Timestamp: 1767225600000 + int64(i), Step: int64(i)}
			}
			if err := s.LogBatch(ctx, id, step, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/"+id+"/artifacts")
		if err != nil {
			b.Fatal(err)
		}
		for k := range 5 {
			if err := repo.Put(ctx, "file"+strconv.Itoa(k)+".txt", bytes.NewReader(blob)); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.UpdateRun(ctx, id, store.StatusFinished, 1767225609000, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogBatchFull sends one log-batch at MLflow's limit of 1,000
// metric points.
func BenchmarkLogBatchFull(b *testing.B) {
	srv := benchServer(b)
	s, err := New(srv.URL, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ms := make([]store.Metric, store.MaxBatchMetrics)
	for i := range ms {
		ms[i] = store.Metric{Key: "loss_" + strings.Repeat("x", i%8), Value: 1 / float64(i+1), Timestamp: 1767225600000 + int64(i), Step: int64(i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.LogBatch(context.Background(), goldenRun, ms, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
