package sqlstore

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// page is a set of runs whose params, tags and metrics are read together.
type page struct {
	runs  []*store.Run
	list  string           // the run ids as a JSON array, for json_each
	index map[string]int32 // run id -> index in runs, built when a table is scanned
	total int64            // about how many runs the database holds
}

func newPage(rq reader, runs []*store.Run) (*page, error) {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.Info.RunID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	p := &page{runs: runs, list: string(list)}
	if len(runs) >= minScanPage {
		if p.total, err = maxRowid(rq, "runs"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// minScanPage is the fewest runs for which page.rows considers a scan.
const minScanPage = 64

// seekCost is what finding a run's rows through a run_uuid index costs, in
// rows read: about 4.5 µs against 0.7 µs a row, measured on 10,000 runs
// with 3 rows each in three tables.
const seekCost = 6

// rows calls fn(i, row) for each row of table that belongs to run i of the
// page; row's columns are the run's locator, then cols. For a large page it
// first calls reserve with about how many rows will come.
//
// A run's rows are found through the table's run_uuid index: one seek per
// run. When the page holds most of the database's runs (a listing read in
// pages of 10,000), reading the whole table in storage order is cheaper
// than those seeks: the rows of other runs it reads in vain cost less than
// seekCost rows for each run of the page. The table's largest rowid stands
// for its row count; runs spread rows evenly enough for this estimate.
func (p *page) rows(rq reader, table, cols string, reserve func(n int), fn func(i int, row *lite.Stmt)) error {
	n := len(p.runs)
	if p.total > 0 {
		rows, err := maxRowid(rq, table)
		if err != nil {
			return err
		}
		share := float64(n) / float64(max(p.total, int64(n)))
		reserve(int(float64(rows)*share) + n)
		if others := float64(rows) * (1 - share); others < seekCost*float64(n) {
			return p.scan(rq, table, cols, fn)
		}
	}
	return rq.query(`SELECT j.key, `+prefixed("x.", cols)+` FROM json_each(?) AS j CROSS JOIN `+table+` AS x ON x.run_uuid = j.value`, []any{p.list}, func(row *lite.Stmt) error {
		if i := row.Int64(0); i >= 0 && i < int64(n) {
			fn(int(i), row)
		}
		return nil
	})
}

func (p *page) scan(rq reader, table, cols string, fn func(i int, row *lite.Stmt)) error {
	if p.index == nil {
		p.index = make(map[string]int32, len(p.runs))
		for i, r := range p.runs {
			p.index[r.Info.RunID] = int32(i)
		}
	}
	return rq.query(`SELECT run_uuid, `+cols+` FROM `+table, nil, func(row *lite.Stmt) error {
		if i, ok := p.index[string(row.TextBytes(0))]; ok {
			fn(int(i), row)
		}
		return nil
	})
}

// maxRowid returns the largest rowid of table, 0 when it is empty: about its
// row count, found in one descent of its b-tree.
func maxRowid(rq reader, table string) (int64, error) {
	var n int64
	err := rq.query(`SELECT coalesce(max(rowid), 0) FROM `+table, nil, func(row *lite.Stmt) error {
		n = row.Int64(0)
		return nil
	})
	return n, err
}

// grouped collects rows of the runs of a page in any order, and hands each
// run its rows as a part of one shared array: one allocation for the page
// instead of one per run.
type grouped[T any] struct {
	run  []int32
	vals []T
}

// reserve makes room for n more rows.
func (g *grouped[T]) reserve(n int) {
	g.run = slices.Grow(g.run, n)
	g.vals = slices.Grow(g.vals, n)
}

func (g *grouped[T]) add(i int, v T) {
	g.run = append(g.run, int32(i))
	g.vals = append(g.vals, v)
}

// split calls set(i, part) for each of the n runs that has rows, with its
// rows in the order they were added. Each part is capped, so that appending
// to one cannot overwrite the next.
func (g *grouped[T]) split(n int, set func(i int, part []T)) {
	start := make([]int, n+1)
	for _, i := range g.run {
		start[i+1]++
	}
	for i := range n {
		start[i+1] += start[i]
	}
	out := g.vals // rows that came grouped by run (seeks) stay where they are
	if !slices.IsSorted(g.run) {
		out = make([]T, len(g.vals))
		next := slices.Clone(start[:n])
		for k, i := range g.run {
			out[next[i]] = g.vals[k]
			next[i]++
		}
	}
	for i := range n {
		if a, b := start[i], start[i+1]; b > a {
			set(i, out[a:b:b])
		}
	}
}

// fillRuns loads the data, inputs and outputs of runs. One query per table
// keeps a page of a thousand runs to a handful of statements. The ids travel
// as one JSON array that json_each walks as the outer loop of each join
// (CROSS JOIN fixes the order), and rows name their run by its index in that
// array: an IN list of a thousand parameters would make SQLite build a
// temporary index per query, and run ids read back as strings cost an
// allocation each. A page holding most of a table's rows reads that table
// whole instead (see page.rows).
func fillRuns(rq reader, runs []*store.Run) error {
	p, err := newPage(rq, runs)
	if err != nil {
		return err
	}
	keys := interner{}
	var ms grouped[store.Metric]
	err = p.rows(rq, "latest_metrics", `"key", value, timestamp, step, is_nan`, ms.reserve, func(i int, row *lite.Stmt) {
		m := store.Metric{Key: keys.text(row, 1), Value: row.Float64(2), Timestamp: row.Int64(3), Step: row.Int64(4)}
		if row.Int64(5) != 0 {
			m.Value = nan64
		}
		ms.add(i, m)
	})
	if err != nil {
		return err
	}
	ms.split(len(runs), func(i int, part []store.Metric) { runs[i].Data.Metrics = part })
	var ps grouped[store.Param]
	err = p.rows(rq, "params", `"key", value`, ps.reserve, func(i int, row *lite.Stmt) {
		ps.add(i, store.Param{Key: keys.text(row, 1), Value: row.Text(2)})
	})
	if err != nil {
		return err
	}
	ps.split(len(runs), func(i int, part []store.Param) { runs[i].Data.Params = part })
	var ts grouped[store.Tag]
	err = p.rows(rq, "tags", `"key", value`, ts.reserve, func(i int, row *lite.Stmt) {
		ts.add(i, store.Tag{Key: keys.text(row, 1), Value: row.Text(2)})
	})
	if err != nil {
		return err
	}
	ts.split(len(runs), func(i int, part []store.Tag) { runs[i].Data.Tags = part })
	// Sorting a run's few rows here is cheaper than an ORDER BY, which
	// SQLite would answer with a temporary b-tree of the whole page.
	for _, r := range runs {
		slices.SortFunc(r.Data.Metrics, func(a, b store.Metric) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(r.Data.Params, func(a, b store.Param) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(r.Data.Tags, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	}
	args := []any{p.list}
	const each = `json_each(?) AS j CROSS JOIN `
	run := func(row *lite.Stmt) *store.Run {
		if i := row.Int64(0); i >= 0 && i < int64(len(runs)) {
			return runs[i]
		}
		return nil
	}
	// Dataset inputs with their tags, in the order they were linked.
	type key struct {
		run   *store.Run
		input string
	}
	seen := map[key]int{}
	err = rq.query(`SELECT j.key, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile, t.name, t.value
		FROM `+each+`inputs AS i ON i.destination_type = 'RUN' AND i.destination_id = j.value AND i.source_type = 'DATASET'
		JOIN datasets AS d ON d.dataset_uuid = i.source_id
		LEFT JOIN input_tags AS t ON t.input_uuid = i.input_uuid
		ORDER BY i.rowid, t.name`, args, func(row *lite.Stmt) error {
		r := run(row)
		if r == nil {
			return nil
		}
		k := key{r, row.Text(1)}
		i, ok := seen[k]
		if !ok {
			i = len(r.Inputs.Datasets)
			seen[k] = i
			r.Inputs.Datasets = append(r.Inputs.Datasets, store.DatasetInput{Dataset: store.Dataset{
				Name: row.Text(2), Digest: row.Text(3), SourceType: row.Text(4),
				Source: row.Text(5), Schema: row.Text(6), Profile: row.Text(7),
			}})
		}
		if !row.Null(8) {
			r.Inputs.Datasets[i].Tags = append(r.Inputs.Datasets[i].Tags, store.Tag{Key: row.Text(8), Value: row.Text(9)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Model inputs and outputs: links from the run (source) to a model.
	return rq.query(`SELECT j.key, i.source_type, i.destination_type, i.destination_id, i.step
		FROM `+each+`inputs AS i ON i.source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND i.source_id = j.value
		ORDER BY i.rowid`, args, func(row *lite.Stmt) error {
		r := run(row)
		if r == nil {
			return nil
		}
		switch src, dst := row.Text(1), row.Text(2); {
		case src == "RUN_INPUT" && dst == "MODEL_INPUT":
			r.Inputs.Models = append(r.Inputs.Models, store.ModelIO{ModelID: row.Text(3)})
		case src == "RUN_OUTPUT" && dst == "MODEL_OUTPUT":
			r.Outputs.Models = append(r.Outputs.Models, store.ModelIO{ModelID: row.Text(3), Step: row.Int64(4)})
		}
		return nil
	})
}

// interner hands out one string per distinct text: the runs of a page
// repeat the same few metric, param and tag keys, and a key read as a new
// string each time would be an allocation per row.
type interner map[string]string

// text returns column col of row's current row as a string.
func (in interner) text(row *lite.Stmt, col int) string {
	b := row.TextBytes(col)
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in) < 1024 {
		in[s] = s
	}
	return s
}

// prefixed puts p before each of the comma-separated columns cols.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
