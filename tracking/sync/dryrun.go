package sync

import (
	"context"
	"fmt"

	"github.com/grove-ml/grove/tracking/store"
)

// dryRun counts what copying run r of experiment e would send, reading the
// source only.
func (s *syncer) dryRun(ctx context.Context, e *store.Experiment, r *store.Run) error {
	var points, bytes int64
	for _, m := range r.Data.Metrics {
		h, err := s.src.GetMetricHistory(ctx, r.Info.RunID, m.Key)
		if err != nil {
			return fmt.Errorf("sync: history of metric %q of run %s: %w", m.Key, r.Info.RunID, err)
		}
		points += int64(len(h))
	}
	uris := []string{r.Info.ArtifactURI}
	for _, o := range r.Outputs.Models {
		m, err := s.src.GetLoggedModel(ctx, o.ModelID)
		if err != nil {
			return fmt.Errorf("sync: logged model %s of run %s: %w", o.ModelID, r.Info.RunID, err)
		}
		uris = append(uris, m.ArtifactLocation)
	}
	for _, u := range uris {
		repo, err := s.src.Artifacts(ctx, u)
		if err != nil {
			return fmt.Errorf("sync: artifacts of run %s: %w", r.Info.RunID, err)
		}
		files, err := store.AllFiles(ctx, repo, "")
		if err != nil {
			return fmt.Errorf("sync: artifacts of run %s: %w", r.Info.RunID, err)
		}
		for _, f := range files {
			bytes += f.Size
		}
	}
	s.add(func(m *Summary) { m.Runs++; m.Points += points; m.Bytes += bytes; m.Models += len(r.Outputs.Models) })
	s.progress("would copy run %s (%s) of experiment %q: %d points, %s", r.Info.RunID, r.Info.RunName, e.Name, points, byteSize(bytes))
	return nil
}
