package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// Query is a parsed run search: which runs a filter keeps and the order
// they come in.
type Query struct {
	Filter Filter
	Order  []Order
}

// ParseQuery parses a run search's filter and order_by clauses, failing
// with the error MLflow's SQL store gives for the first thing wrong, in the
// order it looks: the filter's syntax and values, then the order_by
// clauses, then the filter's comparators.
func ParseQuery(filter string, orderBy []string) (*Query, error) {
	f, err := parseFilter(filter, runRules)
	if err != nil {
		return nil, err
	}
	o, err := ParseOrderBy(orderBy)
	if err != nil {
		return nil, err
	}
	if err := checkOps(f); err != nil {
		return nil, err
	}
	return &Query{Filter: normalize(f), Order: o}, nil
}

// Match reports whether r passes every comparison of q's filter, as
// MLflow's SQL store decides it: a run without the key compared (no such
// metric, param, tag or dataset, no end time) fails every comparison but
// IS NULL, a NaN metric compares as the 0 MLflow stores for it, and
// ±Inf as the largest finite numbers.
func (q *Query) Match(r *store.Run) bool {
	for _, c := range q.Filter {
		if !c.Match(r) {
			return false
		}
	}
	return true
}

// Match reports whether r passes c.
func (c Comparison) Match(r *store.Run) bool {
	switch c.Entity {
	case Metric:
		m, ok := r.Metric(c.Key)
		return ok && compareNumber(c.Op, stored(m.Value), c.Number)
	case Param:
		v, ok := r.Param(c.Key)
		return c.matchOptional(v, ok)
	case Tag:
		v, ok := r.Tag(c.Key)
		return c.matchOptional(v, ok)
	case Dataset:
		for _, in := range r.Inputs.Datasets {
			switch c.Key {
			case DatasetName:
				if c.matchString(in.Dataset.Name) {
					return true
				}
			case DatasetDigest:
				if c.matchString(in.Dataset.Digest) {
					return true
				}
			case DatasetContext:
				for _, t := range in.Tags {
					if t.Key == ContextTag && c.matchString(t.Value) {
						return true
					}
				}
			}
		}
		return false
	case Attribute:
		switch c.Key {
		case AttrStartTime:
			return compareNumber(c.Op, float64(r.Info.StartTime), c.Number)
		case AttrEndTime:
			return r.Info.EndTime != 0 && compareNumber(c.Op, float64(r.Info.EndTime), c.Number)
		case AttrRunName:
			// MLflow searches names in the tag, which runs of every
			// MLflow version have, not in the runs table's column.
			v, ok := r.Tag(store.TagRunName)
			return ok && c.matchString(v)
		}
		v, _ := attribute(&r.Info, c.Key)
		return c.matchString(v)
	}
	return false
}

// ContextTag is the dataset input tag that datasets.context compares.
const ContextTag = "mlflow.data.context"

func (c Comparison) matchOptional(v string, ok bool) bool {
	switch c.Op {
	case OpIsNull:
		return !ok
	case OpIsNotNull:
		return ok
	}
	return ok && c.matchString(v)
}

func (c Comparison) matchString(v string) bool {
	switch c.Op {
	case OpEq:
		return v == c.Value
	case OpNe:
		return v != c.Value
	case OpLike:
		return Like(v, c.Value)
	case OpILike:
		return Like(asciiLower(v), asciiLower(c.Value))
	case OpIn:
		return slices.Contains(c.Values, v)
	case OpNotIn:
		return !slices.Contains(c.Values, v)
	}
	return false
}

func compareNumber(op string, a, b float64) bool {
	switch op {
	case OpEq:
		return a == b
	case OpNe:
		return a != b
	case OpLt:
		return a < b
	case OpLe:
		return a <= b
	case OpGt:
		return a > b
	case OpGe:
		return a >= b
	}
	return false
}

// stored is a metric value as MLflow's SQL store keeps it: NaN as 0 (with
// a flag beside it), ±Inf as ±math.MaxFloat64.
func stored(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}

// attribute returns a string attribute of a run, as its column holds it.
func attribute(info *store.RunInfo, key string) (string, bool) {
	switch key {
	case AttrRunID:
		return info.RunID, true
	case AttrRunName:
		return info.RunName, true
	case AttrUserID:
		return info.UserID, true
	case AttrStatus:
		return string(info.Status), true
	case AttrArtifactURI:
		return info.ArtifactURI, true
	}
	return "", false
}

