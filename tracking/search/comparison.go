package search

// The parsed form of a search: the entities and keys MLflow knows, a
// comparison, a filter, and how each prints back in MLflow's syntax.

import "strings"

// Entity is what the key of a comparison or an order names: MLflow's
// identifier types.
type Entity string

// The entities a run search knows, spelled as MLflow spells them in its
// messages. Filters also accept the aliases metrics, params, parameters,
// param, tags, attributes, attr, run and datasets.
const (
	Attribute Entity = "attribute"
	Metric    Entity = "metric"
	Param     Entity = "parameter"
	Tag       Entity = "tag"
	Dataset   Entity = "dataset"
)

// entities maps every spelling a filter may use to its entity.
var entities = map[string]Entity{
	"metric": Metric, "metrics": Metric,
	"parameter": Param, "parameters": Param, "param": Param, "params": Param,
	"tag": Tag, "tags": Tag,
	"attribute": Attribute, "attributes": Attribute, "attr": Attribute, "run": Attribute,
	"dataset": Dataset, "datasets": Dataset,
}

// prefix is how String writes an entity: the shortest spelling MLflow's
// users write.
var prefix = map[Entity]string{
	Attribute: "attributes", Metric: "metrics", Param: "params", Tag: "tags", Dataset: "datasets",
}

// Comparators, upper case as a parsed Comparison holds them.
const (
	OpEq        = "="
	OpNe        = "!="
	OpLt        = "<"
	OpLe        = "<="
	OpGt        = ">"
	OpGe        = ">="
	OpLike      = "LIKE"
	OpILike     = "ILIKE"
	OpIn        = "IN"
	OpNotIn     = "NOT IN"
	OpIsNull    = "IS NULL"
	OpIsNotNull = "IS NOT NULL"
)

// Run attributes a filter may name. Aliases (created, Created, "run name",
// ...) are translated to these when parsed.
const (
	AttrRunID       = "run_id"
	AttrRunName     = "run_name"
	AttrUserID      = "user_id"
	AttrStatus      = "status"
	AttrStartTime   = "start_time"
	AttrEndTime     = "end_time"
	AttrArtifactURI = "artifact_uri"
)

// Dataset fields a filter may name.
const (
	DatasetName    = "name"
	DatasetDigest  = "digest"
	DatasetContext = "context"
)

// The sets MLflow lists in its messages, written in the order its own
// messages show them, so that a grove server answers with the same text.
const (
	searchKeysText   = "{'end_time', 'Created', 'run_id', 'artifact_uri', 'status', 'run name', 'Run name', 'user_id', 'Run Name', 'start_time', 'run_name', 'created'}"
	orderKeysText    = "{'end_time', 'Created', 'run_id', 'artifact_uri', 'status', 'user_id', 'start_time', 'run_name', 'created'}"
	datasetKeysText  = "{'name', 'digest', 'context'}"
	metricOpsText    = "{'>', '>=', '!=', '=', '<', '<='}"
	paramOpsText     = "{'ILIKE', 'IS NOT NULL', 'LIKE', '!=', 'IS NULL', '='}"
	stringAttrOpText = "{'ILIKE', 'LIKE', '!=', 'NOT IN', 'IN', '='}"
	entityListText   = "['metric', 'parameter', 'tag', 'attribute', 'dataset']"
)

var (
	searchKeys = set("end_time", "Created", "run_id", "artifact_uri", "status", "run name", "Run name", "user_id", "Run Name", "start_time", "run_name", "created")
	orderKeys  = set("end_time", "Created", "run_id", "artifact_uri", "status", "user_id", "start_time", "run_name", "created")
	numberKeys = set("start_time", "end_time", "created", "Created")

	metricOps     = set(OpGt, OpGe, OpNe, OpEq, OpLt, OpLe)
	paramOps      = set(OpILike, OpIsNotNull, OpLike, OpNe, OpIsNull, OpEq)
	stringAttrOps = set(OpILike, OpLike, OpNe, OpNotIn, OpIn, OpEq)
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// alias translates MLflow's alternative attribute names. MLflow applies it
// to every key, whatever its entity, and so does grove: params.created
// names the param start_time.
func alias(key string) string {
	switch key {
	case "created", "Created":
		return AttrStartTime
	case "run name", "Run name", "Run Name":
		return AttrRunName
	}
	return key
}

// Comparison is one clause of a filter: an entity's key, a comparator and
// the value it compares with. Filters are clauses joined by AND; MLflow has
// no OR.
type Comparison struct {
	Entity Entity
	Key    string // without quotes, aliases translated: "accuracy", "start_time"
	Op     string // one of the Op constants, upper case
	// Value is the operand as written, quotes removed: a string, or a
	// number's text for metrics and numeric attributes. Empty for IN,
	// NOT IN, IS NULL and IS NOT NULL.
	Value string
	// Number is Value read as a number, for metrics and the numeric
	// attributes start_time and end_time.
	Number float64
	// Values is the list IN and NOT IN compare with.
	Values []string
}

// Numeric reports whether c compares numbers: a metric, start_time or
// end_time.
func (c Comparison) Numeric() bool {
	return c.Entity == Metric || c.Entity == Attribute && (c.Key == AttrStartTime || c.Key == AttrEndTime)
}

// String writes c back in MLflow's syntax, in a form ParseFilter reads as c.
func (c Comparison) String() string {
	var b strings.Builder
	b.WriteString(prefix[c.Entity])
	b.WriteByte('.')
	b.WriteString(quoteName(c.Key))
	b.WriteByte(' ')
	b.WriteString(c.Op)
	switch c.Op {
	case OpIsNull, OpIsNotNull:
	case OpIn, OpNotIn:
		b.WriteString(" (")
		if len(c.Values) == 0 {
			// An empty list is refused; a lone empty string is dropped
			// from a run id list as an id with upper-case letters is.
			b.WriteString("''")
		}
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(v))
		}
		b.WriteString(")")
	default:
		b.WriteByte(' ')
		if c.Numeric() {
			b.WriteString(c.Value)
		} else {
			b.WriteString(quoteValue(c.Value))
		}
	}
	return b.String()
}

// quoteName quotes a key unless it is a plain word: in backquotes, or in
// double quotes when it holds a backquote (nothing in the grammar escapes
// a quote inside a key).
func quoteName(key string) string {
	if t := lex(key); len(t) == 1 && t[0].kind == kName && !strings.HasPrefix(key, "`") {
		return key
	}
	if !strings.Contains(key, "`") {
		return "`" + key + "`"
	}
	if !strings.Contains(key, `"`) {
		return `"` + key + `"`
	}
	return "'" + key + "'"
}

// quoteValue quotes a string value so that the lexer reads it back whole:
// values keep what is between the quotes as written (MLflow unescapes
// nothing), so the quote character is the one the value can live in.
func quoteValue(v string) string {
	if q := "'" + v + "'"; reSingle.FindString(q) == q {
		return q
	}
	return `"` + v + `"`
}

// Filter is a parsed filter string: comparisons that must all hold.
type Filter []Comparison

// String writes f back in MLflow's syntax, clauses joined by AND.
func (f Filter) String() string {
	parts := make([]string, len(f))
	for i, c := range f {
		parts[i] = c.String()
	}
	return strings.Join(parts, " AND ")
}
