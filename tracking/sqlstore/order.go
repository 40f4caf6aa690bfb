package sqlstore

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

// runKey is what SearchRuns sorts runs by: two integers, as run ids (32 hex
// digits each) would more than double what ten thousand keys allocate. Run
// ids, the tie-breaker, are read only for runs that started in the same
// millisecond.
type runKey struct{ rowid, start int64 }

// runOrder is the order of the runs one search selects: newest start time
// first, then by run id. The runs table has no index for that order, so
// finding it scans the table; a listing read page by page would scan it once
// a page. A read connection therefore keeps the last order it found, with
// the database's data_version, which changes whenever another connection
// commits: the next page reuses the order only if nothing was written since.
type runOrder struct {
	version int64
	filter  string // the query and arguments that selected the runs
	keys    []runKey
	ids     map[int64]string // run ids by rowid, for runs whose start time ties
}

// runOrder returns the order of the runs selected by where with args, from
// the connection's memory when the database is unchanged.
func (r reader) runOrder(where string, args []any) (*runOrder, error) {
	// data_version starts the read snapshot: whatever is read next in this
	// transaction is at this version.
	var version int64
	err := r.query(`PRAGMA data_version`, nil, func(row *lite.Stmt) error {
		version = row.Int64(0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	filter := fmt.Sprintf("%s %v", where, args)
	if o := r.rc.order; o != nil && o.version == version && o.filter == filter {
		return o, nil
	}
	r.rc.order = nil
	o := &runOrder{version: version, filter: filter, keys: make([]runKey, 0, 1024), ids: map[int64]string{}}
	err = r.query(`SELECT rowid, coalesce(start_time, -9223372036854775808) FROM runs WHERE `+where, args, func(row *lite.Stmt) error {
		o.keys = append(o.keys, runKey{rowid: row.Int64(0), start: row.Int64(1)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(o.keys, func(a, b runKey) int { return cmp.Compare(b.start, a.start) })
	var tied []int64
	for i, k := range o.keys {
		if (i > 0 && o.keys[i-1].start == k.start) || (i+1 < len(o.keys) && o.keys[i+1].start == k.start) {
			tied = append(tied, k.rowid)
		}
	}
	if len(tied) > 0 {
		if err := o.readIDs(r, tied); err != nil {
			return nil, err
		}
		slices.SortStableFunc(o.keys, func(a, b runKey) int {
			if c := cmp.Compare(b.start, a.start); c != 0 {
				return c
			}
			return strings.Compare(o.ids[a.rowid], o.ids[b.rowid])
		})
	}
	r.rc.order = o
	return o, nil
}

// readIDs reads the run ids of rowids into o.ids.
func (o *runOrder) readIDs(r reader, rowids []int64) error {
	list, _ := json.Marshal(rowids)
	return r.query(`SELECT r.rowid, r.run_uuid FROM json_each(?) AS j CROSS JOIN runs AS r ON r.rowid = j.value`, []any{string(list)}, func(row *lite.Stmt) error {
		o.ids[row.Int64(0)] = row.Text(1)
		return nil
	})
}

// after returns the index of the first run that sorts after the run with
// start time start and id runID, which need not exist any more.
func (o *runOrder) after(r reader, start int64, runID string) (int, error) {
	lo := sort.Search(len(o.keys), func(i int) bool { return o.keys[i].start <= start })
	hi := lo + sort.Search(len(o.keys)-lo, func(i int) bool { return o.keys[lo+i].start < start })
	if hi-lo == 1 {
		// A start time of one run only: its id was not needed to sort.
		if err := o.readIDs(r, []int64{o.keys[lo].rowid}); err != nil {
			return 0, err
		}
	}
	return lo + sort.Search(hi-lo, func(i int) bool { return o.ids[o.keys[lo+i].rowid] > runID }), nil
}
