package search

import (
	"strings"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// Order is one order_by clause: a key of an entity, ascending or not.
// Runs whose value is missing come last either way; so do runs whose metric
// is NaN, before the missing ones.
type Order struct {
	Entity    Entity // Attribute, Metric, Param or Tag
	Key       string // aliases translated: "start_time", "run_name"
	Ascending bool
}

// String writes o back in MLflow's syntax: ascending without a direction,
// since MLflow reads a lone identifier as written but splits one with a
// direction as a shell would, which a key holding quotes or backslashes
// does not survive.
func (o Order) String() string {
	s := prefix[o.Entity] + "." + quoteName(o.Key)
	if !o.Ascending {
		s += " DESC"
	}
	return s
}

// ParseOrderBy parses run search order_by clauses as MLflow does, such as
// "metrics.acc DESC", "params.`max depth`" or "start_time" (ascending unless
// DESC). A key may be ordered by once.
func ParseOrderBy(clauses []string) ([]Order, error) {
	out := make([]Order, 0, len(clauses))
	for _, clause := range clauses {
		e, key, asc, err := orderClause(clause, runIdentifier, orderKeys, orderKeysText)
		if err != nil {
			return nil, err
		}
		key = alias(key)
		if e == Dataset {
			return nil, invalid("Invalid identifier type '%s'", e)
		}
		o := Order{Entity: e, Key: key, Ascending: asc}
		for _, prev := range out {
			if prev.Entity == o.Entity && prev.Key == o.Key {
				return nil, store.Errorf(store.CodeInternal, "`order_by` contains duplicate fields: %s", pyList(clauses))
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// orderClause reads one order_by clause: a lone identifier, optionally
// followed by ASC or DESC. With a direction, the clause is split as a shell
// splits words, which takes quotes and backquotes away from the key.
func orderClause(clause string, identifier func(string, map[string]bool, string) (Entity, string, error), keys map[string]bool, keysText string) (Entity, string, bool, error) {
	bad := invalid("Invalid order_by clause '%s'. Could not be parsed.", clause)
	stmts := statements(clause)
	if len(stmts) != 1 || !utf8.ValidString(clause) {
		return "", "", false, bad
	}
	st := stmts[0]
	var text string
	switch {
	case len(st) == 1 && st[0].kind == nIdent:
		text = st[0].text
	case len(st) >= 1 && st[0].is(kBuiltin) && strings.EqualFold(st[0].text, "timestamp"):
		// MLflow reads "timestamp" and "timestamp DESC" without the SQL
		// grouping, which does not take the type name for an identifier.
		text = "timestamp"
		if len(st) > 1 {
			for _, n := range st[1 : len(st)-1] {
				if !n.isSpace() {
					return "", "", false, bad
				}
			}
			if !st[len(st)-1].is(kOrder) {
				return "", "", false, bad
			}
			text += " " + st[len(st)-1].text
		}
	default:
		return "", "", false, bad
	}
	words, ok := shellSplit(strings.ReplaceAll(text, "`", `"`))
	if !ok || len(words) > 2 || len(words) == 0 {
		return "", "", false, bad
	}
	asc := true
	// MLflow keeps a lone word as written, backquotes and all.
	if len(words) == 2 {
		text = words[0]
		switch strings.ToLower(words[1]) {
		case "asc":
		case "desc":
			asc = false
		default:
			return "", "", false, invalid("Invalid ordering key in order_by clause '%s'.", clause)
		}
	}
	e, key, err := identifier(strings.TrimSpace(text), keys, keysText)
	return e, key, asc, err
}

// shellSplit splits s into words as a POSIX shell does: at unquoted
// whitespace, with single quotes taking everything literally, double quotes
// honouring backslashes before \ and ", and a backslash outside quotes
// taking the next character literally. ok is false for an unclosed quote.
func shellSplit(s string) (words []string, ok bool) {
	var b strings.Builder
	in := false // inside a word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, false
			}
		case c == '\\':
			in = true
			if i+1 >= len(s) {
				return nil, false
			}
			i++
			b.WriteByte(s[i])
		default:
			in = true
			b.WriteByte(c)
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words, true
}

// pyList writes a list of strings as Python's repr does.
func pyList(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = pyRepr(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
