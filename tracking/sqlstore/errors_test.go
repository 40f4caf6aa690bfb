package sqlstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// TestErrorsNameThePackage makes every method fail once, for a reason of
// its own, and checks that the error starts with "sqlstore: " while the
// MLflow error inside keeps its code and its message, which is what
// MLflow's clients see.
func TestErrorsNameThePackage(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	run := newRun(t, s, "errors").Info.RunID
	const missing = "0123456789abcdef0123456789abcdef"
	closed := newStore(t)
	closed.Close()
	for _, c := range []struct {
		name string
		code string // "" for a failure that is not MLflow's
		call func() error
	}{
		{"CreateExperiment", store.CodeAlreadyExists, func() error {
			_, err := s.CreateExperiment(ctx, "exp-errors", "", nil)
			return err
		}},
		{"GetExperiment", store.CodeNotFound, func() error { _, err := s.GetExperiment(ctx, "999"); return err }},
		{"GetExperimentByName", store.CodeNotFound, func() error { _, err := s.GetExperimentByName(ctx, "none"); return err }},
		{"SetExperimentTag", store.CodeInvalidParameter, func() error { return s.SetExperimentTag(ctx, "x", "k", "v") }},
		{"CreateRun", store.CodeInvalidParameter, func() error {
			_, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", RunName: "a", Tags: []store.Tag{{Key: store.TagRunName, Value: "b"}}})
			return err
		}},
		{"UpdateRun", store.CodeNotFound, func() error {
			_, err := s.UpdateRun(ctx, missing, store.StatusFinished, 0, "")
			return err
		}},
		{"GetRun", store.CodeNotFound, func() error { _, err := s.GetRun(ctx, missing); return err }},
		{"SearchRuns", store.CodeInvalidParameter, func() error { _, _, err := s.SearchRuns(ctx, store.RunQuery{}); return err }},
		{"LogBatch", store.CodeNotFound, func() error {
			return s.LogBatch(ctx, missing, []store.Metric{{Key: "m", Value: 1}}, nil, nil)
		}},
		{"LogBatch/params", store.CodeInvalidParameter, func() error {
			if err := s.LogBatch(ctx, run, nil, []store.Param{{Key: "p", Value: "1"}}, nil); err != nil {
				return err
			}
			return s.LogBatch(ctx, run, nil, []store.Param{{Key: "p", Value: "2"}}, nil)
		}},
		{"GetMetricHistory", store.CodeNotFound, func() error { _, err := s.GetMetricHistory(ctx, missing, "m"); return err }},
		{"LogInputs", store.CodeInvalidParameter, func() error {
			return s.LogInputs(ctx, run, nil, []store.ModelIO{{}})
		}},
		{"LogOutputs", store.CodeNotFound, func() error {
			return s.LogOutputs(ctx, missing, []store.ModelIO{{ModelID: "m-1"}})
		}},
		{"CreateLoggedModel", store.CodeNotFound, func() error {
			_, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: "999"})
			return err
		}},
		{"FinalizeLoggedModel", store.CodeNotFound, func() error {
			_, err := s.FinalizeLoggedModel(ctx, "m-"+missing, store.ModelReady)
			return err
		}},
		{"GetLoggedModel", store.CodeNotFound, func() error { _, err := s.GetLoggedModel(ctx, "m-"+missing); return err }},
		{"Artifacts", store.CodeInvalidParameter, func() error { _, err := s.Artifacts(ctx, "s3://bucket/x"); return err }},
		{"closed", "", func() error { _, err := closed.GetRun(ctx, missing); return err }},
		{"Open", "", func() error {
			path := filepath.Join(t.TempDir(), "notes.db")
			if err := os.WriteFile(path, []byte("notes"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(ctx, path, Options{})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "sqlstore: ") || strings.Count(msg, "sqlstore: ") != 1 {
				t.Errorf("%q does not start with sqlstore: once", msg)
			}
			var se *store.Error
			switch {
			case c.code == "":
			case !errors.As(err, &se) || se.Code != c.code:
				t.Errorf("%v: want an MLflow error %s", err, c.code)
			case strings.HasPrefix(se.Message, "sqlstore") || se.Message == "":
				t.Errorf("the message MLflow clients see is %q", se.Message)
			}
		})
	}
}
