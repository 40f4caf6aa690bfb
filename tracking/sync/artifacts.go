package sync

import (
	"context"
	"fmt"
	"io"

	"github.com/grove-ml/grove/tracking/store"
)

// copyRunArtifacts copies the run's artifacts into the copy's.
func (s *syncer) copyRunArtifacts(ctx context.Context, c *runCopy) error {
	n, err := s.copyTree(ctx, c.src.Info.ArtifactURI, c.dst.Info.ArtifactURI, !c.fresh)
	c.bytes += n
	if err != nil {
		return fmt.Errorf("sync: artifacts of run %s: %w", c.src.Info.RunID, err)
	}
	return nil
}

// copyTree streams every file under the artifact URI from to the artifact
// URI to and returns the bytes sent. When resume is set, a file the target
// already holds with the same size is not sent again: a store never shows
// a file under its name before it is whole.
func (s *syncer) copyTree(ctx context.Context, from, to string, resume bool) (int64, error) {
	if from == "" {
		return 0, nil
	}
	sr, err := s.src.Artifacts(ctx, from)
	if err != nil {
		return 0, err
	}
	files, err := store.AllFiles(ctx, sr, "")
	if err != nil || len(files) == 0 {
		return 0, err
	}
	dr, err := s.dst.Artifacts(ctx, to)
	if err != nil {
		return 0, err
	}
	have := map[string]int64{}
	if resume {
		there, err := store.AllFiles(ctx, dr, "")
		if err != nil {
			return 0, err
		}
		for _, f := range there {
			have[f.Path] = f.Size
		}
	}
	var sent int64
	for _, f := range files {
		if size, ok := have[f.Path]; ok && size == f.Size {
			continue
		}
		n, err := copyFile(ctx, sr, dr, f.Path)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func copyFile(ctx context.Context, sr, dr store.ArtifactRepo, p string) (int64, error) {
	rc, err := sr.Open(ctx, p)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	if err := dr.Put(ctx, p, cr); err != nil {
		return cr.n, fmt.Errorf("write %s: %w", p, err)
	}
	return cr.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
