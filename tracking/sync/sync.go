package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	gosync "sync"

	"github.com/grove-ml/grove/tracking/store"
)

// Tags sync writes on the target, and the one a spooled run carries.
const (
	// TagSourceRunID on a copy is the id of the run it was copied from.
	TagSourceRunID = "grove.sync.source_run_id"
	// TagState on a copy is StatePartial until every part of the run is on
	// the target, then StateComplete.
	TagState = "grove.sync.state"
	// TagSourceModelID on a copied logged model is the source model's id.
	TagSourceModelID = "grove.sync.source_model_id"
	// TagContinuesRunID on a source run names the run on the target that it
	// continues: sync completes that run instead of creating a new one.
	TagContinuesRunID = "grove.sync.continues_run_id"
)

// Values of TagState.
const (
	StatePartial  = "partial"
	StateComplete = "complete"
)

// Options says what to sync. The zero value copies every experiment the
// source can list.
type Options struct {
	// Experiment, when set, is the name of the one experiment to sync.
	Experiment string
	// DryRun reads the source and the target and writes nothing.
	DryRun bool
	// DeleteSource deletes each source run once its copy is complete on
	// the target; the source must implement store.Manager.
	DeleteSource bool
	// Progress, when set, gets one line per run copied (or, in a dry run,
	// per run that would be).
	Progress io.Writer
	// Workers is how many runs are copied at once; 0 means 8.
	Workers int
}

// Summary counts what a sync did (or, in a dry run, would do).
type Summary struct {
	Experiments int   // experiments created on the target
	Runs        int   // runs copied or completed
	Skipped     int   // runs whose copy was already complete
	Running     int   // runs not copied because they have not ended
	Deleted     int   // source runs deleted after their copy was complete
	Abandoned   int   // runs deleted on the source while they were copied
	Models      int   // logged models copied
	Points      int64 // metric points sent
	Bytes       int64 // artifact bytes sent
}

// String gives the summary in one line: "12 runs, 3400 points, 1.2 MiB;
// 12 models; 3 already there".
func (s Summary) String() string {
	out := fmt.Sprintf("%s, %s, %s", count(int64(s.Runs), "run"), count(s.Points, "point"), byteSize(s.Bytes))
	if s.Models > 0 {
		out += "; " + count(int64(s.Models), "model")
	}
	if s.Skipped > 0 {
		out += fmt.Sprintf("; %d already there", s.Skipped)
	}
	if s.Running > 0 {
		out += fmt.Sprintf("; %d still running, left for later", s.Running)
	}
	if s.Abandoned > 0 {
		out += fmt.Sprintf("; %d deleted on the source meanwhile", s.Abandoned)
	}
	if s.Deleted > 0 {
		out += fmt.Sprintf("; %d deleted from the source", s.Deleted)
	}
	return out
}

func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return count(n, "byte")
}

// Sync copies from src to dst what opts selects, as the package
// documentation describes. It returns what it did even when it fails part
// way; a rerun finishes the job.
func Sync(ctx context.Context, src, dst store.Store, opts Options) (Summary, error) {
	s := &syncer{src: src, dst: dst, opts: opts}
	if opts.DeleteSource && !opts.DryRun {
		m, ok := src.(store.Manager)
		if !ok {
			return Summary{}, errors.New("sync: -delete-source needs a source that can delete runs, such as a SQLite store or a tracking server")
		}
		s.srcMgr = m
	}
	s.dstMgr, _ = dst.(store.Manager)
	exps, err := s.experiments(ctx)
	if err != nil {
		return Summary{}, err
	}
	for _, e := range exps {
		if err := s.experiment(ctx, e); err != nil {
			return s.sum, err
		}
	}
	return s.sum, nil
}

type syncer struct {
	src, dst store.Store
	srcMgr   store.Manager // set when runs are to be deleted from the source
	dstMgr   store.Manager // nil when the target cannot delete runs
	opts     Options

	mu  gosync.Mutex // guards sum and Progress
	sum Summary
}

func (s *syncer) add(f func(*Summary)) {
	s.mu.Lock()
	f(&s.sum)
	s.mu.Unlock()
}

func (s *syncer) progress(format string, args ...any) {
	if s.opts.Progress == nil {
		return
	}
	s.mu.Lock()
	fmt.Fprintf(s.opts.Progress, format+"\n", args...)
	s.mu.Unlock()
}

