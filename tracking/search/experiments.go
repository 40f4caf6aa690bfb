package search

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// Experiment attributes a search_experiments filter or order may name.
const (
	ExpName           = "name"
	ExpCreationTime   = "creation_time"
	ExpLastUpdateTime = "last_update_time"
	ExpID             = "experiment_id" // orders only
)

var (
	expSearchKeys     = set(ExpName, ExpCreationTime, ExpLastUpdateTime)
	expOrderKeys      = set(ExpName, ExpID, ExpCreationTime, ExpLastUpdateTime)
	expNumberKeys     = set(ExpCreationTime, ExpLastUpdateTime)
	expStringOps      = set(OpEq, OpNe, OpLike, OpILike)
	expSearchKeysText = "{'name', 'creation_time', 'last_update_time'}"
	expOrderKeysText  = "{'name', 'experiment_id', 'creation_time', 'last_update_time'}"
)

var experimentRules = rules{
	identifier: experimentIdentifier,
	keys:       expSearchKeys,
	keysText:   expSearchKeysText,
	numbers:    expNumberKeys,
	nullable: func(e Entity, key string) error {
		if e != Tag {
			return invalid("IS NULL / IS NOT NULL is only supported for tags, not for attribute '%s'", key)
		}
		return nil
	},
	quoteList: func(clauses []string) string { return strings.Join(clauses, ", ") },
	alias:     func(key string) string { return key },
}

// experimentIdentifier splits an identifier of an experiment search: an
// attribute (bare, or after "attribute.") or a tag ("tag." or "tags.").
func experimentIdentifier(text string, keys map[string]bool, keysText string) (Entity, string, error) {
	word, key, dotted := strings.Cut(text, ".")
	e := Attribute
	switch {
	case !dotted:
		key = word
	case word == "attribute":
	case word == "tag" || word == "tags":
		e = Tag
	default:
		return "", "", invalid("Invalid entity type '%s'. Valid entity types are ('attribute', 'tag', 'tags')", word)
	}
	key = trimBackquotes(stripQuotes(key))
	if e == Attribute && !keys[key] {
		return "", "", invalid("Invalid attribute key '%s' specified. Valid keys are '%s'", key, keysText)
	}
	return e, key, nil
}

// ExperimentQuery is a parsed search_experiments request: which
// experiments a filter keeps and the order they come in.
type ExperimentQuery struct {
	Filter Filter // Attribute (name, creation_time, last_update_time) and Tag comparisons
	Order  []Order
}

// ParseExperimentQuery parses search_experiments' filter and order_by as
// MLflow's SQL store does, such as "name LIKE 'iris%' and tags.team = 'a'"
// and "last_update_time DESC". With no order, experiments come newest
// first; experiment ids break ties, highest first unless an order names
// experiment_id. Comparators are matched as written: MLflow's experiment
// search takes "LIKE", not "like".
func ParseExperimentQuery(filter string, orderBy []string) (*ExperimentQuery, error) {
	f, err := parseFilter(filter, experimentRules)
	if err != nil {
		return nil, err
	}
	if len(orderBy) == 0 {
		orderBy = []string{"creation_time DESC", "experiment_id ASC"}
	}
	var order []Order
	for _, clause := range orderBy {
		e, key, asc, err := orderClause(clause, experimentIdentifier, expOrderKeys, expOrderKeysText)
		if err != nil {
			return nil, err
		}
		if e != Attribute {
			return nil, invalid("Invalid order_by entity: %s", e)
		}
		order = append(order, Order{Entity: e, Key: key, Ascending: asc})
	}
	if !slices.ContainsFunc(order, func(o Order) bool { return o.Key == ExpID }) {
		order = append(order, Order{Entity: Attribute, Key: ExpID})
	}
	for _, c := range f {
		if err := checkExperimentOp(c); err != nil {
			return nil, err
		}
	}
	return &ExperimentQuery{Filter: f, Order: order}, nil
}

func checkExperimentOp(c Comparison) error {
	switch {
	case c.Entity == Tag:
		if c.Op != OpIsNull && c.Op != OpIsNotNull && !expStringOps[c.Op] {
			return invalid("Invalid comparator for tag: %s", c.Op)
		}
	case expNumberKeys[c.Key]:
		if !metricOps[c.Op] {
			return invalid("Invalid comparator '%s' not one of '%s", c.Op, stringAttrOpText)
		}
	default:
		if !stringAttrOps[c.Op] {
			return invalid("Invalid comparator '%s' not one of '%s'", c.Op, stringAttrOpText)
		}
		if !expStringOps[c.Op] {
			return invalid("Invalid comparator for string attribute: %s", c.Op)
		}
	}
	return nil
}

// Match reports whether e passes every comparison of q's filter.
func (q *ExperimentQuery) Match(e *store.Experiment) bool {
	for _, c := range q.Filter {
		if !c.matchExperiment(e) {
			return false
		}
	}
	return true
}

func (c Comparison) matchExperiment(e *store.Experiment) bool {
	switch {
	case c.Entity == Tag:
		v, ok := e.Tags[c.Key]
		return c.matchOptional(v, ok)
	case c.Key == ExpCreationTime:
		return compareNumber(c.Op, float64(e.CreationTime), c.Number)
	case c.Key == ExpLastUpdateTime:
		return compareNumber(c.Op, float64(e.LastUpdateTime), c.Number)
	}
	return c.matchString(e.Name)
}

// Compare orders two experiments as q orders them.
func (q *ExperimentQuery) Compare(a, b *store.Experiment) int {
	for _, o := range q.Order {
		var c int
		switch o.Key {
		case ExpName:
			c = strings.Compare(a.Name, b.Name)
		case ExpCreationTime:
			c = cmp.Compare(a.CreationTime, b.CreationTime)
		case ExpLastUpdateTime:
			c = cmp.Compare(a.LastUpdateTime, b.LastUpdateTime)
		case ExpID:
			c = compareExperimentIDs(a.ID, b.ID)
		}
		if !o.Ascending {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// Sort sorts experiments in q's order.
func (q *ExperimentQuery) Sort(exps []*store.Experiment) { slices.SortStableFunc(exps, q.Compare) }

// compareExperimentIDs compares ids as the integers MLflow stores them as.
func compareExperimentIDs(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	return cmp.Compare(x, y)
}
