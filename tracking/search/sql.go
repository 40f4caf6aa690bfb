package search

import (
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// SQL is a Query rendered for MLflow's SQLite schema: Where is a boolean
// expression and OrderBy the terms of an ORDER BY clause, each over the
// runs table under the name given to Query.SQLite, with the arguments of
// their ? placeholders in order. The terms end with MLflow's tie-breakers,
// so the order is total.
type SQL struct {
	Where     string // "1" for an empty filter
	WhereArgs []any
	OrderBy   string
	OrderArgs []any
}

// runColumns are the runs table's columns of the attributes.
var runColumns = map[string]string{
	AttrRunID: "run_uuid", AttrRunName: "name", AttrUserID: "user_id", AttrStatus: "status",
	AttrStartTime: "start_time", AttrEndTime: "end_time", AttrArtifactURI: "artifact_uri",
}

// SQLite renders q as SQL over MLflow's tables (runs, latest_metrics,
// params, tags, inputs, input_tags, datasets), where runs is the name the
// enclosing query gives the runs table. It selects and orders exactly as
// Match and Sort do: each clause is an EXISTS over the table holding the
// key (MLflow joins those tables and keeps distinct runs, which selects
// the same runs), LIKE is matched with GLOB so that it is case-sensitive
// whatever the connection's case_sensitive_like, and ILIKE as
// lower(x) LIKE lower(pattern), as MLflow writes it.
func (q *Query) SQLite(runs string) SQL {
	var out SQL
	var where []string
	for _, c := range q.Filter {
		w, args := c.sqlite(runs)
		where = append(where, w)
		out.WhereArgs = append(out.WhereArgs, args...)
	}
	out.Where = "1"
	if len(where) > 0 {
		out.Where = strings.Join(where, " AND ")
	}
	var terms []string
	for _, o := range q.Order {
		t, args := o.sqlite(runs)
		terms = append(terms, t...)
		out.OrderArgs = append(out.OrderArgs, args...)
	}
	if !q.ordersStart() {
		terms = append(terms, runs+".start_time DESC")
	}
	terms = append(terms, runs+".run_uuid")
	out.OrderBy = strings.Join(terms, ", ")
	return out
}

// sqlite renders one comparison.
func (c Comparison) sqlite(runs string) (string, []any) {
	owner := runs + ".run_uuid"
	switch c.Entity {
	case Attribute:
		if c.Key == AttrRunName {
			cond, args := c.sqlString("t.value")
			return "EXISTS (SELECT 1 FROM tags AS t WHERE t.run_uuid = " + owner + " AND t.key = ? AND " + cond + ")",
				append([]any{store.TagRunName}, args...)
		}
		col := runs + "." + runColumns[c.Key]
		if c.Numeric() {
			return col + " " + c.Op + " ?", []any{c.number()}
		}
		return c.sqlString(col)
	case Metric:
		return "EXISTS (SELECT 1 FROM latest_metrics AS m WHERE m.run_uuid = " + owner + " AND m.key = ? AND m.value " + c.Op + " ?)",
			[]any{c.Key, c.Number}
	case Param, Tag:
		table := "params"
		if c.Entity == Tag {
			table = "tags"
		}
		exists := "EXISTS (SELECT 1 FROM " + table + " AS p WHERE p.run_uuid = " + owner + " AND p.key = ?"
		switch c.Op {
		case OpIsNull:
			return "NOT " + exists + ")", []any{c.Key}
		case OpIsNotNull:
			return exists + ")", []any{c.Key}
		}
		cond, args := c.sqlString("p.value")
		return exists + " AND " + cond + ")", append([]any{c.Key}, args...)
	case Dataset:
		from := "EXISTS (SELECT 1 FROM inputs AS i JOIN datasets AS d ON d.dataset_uuid = i.source_id"
		if c.Key == DatasetContext {
			cond, args := c.sqlString("it.value")
			return from + " JOIN input_tags AS it ON it.input_uuid = i.input_uuid AND it.name = ? AND " + cond +
				" WHERE i.destination_id = " + owner + ")", append([]any{ContextTag}, args...)
		}
		cond, args := c.sqlString("d." + c.Key)
		return from + " WHERE i.destination_id = " + owner + " AND " + cond + ")", args
	}
	return "0", nil
}

// number is a numeric attribute's operand: an integer when written as one,
// so that SQLite compares integer columns exactly.
func (c Comparison) number() any {
	if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
		return n
	}
	return c.Number
}

