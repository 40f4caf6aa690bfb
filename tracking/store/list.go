package store

import (
	"context"
	"fmt"
)

// ListPageSize is the page size AllRuns asks for: that of
// mlflow.search_runs, so that listing an experiment of thousands of runs
// takes one or a few requests (MLflow's server allows up to 50,000 a page),
// and the SQLite store can read the page's params, tags and metrics tables
// whole rather than seek every run's rows.
const ListPageSize = 10000

// AllRuns returns every run q selects, reading page after page of
// ListPageSize runs unless q.MaxResults says otherwise. A run that a store
// repeats on a later page is kept once; a store that hands back the page
// token it was given is an error, not an endless loop.
func AllRuns(ctx context.Context, s Store, q RunQuery) ([]*Run, error) {
	if q.MaxResults == 0 {
		q.MaxResults = ListPageSize
	}
	var all []*Run
	seen := map[string]bool{}
	for {
		runs, next, err := s.SearchRuns(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if r != nil && !seen[r.Info.RunID] {
				seen[r.Info.RunID] = true
				all = append(all, r)
			}
		}
		if next == "" {
			return all, nil
		}
		if next == q.PageToken {
			return nil, fmt.Errorf("store: all runs: the store returned page token %q twice", next)
		}
		q.PageToken = next
	}
}

// AllFiles lists every file under dir of repo ("" for the root), depth
// first, in path order; folders are walked, not listed.
func AllFiles(ctx context.Context, repo ArtifactRepo, dir string) ([]FileInfo, error) {
	list, err := repo.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("store: list %q: %w", dir, err)
	}
	var out []FileInfo
	for _, f := range list {
		if f.IsDir && f.Path != dir {
			sub, err := AllFiles(ctx, repo, f.Path)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		if f.IsDir {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}
