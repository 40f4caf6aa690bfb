package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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

// FuzzPageToken feeds SearchRuns page tokens from outside: they are errors
// or pages, never panics, and grove's own tokens read back unchanged.
func FuzzPageToken(f *testing.F) {
	st := int64(5)
	f.Add(pageToken{Offset: 1000}.encode())
	f.Add(pageToken{Offset: 2000, StartTime: &st, RunID: "0123456789abcdef0123456789abcdef"}.encode())
	f.Add("eyJvZmZzZXQiOiAxMDAwfQ==") // MLflow's own {"offset": 1000}
	f.Add("!!")
	f.Fuzz(func(t *testing.T, tok string) {
		pt, err := decodePageToken(tok)
		if err != nil {
			if !errors.Is(err, store.ErrInvalidParameter) {
				t.Fatalf("error %v is not INVALID_PARAMETER_VALUE", err)
			}
			return
		}
		again, err := decodePageToken(pt.encode())
		if err != nil || again.Offset != pt.Offset || again.RunID != pt.RunID || (again.StartTime == nil) != (pt.StartTime == nil) {
			t.Fatalf("token %q: %+v re-encoded reads %+v, %v", tok, pt, again, err)
		}
	})
}
