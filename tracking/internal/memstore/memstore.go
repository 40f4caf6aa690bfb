package memstore

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

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

// runNameTag is the tag MLflow keeps a run's name in.
const runNameTag = store.TagRunName

// defaultPageSize is MLflow's SearchRuns page size when none is asked for.
const defaultPageSize = 1000

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

// CreateExperiment implements store.Store.
func (s *Store) CreateExperiment(_ context.Context, name, loc string, tags []store.Tag) (string, error) {
	if name == "" {
		return "", errorf(store.CodeInvalidParameter, "experiment name is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			return "", errorf(store.CodeAlreadyExists, "experiment %q already exists", name)
		}
	}
	id := strconv.Itoa(len(s.exps))
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

func copyExperiment(e *store.Experiment) *store.Experiment {
	c := *e
	c.Tags = make(map[string]string, len(e.Tags))
	for k, v := range e.Tags {
		c.Tags[k] = v
	}
	return &c
}

// GetExperiment implements store.Store.
func (s *Store) GetExperiment(_ context.Context, id string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return nil, err
	}
	return copyExperiment(e), nil
}

// GetExperimentByName implements store.Store.
func (s *Store) GetExperimentByName(_ context.Context, name string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			return copyExperiment(e), nil
		}
	}
	return nil, errorf(store.CodeNotFound, "no experiment named %q", name)
}

// SetExperimentTag implements store.Store.
func (s *Store) SetExperimentTag(_ context.Context, id, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return err
	}
	e.Tags[key] = value
	return nil
}

// CreateRun implements store.Store. The name is the request's, else the
// mlflow.runName tag's, else a generated one, and the tag is set to it.
func (s *Store) CreateRun(_ context.Context, req store.CreateRunRequest) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	name, tags, err := req.NameAndTags()
	if err != nil {
		return nil, err
	}
	// Ids follow from what the run is, not from the order runs are created
	// in, so tests can record the same runs in another order.
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d", e.ID, name, req.StartTime))
	id := hex.EncodeToString(sum[:16])
	for s.runs[id] != nil {
		sum = sha256.Sum256(sum[:])
		id = hex.EncodeToString(sum[:16])
	}
	r := &store.Run{Info: store.RunInfo{
		RunID: id, RunName: name, ExperimentID: e.ID, UserID: req.UserID, Status: store.StatusRunning,
		StartTime: req.StartTime, ArtifactURI: e.ArtifactLocation + "/" + id + "/artifacts", LifecycleStage: store.LifecycleActive,
	}}
	r.Data.Tags = tags
	s.runs[id] = r
	s.history[id] = map[string][]store.Metric{}
	return s.copyRun(r), nil
}

// copyRun returns a copy the caller may change, with each metric's latest
// point derived from the history, keys sorted.
func (s *Store) copyRun(r *store.Run) *store.Run {
	c := *r
	c.Data.Params = slices.Clone(r.Data.Params)
	c.Data.Tags = slices.Clone(r.Data.Tags)
	c.Inputs.Datasets = slices.Clone(r.Inputs.Datasets)
	c.Inputs.Models = slices.Clone(r.Inputs.Models)
	c.Outputs.Models = slices.Clone(r.Outputs.Models)
	c.Data.Metrics = nil
	h := s.history[r.Info.RunID]
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.Data.Metrics = append(c.Data.Metrics, slices.MaxFunc(h[k], store.ComparePoints))
	}
	return &c
}

// UpdateRun implements store.Store.
func (s *Store) UpdateRun(_ context.Context, id string, status store.RunStatus, end int64, name string) (*store.RunInfo, error) {
	if !status.Valid() {
		return nil, errorf(store.CodeInvalidParameter, "run status %q is not valid", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return nil, err
	}
	r.Info.Status = status
	if end != 0 {
		r.Info.EndTime = end
	}
	if name != "" {
		r.Info.RunName = name
		setTag(r, store.Tag{Key: runNameTag, Value: name})
	}
	info := r.Info
	return &info, nil
}

// GetRun implements store.Store.
func (s *Store) GetRun(_ context.Context, id string) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return nil, err
	}
	return s.copyRun(r), nil
}

