package search

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

func invalid(format string, args ...any) *store.Error {
	return store.Errorf(store.CodeInvalidParameter, format, args...)
}

// ParseFilter parses a run search filter as MLflow's SearchUtils does,
// including which comparators each entity accepts. An empty filter is an
// empty Filter. Errors are *store.Error values with MLflow's code and
// message.
func ParseFilter(filter string) (Filter, error) {
	f, err := parseFilter(filter, runRules)
	if err != nil {
		return nil, err
	}
	if err := checkOps(f); err != nil {
		return nil, err
	}
	return normalize(f), nil
}

// rules are what tell a run filter from an experiment filter.
type rules struct {
	identifier func(text string, keys map[string]bool, keysText string) (Entity, string, error)
	keys       map[string]bool
	keysText   string
	numbers    map[string]bool // attributes compared as numbers
	nullable   func(e Entity, key string) error
	quoteList  func(clauses []string) string
	alias      func(key string) string
}

var runRules = rules{
	identifier: runIdentifier,
	keys:       searchKeys,
	keysText:   searchKeysText,
	numbers:    numberKeys,
	nullable: func(e Entity, key string) error {
		if e != Tag && e != Param {
			return invalid("IS NULL / IS NOT NULL is only supported for tags and params, not for '%s' '%s'", e, key)
		}
		return nil
	},
	quoteList: func(clauses []string) string {
		for i, c := range clauses {
			clauses[i] = "'" + c + "'"
		}
		return strings.Join(clauses, ", ")
	},
	alias: alias,
}

