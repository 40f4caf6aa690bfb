package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// wide returns n code points of two, three and four UTF-8 bytes each, so a
// limit counted in bytes would refuse it long before one counted, as
// MLflow counts, in characters.
func wide(n int) string {
	const cycle = "é日🌳"
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(string([]rune(cycle)[i%3]))
	}
	return b.String()
}

// TestLimitsCountCharacters holds every length limit the store enforces to
// MLflow's measure, Python's len of a str: a value of exactly the limit in
// multi-byte characters is stored, one character more is refused.
func TestLimitsCountCharacters(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	run := newRun(t, s, "limits").Info.RunID
	expID, err := s.CreateExperiment(ctx, "limits", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	model := func(p store.Param, tag store.Tag) error {
		_, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: expID, Params: []store.Param{p}, Tags: []store.Tag{tag}})
		return err
	}
	later, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: expID})
	if err != nil {
		t.Fatal(err)
	}
	dataset := func(name string, tag store.Tag) []store.DatasetInput {
		return []store.DatasetInput{{
			Dataset: store.Dataset{Name: name, Digest: "0d103372", SourceType: "code", Source: "{}"},
			Tags:    []store.Tag{tag},
		}}
	}
	for _, c := range []struct {
		name  string
		limit int
		try   func(key, text string) error // key is unique to each call
	}{
		{"param value", store.MaxParamValueLength, func(key, text string) error {
			return s.LogBatch(ctx, run, nil, []store.Param{{Key: key, Value: text}}, nil)
		}},
		{"param key", store.MaxKeyLength, func(_, text string) error {
			return s.LogBatch(ctx, run, nil, []store.Param{{Key: text, Value: "v"}}, nil)
		}},
		{"metric key", store.MaxKeyLength, func(_, text string) error {
			return s.LogBatch(ctx, run, []store.Metric{{Key: text, Value: 1, Timestamp: 1}}, nil, nil)
		}},
		{"run tag value", store.MaxTagValueLength, func(key, text string) error {
			return s.LogBatch(ctx, run, nil, nil, []store.Tag{{Key: key, Value: text}})
		}},
		{"run tag key", store.MaxKeyLength, func(_, text string) error {
			return s.LogBatch(ctx, run, nil, nil, []store.Tag{{Key: text, Value: "v"}})
		}},
		{"new run tag value", store.MaxTagValueLength, func(key, text string) error {
			_, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: key, StartTime: 1,
				Tags: []store.Tag{{Key: "note", Value: text}}})
			return err
		}},
		{"experiment name", maxExperimentNameLength, func(_, text string) error {
			_, err := s.CreateExperiment(ctx, text, "", nil)
			return err
		}},
		{"experiment tag value", maxExperimentTagValueLength, func(key, text string) error {
			return s.SetExperimentTag(ctx, expID, key, text)
		}},
		{"experiment tag key", store.MaxKeyLength, func(_, text string) error {
			return s.SetExperimentTag(ctx, expID, text, "v")
		}},
		{"dataset name", maxDatasetNameLength, func(_, text string) error {
			return s.LogInputs(ctx, run, dataset(text, store.Tag{Key: "k", Value: "v"}), nil)
		}},
		{"dataset input tag key", maxInputTagKeyLength, func(key, text string) error {
			return s.LogInputs(ctx, run, dataset(key, store.Tag{Key: text, Value: "v"}), nil)
		}},
		{"dataset input tag value", maxInputTagValueLength, func(key, text string) error {
			return s.LogInputs(ctx, run, dataset(key, store.Tag{Key: "k", Value: text}), nil)
		}},
		{"model param value", store.MaxParamValueLength, func(key, text string) error {
			return model(store.Param{Key: key, Value: text}, store.Tag{Key: "k", Value: "v"})
		}},
		{"model param key", store.MaxKeyLength, func(_, text string) error {
			return model(store.Param{Key: text, Value: "v"}, store.Tag{Key: "k", Value: "v"})
		}},
		{"model tag value", store.MaxTagValueLength, func(key, text string) error {
			return model(store.Param{Key: "k", Value: "v"}, store.Tag{Key: key, Value: text})
		}},
		{"model tag key", store.MaxKeyLength, func(_, text string) error {
			return model(store.Param{Key: "k", Value: "v"}, store.Tag{Key: text, Value: "v"})
		}},
		{"model param value logged later", store.MaxParamValueLength, func(key, text string) error {
			return s.LogLoggedModelParams(ctx, later.ModelID, []store.Param{{Key: key, Value: text}})
		}},
		{"model tag value set later", store.MaxTagValueLength, func(key, text string) error {
			return s.SetLoggedModelTags(ctx, later.ModelID, []store.Tag{{Key: key, Value: text}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{c.limit, c.limit + 1} {
				text := wide(n)
				if utf8.RuneCountInString(text) != n || len(text) <= c.limit {
					t.Fatalf("wide(%d) is %d characters in %d bytes", n, utf8.RuneCountInString(text), len(text))
				}
				key := strings.ReplaceAll(c.name, " ", "_") + "_" + string(rune('a'+n-c.limit))
				err := c.try(key, text)
				switch {
				case n == c.limit && err != nil:
					t.Errorf("%d characters (%d bytes): %v, want it stored", n, len(text), err)
				case n > c.limit && !errors.Is(err, store.ErrInvalidParameter):
					t.Errorf("%d characters: %v, want invalid parameter", n, err)
				}
			}
		})
	}

	// What was accepted is stored whole, not cut to a byte limit.
	r, err := s.GetRun(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	want := wide(store.MaxParamValueLength)
	found := false
	for _, p := range r.Data.Params {
		if p.Key == "param_value_a" {
			found = true
			if p.Value != want {
				t.Errorf("stored param is %d characters, want %d", utf8.RuneCountInString(p.Value), store.MaxParamValueLength)
			}
		}
	}
	if !found {
		t.Error("the param of exactly the limit was not stored")
	}
}
