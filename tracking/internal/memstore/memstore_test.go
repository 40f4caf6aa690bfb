package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// observation is what a scenario saw of a store, in terms that do not depend
// on the ids the store made up, so two stores can be compared.
type observation struct {
	Default       string   // name of experiment "0"
	ParamErr      error    // changing a logged param
	Param         string   // its value afterwards
	Tag           string   // a tag set twice
	NameTag       string   // mlflow.runName after a rename
	Latest        [3]any   // step, timestamp, value of the latest "loss"
	History       []string // "step/timestamp/value" of every "loss" point
	Pages         [][]string
	TiesByID      bool // runs started in the same millisecond come in run id order
	MissingRun    error
	MissingMetric error
	TooBig        error
}

// scenario runs the same calls against any store.
func scenario(t *testing.T, st store.Store) observation {
	t.Helper()
	ctx := context.Background()
	var o observation
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	def, err := st.GetExperiment(ctx, "0")
	must(err)
	o.Default = def.Name
	exp, err := st.CreateExperiment(ctx, "basics", "", nil)
	must(err)

	// Five runs; b and d start in the same millisecond.
	starts := []struct {
		name  string
		start int64
	}{{"a", 1000}, {"b", 3000}, {"c", 2000}, {"d", 3000}, {"e", 500}}
	ids := map[string]string{}
	for _, s := range starts {
		r, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: s.name, StartTime: s.start})
		must(err)
		ids[s.name] = r.Info.RunID
	}
	a := ids["a"]

	must(st.LogBatch(ctx, a, nil, []store.Param{{Key: "depth", Value: "3"}}, []store.Tag{{Key: "phase", Value: "fit"}}))
	must(st.LogBatch(ctx, a, nil, []store.Param{{Key: "depth", Value: "3"}}, []store.Tag{{Key: "phase", Value: "score"}}))
	o.ParamErr = kind(st.LogBatch(ctx, a, nil, []store.Param{{Key: "depth", Value: "4"}}, nil))
	// Points out of order, with ties on step and on (step, timestamp).
	must(st.LogBatch(ctx, a, []store.Metric{
		{Key: "loss", Value: 0.3, Timestamp: 5, Step: 1},
		{Key: "loss", Value: 0.2, Timestamp: 1, Step: 2},
		{Key: "loss", Value: 0.1, Timestamp: 1, Step: 2},
		{Key: "loss", Value: 0.9, Timestamp: 9, Step: 0},
		{Key: "loss", Value: 0.5, Timestamp: 0, Step: 2},
	}, nil, nil))
	_, err = st.UpdateRun(ctx, a, store.StatusFinished, 2000, "a2")
	must(err)

	r, err := st.GetRun(ctx, a)
	must(err)
	o.Param, _ = r.Param("depth")
	o.Tag, _ = r.Tag("phase")
	o.NameTag, _ = r.Tag("mlflow.runName")
	if m, ok := r.Metric("loss"); ok {
		o.Latest = [3]any{m.Step, m.Timestamp, m.Value}
	}
	h, err := st.GetMetricHistory(ctx, a, "loss")
	must(err)
	for _, m := range h {
		o.History = append(o.History, fmt.Sprintf("%d/%d/%g", m.Step, m.Timestamp, m.Value))
	}

	q := store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: 2}
	var order []string
	for {
		runs, next, err := st.SearchRuns(ctx, q)
		must(err)
		var page []string
		for _, r := range runs {
			page = append(page, r.Info.RunName)
			order = append(order, r.Info.RunID)
		}
		o.Pages = append(o.Pages, page)
		if next == "" {
			break
		}
		q.PageToken = next
	}
	// The tie sits in the first page: b and d, in run id order.
	o.TiesByID = len(order) == 5 && slices.IsSorted(order[:2]) &&
		slices.Equal(slices.Sorted(slices.Values(order[:2])), slices.Sorted(slices.Values([]string{ids["b"], ids["d"]})))

	_, err = st.GetRun(ctx, "0123456789abcdef0123456789abcdef")
	o.MissingRun = kind(err)
	_, err = st.GetMetricHistory(ctx, "0123456789abcdef0123456789abcdef", "loss")
	o.MissingMetric = kind(err)
	o.TooBig = kind(st.LogBatch(ctx, a, make([]store.Metric, store.MaxBatchMetrics+1), nil, nil))
	return o
}