// asciiLower lower-cases ASCII letters only, as SQLite's lower() does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// Like reports whether s matches an SQL LIKE pattern as MLflow's SQLite
// store matches it: case-sensitively, % for any run of characters, _ for
// one character, and no escape character.
func Like(s, pattern string) bool {
	// Iterative matching with one backtrack point, the last %, is enough
	// for patterns whose only wildcard of any length is %.
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			switch pr, pn := decode(pattern[pi:]); {
			case pr == '%':
				star, mark = pi, si
				pi += pn
				continue
			case pr == '_':
				_, sn := decode(s[si:])
				si += sn
				pi += pn
				continue
			default:
				if _, sn := decode(s[si:]); sn == pn && s[si:si+sn] == pattern[pi:pi+pn] {
					si += sn
					pi += pn
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		_, sn := decode(s[mark:])
		mark += sn
		si = mark
		pi = star + 1
	}
	for pi < len(pattern) && pattern[pi] == '%' {
		pi++
	}
	return pi == len(pattern)
}

// decode returns the first character of s and its length in bytes; an
// invalid byte is a character of its own.
func decode(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// sortKey is one order's value for one run: class 0 for a value, then
// (metrics only) 1 for NaN, then the last class for a missing value.
type sortKey struct {
	class int
	num   float64
	str   string
}

func (q *Query) keys(r *store.Run) []sortKey {
	ks := make([]sortKey, len(q.Order))
	for i, o := range q.Order {
		ks[i] = orderKey(o, r)
	}
	return ks
}

func orderKey(o Order, r *store.Run) sortKey {
	switch o.Entity {
	case Metric:
		m, ok := r.Metric(o.Key)
		switch {
		case !ok:
			return sortKey{class: 2}
		case math.IsNaN(m.Value):
			return sortKey{class: 1}
		}
		return sortKey{num: stored(m.Value)}
	case Param:
		v, ok := r.Param(o.Key)
		if !ok {
			return sortKey{class: 1}
		}
		return sortKey{str: v}
	case Tag:
		v, ok := r.Tag(o.Key)
		if !ok {
			return sortKey{class: 1}
		}
		return sortKey{str: v}
	}
	switch o.Key {
	case AttrStartTime:
		return sortKey{num: float64(r.Info.StartTime)}
	case AttrEndTime:
		if r.Info.EndTime == 0 {
			return sortKey{class: 1}
		}
		return sortKey{num: float64(r.Info.EndTime)}
	}
	v, _ := attribute(&r.Info, o.Key)
	return sortKey{str: v}
}

// numeric reports whether o orders numbers.
func (o Order) numeric() bool {
	return o.Entity == Metric || o.Entity == Attribute && (o.Key == AttrStartTime || o.Key == AttrEndTime)
}

func (q *Query) compareKeys(a, b []sortKey, ra, rb *store.Run) int {
	for i, o := range q.Order {
		ka, kb := a[i], b[i]
		if c := cmp.Compare(ka.class, kb.class); c != 0 {
			return c
		}
		var c int
		if o.numeric() {
			c = cmp.Compare(ka.num, kb.num)
		} else {
			c = strings.Compare(ka.str, kb.str)
		}
		if !o.Ascending {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	if !q.ordersStart() {
		if c := cmp.Compare(rb.Info.StartTime, ra.Info.StartTime); c != 0 {
			return c
		}
	}
	return strings.Compare(ra.Info.RunID, rb.Info.RunID)
}

// ordersStart reports whether an order names start_time, in which case
// MLflow does not add its own start_time DESC before the run id.
func (q *Query) ordersStart() bool {
	for _, o := range q.Order {
		if o.Entity == Attribute && o.Key == AttrStartTime {
			return true
		}
	}
	return false
}

// Compare orders two runs as MLflow's SQL store orders a search's results:
// by each order in turn, a missing value last whatever the direction (a NaN
// metric just before the missing ones), then newest start time first
// unless an order named start_time, then by run id.
func (q *Query) Compare(a, b *store.Run) int {
	return q.compareKeys(q.keys(a), q.keys(b), a, b)
}

// Sort sorts runs in q's order.
func (q *Query) Sort(runs []*store.Run) {
	type keyed struct {
		run  *store.Run
		keys []sortKey
	}
	ks := make([]keyed, len(runs))
	for i, r := range runs {
		ks[i] = keyed{r, q.keys(r)}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return q.compareKeys(a.keys, b.keys, a.run, b.run) })
	for i := range ks {
		runs[i] = ks[i].run
	}
}
