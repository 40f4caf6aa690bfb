package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// SearchRuns reads in three steps: which runs a query selects and their
// order (runOrder, order.go: package search renders the filter and the
// order_by clauses as SQL, and the order is kept between the pages of one
// listing), then the page's runs with their data (pageRuns, then fillRuns
// in page.go).

// defaultPageSize is MLflow's default page of SearchRuns and
// SearchExperiments; store.MaxSearchResults is their largest.
const defaultPageSize = 1000

// SearchRuns lists the runs of the given experiments that q's view type
// sees and its filter selects, in its order (by default newest start time
// first, then by run id; runs without a start time last), with their
// latest metrics, params, tags, inputs and outputs. Filters, orders, page
// tokens and their errors are MLflow's (package tracking/search); a page
// token is the offset of the page's first run, as MLflow's are.
func (s *Store) SearchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	runs, next, err := s.searchRuns(ctx, q)
	if err != nil {
		return nil, "", wrap(err, "search runs of experiments %s", strings.Join(q.ExperimentIDs, ", "))
	}
	return runs, next, nil
}

func (s *Store) searchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	size, err := checkSearchSize(q.MaxResults, defaultPageSize)
	if err != nil {
		return nil, "", err
	}
	sel, err := runSelection(q)
	if err != nil {
		return nil, "", err
	}
	offset, err := search.DecodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	var out []*store.Run
	next := ""
	err = s.read(ctx, func(rq reader) error {
		order, err := rq.runOrder(sel)
		if err != nil {
			return err
		}
		keys := order.keys[min(offset, len(order.keys)):]
		if len(keys) > size {
			keys = keys[:size]
			next = search.EncodePageToken(offset + size)
		}
		if len(keys) == 0 {
			return nil
		}
		if out, err = pageRuns(rq, keys); err != nil {
			return err
		}
		return fillRuns(rq, out)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// selection is a run search as SQL over the runs table, named r: the
// runs it selects and, unless orderBy is empty (the default order, which
// runOrder sorts itself), their order.
type selection struct {
	where     string
	args      []any
	orderBy   string
	orderArgs []any
}

// runSelection renders q's experiments, view type, filter and order as SQL.
func runSelection(q store.RunQuery) (selection, error) {
	if len(q.ExperimentIDs) == 0 {
		return selection{}, errorf(store.CodeInvalidParameter, "search runs needs at least one experiment id")
	}
	query, err := search.ParseQuery(q.Filter, q.OrderBy)
	if err != nil {
		return selection{}, err
	}
	marks := make([]string, len(q.ExperimentIDs))
	var sel selection
	for i, e := range q.ExperimentIDs {
		n, err := parseExperimentID(e)
		if err != nil {
			return selection{}, err
		}
		marks[i] = "?"
		sel.args = append(sel.args, n)
	}
	var stages []string
	for _, stage := range []string{store.LifecycleActive, store.LifecycleDeleted} {
		if q.ViewType.Sees(stage) {
			stages = append(stages, "?")
			sel.args = append(sel.args, stage)
		}
	}
	if len(stages) == 0 {
		return selection{}, errorf(store.CodeInvalidParameter, "unknown run view type %d", int(q.ViewType))
	}
	sql := query.SQLite("r")
	sel.where = `r.experiment_id IN (` + strings.Join(marks, ", ") + `) AND r.lifecycle_stage IN (` + strings.Join(stages, ", ") + `)`
	if len(query.Filter) > 0 {
		sel.where += ` AND ` + sql.Where
		sel.args = append(sel.args, sql.WhereArgs...)
	}
	if len(query.Order) > 0 {
		sel.orderBy, sel.orderArgs = sql.OrderBy, sql.OrderArgs
	}
	return sel, nil
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