// kind reduces an error to the sentinel it matches, the part of it MLflow's
// clients rely on.
func kind(err error) error {
	for _, k := range []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrInvalidParameter} {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

func TestBehavesLikeSQLite(t *testing.T) {
	want := observation{
		Default:       "Default",
		ParamErr:      store.ErrInvalidParameter,
		Param:         "3",
		Tag:           "score",
		NameTag:       "a2",
		Latest:        [3]any{int64(2), int64(1), 0.2},
		History:       []string{"0/9/0.9", "1/5/0.3", "2/0/0.5", "2/1/0.1", "2/1/0.2"},
		Pages:         [][]string{{"b", "d"}, {"c", "a2"}, {"e"}},
		TiesByID:      true,
		MissingRun:    store.ErrNotFound,
		MissingMetric: store.ErrNotFound,
		TooBig:        store.ErrInvalidParameter,
	}
	// The tie between b and d is broken by run id, which each store makes
	// up; Pages is compared with the tied names sorted.
	stores := []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"memstore", func(*testing.T) store.Store { return memstore.New() }},
		{"sqlstore", func(t *testing.T) store.Store {
			s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlflow.db"), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
	got := map[string]observation{}
	for _, tt := range stores {
		t.Run(tt.name, func(t *testing.T) {
			o := scenario(t, tt.open(t))
			slices.Sort(o.Pages[0])
			if !reflect.DeepEqual(o, want) {
				t.Errorf("observed\n%+v\nwant\n%+v", o, want)
			}
			got[tt.name] = o
		})
	}
	if m, s := got["memstore"], got["sqlstore"]; !reflect.DeepEqual(m, s) {
		t.Errorf("memstore and sqlstore differ:\n%+v\n%+v", m, s)
	}
}

func TestPageSize(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		pageSize   int
		maxResults int
		want       []int
	}{
		{"default", 0, 0, []int{7}},
		{"store page size", 3, 0, []int{3, 3, 1}},
		{"the store caps a larger page", 3, 5, []int{3, 3, 1}},
		{"a smaller page", 3, 2, []int{2, 2, 2, 1}},
		{"query without a cap", 0, 5, []int{5, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			st.PageSize = tt.pageSize
			exp, _ := st.CreateExperiment(ctx, "p", "", nil)
			for i := range 7 {
				if _, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(i)}); err != nil {
					t.Fatal(err)
				}
			}
			q := store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: tt.maxResults}
			var sizes []int
			seen := map[string]bool{}
			for {
				runs, next, err := st.SearchRuns(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(runs))
				for _, r := range runs {
					seen[r.Info.RunID] = true
				}
				if next == "" {
					break
				}
				q.PageToken = next
			}
			if !slices.Equal(sizes, tt.want) || len(seen) != 7 {
				t.Errorf("pages of %v holding %d runs, want %v holding 7", sizes, len(seen), tt.want)
			}
		})
	}
	if _, _, err := memstore.New().SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{"0"}, PageToken: "x"}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("bad page token: error %v, want INVALID_PARAMETER_VALUE", err)
	}
}

func TestArtifacts(t *testing.T) {
	ctx := context.Background()
	repo, _ := memstore.New().Artifacts(ctx, "mem://artifacts/0/r/artifacts")
	for _, p := range []string{"model/MLmodel", "model/model.grove", "notes.txt"} {
		if err := repo.Put(ctx, p, strings.NewReader(p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"", "/abs", "../x", "a//b", "a/./b"} {
		if err := repo.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, store.ErrInvalidParameter) {
			t.Errorf("Put(%q): error %v, want INVALID_PARAMETER_VALUE", bad, err)
		}
	}
	tests := []struct{ dir, want string }{
		{"", "model/ notes.txt"},
		{"model", "model/MLmodel model/model.grove"},
	}
	for _, tt := range tests {
		list, err := repo.List(ctx, tt.dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range list {
			if f.IsDir {
				got = append(got, f.Path+"/")
			} else {
				got = append(got, f.Path)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	rc, err := repo.Open(ctx, "model/MLmodel")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if string(b) != "model/MLmodel" {
		t.Errorf("Open read %q", b)
	}
	if _, err := repo.Open(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Open(missing): error %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
}

// TestErrorsNamePackage checks that memstore's errors start with its name
// and still carry MLflow's code for errors.Is.
func TestErrorsNamePackage(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	exp, err := s.CreateExperiment(ctx, "e", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		is   error
	}{
		{"empty experiment name", func() error { _, err := s.CreateExperiment(ctx, "", "", nil); return err }, store.ErrInvalidParameter},
		{"experiment exists", func() error { _, err := s.CreateExperiment(ctx, "e", "", nil); return err }, store.ErrAlreadyExists},
		{"no such experiment", func() error { _, err := s.GetExperiment(ctx, exp+"9"); return err }, store.ErrNotFound},
		{"no such run", func() error { _, err := s.GetRun(ctx, "nope"); return err }, store.ErrNotFound},
		{"no such model", func() error { _, err := s.GetLoggedModel(ctx, "m-nope"); return err }, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want one matching %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), "memstore: ") {
				t.Errorf("error %q does not start with \"memstore: \"", err)
			}
		})
	}
}
