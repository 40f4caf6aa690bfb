package tracking

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/store"
)

// memStore is the in-memory test store with what the client's tests need on
// top: it records the size of every LogBatch request, so tests can see how
// the client cut a batch, and injects the faults a real backend can meet.
// The SQLite and REST stores are tested in their own packages.
type memStore struct {
	*memstore.Store
	mu      sync.Mutex
	batches [][3]int // metrics, params, tags of each LogBatch
	// createRace makes the next CreateExperiment fail with ALREADY_EXISTS
	// after creating the experiment, as when another process won.
	createRace bool
	// failPut makes every artifact write fail, as on a full disk.
	failPut bool
}

func newMemStore() *memStore { return &memStore{Store: memstore.New()} }

func (m *memStore) CreateExperiment(ctx context.Context, name, loc string, tags []store.Tag) (string, error) {
	id, err := m.Store.CreateExperiment(ctx, name, loc, tags)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil && m.createRace {
		m.createRace = false
		return "", store.Errorf(store.CodeAlreadyExists, "experiment %q exists", name)
	}
	return id, err
}

func (m *memStore) LogBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	m.mu.Lock()
	m.batches = append(m.batches, [3]int{len(metrics), len(params), len(tags)})
	m.mu.Unlock()
	return m.Store.LogBatch(ctx, runID, metrics, params, tags)
}

func (m *memStore) Artifacts(ctx context.Context, uri string) (store.ArtifactRepo, error) {
	repo, err := m.Store.Artifacts(ctx, uri)
	if err != nil {
		return nil, err
	}
	return &failingRepo{ArtifactRepo: repo, m: m}, nil
}

// failingRepo fails writes while its store's failPut is set.
type failingRepo struct {
	store.ArtifactRepo
	m *memStore
}

func (r *failingRepo) Put(ctx context.Context, p string, rd io.Reader) error {
	r.m.mu.Lock()
	fail := r.m.failPut
	r.m.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return r.ArtifactRepo.Put(ctx, p, rd)
}

var _ store.Store = (*memStore)(nil)