// experiments returns the source experiments to sync.
func (s *syncer) experiments(ctx context.Context) ([]*store.Experiment, error) {
	if s.opts.Experiment != "" {
		e, err := s.src.GetExperimentByName(ctx, s.opts.Experiment)
		if err != nil {
			return nil, fmt.Errorf("sync: experiment %q on the source: %w", s.opts.Experiment, err)
		}
		return []*store.Experiment{e}, nil
	}
	m, ok := s.src.(store.Manager)
	if !ok {
		return nil, errors.New("sync: the source cannot list its experiments; name one with -experiment")
	}
	var all []*store.Experiment
	q := store.ExperimentQuery{ViewType: store.ViewActiveOnly}
	for {
		exps, next, err := m.SearchExperiments(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sync: list the source's experiments: %w", err)
		}
		all = append(all, exps...)
		if next == "" || next == q.PageToken {
			break
		}
		q.PageToken = next
	}
	// Oldest first, so that experiments are created on the target in the
	// order they were on the source.
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all, nil
}

// experiment syncs the runs of one source experiment.
func (s *syncer) experiment(ctx context.Context, e *store.Experiment) error {
	runs, err := store.AllRuns(ctx, s.src, store.RunQuery{ExperimentIDs: []string{e.ID}})
	if err != nil {
		return fmt.Errorf("sync: runs of experiment %q on the source: %w", e.Name, err)
	}
	// Oldest first: the target lists them in the source's order.
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	tgt, err := s.dst.GetExperimentByName(ctx, e.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		tgt = nil
	case err != nil:
		return fmt.Errorf("sync: experiment %q on the target: %w", e.Name, err)
	case tgt.LifecycleStage == store.LifecycleDeleted:
		return fmt.Errorf("sync: experiment %q (id %s) is deleted on the target; restore it or rename one of the two", e.Name, tgt.ID)
	}
	copies := map[string]*store.Run{}
	if tgt != nil {
		have, err := store.AllRuns(ctx, s.dst, store.RunQuery{ExperimentIDs: []string{tgt.ID}})
		if err != nil {
			return fmt.Errorf("sync: runs of experiment %q on the target: %w", e.Name, err)
		}
		for _, r := range have {
			if id, ok := r.Tag(TagSourceRunID); ok {
				copies[id] = r
			}
		}
	}
	var todo []*store.Run
	for _, r := range runs {
		c := copies[r.Info.RunID]
		if c != nil && complete(c) {
			s.add(func(m *Summary) { m.Skipped++ })
			if err := s.deleteSource(ctx, r); err != nil {
				return err
			}
			continue
		}
		if !r.Info.Status.Terminal() {
			s.add(func(m *Summary) { m.Running++ })
			continue
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		return nil
	}
	if s.opts.DryRun {
		for _, r := range todo {
			if err := s.dryRun(ctx, e, r); err != nil {
				return err
			}
		}
		return nil
	}
	if tgt == nil {
		if tgt, err = s.createExperiment(ctx, e); err != nil {
			return err
		}
	}
	return s.copyAll(ctx, tgt, todo, copies)
}

func complete(r *store.Run) bool {
	v, _ := r.Tag(TagState)
	return v == StateComplete
}

// createExperiment creates the experiment on the target with the source's
// tags; a sync racing to create it too is fine.
func (s *syncer) createExperiment(ctx context.Context, e *store.Experiment) (*store.Experiment, error) {
	var tags []store.Tag
	for _, k := range sortedKeys(e.Tags) {
		tags = append(tags, store.Tag{Key: k, Value: e.Tags[k]})
	}
	_, err := s.dst.CreateExperiment(ctx, e.Name, "", tags)
	if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return nil, fmt.Errorf("sync: create experiment %q on the target: %w", e.Name, err)
	}
	if err == nil {
		s.add(func(m *Summary) { m.Experiments++ })
	}
	tgt, err := s.dst.GetExperimentByName(ctx, e.Name)
	if err != nil {
		return nil, fmt.Errorf("sync: experiment %q on the target: %w", e.Name, err)
	}
	return tgt, nil
}

// copyAll copies runs with a few workers; the first error stops the others.
func (s *syncer) copyAll(ctx context.Context, tgt *store.Experiment, runs []*store.Run, copies map[string]*store.Run) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := s.opts.Workers
	if workers <= 0 {
		workers = 8
	}
	next := make(chan *store.Run)
	var wg gosync.WaitGroup
	var once gosync.Once
	var first error
	for range min(workers, len(runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				if err := s.copyRun(ctx, tgt, r, copies[r.Info.RunID]); err != nil {
					once.Do(func() { first = err; cancel(err) })
				}
			}
		}()
	}
feed:
	for _, r := range runs {
		select {
		case next <- r:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}

// deleteSource deletes a source run whose copy is complete, when asked to.
func (s *syncer) deleteSource(ctx context.Context, r *store.Run) error {
	if s.srcMgr == nil || r.Info.LifecycleStage == store.LifecycleDeleted {
		return nil
	}
	if err := s.srcMgr.DeleteRun(ctx, r.Info.RunID); err != nil {
		return fmt.Errorf("sync: delete source run %s: %w", r.Info.RunID, err)
	}
	s.add(func(m *Summary) { m.Deleted++ })
	return nil
}