// parseFilter reads the clauses of filter and their values; comparators
// are checked afterwards, as MLflow checks them when it builds its query.
func parseFilter(filter string, r rules) (Filter, error) {
	if filter == "" {
		return nil, nil
	}
	if !utf8.ValidString(filter) {
		// MLflow never sees such text: its requests are decoded as UTF-8.
		return nil, invalid("Invalid filter %s: not valid UTF-8", pyRepr(filter))
	}
	stmts := statements(filter)
	if len(stmts) == 0 {
		return nil, invalid("Invalid filter '%s'. Could not be parsed.", filter)
	}
	if len(stmts) > 1 {
		return nil, invalid("Search filter contained multiple expression %s. Provide AND-ed expression list.", pyRepr(filter))
	}
	clauses := joinClauses(stmts[0])
	var bad []string
	for _, n := range clauses {
		if n.kind != nComparison && !n.keyword("AND") {
			bad = append(bad, n.text)
		}
	}
	if len(bad) > 0 {
		return nil, invalid("Invalid clause(s) in filter string: %s", r.quoteList(bad))
	}
	var out Filter
	for _, n := range clauses {
		if n.kind != nComparison {
			continue
		}
		c, err := comparison(n, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// statements parses s and splits it at semicolons as SQL splits
// statements; a statement of only whitespace is dropped.
func statements(s string) [][]*node {
	nodes := parse(s)
	var out [][]*node
	start := 0
	for i, n := range nodes {
		if n.is(kPunct) && n.text == ";" {
			out = append(out, nodes[start:i+1])
			start = i + 1
		}
	}
	out = append(out, nodes[start:])
	kept := out[:0]
	for _, st := range out {
		for _, n := range st {
			if !n.isSpace() {
				kept = append(kept, st)
				break
			}
		}
	}
	return kept
}

// joinClauses drops whitespace and joins the forms the SQL grouping leaves
// apart into comparisons: x IN (...), x NOT IN (...), x IS NULL and
// x IS NOT NULL. It looks at tokens as MLflow does: after an identifier it
// takes the next two (or three) tokens as one clause or passes them on
// unexamined.
func joinClauses(stmt []*node) []*node {
	var toks []*node
	for _, n := range stmt {
		if !n.isSpace() {
			toks = append(toks, n)
		}
	}
	var out []*node
	for i := 0; i < len(toks); i++ {
		first := toks[i]
		if len(toks)-i < 3 {
			return append(out, toks[i:]...)
		}
		if first.kind != nIdent {
			out = append(out, first)
			continue
		}
		second, third := toks[i+1], toks[i+2]
		switch {
		case second.keyword("IN") && third.kind == nParen:
			out = append(out, joined(first, OpIn, third))
			i += 2
			continue
		case second.keyword("IS") && third.keyword("NULL"):
			out = append(out, joined(first, OpIsNull, nil))
			i += 2
			continue
		case second.keyword("IS") && third.is(kKeyword) && strings.ToUpper(third.text) == "NOT NULL":
			out = append(out, joined(first, OpIsNotNull, nil))
			i += 2
			continue
		}
		if i+3 >= len(toks) {
			return append(out, first, second, third)
		}
		fourth := toks[i+3]
		if second.keyword("NOT") && third.keyword("IN") && fourth.kind == nParen {
			out = append(out, joined(first, OpNotIn, fourth))
		} else {
			out = append(out, first, second, third, fourth)
		}
		i += 3
	}
	return out
}

// joined makes a comparison of an identifier, a comparator and an operand
// (none for IS NULL and IS NOT NULL).
func joined(id *node, op string, value *node) *node {
	parts := []*node{id, leaf(token{kKeyword, op})}
	if value != nil {
		parts = append(parts, value)
	}
	n := group(nComparison, parts)
	n.text = id.text + " " + op
	if value != nil {
		n.text += " " + value.text
	}
	return n
}

// comparison reads one grouped comparison.
func comparison(n *node, r rules) (Comparison, error) {
	parts := n.solid()
	if len(parts) == 2 {
		if op := strings.ToUpper(parts[1].text); op == OpIsNull || op == OpIsNotNull {
			if parts[0].kind != nIdent {
				return Comparison{}, invalid("Invalid comparison clause. Expected 'Identifier' found '%s'", parts[0].text)
			}
			e, key, err := r.identifier(parts[0].text, r.keys, r.keysText)
			if err != nil {
				return Comparison{}, err
			}
			if err := r.nullable(e, key); err != nil {
				return Comparison{}, err
			}
			return Comparison{Entity: e, Key: r.alias(key), Op: op}, nil
		}
	}
	if len(parts) != 3 {
		return Comparison{}, invalid("Invalid comparison clause. Expected 3 tokens found %d", len(parts))
	}
	if parts[0].kind != nIdent {
		return Comparison{}, invalid("Invalid comparison clause. Expected 'Identifier' found '%s'", parts[0].text)
	}
	e, key, err := r.identifier(parts[0].text, r.keys, r.keysText)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{Entity: e, Key: r.alias(key), Op: parts[1].text}
	if err := value(&c, key, parts[2], r); err != nil {
		return Comparison{}, err
	}
	return c, nil
}

// runIdentifier splits an identifier into its entity and key, checking
// both as MLflow's run search does.
func runIdentifier(text string, keys map[string]bool, keysText string) (Entity, string, error) {
	word, key, dotted := strings.Cut(text, ".")
	e := Attribute
	if !dotted {
		key = word
	} else {
		w := trimBackquotes(word)
		var ok bool
		if e, ok = entities[w]; !ok {
			return "", "", invalid("Invalid entity type '%s'. Valid values are %s", w, entityListText)
		}
	}
	key = trimBackquotes(stripQuotes(key))
	switch {
	case e == Attribute && !keys[key]:
		return "", "", invalid("Invalid attribute key '%s' specified. Valid keys are '%s'", key, keysText)
	case e == Dataset && key != DatasetName && key != DatasetDigest && key != DatasetContext:
		return "", "", invalid("Invalid dataset key '%s' specified. Valid keys are '%s'", key, datasetKeysText)
	}
	return e, key, nil
}

func quoted(s, q string) bool {
	return len(s) >= 2 && strings.HasPrefix(s, q) && strings.HasSuffix(s, q)
}

func trimBackquotes(s string) string {
	if quoted(s, "`") {
		return s[1 : len(s)-1]
	}
	return s
}

func stripQuotes(s string) string {
	if quoted(s, "'") || quoted(s, `"`) {
		return s[1 : len(s)-1]
	}
	return s
}

// quotedValue is a string operand without its quotes; MLflow refuses a
// bare word there.
func quotedValue(s string) (string, error) {
	if quoted(s, "'") || quoted(s, `"`) {
		return s[1 : len(s)-1], nil
	}
	return "", invalid("Parameter value is either not quoted or unidentified quote types used for string value %s. Use either single or double quotes.", s)
}

func isNumberToken(n *node) bool { return n.is(kInt) || n.is(kFloat) }

func isStringToken(n *node) bool { return n.is(kString) || n.kind == nIdent }

// value reads the operand of c as MLflow's SearchUtils reads it for the
// entity: numbers for metrics and numeric attributes, quoted strings for
// the rest, lists only for run_id and dataset fields. key is as written,
// before aliases are translated.
func value(c *Comparison, key string, n *node, r rules) error {
	switch c.Entity {
	case Metric:
		if !isNumberToken(n) {
			return invalid("Expected numeric value type for metric. Found %s", n.text)
		}
		return setNumber(c, n.text)
	case Param, Tag:
		if isStringToken(n) {
			v, err := quotedValue(n.text)
			c.Value = v
			return err
		}
		return invalid("Expected a quoted string value for %s (e.g. 'my-value'). Got value %s", c.Entity, n.text)
	case Attribute:
		switch {
		case r.numbers[key]:
			if !isNumberToken(n) {
				return invalid("Expected numeric value type for numeric attribute: %s. Found %s", key, n.text)
			}
			return setNumber(c, n.text)
		case isStringToken(n):
			v, err := quotedValue(n.text)
			c.Value = v
			return err
		case n.kind == nParen:
			if key != AttrRunID {
				return invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.")
			}
			list, err := parseList(n.text)
			if err != nil {
				return err
			}
			// MLflow keeps only lower-case ids: no run id has upper-case
			// letters, and MySQL's IN would ignore case.
			for _, id := range list {
				if pyIsLower(id) {
					c.Values = append(c.Values, id)
				}
			}
			if c.Values == nil {
				c.Values = []string{}
			}
			return nil
		}
		return invalid("Expected a quoted string value for attributes. Got value %s", n.text)
	case Dataset:
		switch {
		case isStringToken(n):
			v, err := quotedValue(n.text)
			c.Value = v
			return err
		case n.kind == nParen:
			list, err := parseList(n.text)
			c.Values = list
			return err
		}
		return invalid("Expected a quoted string value for dataset attributes. Got value %s", n.text)
	}
	return invalid("Invalid identifier type. Expected one of ['metric', 'parameter'].")
}

// setNumber reads a number operand as Python's float() would; the lexer
// has already made sure it is one.
func setNumber(c *Comparison, text string) error {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return invalid("Expected numeric value type. Found %s", text)
	}
	c.Value, c.Number = text, f
	return nil
}

// checkOp checks that c's comparator suits its entity, with MLflow's
// messages (some lack their closing quote in MLflow too).
func checkOp(c Comparison) error {
	op := strings.ToUpper(c.Op)
	switch {
	case c.Entity == Attribute && !c.Numeric():
		if !stringAttrOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s'", op, stringAttrOpText)
		}
	case c.Entity == Attribute:
		if !metricOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s", op, stringAttrOpText)
		}
	case c.Entity == Metric:
		if !metricOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s", op, metricOpsText)
		}
	case c.Entity == Param:
		if !paramOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s'", op, paramOpsText)
		}
	case c.Entity == Tag:
		if !paramOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s", op, paramOpsText)
		}
	case c.Entity == Dataset:
		if !stringAttrOps[op] {
			return invalid("Invalid comparator '%s' not one of '%s", op, stringAttrOpText)
		}
	}
	return nil
}

// checkOps checks the comparators of f as MLflow does, then what MLflow
// leaves to its database to fail on: a list with a comparator other than
// IN and NOT IN.
func checkOps(f Filter) error {
	for _, c := range f {
		if err := checkOp(c); err != nil {
			return err
		}
	}
	for _, c := range f {
		op := strings.ToUpper(c.Op)
		if list := c.Values != nil; list != (op == OpIn || op == OpNotIn) {
			if list {
				return invalid("Comparator '%s' cannot compare with a list of values", op)
			}
			return invalid("Comparator '%s' needs a list of quoted string values", op)
		}
	}
	return nil
}

// normalize sets c.Op to its upper-case form once checked.
func normalize(f Filter) Filter {
	for i := range f {
		f[i].Op = strings.ToUpper(f[i].Op)
	}
	return f
}