// sqlString renders a string comparison of col.
func (c Comparison) sqlString(col string) (string, []any) {
	switch c.Op {
	case OpLike:
		return col + " GLOB ?", []any{likeToGlob(c.Value)}
	case OpILike:
		return "lower(" + col + ") LIKE lower(?)", []any{c.Value}
	case OpIn, OpNotIn:
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(c.Values)), ", ")
		args := make([]any, len(c.Values))
		for i, v := range c.Values {
			args[i] = v
		}
		return col + " " + c.Op + " (" + marks + ")", args
	}
	return col + " " + c.Op + " ?", []any{c.Value}
}

// likeToGlob turns a LIKE pattern into the GLOB pattern that matches the
// same strings, case included: % is *, _ is ?, and GLOB's own wildcards
// are bracketed to stand for themselves.
func likeToGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sqlite renders one order as ORDER BY terms: whether the value is
// missing (or NaN) first, always ascending, then the value.
func (o Order) sqlite(runs string) ([]string, []any) {
	dir := ""
	if !o.Ascending {
		dir = " DESC"
	}
	owner := runs + ".run_uuid"
	switch o.Entity {
	case Metric:
		sub := "FROM latest_metrics AS m WHERE m.run_uuid = " + owner + " AND m.key = ?"
		return []string{
			"coalesce((SELECT CASE WHEN m.is_nan THEN 1 ELSE 0 END " + sub + "), 2)",
			"(SELECT m.value " + sub + ")" + dir,
		}, []any{o.Key, o.Key}
	case Param, Tag:
		table := "params"
		if o.Entity == Tag {
			table = "tags"
		}
		value := "(SELECT p.value FROM " + table + " AS p WHERE p.run_uuid = " + owner + " AND p.key = ?)"
		return []string{value + " IS NULL", value + dir}, []any{o.Key, o.Key}
	}
	col := runs + "." + runColumns[o.Key]
	return []string{col + " IS NULL", col + dir}, nil
}

// SQLite renders q as SQL over MLflow's experiments and experiment_tags
// tables, where experiments is the name the enclosing query gives the
// experiments table; it selects and orders as Match and Sort do.
func (q *ExperimentQuery) SQLite(experiments string) SQL {
	var out SQL
	var where []string
	owner := experiments + ".experiment_id"
	for _, c := range q.Filter {
		switch {
		case c.Entity == Tag:
			exists := "EXISTS (SELECT 1 FROM experiment_tags AS t WHERE t.experiment_id = " + owner + " AND t.key = ?"
			switch c.Op {
			case OpIsNull:
				where = append(where, "NOT "+exists+")")
				out.WhereArgs = append(out.WhereArgs, c.Key)
			case OpIsNotNull:
				where = append(where, exists+")")
				out.WhereArgs = append(out.WhereArgs, c.Key)
			default:
				cond, args := c.sqlString("t.value")
				where = append(where, exists+" AND "+cond+")")
				out.WhereArgs = append(append(out.WhereArgs, c.Key), args...)
			}
		case expNumberKeys[c.Key]:
			where = append(where, experiments+"."+c.Key+" "+c.Op+" ?")
			out.WhereArgs = append(out.WhereArgs, c.number())
		default:
			cond, args := c.sqlString(experiments + ".name")
			where = append(where, cond)
			out.WhereArgs = append(out.WhereArgs, args...)
		}
	}
	out.Where = "1"
	if len(where) > 0 {
		out.Where = strings.Join(where, " AND ")
	}
	terms := make([]string, len(q.Order))
	for i, o := range q.Order {
		terms[i] = experiments + "." + o.Key
		if !o.Ascending {
			terms[i] += " DESC"
		}
	}
	out.OrderBy = strings.Join(terms, ", ")
	return out
}
