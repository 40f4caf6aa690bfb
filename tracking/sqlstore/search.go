package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// SearchRuns reads in three steps: which runs a query selects (runFilter,
// SQL over the runs table), their order (runOrder, order.go, kept between
// the pages of one listing) and the page's runs with their data (pageRuns,
// then fillRuns in page.go).

// defaultPageSize is MLflow's default page of SearchRuns, maxPageSize its
// largest.
const (
	defaultPageSize = 1000
	maxPageSize     = 50000
)

// SearchRuns lists the active runs of the given experiments, newest start
// time first (then by run id, so that pages never overlap; runs without a
// start time last), with their latest metrics, params, tags,
// inputs and outputs.
func (s *Store) SearchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	size := q.MaxResults
	if size == 0 {
		size = defaultPageSize
	}
	if size < 0 || size > maxPageSize {
		return nil, "", errorf(store.CodeInvalidParameter, "max results %d must be in [1, %d]", size, maxPageSize)
	}
	tok, err := decodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	where, args, err := runFilter(q)
	if err != nil {
		return nil, "", err
	}
	var out []*store.Run
	next := ""
	err = s.read(ctx, func(rq reader) error {
		order, err := rq.runOrder(where, args)
		if err != nil {
			return err
		}
		keys, more, err := order.page(rq, tok, size)
		if err != nil || len(keys) == 0 {
			return err
		}
		if out, err = pageRuns(rq, keys); err != nil {
			return err
		}
		if more && len(out) > 0 {
			last := keys[len(keys)-1]
			next = pageToken{Offset: tok.Offset + size, StartTime: &last.start, RunID: out[len(out)-1].Info.RunID}.encode()
		}
		return fillRuns(rq, out)
	})
	if err != nil {
		return nil, "", wrap(err, "search runs of experiments %s", strings.Join(q.ExperimentIDs, ", "))
	}
	return out, next, nil
}

// runFilter returns the WHERE clause, over the runs table, and its
// arguments that select the runs of a query.
func runFilter(q store.RunQuery) (string, []any, error) {
	if len(q.ExperimentIDs) == 0 {
		return "", nil, errorf(store.CodeInvalidParameter, "search runs needs at least one experiment id")
	}
	marks := make([]string, len(q.ExperimentIDs))
	args := make([]any, 0, len(marks)+1)
	for i, e := range q.ExperimentIDs {
		n, err := parseExperimentID(e)
		if err != nil {
			return "", nil, err
		}
		marks[i] = "?"
		args = append(args, n)
	}
	args = append(args, store.LifecycleActive)
	return `experiment_id IN (` + strings.Join(marks, ", ") + `) AND lifecycle_stage = ?`, args, nil
}

// page returns the keys of the page that tok starts, at most size of them,
// and whether more runs follow.
func (o *runOrder) page(r reader, tok pageToken, size int) (keys []runKey, more bool, err error) {
	keys = o.keys
	if tok.RunID == "" {
		keys = keys[min(tok.Offset, len(keys)):]
	} else {
		i, err := o.after(r, *tok.StartTime, tok.RunID)
		if err != nil {
			return nil, false, err
		}
		keys = keys[i:]
	}
	if len(keys) > size {
		return keys[:size], true, nil
	}
	return keys, false, nil
}

// pageRuns reads the runs table's columns of the runs keys name, in that
// order.
func pageRuns(r reader, keys []runKey) ([]*store.Run, error) {
	rowids := make([]int64, len(keys))
	for i, k := range keys {
		rowids[i] = k.rowid
	}
	list, _ := json.Marshal(rowids)
	// The page's runs are one array: one allocation, not one a run.
	page := make([]store.Run, len(keys))
	out := make([]*store.Run, len(keys))
	err := r.query(`SELECT j.key, `+prefixed("r.", runColumns)+` FROM json_each(?) AS j CROSS JOIN runs AS r ON r.rowid = j.value`, []any{string(list)}, func(row *lite.Stmt) error {
		if i := row.Int64(0); i >= 0 && i < int64(len(out)) {
			page[i].Info = runInfoFromRow(row, 1)
			out[i] = &page[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A run deleted since the keys were read cannot be missing within one
	// read transaction, but keep the page dense regardless.
	return slices.DeleteFunc(out, func(r *store.Run) bool { return r == nil }), nil
}

// pageToken says where the next page of SearchRuns starts. Offset is
// MLflow's own field (its tokens are base64 of {"offset": n}); StartTime and
// RunID name the last run of the previous page, so the next page is found
// without sorting and skipping all the runs before it.
type pageToken struct {
	Offset    int    `json:"offset"`
	StartTime *int64 `json:"start_time,omitempty"`
	RunID     string `json:"run_id,omitempty"`
}

func decodePageToken(tok string) (pageToken, error) {
	var pt pageToken
	if tok == "" {
		return pt, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &pt)
	}
	if err != nil || pt.Offset < 0 || (pt.RunID == "") != (pt.StartTime == nil) {
		return pageToken{}, errorf(store.CodeInvalidParameter, "invalid page token %q", tok)
	}
	return pt, nil
}

func (pt pageToken) encode() string {
	b, _ := json.Marshal(pt)
	return base64.StdEncoding.EncodeToString(b)
}
