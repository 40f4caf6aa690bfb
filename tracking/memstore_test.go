package tracking

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/grove-ml/grove/tracking/store"
)

// memStore is a small in-memory store.Store that keeps MLflow's rules the
// client relies on (immutable params, batch limits, statuses) and records
// the size of every LogBatch request, so tests can see how the client cut
// a batch. The SQLite and REST stores are tested in their own packages.
type memStore struct {
	mu       sync.Mutex
	exps     map[string]*store.Experiment
	runs     map[string]*store.Run
	history  map[string][]store.Metric // run id + "\x00" + key
	models   map[string]*store.LoggedModel
	files    map[string][]byte // artifact URI + "/" + path
	batches  [][3]int          // metrics, params, tags of each LogBatch
	pageSize int
	// createRace makes the next CreateExperiment fail with ALREADY_EXISTS
	// after creating the experiment, as when another process won.
	createRace bool
	failPut    bool
}

func newMemStore() *memStore {
	return &memStore{
		exps:    map[string]*store.Experiment{"0": {ID: "0", Name: "Default", ArtifactLocation: "mem://0", LifecycleStage: store.LifecycleActive}},
		runs:    map[string]*store.Run{},
		history: map[string][]store.Metric{},
		models:  map[string]*store.LoggedModel{},
		files:   map[string][]byte{},
	}
}

func hex32() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (m *memStore) CreateExperiment(_ context.Context, name, loc string, tags []store.Tag) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.exps {
		if e.Name == name {
			return "", store.Errorf(store.CodeAlreadyExists, "experiment %q exists", name)
		}
	}
	id := strconv.Itoa(len(m.exps))
	if loc == "" {
		loc = "mem://" + id
	}
	m.exps[id] = &store.Experiment{ID: id, Name: name, ArtifactLocation: loc, LifecycleStage: store.LifecycleActive}
	if m.createRace {
		m.createRace = false
		return "", store.Errorf(store.CodeAlreadyExists, "experiment %q exists", name)
	}
	return id, nil
}

func (m *memStore) GetExperiment(_ context.Context, id string) (*store.Experiment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.exps[id]; ok {
		c := *e
		return &c, nil
	}
	return nil, store.Errorf(store.CodeNotFound, "experiment %s", id)
}

func (m *memStore) GetExperimentByName(_ context.Context, name string) (*store.Experiment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.exps {
		if e.Name == name {
			c := *e
			return &c, nil
		}
	}
	return nil, store.Errorf(store.CodeNotFound, "experiment %q", name)
}

func (m *memStore) SetExperimentTag(context.Context, string, string, string) error { return nil }

func (m *memStore) CreateRun(_ context.Context, req store.CreateRunRequest) (*store.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.exps[req.ExperimentID]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "experiment %s", req.ExperimentID)
	}
	id := hex32()
	r := &store.Run{Info: store.RunInfo{
		RunID: id, RunName: req.RunName, ExperimentID: req.ExperimentID, UserID: req.UserID,
		Status: store.StatusRunning, StartTime: req.StartTime,
		ArtifactURI: e.ArtifactLocation + "/" + id + "/artifacts", LifecycleStage: store.LifecycleActive,
	}}
	r.Data.Tags = append(r.Data.Tags, req.Tags...)
	m.runs[id] = r
	c := *r
	return &c, nil
}

func (m *memStore) UpdateRun(_ context.Context, runID string, status store.RunStatus, end int64, name string) (*store.RunInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "run %s", runID)
	}
	r.Info.Status, r.Info.EndTime = status, end
	if name != "" {
		r.Info.RunName = name
	}
	info := r.Info
	return &info, nil
}

func (m *memStore) GetRun(_ context.Context, runID string) (*store.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "run %s", runID)
	}
	c := *r
	c.Data.Metrics = append([]store.Metric(nil), r.Data.Metrics...)
	return &c, nil
}