// SearchRuns implements store.Store with MLflow's search: q's filter and
// order as package search evaluates them, its view type, and MLflow's
// offset page tokens.
func (s *Store) SearchRuns(_ context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	if len(q.ExperimentIDs) == 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "search runs needs at least one experiment id")
	}
	if q.MaxResults < 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "max results %d is negative", q.MaxResults)
	}
	query, err := search.ParseQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", err
	}
	start, err := search.DecodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*store.Run
	for _, r := range s.runs {
		if !slices.Contains(q.ExperimentIDs, r.Info.ExperimentID) || !q.ViewType.Sees(r.Info.LifecycleStage) {
			continue
		}
		if c := s.copyRun(r); query.Match(c) {
			all = append(all, c)
		}
	}
	query.Sort(all)
	size := cmp.Or(q.MaxResults, defaultPageSize)
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	start = min(start, len(all))
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = search.EncodePageToken(end)
	}
	return all[start:end], next, nil
}

// Restore puts runs into the store as they are, ids, lifecycle stages,
// times and latest metrics included, as a backup brings them back: tests
// load runs another store recorded (MLflow's own database) this way. Each
// run's experiment must exist and its id must be new.
func (s *Store) Restore(runs ...*store.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range runs {
		if _, err := s.experiment(r.Info.ExperimentID); err != nil {
			return err
		}
		if s.runs[r.Info.RunID] != nil {
			return store.Errorf(store.CodeAlreadyExists, "memstore: run %s already exists", r.Info.RunID)
		}
	}
	for _, r := range runs {
		c := *r
		c.Data.Params = slices.Clone(r.Data.Params)
		c.Data.Tags = slices.Clone(r.Data.Tags)
		c.Data.Metrics = nil
		c.Inputs.Datasets = slices.Clone(r.Inputs.Datasets)
		c.Inputs.Models = slices.Clone(r.Inputs.Models)
		c.Outputs.Models = slices.Clone(r.Outputs.Models)
		h := map[string][]store.Metric{}
		for _, m := range r.Data.Metrics {
			h[m.Key] = append(h[m.Key], m)
		}
		s.runs[r.Info.RunID] = &c
		s.history[r.Info.RunID] = h
	}
	return nil
}

func setTag(r *store.Run, t store.Tag) {
	for i := range r.Data.Tags {
		if r.Data.Tags[i].Key == t.Key {
			r.Data.Tags[i].Value = t.Value
			return
		}
	}
	r.Data.Tags = append(r.Data.Tags, t)
}

// LogBatch implements store.Store. A batch over MLflow's limits, or one that
// changes a param, records nothing.
func (s *Store) LogBatch(_ context.Context, id string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if len(metrics) > store.MaxBatchMetrics || len(params) > store.MaxBatchParams || len(tags) > store.MaxBatchTags ||
		len(metrics)+len(params)+len(tags) > store.MaxBatchItems {
		return errorf(store.CodeInvalidParameter, "batch too large: %d metrics, %d params, %d tags", len(metrics), len(params), len(tags))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	var fresh []store.Param
	for _, p := range params {
		v, ok := r.Param(p.Key)
		if !ok {
			for _, f := range fresh {
				if f.Key == p.Key {
					v, ok = f.Value, true
				}
			}
		}
		if ok && v != p.Value {
			return errorf(store.CodeInvalidParameter, "param %q already logged as %q, cannot change it to %q", p.Key, v, p.Value)
		}
		if !ok {
			fresh = append(fresh, p)
		}
	}
	r.Data.Params = append(r.Data.Params, fresh...)
	for _, t := range tags {
		setTag(r, t)
	}
	for _, m := range metrics {
		s.history[id][m.Key] = append(s.history[id][m.Key], m)
	}
	return nil
}

// GetMetricHistory implements store.Store.
func (s *Store) GetMetricHistory(_ context.Context, id, key string) ([]store.Metric, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.history[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no run with id %s", id)
	}
	pts := slices.Clone(h[key])
	slices.SortStableFunc(pts, store.ComparePoints)
	return pts, nil
}

// LogInputs implements store.Store.
func (s *Store) LogInputs(_ context.Context, id string, ds []store.DatasetInput, models []store.ModelIO) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	r.Inputs.Datasets = append(r.Inputs.Datasets, ds...)
	r.Inputs.Models = append(r.Inputs.Models, models...)
	return nil
}

