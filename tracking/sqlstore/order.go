package sqlstore

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

// runKey is what SearchRuns sorts runs by in its default order: two
// integers, as run ids (32 hex digits each) would more than double what ten
// thousand keys allocate. Run ids, the tie-breaker, are read only for runs
// that started in the same millisecond. An order the query names is
// sorted by SQLite, and its keys hold rowids only.
type runKey struct{ rowid, start int64 }

// runOrder is the order of the runs one search selects. Finding it reads
// every selected run (the runs table has no index for the default order,
// newest start time first, then by run id), and a listing read page by
// page would find it once a page. A read connection therefore keeps the
// last order it found, with the database's data_version, which changes
// whenever another connection commits: the next page reuses the order only
// if nothing was written since.
type runOrder struct {
	version int64
	query   string // the SQL and arguments that selected and ordered the runs
	keys    []runKey
	ids     map[int64]string // run ids by rowid, for runs whose start time ties
}

// runOrder returns the order of the runs sel selects, from the
// connection's memory when the database is unchanged.
func (r reader) runOrder(sel selection) (*runOrder, error) {
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
	// %#v quotes strings, so that no two argument lists print alike.
	query := fmt.Sprintf("%s ORDER BY %s %#v %#v", sel.where, sel.orderBy, sel.args, sel.orderArgs)
	if o := r.rc.order; o != nil && o.version == version && o.query == query {
		return o, nil
	}
	r.rc.order = nil
	o := &runOrder{version: version, query: query, keys: make([]runKey, 0, 1024)}
	if sel.orderBy != "" {
		err = r.query(`SELECT r.rowid FROM runs AS r WHERE `+sel.where+` ORDER BY `+sel.orderBy, append(slices.Clip(sel.args), sel.orderArgs...), func(row *lite.Stmt) error {
			o.keys = append(o.keys, runKey{rowid: row.Int64(0)})
			return nil
		})
	} else {
		err = o.sortDefault(r, sel)
	}
	if err != nil {
		return nil, err
	}
	r.rc.order = o
	return o, nil
}

// sortDefault finds the default order of the runs sel selects: by start
// time, newest first, sorted here on integers, then by run id.
func (o *runOrder) sortDefault(r reader, sel selection) error {
	err := r.query(`SELECT r.rowid, coalesce(r.start_time, -9223372036854775808) FROM runs AS r WHERE `+sel.where, sel.args, func(row *lite.Stmt) error {
		o.keys = append(o.keys, runKey{rowid: row.Int64(0), start: row.Int64(1)})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(o.keys, func(a, b runKey) int { return cmp.Compare(b.start, a.start) })
	var tied []int64
	for i, k := range o.keys {
		if (i > 0 && o.keys[i-1].start == k.start) || (i+1 < len(o.keys) && o.keys[i+1].start == k.start) {
			tied = append(tied, k.rowid)
		}
	}
	if len(tied) == 0 {
		return nil
	}
	o.ids = make(map[int64]string, len(tied))
	if err := o.readIDs(r, tied); err != nil {
		return err
	}
	slices.SortStableFunc(o.keys, func(a, b runKey) int {
		if c := cmp.Compare(b.start, a.start); c != 0 {
			return c
		}
		return strings.Compare(o.ids[a.rowid], o.ids[b.rowid])
	})
	return nil
}

// readIDs reads the run ids of rowids into o.ids.
func (o *runOrder) readIDs(r reader, rowids []int64) error {
	list, _ := json.Marshal(rowids)
	return r.query(`SELECT r.rowid, r.run_uuid FROM json_each(?) AS j CROSS JOIN runs AS r ON r.rowid = j.value`, []any{string(list)}, func(row *lite.Stmt) error {
		o.ids[row.Int64(0)] = row.Text(1)
		return nil
	})
}
