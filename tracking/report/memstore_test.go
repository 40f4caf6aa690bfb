package report_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/grove-ml/grove/tracking/store"
)

// memStore is a small but real store.Store kept in maps, so the report is
// tested through the same interface the SQLite and REST stores meet: it
// pages SearchRuns, keeps whole metric histories and derives each run's
// latest metric values from them as MLflow does.
type memStore struct {
	mu       sync.Mutex
	pageSize int // SearchRuns page size; small in tests to exercise paging
	nextID   int
	exps     map[string]*store.Experiment
	runs     map[string]*store.Run
	history  map[string]map[string][]store.Metric // run id -> key -> points
	files    map[string][]byte                    // artifact URI + "/" + path -> contents
}

var _ store.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{
		pageSize: 3,
		exps:     map[string]*store.Experiment{},
		runs:     map[string]*store.Run{},
		history:  map[string]map[string][]store.Metric{},
		files:    map[string][]byte{},
	}
}

func (s *memStore) CreateExperiment(_ context.Context, name, loc string, tags []store.Tag) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			return "", store.Errorf(store.CodeAlreadyExists, "experiment %q already exists", name)
		}
	}
	id := strconv.Itoa(len(s.exps) + 1)
	if loc == "" {
		loc = "mem://artifacts/" + id
	}
	e := &store.Experiment{ID: id, Name: name, ArtifactLocation: loc, LifecycleStage: store.LifecycleActive, Tags: map[string]string{}}
	for _, t := range tags {
		e.Tags[t.Key] = t.Value
	}
	s.exps[id] = e
	return id, nil
}

func (s *memStore) GetExperiment(_ context.Context, id string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exps[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no experiment with id %s", id)
	}
	c := *e
	return &c, nil
}

func (s *memStore) GetExperimentByName(_ context.Context, name string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			c := *e
			return &c, nil
		}
	}
	return nil, store.Errorf(store.CodeNotFound, "no experiment named %q", name)
}

func (s *memStore) SetExperimentTag(_ context.Context, id, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exps[id]
	if !ok {
		return store.Errorf(store.CodeNotFound, "no experiment with id %s", id)
	}
	e.Tags[key] = value
	return nil
}

func (s *memStore) CreateRun(_ context.Context, req store.CreateRunRequest) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exps[req.ExperimentID]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no experiment with id %s", req.ExperimentID)
	}
	s.nextID++
	name := cmp.Or(req.RunName, "run-"+strconv.Itoa(s.nextID))
	// Ids follow from what the run is, not from the order runs are created
	// in, so tests can record the same runs in another order.
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", e.ID, name, req.StartTime)))
	id := hex.EncodeToString(sum[:16])
	for s.runs[id] != nil {
		sum = sha256.Sum256(sum[:])
		id = hex.EncodeToString(sum[:16])
	}
	r := &store.Run{Info: store.RunInfo{
		RunID: id, RunName: name, ExperimentID: e.ID, UserID: req.UserID, Status: store.StatusRunning,
		StartTime: req.StartTime, ArtifactURI: e.ArtifactLocation + "/" + id + "/artifacts", LifecycleStage: store.LifecycleActive,
	}}
	r.Data.Tags = append(slices.Clone(req.Tags), store.Tag{Key: "mlflow.runName", Value: name})
	s.runs[id] = r
	s.history[id] = map[string][]store.Metric{}
	return s.copyRun(r), nil
}

func (s *memStore) copyRun(r *store.Run) *store.Run {
	c := *r
	c.Data.Params = slices.Clone(r.Data.Params)
	c.Data.Tags = slices.Clone(r.Data.Tags)
	c.Data.Metrics = nil
	keys := make([]string, 0, len(s.history[r.Info.RunID]))
	for k := range s.history[r.Info.RunID] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		pts := s.history[r.Info.RunID][k]
		latest := slices.MaxFunc(pts, func(a, b store.Metric) int {
			return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.Value, b.Value))
		})
		c.Data.Metrics = append(c.Data.Metrics, latest)
	}
	return &c
}

func (s *memStore) UpdateRun(_ context.Context, id string, status store.RunStatus, end int64, name string) (*store.RunInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no run with id %s", id)
	}
	if !status.Valid() {
		return nil, store.Errorf(store.CodeInvalidParameter, "bad status %q", status)
	}
	r.Info.Status = status
	if end != 0 {
		r.Info.EndTime = end
	}
	if name != "" {
		r.Info.RunName = name
	}
	info := r.Info
	return &info, nil
}

func (s *memStore) GetRun(_ context.Context, id string) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no run with id %s", id)
	}
	return s.copyRun(r), nil
}