func (m *memStore) SearchRuns(_ context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []*store.Run
	for _, r := range m.runs {
		for _, id := range q.ExperimentIDs {
			if r.Info.ExperimentID == id {
				all = append(all, r)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Info.RunID < all[j].Info.RunID })
	start, _ := strconv.Atoi(q.PageToken)
	size := m.pageSize
	if size == 0 {
		size = 1000
	}
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

func (m *memStore) LogBatch(_ context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(metrics) > store.MaxBatchMetrics || len(params) > store.MaxBatchParams || len(tags) > store.MaxBatchTags ||
		len(metrics)+len(params)+len(tags) > store.MaxBatchItems {
		return store.Errorf(store.CodeInvalidParameter, "batch too large: %d metrics, %d params, %d tags", len(metrics), len(params), len(tags))
	}
	r, ok := m.runs[runID]
	if !ok {
		return store.Errorf(store.CodeNotFound, "run %s", runID)
	}
	m.batches = append(m.batches, [3]int{len(metrics), len(params), len(tags)})
	for _, p := range params {
		if v, ok := r.Param(p.Key); ok {
			if v != p.Value {
				return store.Errorf(store.CodeInvalidParameter, "param %q changed", p.Key)
			}
			continue
		}
		r.Data.Params = append(r.Data.Params, p)
	}
	for _, t := range tags {
		replaced := false
		for i := range r.Data.Tags {
			if r.Data.Tags[i].Key == t.Key {
				r.Data.Tags[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			r.Data.Tags = append(r.Data.Tags, t)
		}
	}
	for _, mt := range metrics {
		k := runID + "\x00" + mt.Key
		m.history[k] = append(m.history[k], mt)
		replaced := false
		for i := range r.Data.Metrics {
			if r.Data.Metrics[i].Key == mt.Key {
				r.Data.Metrics[i], replaced = mt, true
			}
		}
		if !replaced {
			r.Data.Metrics = append(r.Data.Metrics, mt)
		}
	}
	return nil
}

func (m *memStore) GetMetricHistory(_ context.Context, runID, key string) ([]store.Metric, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := append([]store.Metric(nil), m.history[runID+"\x00"+key]...)
	sort.SliceStable(h, func(i, j int) bool { return h[i].Step < h[j].Step })
	return h, nil
}

func (m *memStore) LogInputs(_ context.Context, runID string, ds []store.DatasetInput, models []store.ModelIO) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	if !ok {
		return store.Errorf(store.CodeNotFound, "run %s", runID)
	}
	r.Inputs.Datasets = append(r.Inputs.Datasets, ds...)
	r.Inputs.Models = append(r.Inputs.Models, models...)
	return nil
}

func (m *memStore) LogOutputs(_ context.Context, runID string, models []store.ModelIO) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	if !ok {
		return store.Errorf(store.CodeNotFound, "run %s", runID)
	}
	r.Outputs.Models = append(r.Outputs.Models, models...)
	return nil
}

func (m *memStore) CreateLoggedModel(_ context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.exps[req.ExperimentID]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "experiment %s", req.ExperimentID)
	}
	id := "m-" + hex32()
	lm := &store.LoggedModel{
		ModelID: id, ExperimentID: req.ExperimentID, Name: req.Name,
		ArtifactLocation: e.ArtifactLocation + "/models/" + id + "/artifacts",
		Status:           store.ModelPending, ModelType: req.ModelType, SourceRunID: req.SourceRunID,
		Params: req.Params, Tags: req.Tags,
	}
	m.models[id] = lm
	c := *lm
	return &c, nil
}

func (m *memStore) FinalizeLoggedModel(_ context.Context, id string, status store.ModelStatus) (*store.LoggedModel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lm, ok := m.models[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "model %s", id)
	}
	lm.Status = status
	c := *lm
	return &c, nil
}

func (m *memStore) GetLoggedModel(_ context.Context, id string) (*store.LoggedModel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lm, ok := m.models[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "model %s", id)
	}
	c := *lm
	return &c, nil
}

func (m *memStore) Artifacts(_ context.Context, uri string) (store.ArtifactRepo, error) {
	return &memRepo{m: m, root: uri}, nil
}

func (m *memStore) Close() error { return nil }

type memRepo struct {
	m    *memStore
	root string
}

func (r *memRepo) Put(_ context.Context, p string, rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	if r.m.failPut {
		return fmt.Errorf("disk full")
	}
	r.m.files[r.root+"/"+p] = b
	return nil
}

func (r *memRepo) List(_ context.Context, dir string) ([]store.FileInfo, error) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	prefix := r.root + "/"
	if dir != "" {
		prefix += dir + "/"
	}
	seen := map[string]store.FileInfo{}
	for k, v := range r.m.files {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if first, _, isDir := strings.Cut(rest, "/"); isDir {
			p := strings.TrimPrefix(prefix+first, r.root+"/")
			seen[p] = store.FileInfo{Path: p, IsDir: true}
		} else {
			p := strings.TrimPrefix(k, r.root+"/")
			seen[p] = store.FileInfo{Path: p, Size: int64(len(v))}
		}
	}
	out := make([]store.FileInfo, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (r *memRepo) Open(_ context.Context, p string) (io.ReadCloser, error) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	b, ok := r.m.files[r.root+"/"+p]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "artifact %s", p)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

var _ store.Store = (*memStore)(nil)
