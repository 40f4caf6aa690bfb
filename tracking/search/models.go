package search

import (
	"cmp"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// Logged-model attributes a search_logged_models filter or order may name.
const (
	ModelID          = "model_id"
	ModelName        = "name"
	ModelStatus      = "status"
	ModelType        = "model_type"
	ModelSourceRunID = "source_run_id"
	ModelCreated     = "creation_timestamp"
	ModelUpdated     = "last_updated_timestamp"
)

var (
	modelKeys = set(ModelID, ModelName, ModelStatus, ModelType, ModelSourceRunID,
		ModelCreated, "creation_time", ModelUpdated, "last_updated_time")
	modelNumberKeys = set(ModelCreated, "creation_time", ModelUpdated, "last_updated_time")
	modelStringOps  = set(OpEq, OpNe, OpLike, OpILike)
	modelKeysText   = "{'model_id', 'name', 'status', 'model_type', 'source_run_id', 'creation_timestamp', 'creation_time', 'last_updated_timestamp', 'last_updated_time'}"
)

// modelAlias gives the time attributes the names MLflow stores them under.
func modelAlias(key string) string {
	switch key {
	case "creation_time":
		return ModelCreated
	case "last_updated_time":
		return ModelUpdated
	}
	return key
}

var modelRules = rules{
	identifier: modelIdentifier,
	keys:       modelKeys,
	keysText:   modelKeysText,
	numbers:    modelNumberKeys,
	nullable: func(e Entity, key string) error {
		if e != Tag && e != Param {
			return invalid("IS NULL / IS NOT NULL is only supported for tags and params, not for '%s' '%s'", e, key)
		}
		return nil
	},
	quoteList: func(clauses []string) string { return strings.Join(clauses, ", ") },
	alias:     modelAlias,
}

// modelIdentifier splits an identifier of a logged-model search: an
// attribute (bare, or after "attribute."), a metric, a param or a tag.
func modelIdentifier(text string, keys map[string]bool, keysText string) (Entity, string, error) {
	word, key, dotted := strings.Cut(text, ".")
	e := Attribute
	if !dotted {
		key = word
	} else {
		w := trimBackquotes(word)
		var ok bool
		if e, ok = entities[w]; !ok || e == Dataset || w == "run" {
			return "", "", invalid("Invalid entity type '%s'. Valid values are ['metric', 'parameter', 'tag', 'attribute']", w)
		}
	}
	key = trimBackquotes(stripQuotes(key))
	if e == Attribute && !keys[key] {
		return "", "", invalid("Invalid attribute key '%s' specified. Valid keys are '%s'", key, keysText)
	}
	return e, key, nil
}

// LoggedModelQuery is a parsed search_logged_models request: which models
// a filter keeps and the order they come in.
type LoggedModelQuery struct {
	Filter Filter // Attribute, Metric, Param and Tag comparisons
	Order  []Order
}

// ParseLoggedModelQuery parses search_logged_models' filter and order, such
// as "name = 'tree' AND metrics.acc > 0.9" and {"metrics.acc", false}: an
// order names an attribute or "metrics.<key>", which sorts by the metric's
// latest value. Ties fall to the newest model, then to the smallest model
// id, unless the order names those keys.
func ParseLoggedModelQuery(filter string, orderBy []store.LoggedModelOrder) (*LoggedModelQuery, error) {
	f, err := parseFilter(filter, modelRules)
	if err != nil {
		return nil, err
	}
	for i, c := range f {
		if err := checkModelOp(c); err != nil {
			return nil, err
		}
		f[i].Op = strings.ToUpper(c.Op)
	}
	var order []Order
	for _, o := range orderBy {
		word, key, dotted := strings.Cut(o.Field, ".")
		switch {
		case dotted && word != "metrics":
			return nil, invalid("Invalid order by field name: %s, only `metrics.<name>` is allowed.", word)
		case dotted:
			order = append(order, Order{Entity: Metric, Key: key, Ascending: o.Ascending})
		case !modelKeys[strings.TrimSpace(word)]:
			return nil, invalid("Invalid order by field name: %s.", strings.TrimSpace(word))
		default:
			order = append(order, Order{Entity: Attribute, Key: modelAlias(strings.TrimSpace(word)), Ascending: o.Ascending})
		}
	}
	// Ties fall to the newest model, then to the smallest id, unless the
	// order names those keys itself.
	for _, tie := range []Order{{Entity: Attribute, Key: ModelCreated}, {Entity: Attribute, Key: ModelID, Ascending: true}} {
		if !slices.ContainsFunc(order, func(o Order) bool { return o.Entity == Attribute && o.Key == tie.Key }) {
			order = append(order, tie)
		}
	}
	return &LoggedModelQuery{Filter: f, Order: order}, nil
}

func checkModelOp(c Comparison) error {
	op := strings.ToUpper(c.Op)
	switch {
	case c.Entity == Param || c.Entity == Tag:
		if !paramOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s'", op, paramOpsText)
		}
	case c.Entity == Metric || modelNumberKeys[c.Key]:
		if !metricOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s'", op, metricOpsText)
		}
	case !modelStringOps[op]:
		return invalid("Invalid comparator for string attribute: %s", op)
	}
	return nil
}

