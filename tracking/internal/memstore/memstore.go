package memstore

import (
	"fmt"
	"sync"

	"github.com/grove-ml/grove/tracking/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	// PageSize, when set, is the largest page SearchRuns returns, whatever
	// the query asks for, as a server caps its pages; tests set it small
	// to exercise paging. A query that asks for no size gets 1000.
	PageSize int

	mu      sync.Mutex
	exps    map[string]*store.Experiment
	runs    map[string]*store.Run
	history map[string]map[string][]store.Metric // run id -> key -> points
	models  map[string]*store.LoggedModel
	files   map[string][]byte // artifact URI + "/" + path -> contents
}

var _ store.Store = (*Store)(nil)

// New returns an empty store holding only the Default experiment "0", as a
// fresh MLflow database does.
func New() *Store {
	return &Store{
		exps: map[string]*store.Experiment{"0": {
			ID: "0", Name: "Default", ArtifactLocation: "mem://artifacts/0",
			LifecycleStage: store.LifecycleActive, Tags: map[string]string{},
		}},
		runs:    map[string]*store.Run{},
		history: map[string]map[string][]store.Metric{},
		models:  map[string]*store.LoggedModel{},
		files:   map[string][]byte{},
	}
}

// Close implements store.Store; there is nothing to release.
func (s *Store) Close() error { return nil }

// errorf returns MLflow's error with code, its message prefixed by the
// package as grove's errors are.
func errorf(code, format string, args ...any) error {
	return fmt.Errorf("memstore: %w", store.Errorf(code, format, args...))
}
