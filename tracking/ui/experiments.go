package ui

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// expRow is one experiment of the list beside every page.
type expRow struct {
	ID, Name string
	Runs     int   // active runs; -1 while not counted yet
	LastRun  int64 // newest run's start time, ms; 0 for none
	Tags     []store.Tag
}

// countTTL is how long a count of an experiment's runs is shown before it is
// counted again. Counting reads every run, so it is not done on every page.
const countTTL = 15 * time.Second

// probeMisses is how many missing ids in a row end the walk over experiment
// ids of a store that cannot list experiments.
const probeMisses = 20

// experimentCache lists experiments and counts their runs, counting again
// at most every countTTL and never twice at once.
type experimentCache struct {
	st store.Store

	mu     sync.Mutex
	counts map[string]count
	// countMu is held while counting, so that counts are not read twice at
	// once: a page that need not wait skips counting when it is held.
	countMu sync.Mutex
}

type count struct {
	runs    int
	lastRun int64
	at      time.Time
}

func newExperimentCache(st store.Store) *experimentCache {
	return &experimentCache{st: st, counts: map[string]count{}}
}

// experiments returns the active experiments, by name. A store that cannot
// search experiments (store.Manager) is walked id by id from 0, as MLflow
// numbers them.
func (c *experimentCache) experiments(ctx context.Context) ([]*store.Experiment, error) {
	var all []*store.Experiment
	if m, ok := c.st.(store.Manager); ok {
		q := store.ExperimentQuery{ViewType: store.ViewActiveOnly, MaxResults: 1000}
		for {
			page, next, err := m.SearchExperiments(ctx, q)
			if err != nil {
				return nil, err
			}
			all = append(all, page...)
			if next == "" || next == q.PageToken {
				break
			}
			q.PageToken = next
		}
	} else {
		for id, misses := 0, 0; misses < probeMisses; id++ {
			e, err := c.st.GetExperiment(ctx, strconv.Itoa(id))
			switch {
			case errors.Is(err, store.ErrNotFound):
				misses++
				continue
			case err != nil:
				return nil, err
			}
			misses = 0
			if e.LifecycleStage != store.LifecycleDeleted {
				all = append(all, e)
			}
		}
	}
	slices.SortFunc(all, func(a, b *store.Experiment) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return all, nil
}

// list returns the experiments with the counts known so far. With wait, it
// counts what is missing or stale before returning; without, it counts in
// the background, so a page never waits on a large experiment's count.
func (c *experimentCache) list(ctx context.Context) ([]expRow, error) { return c.rows(ctx, false) }

func (c *experimentCache) rows(ctx context.Context, wait bool) ([]expRow, error) {
	exps, err := c.experiments(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]expRow, len(exps))
	var stale []string
	c.mu.Lock()
	for i, e := range exps {
		rows[i] = expRow{ID: e.ID, Name: e.Name, Runs: -1, Tags: userTags(e.Tags)}
		n, ok := c.counts[e.ID]
		if ok {
			rows[i].Runs, rows[i].LastRun = n.runs, n.lastRun
		}
		if !ok || time.Since(n.at) > countTTL {
			stale = append(stale, e.ID)
		}
	}
	c.mu.Unlock()
	if len(stale) == 0 {
		return rows, nil
	}
	if !wait {
		if c.countMu.TryLock() {
			go func() {
				defer c.countMu.Unlock()
				c.count(context.WithoutCancel(ctx), stale)
			}()
		}
		return rows, nil
	}
	c.countMu.Lock()
	c.count(ctx, stale)
	c.countMu.Unlock()
	c.mu.Lock()
	for i := range rows {
		if n, ok := c.counts[rows[i].ID]; ok {
			rows[i].Runs, rows[i].LastRun = n.runs, n.lastRun
		}
	}
	c.mu.Unlock()
	return rows, nil
}

// count counts the active runs of each experiment of ids; the caller holds
// countMu.
func (c *experimentCache) count(ctx context.Context, ids []string) {
	for _, id := range ids {
		n, last, err := countRuns(ctx, c.st, id)
		if err != nil {
			continue
		}
		c.mu.Lock()
		c.counts[id] = count{runs: n, lastRun: last, at: time.Now()}
		c.mu.Unlock()
	}
}

// countRuns pages through an experiment's active runs.
func countRuns(ctx context.Context, st store.Store, id string) (n int, last int64, err error) {
	q := store.RunQuery{ExperimentIDs: []string{id}, MaxResults: store.ListPageSize}
	for {
		runs, next, err := st.SearchRuns(ctx, q)
		if err != nil {
			return 0, 0, err
		}
		n += len(runs)
		for _, r := range runs {
			last = max(last, r.Info.StartTime)
		}
		if next == "" || next == q.PageToken {
			return n, last, nil
		}
		q.PageToken = next
	}
}

// userTags drops the tags MLflow sets for itself (mlflow.*).
func userTags(tags map[string]string) []store.Tag {
	var out []store.Tag
	for k, v := range tags {
		if !strings.HasPrefix(k, "mlflow.") {
			out = append(out, store.Tag{Key: k, Value: v})
		}
	}
	slices.SortFunc(out, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// homePage is the experiments table.
type homePage struct {
	base
	Query string
	Rows  []expRow
}

// home lists the experiments with their runs, filtered by name.
func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	rows, err := h.exps.rows(r.Context(), true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := homePage{base: base{Title: "Experiments", Experiments: rows, CanManage: h.canManage()}, Query: r.URL.Query().Get("q")}
	q := strings.ToLower(p.Query)
	for _, e := range rows {
		if q == "" || strings.Contains(strings.ToLower(e.Name), q) {
			p.Rows = append(p.Rows, e)
		}
	}
	h.render(w, r, http.StatusOK, "home", p)
}