// Match reports whether m passes every comparison of q's filter. A metric
// comparison holds when any recorded value of the metric satisfies it.
func (q *LoggedModelQuery) Match(m *store.LoggedModel) bool {
	for _, c := range q.Filter {
		if !c.matchModel(m) {
			return false
		}
	}
	return true
}

func (c Comparison) matchModel(m *store.LoggedModel) bool {
	switch c.Entity {
	case Metric:
		return slices.ContainsFunc(m.Metrics, func(p store.Metric) bool {
			return p.Key == c.Key && compareNumber(c.Op, p.Value, c.Number)
		})
	case Param:
		i := slices.IndexFunc(m.Params, func(p store.Param) bool { return p.Key == c.Key })
		return c.matchOptional(paramValue(m.Params, i), i >= 0)
	case Tag:
		i := slices.IndexFunc(m.Tags, func(t store.Tag) bool { return t.Key == c.Key })
		v := ""
		if i >= 0 {
			v = m.Tags[i].Value
		}
		return c.matchOptional(v, i >= 0)
	}
	switch c.Key {
	case ModelCreated:
		return compareNumber(c.Op, float64(m.CreationTime), c.Number)
	case ModelUpdated:
		return compareNumber(c.Op, float64(m.LastUpdatedTime), c.Number)
	case ModelID:
		return c.matchString(m.ModelID)
	case ModelStatus:
		return c.matchString(m.Status.String())
	case ModelType:
		return c.matchString(m.ModelType)
	case ModelSourceRunID:
		return c.matchString(m.SourceRunID)
	}
	return c.matchString(m.Name)
}

func paramValue(ps []store.Param, i int) string {
	if i < 0 {
		return ""
	}
	return ps[i].Value
}

// latestMetric is the value of m's metric key with the newest timestamp,
// then the highest step; ok is false when m has none.
func latestMetric(m *store.LoggedModel, key string) (v float64, ok bool) {
	var best store.Metric
	for _, p := range m.Metrics {
		if p.Key != key {
			continue
		}
		if !ok || cmp.Or(cmp.Compare(p.Timestamp, best.Timestamp), cmp.Compare(p.Step, best.Step)) > 0 {
			best, ok = p, true
		}
	}
	return best.Value, ok
}

// Compare orders two logged models as q orders them. Models without a
// metric an order names come last, whichever the direction.
func (q *LoggedModelQuery) Compare(a, b *store.LoggedModel) int {
	for _, o := range q.Order {
		var c int
		if o.Entity == Metric {
			x, okA := latestMetric(a, o.Key)
			y, okB := latestMetric(b, o.Key)
			if okA != okB {
				if okA {
					return -1
				}
				return 1
			}
			c = cmp.Compare(x, y) // NaN first, as cmp orders it
		} else {
			switch o.Key {
			case ModelName:
				c = strings.Compare(a.Name, b.Name)
			case ModelID:
				c = strings.Compare(a.ModelID, b.ModelID)
			case ModelStatus:
				c = cmp.Compare(a.Status, b.Status)
			case ModelType:
				c = strings.Compare(a.ModelType, b.ModelType)
			case ModelSourceRunID:
				c = strings.Compare(a.SourceRunID, b.SourceRunID)
			case ModelCreated:
				c = cmp.Compare(a.CreationTime, b.CreationTime)
			case ModelUpdated:
				c = cmp.Compare(a.LastUpdatedTime, b.LastUpdatedTime)
			}
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

// Sort sorts models in q's order.
func (q *LoggedModelQuery) Sort(models []*store.LoggedModel) {
	slices.SortStableFunc(models, q.Compare)
}
