package search_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

func TestPageTokens(t *testing.T) {
	// MLflow's own token for offset 5: base64 of {"offset": 5}.
	if got := search.EncodePageToken(5); got != "eyJvZmZzZXQiOiA1fQ==" {
		t.Errorf("EncodePageToken(5) = %q", got)
	}
	tests := []struct {
		token string
		want  int
		err   string
	}{
		{token: "", want: 0},
		{token: "eyJvZmZzZXQiOiA1fQ==", want: 5},
		{token: "eyJvZmZzZXQiOiAiNyJ9", want: 7}, // {"offset": "7"}
		{token: "!!", err: "Invalid page token, could not base64-decode"},
		{token: "bm90IGpzb24=", err: "Invalid page token, decoded value=b'not json'"},
		{token: "eyJvZmZzZXQiOiAwfQ==", err: `Invalid page token, parsed value={"offset": 0}`},
		{token: "eyJwYWdlIjogMn0=", err: `Invalid page token, parsed value={"page": 2}`},
		{token: "eyJvZmZzZXQiOiAiYSJ9", err: "Invalid page token, not stringable a"},
	}
	for _, tt := range tests {
		got, err := search.DecodePageToken(tt.token)
		if tt.err != "" {
			var se *store.Error
			if !errors.As(err, &se) || se.Code != store.CodeInvalidParameter || se.Message != tt.err {
				t.Errorf("DecodePageToken(%q) = %d, %v; want %s", tt.token, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("DecodePageToken(%q) = %d, %v; want %d", tt.token, got, err, tt.want)
		}
	}
}

func testRun(id string, start, end int64, metrics map[string]float64, tags ...string) *store.Run {
	r := &store.Run{Info: store.RunInfo{RunID: id, StartTime: start, EndTime: end, Status: store.StatusFinished}}
	for k, v := range metrics {
		r.Data.Metrics = append(r.Data.Metrics, store.Metric{Key: k, Value: v})
	}
	for i := 0; i+1 < len(tags); i += 2 {
		r.Data.Tags = append(r.Data.Tags, store.Tag{Key: tags[i], Value: tags[i+1]})
	}
	return r
}

// TestMatchAsSQL checks the cases where MLflow's SQL store, which grove
// follows, and its in-memory matching part ways.
func TestMatchAsSQL(t *testing.T) {
	runs := []*store.Run{
		testRun("nan", 1, 0, map[string]float64{"m": math.NaN()}, "n", "RÉSUMÉ"),
		testRun("inf", 2, 5, map[string]float64{"m": math.Inf(1)}, "n", "résumé"),
		testRun("neg", 3, 6, map[string]float64{"m": -1}, "n", "Resume"),
		testRun("none", 4, 7, nil, store.TagRunName, "none"),
	}
	tests := []struct {
		filter string
		want   []string
	}{
		{"metrics.m = 0", []string{"nan"}},                       // NaN is stored as 0
		{"metrics.m = 1.7976931348623157e308", []string{"inf"}},  // +Inf as the largest float
		{"metrics.m != 5", []string{"nan", "inf", "neg"}},        // no metric, no match
		{"tags.n ILIKE 'resume'", []string{"neg"}},               // ASCII folding only
		{"tags.n ILIKE 'r_sum_'", []string{"nan", "inf", "neg"}}, // _ is one character, É too
		{"tags.n != 'x'", []string{"nan", "inf", "neg"}},         // no tag, no match
		{"tags.n IS NULL", []string{"none"}},                     //
		{"attributes.end_time < 7", []string{"inf", "neg"}},      // no end time, no match
		{"run_name = 'none'", []string{"none"}},                  // the name is in a tag
		{"attributes.run_id NOT IN ('nan', 'inf')", []string{"neg", "none"}},
	}
	for _, tt := range tests {
		q, err := search.ParseQuery(tt.filter, nil)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		var got []string
		for _, r := range runs {
			if q.Match(r) {
				got = append(got, r.Info.RunID)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q matched %q, want %q", tt.filter, got, tt.want)
		}
	}
}

func TestSortAsSQL(t *testing.T) {
	runs := []*store.Run{
		testRun("a", 1, 0, map[string]float64{"m": math.NaN()}),
		testRun("b", 2, 5, map[string]float64{"m": 2}),
		testRun("c", 3, 6, nil),
		testRun("d", 3, 7, map[string]float64{"m": 1}),
		testRun("e", 3, 7, map[string]float64{"m": 1}),
	}
	tests := []struct {
		order []string
		want  []string
	}{
		{nil, []string{"c", "d", "e", "b", "a"}},                                  // newest first, then run id
		{[]string{"metrics.m"}, []string{"d", "e", "b", "a", "c"}},                // NaN after numbers, missing last
		{[]string{"metrics.m DESC"}, []string{"b", "d", "e", "a", "c"}},           // the same either way
		{[]string{"attributes.end_time DESC"}, []string{"d", "e", "c", "b", "a"}}, // no end time last
		{[]string{"start_time"}, []string{"a", "b", "c", "d", "e"}},               // no second start_time key
	}
	for _, tt := range tests {
		q, err := search.ParseQuery("", tt.order)
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Clone(runs)
		q.Sort(got)
		var ids []string
		for _, r := range got {
			ids = append(ids, r.Info.RunID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("order %q: got %q, want %q", tt.order, ids, tt.want)
		}
	}
}

func TestParseExperimentQuery(t *testing.T) {
	exps := []*store.Experiment{
		{ID: "10", Name: "b", CreationTime: 5, Tags: map[string]string{"t": "x"}},
		{ID: "2", Name: "a", CreationTime: 5, Tags: map[string]string{}},
		{ID: "3", Name: "c", CreationTime: 9, LastUpdateTime: 20, Tags: map[string]string{"t": "y"}},
	}
	tests := []struct {
		filter  string
		orderBy []string
		want    []string
		err     string
	}{
		{filter: "", want: []string{"3", "2", "10"}}, // newest first, then lowest id
		{filter: "", orderBy: []string{"name DESC"}, want: []string{"3", "10", "2"}},
		{filter: "", orderBy: []string{"creation_time"}, want: []string{"10", "2", "3"}}, // ties: highest id first
		{filter: "tags.t IS NOT NULL and name != 'c'", want: []string{"10"}},
		{filter: "attribute.last_update_time > 10", want: []string{"3"}},
		{filter: "name ILIKE 'A'", want: []string{"2"}},
		{filter: "name like 'a'", err: "Invalid comparator 'like' not one of '{'ILIKE', 'LIKE', '!=', 'NOT IN', 'IN', '='}'"},
		{filter: "name IN ('a')", err: "Only the 'run_id' attribute supports comparison with a list of quoted string values."},
		{filter: "attributes.name = 'a'", err: "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"},
		{filter: "creation_time IS NULL", err: "IS NULL / IS NOT NULL is only supported for tags, not for attribute 'creation_time'"},
		{filter: "tags.t > 'a'", err: "Invalid comparator for tag: >"},
		{filter: "name = 'a' OR name = 'b'", err: "Invalid clause(s) in filter string: OR"},
		{filter: "", orderBy: []string{"tags.t"}, err: "Invalid order_by entity: tag"},
	}
	for _, tt := range tests {
		q, err := search.ParseExperimentQuery(tt.filter, tt.orderBy)
		if tt.err != "" {
			var se *store.Error
			if !errors.As(err, &se) || se.Message != tt.err {
				t.Errorf("%q %q: got %v, want %s", tt.filter, tt.orderBy, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q %q: %v", tt.filter, tt.orderBy, err)
		}
		var got []*store.Experiment
		for _, e := range exps {
			if q.Match(e) {
				got = append(got, e)
			}
		}
		q.Sort(got)
		var ids []string
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%q %q: got %q, want %q", tt.filter, tt.orderBy, ids, tt.want)
		}
	}
}