func (s *memStore) SearchRuns(_ context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*store.Run
	for _, r := range s.runs {
		if slices.Contains(q.ExperimentIDs, r.Info.ExperimentID) && r.Info.LifecycleStage == store.LifecycleActive {
			all = append(all, r)
		}
	}
	slices.SortFunc(all, func(a, b *store.Run) int {
		return cmp.Or(cmp.Compare(b.Info.StartTime, a.Info.StartTime), strings.Compare(a.Info.RunID, b.Info.RunID))
	})
	start := 0
	if q.PageToken != "" {
		n, err := strconv.Atoi(q.PageToken)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", store.Errorf(store.CodeInvalidParameter, "bad page token %q", q.PageToken)
		}
		start = n
	}
	size := cmp.Or(q.MaxResults, s.pageSize)
	end := min(start+size, len(all))
	out := make([]*store.Run, 0, end-start)
	for _, r := range all[start:end] {
		out = append(out, s.copyRun(r))
	}
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return out, next, nil
}

func (s *memStore) LogBatch(_ context.Context, id string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return store.Errorf(store.CodeNotFound, "no run with id %s", id)
	}
	if len(metrics) > store.MaxBatchMetrics || len(params) > store.MaxBatchParams || len(tags) > store.MaxBatchTags ||
		len(metrics)+len(params)+len(tags) > store.MaxBatchItems {
		return store.Errorf(store.CodeInvalidParameter, "batch too large")
	}
	for _, p := range params {
		if v, ok := r.Param(p.Key); ok && v != p.Value {
			return store.Errorf(store.CodeInvalidParameter, "param %q already logged as %q", p.Key, v)
		} else if !ok {
			r.Data.Params = append(r.Data.Params, p)
		}
	}
	r.Data.Tags = append(r.Data.Tags, tags...)
	for _, m := range metrics {
		s.history[id][m.Key] = append(s.history[id][m.Key], m)
	}
	return nil
}

func (s *memStore) GetMetricHistory(_ context.Context, id, key string) ([]store.Metric, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.history[id]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no run with id %s", id)
	}
	pts := slices.Clone(h[key])
	slices.SortStableFunc(pts, func(a, b store.Metric) int { return cmp.Compare(a.Step, b.Step) })
	return pts, nil
}

func (s *memStore) LogInputs(context.Context, string, []store.DatasetInput, []store.ModelIO) error {
	return nil
}

func (s *memStore) LogOutputs(context.Context, string, []store.ModelIO) error { return nil }

func (s *memStore) CreateLoggedModel(context.Context, store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	return nil, store.Errorf(store.CodeInvalidParameter, "logged models are not kept in memory")
}

func (s *memStore) FinalizeLoggedModel(context.Context, string, store.ModelStatus) (*store.LoggedModel, error) {
	return nil, store.Errorf(store.CodeNotFound, "no logged models in memory")
}

func (s *memStore) GetLoggedModel(context.Context, string) (*store.LoggedModel, error) {
	return nil, store.Errorf(store.CodeNotFound, "no logged models in memory")
}

func (s *memStore) Artifacts(_ context.Context, uri string) (store.ArtifactRepo, error) {
	return &memRepo{s: s, root: uri}, nil
}

func (s *memStore) Close() error { return nil }

// memRepo is an artifact root inside memStore.
type memRepo struct {
	s    *memStore
	root string
}

func (r *memRepo) key(p string) (string, error) {
	clean := path.Clean("/" + p)[1:]
	if clean == "" || clean != p {
		return "", store.Errorf(store.CodeInvalidParameter, "bad artifact path %q", p)
	}
	return r.root + "/" + clean, nil
}

func (r *memRepo) Put(_ context.Context, p string, src io.Reader) error {
	k, err := r.key(p)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.files[k] = b
	return nil
}

func (r *memRepo) List(_ context.Context, dir string) ([]store.FileInfo, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	prefix := r.root + "/"
	if dir != "" {
		prefix += strings.Trim(dir, "/") + "/"
	}
	seen := map[string]store.FileInfo{}
	for k, b := range r.s.files {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		rel := strings.TrimPrefix(k, r.root+"/")
		if first, _, isDir := strings.Cut(rest, "/"); isDir {
			d := strings.TrimSuffix(prefix+first, "/")
			rel = strings.TrimPrefix(d, r.root+"/")
			seen[rel] = store.FileInfo{Path: rel, IsDir: true}
		} else {
			seen[rel] = store.FileInfo{Path: rel, Size: int64(len(b))}
		}
	}
	out := make([]store.FileInfo, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b store.FileInfo) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func (r *memRepo) Open(_ context.Context, p string) (io.ReadCloser, error) {
	k, err := r.key(p)
	if err != nil {
		return nil, err
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	b, ok := r.s.files[k]
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "no artifact %q", p)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}