// LogOutputs implements store.Store.
func (s *Store) LogOutputs(_ context.Context, id string, models []store.ModelIO) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	r.Outputs.Models = append(r.Outputs.Models, models...)
	return nil
}

// CreateLoggedModel implements store.Store.
func (s *Store) CreateLoggedModel(_ context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	name := cmp.Or(req.Name, store.GenerateRunName())
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d", e.ID, name, len(s.models)))
	id := "m-" + hex.EncodeToString(sum[:16])
	lm := &store.LoggedModel{
		ModelID: id, ExperimentID: e.ID, Name: name,
		ArtifactLocation: e.ArtifactLocation + "/models/" + id + "/artifacts",
		Status:           store.ModelPending, ModelType: req.ModelType, SourceRunID: req.SourceRunID,
		Params: slices.Clone(req.Params), Tags: slices.Clone(req.Tags),
	}
	s.models[id] = lm
	return copyModel(lm), nil
}

func copyModel(lm *store.LoggedModel) *store.LoggedModel {
	c := *lm
	c.Params = slices.Clone(lm.Params)
	c.Tags = slices.Clone(lm.Tags)
	return &c
}

// FinalizeLoggedModel implements store.Store.
func (s *Store) FinalizeLoggedModel(_ context.Context, id string, status store.ModelStatus) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no logged model with id %s", id)
	}
	lm.Status = status
	return copyModel(lm), nil
}

// GetLoggedModel implements store.Store.
func (s *Store) GetLoggedModel(_ context.Context, id string) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no logged model with id %s", id)
	}
	return copyModel(lm), nil
}

// Artifacts implements store.Store: the files under uri, kept in the store.
func (s *Store) Artifacts(_ context.Context, uri string) (store.ArtifactRepo, error) {
	return &Repo{s: s, root: strings.TrimSuffix(uri, "/")}, nil
}

// Close implements store.Store; there is nothing to release.
func (s *Store) Close() error { return nil }

// Repo is an artifact root inside a Store.
type Repo struct {
	s    *Store
	root string
}

func (r *Repo) key(p string) (string, error) {
	clean := path.Clean("/" + p)[1:]
	if clean == "" || clean != p {
		return "", errorf(store.CodeInvalidParameter, "bad artifact path %q", p)
	}
	return r.root + "/" + clean, nil
}

// Put implements store.ArtifactRepo.
func (r *Repo) Put(_ context.Context, p string, src io.Reader) error {
	k, err := r.key(p)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(src)
	if err != nil {
		return fmt.Errorf("memstore: put artifact %q: %w", p, err)
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.files[k] = b
	return nil
}

// List implements store.ArtifactRepo.
func (r *Repo) List(_ context.Context, dir string) ([]store.FileInfo, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	prefix := r.root + "/"
	if d := strings.Trim(dir, "/"); d != "" {
		prefix += d + "/"
	}
	seen := map[string]store.FileInfo{}
	for k, b := range r.s.files {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if first, _, isDir := strings.Cut(rest, "/"); isDir {
			rel := strings.TrimPrefix(prefix+first, r.root+"/")
			seen[rel] = store.FileInfo{Path: rel, IsDir: true}
		} else {
			rel := strings.TrimPrefix(k, r.root+"/")
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

// Open implements store.ArtifactRepo.
func (r *Repo) Open(_ context.Context, p string) (io.ReadCloser, error) {
	k, err := r.key(p)
	if err != nil {
		return nil, err
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	b, ok := r.s.files[k]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no artifact %q", p)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// run returns the run with id; the caller holds s.mu.
func (s *Store) run(id string) (*store.Run, error) {
	r, ok := s.runs[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no run with id %s", id)
	}
	return r, nil
}

// experiment returns the experiment with id; the caller holds s.mu.
func (s *Store) experiment(id string) (*store.Experiment, error) {
	e, ok := s.exps[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no experiment with id %s", id)
	}
	return e, nil
}

// errorf returns MLflow's error with code, its message prefixed by the
// package as grove's errors are.
func errorf(code, format string, args ...any) error {
	return fmt.Errorf("memstore: %w", store.Errorf(code, format, args...))
}
