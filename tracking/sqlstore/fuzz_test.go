package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

// FuzzOpenFile gives Open files it did not make: it must never panic, and a
// file it refuses must be left byte for byte as it was.
func FuzzOpenFile(f *testing.F) {
	f.Add([]byte("just text\n"))
	f.Add([]byte("SQLite format 3\x00"))
	f.Add(append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0}, 200)...))
	if b, err := os.ReadFile("testdata/golden.db"); err == nil {
		f.Add(b[:4096])
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "mlflow.db")
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(context.Background(), p, Options{})
		if err == nil {
			// Only an empty file (or an empty SQLite database) becomes a
			// store; it must then work.
			defer s.Close()
			if _, err := s.GetExperiment(context.Background(), "0"); err != nil {
				t.Fatalf("opened store has no Default experiment: %v", err)
			}
			return
		}
		after, rerr := os.ReadFile(p)
		if rerr != nil || !bytes.Equal(after, content) {
			t.Fatalf("refused file was modified (open error: %v)", err)
		}
	})
}

// FuzzPageToken feeds SearchRuns page tokens from outside: they are
// MLflow's INVALID_PARAMETER_VALUE errors or pages, never panics, and a
// page that a token starts is the rest of the listing from its offset.
func FuzzPageToken(f *testing.F) {
	f.Add(search.EncodePageToken(3))
	f.Add("eyJvZmZzZXQiOiAxMDAwfQ==")                                     // MLflow's own {"offset": 1000}
	f.Add("eyJvZmZzZXQiOiAyLCAic3RhcnRfdGltZSI6IDUsICJydW5faWQiOiAiYSJ9") // with fields MLflow ignores
	f.Add("!!")
	ctx := context.Background()
	s := newStore(f)
	exp, _ := s.CreateExperiment(ctx, "tokens", "", nil)
	for i := range 6 {
		if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(i % 4)}); err != nil {
			f.Fatal(err)
		}
	}
	all, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}})
	if err != nil || len(all) != 6 {
		f.Fatalf("%d runs, %v", len(all), err)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		runs, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, PageToken: tok})
		offset, perr := search.DecodePageToken(tok)
		if err != nil || perr != nil {
			var se *store.Error
			if !errors.As(err, &se) || perr == nil || se.Error() != perr.Error() {
				t.Fatalf("token %q: SearchRuns says %v, DecodePageToken %v", tok, err, perr)
			}
			return
		}
		if want := all[min(offset, len(all)):]; len(runs) != len(want) || (len(runs) > 0 && runs[0].Info.RunID != want[0].Info.RunID) {
			t.Fatalf("token %q (offset %d): %d runs, want %d", tok, offset, len(runs), len(want))
		}
	})
}
