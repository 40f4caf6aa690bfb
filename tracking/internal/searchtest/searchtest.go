package searchtest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// Fixture is MLflow's search fixture: the experiments and runs of
// search.db by name, and the queries asked of them.
type Fixture struct {
	Experiments map[string]string `json:"experiments"` // name -> id
	Runs        map[string]string `json:"runs"`        // run name -> id
	Cases       []Case            `json:"cases"`
}

// Case is one query and MLflow's answer: the runs, by name and in order,
// or an error code and message.
type Case struct {
	ID          string   `json:"id"`
	Filter      string   `json:"filter"`
	OrderBy     []string `json:"order_by"`
	ViewType    string   `json:"run_view_type"`
	Experiments []string `json:"experiments"` // names
	Expect      []string `json:"expect"`      // run names
	ErrorCode   string   `json:"error_code"`
	Message     string   `json:"message"`
}

// Dir returns the folder holding the fixture's copy, cases.json and
// search.db: tracking/search/testdata of the clone this package is in.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "search", "testdata")
}

// Load reads the fixture's cases.
func Load(t testing.TB) *Fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(), "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f Fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in the search fixture's cases.json")
	}
	return &f
}

// CopyDB copies search.db into a temporary folder of t and returns the
// copy's path, for a store to open (and write) as it likes.
func CopyDB(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(), "search.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "search.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Query returns the run query of c, with the fixture's experiment ids.
func (f *Fixture) Query(c Case) (store.RunQuery, error) {
	vt, err := store.ParseViewType(c.ViewType)
	if err != nil {
		return store.RunQuery{}, err
	}
	q := store.RunQuery{Filter: c.Filter, OrderBy: c.OrderBy, ViewType: vt}
	for _, e := range c.Experiments {
		q.ExperimentIDs = append(q.ExperimentIDs, f.Experiments[e])
	}
	return q, nil
}

// Search answers one query with every run it selects, in order, or an
// error.
type Search func(ctx context.Context, q store.RunQuery) ([]*store.Run, error)

// Check runs every case through search, each as a subtest, and compares
// the runs, in order, or the error's code and message with MLflow's.
func (f *Fixture) Check(t *testing.T, search Search) {
	t.Helper()
	names := map[string]string{}
	for name, id := range f.Runs {
		names[id] = name
	}
	for _, c := range f.Cases {
		t.Run(c.ID, func(t *testing.T) {
			q, err := f.Query(c)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := search(context.Background(), q)
			if c.ErrorCode != "" {
				var se *store.Error
				if !errors.As(err, &se) {
					t.Fatalf("filter %q order %q: got %v, %d runs; want %s: %s", c.Filter, c.OrderBy, err, len(runs), c.ErrorCode, c.Message)
				}
				if se.Code != c.ErrorCode || se.Message != c.Message {
					t.Fatalf("filter %q order %q:\n got %s: %s\nwant %s: %s", c.Filter, c.OrderBy, se.Code, se.Message, c.ErrorCode, c.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("filter %q order %q: %v", c.Filter, c.OrderBy, err)
			}
			got := make([]string, len(runs))
			for i, r := range runs {
				got[i] = names[r.Info.RunID]
			}
			if !slices.Equal(got, c.Expect) {
				t.Fatalf("filter %q order %q:\n got %q\nwant %q", c.Filter, c.OrderBy, got, c.Expect)
			}
		})
	}
}

// RandomQueries returns queries that probe where two searches could part
// ways, then n random ones: up to two clauses over the keys the fixture's
// runs and EdgeRuns' hold (and some they do not), with values that match
// some runs, and up to two orders. A query may repeat an order key, which
// MLflow refuses; the caller skips those. The same seed gives the same
// queries. Experiment ids and view types are left to the caller.
func RandomQueries(seed uint64, n int) []store.RunQuery {
	keys := []string{
		"metrics.accuracy", "metrics.loss", "metrics.`f1 score`", "metrics.none",
		"params.n_estimators", "params.criterion", "params.max_depth", "params.`max features`", "params.none",
		"tags.team", "tags.note", "tags.stage", "tags.`mlflow.runName`", "tags.none",
		"attributes.status", "run_name", "attributes.user_id", "attributes.start_time", "attributes.end_time", "created",
		"datasets.name", "datasets.digest", "datasets.context",
	}
	strs := []string{"'a'", "'b'", "'gini'", "'%a%'", "'run-1%'", "'R%'", "'%e'", "'_o%'", "'None'", "'10'", "'FINISHED'", "'ana'", "'iris'", "'eval'", "'it''s fine'", "\"it's fine\"", "'%'", "'MIXED%'", "'w1n3'",
		"'a*b'", "'a?b'", "'[x]%'", "'%[x]'", "'r_sum_%'", "'RÉSUMÉ'", "'résumé1'", "'_'", "''"}
	nums := []string{"0", "0.5", "0.85", "1", "100", "-1", "1767226200000", "1767225780000", "1.7976931348623157e308", "-1.7976931348623157e308", "1767226300001"}
	strOps := []string{"=", "!=", "LIKE", "ILIKE"}
	numOps := []string{"=", "!=", "<", "<=", ">", ">="}
	rng := rand.New(rand.NewPCG(seed, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	clause := func() string {
		k := pick(keys)
		switch {
		case strings.HasPrefix(k, "metrics.") || strings.HasSuffix(k, "_time") || k == "created":
			return k + " " + pick(numOps) + " " + pick(nums)
		case (strings.HasPrefix(k, "params.") || strings.HasPrefix(k, "tags.")) && rng.IntN(5) == 0:
			return k + pick([]string{" IS NULL", " IS NOT NULL"})
		case strings.HasPrefix(k, "datasets.") && rng.IntN(4) == 0:
			return k + pick([]string{" IN ", " NOT IN "}) + "('iris', 'eval', 'x')"
		}
		return k + " " + pick(strOps) + " " + pick(strs)
	}
	orderKeys := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.HasPrefix(k, "datasets.") })
	qs := []store.RunQuery{
		{Filter: "tags.note LIKE 'a?b'"}, {Filter: "tags.note LIKE 'a*b'"}, {Filter: "tags.note LIKE '[x]'"},
		{Filter: "tags.note ILIKE 'résumé'"}, {Filter: "params.criterion LIKE '%*%'"}, {Filter: "tags.note = ''"},
		{OrderBy: []string{"metrics.accuracy"}}, {OrderBy: []string{"metrics.loss DESC"}}, {OrderBy: []string{"tags.team DESC", "params.max_depth"}},
	}
	for range n {
		var q store.RunQuery
		var clauses []string
		for range rng.IntN(3) {
			clauses = append(clauses, clause())
		}
		q.Filter = strings.Join(clauses, " AND ")
		for range rng.IntN(3) {
			q.OrderBy = append(q.OrderBy, pick(orderKeys)+pick([]string{"", " DESC", " ASC"}))
		}
		qs = append(qs, q)
	}
	return qs
}

// EdgeRuns records, through s, an experiment of runs with the values where
// SQL and Go could part ways: NaN and infinite metrics, missing keys, GLOB's
// wildcards and non-ASCII letters in values, runs not ended. It returns the
// experiment's id and the runs' ids.
func EdgeRuns(t testing.TB, s store.Store) (string, []string) {
	t.Helper()
	ctx := context.Background()
	exp, err := s.CreateExperiment(ctx, "edges", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	notes := []string{"a*b", "a?b", "[x]", "RÉSUMÉ", "résumé", "Resume", "50% done", "it's fine", ""}
	values := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, 0.85, -1}
	var ids []string
	for i := range 18 {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, UserID: notes[i%3], RunName: notes[i%len(notes)] + strconv.Itoa(i%4), StartTime: int64(1767226200000 + 60000*(i%5))})
		if err != nil {
			t.Fatal(err)
		}
		var ms []store.Metric
		if i%4 != 0 {
			ms = append(ms, store.Metric{Key: "accuracy", Value: values[i%len(values)], Timestamp: 1})
		}
		if i%3 != 0 {
			ms = append(ms, store.Metric{Key: "loss", Value: values[(i+2)%len(values)], Timestamp: 1})
		}
		ps := []store.Param{{Key: "criterion", Value: notes[(i+1)%len(notes)]}}
		if i%2 == 0 {
			ps = append(ps, store.Param{Key: "max_depth", Value: strconv.Itoa(i % 7)})
		}
		tags := []store.Tag{{Key: "note", Value: notes[(i+4)%len(notes)]}}
		if i%5 != 0 {
			tags = append(tags, store.Tag{Key: "team", Value: []string{"a", "b", "A"}[i%3]})
		}
		if err := s.LogBatch(ctx, r.Info.RunID, ms, ps, tags); err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 {
			if _, err := s.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, int64(1767226300000+i%4), ""); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, r.Info.RunID)
	}
	return exp, ids
}
