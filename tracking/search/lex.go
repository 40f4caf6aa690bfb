package search

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is what a lexed token is, in the classes MLflow's filter grammar
// tells apart (it reads filters with an SQL lexer, so its rules are SQL's).
type kind int

const (
	kSpace   kind = iota
	kName         // a word that is not a keyword, or `backquoted`
	kSymbol       // "double quoted": a name, or a string value
	kString       // 'single quoted'
	kInt          // 12, -3
	kFloat        // 1.5, .5, 1e-3
	kHex          // 0x1F: a number, but not one a filter accepts
	kKeyword      // AND, OR, IN, IS, NULL, NOT NULL, ...
	kOrder        // ASC, DESC (with NULLS FIRST/LAST)
	kCompare      // =, !=, <, LIKE, ILIKE, NOT LIKE, ...
	kBuiltin      // timestamp: a type name, which is not an identifier
	kPunct        // ( ) , . ; :
	kOther        // operators, comments, characters no rule takes
)

type token struct {
	kind kind
	text string
}

// keywords are the words that read as SQL keywords rather than names. The
// SQL lexer MLflow uses knows many more; these are the ones a filter or an
// order_by clause can meet in practice, and the ones with a role here.
var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "IS": true, "NULL": true,
	"TRUE": true, "FALSE": true, "BETWEEN": true, "EXISTS": true, "SELECT": true,
	"FROM": true, "WHERE": true, "LIMIT": true, "ORDER": true, "BY": true,
	"GROUP": true, "HAVING": true, "UNION": true, "JOIN": true, "ON": true,
	"AS": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true,
	"VALUES": true, "USING": true, "ALL": true, "ANY": true, "DISTINCT": true,
	"ISNULL": true, "NOTNULL": true,
}

var (
	reSpace     = regexp.MustCompile(`^[\s\v\pZ\x{85}\x{1c}-\x{1f}]+`)
	reLineNote  = regexp.MustCompile(`^(--|# ).*?(\r\n|\r|\n|$)`)
	reBlockNote = regexp.MustCompile(`^/\*[\s\S]*?\*/`)
	reBackquote = regexp.MustCompile("^`(``|[^`])*`")
	reSingle    = regexp.MustCompile(`^'(''|\\'|[^'])*'`)
	reDouble    = regexp.MustCompile(`^"(""|\\"|[^"])*"`)
	reDouble2   = regexp.MustCompile(`^(""|".*?[^\\]")`)
	reHex       = regexp.MustCompile(`(?i)^-?0x[0-9A-F]+`)
	reExp       = regexp.MustCompile(`(?i)^-?\d+(\.\d+)?E-?\d+`)
	reNotNull   = regexp.MustCompile(`(?i)^NOT\s+NULL`)
	reOrder     = regexp.MustCompile(`(?i)^((ASC|DESC)(\s+NULLS\s+(FIRST|LAST))?|NULLS\s+(FIRST|LAST))`)
	reLike      = regexp.MustCompile(`(?i)^((NOT\s+)?(LIKE|ILIKE|RLIKE)|(NOT\s+)?REGEXP(\s+BINARY)?)`)
	reInLike    = regexp.MustCompile(`(?i)^(CASE|IN|VALUES|USING|FROM|AS)`)
	reCompare   = regexp.MustCompile(`^[<>=~!]+`)
	reOperator  = regexp.MustCompile(`^[+/@#%^&|-]+`)
)

// isWord reports whether r is a word character in the Unicode sense
// (letters, digits, numbers and the underscore).
func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

// isNameStart reports whether r may start a name in the SQL lexer's sense:
// a Latin letter, with or without accent.
func isNameStart(r rune) bool {
	r = unicode.ToUpper(r)
	return r >= 'A' && r <= 'Z' || r >= 0xC0 && r <= 0xDC
}

// boundary reports whether s has no word character at i: where a keyword
// may end.
func boundary(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i >= len(s) || !isWord(r)
}

// wordLen is the length of the run of word characters (and $, #) at the
// start of s, which starts with a word character.
func wordLen(s string, extra bool) int {
	for i, r := range s {
		if !isWord(r) && !(extra && i > 0 && (r == '$' || r == '#')) {
			return i
		}
	}
	return len(s)
}

// lex splits s into tokens. Every byte of s is in exactly one token, so
// joining the texts gives s back.
func lex(s string) []token {
	var out []token
	afterDot := false
	for len(s) > 0 {
		t := next(s, afterDot)
		out = append(out, t)
		afterDot = strings.HasSuffix(t.text, ".")
		s = s[len(t.text):]
	}
	return out
}

// next returns the token at the start of s, which is not empty; afterDot
// says whether the text before s ends with a period. The rules are tried in
// the order MLflow's SQL lexer tries them, so that a text that two rules
// could take goes to the same one.
func next(s string, afterDot bool) token {
	match := func(re *regexp.Regexp) string { return re.FindString(s) }
	if m := match(reLineNote); m != "" {
		return token{kOther, m}
	}
	if m := match(reSpace); m != "" {
		return token{kSpace, m}
	}
	if m := match(reBlockNote); m != "" {
		return token{kOther, m}
	}
	if m := match(reBackquote); m != "" {
		return token{kName, m}
	}
	if m := match(reInLike); m != "" && boundary(s, len(m)) {
		return token{kKeyword, m}
	}
	r, _ := utf8.DecodeRuneInString(s)
	if isNameStart(r) {
		n := wordLen(s, false)
		rest := strings.TrimLeftFunc(s[n:], unicode.IsSpace)
		// A word before a period is a name (the entity of metrics.acc),
		// and so is a word before a parenthesis (a function).
		// So is a word right after a period, keyword or not: the key.
		if strings.HasPrefix(rest, ".") && !(len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9') || afterDot || strings.HasPrefix(s[n:], "(") {
			return token{kName, s[:n]}
		}
	}
	if m := match(reHex); m != "" {
		return token{kHex, m}
	}
	if m := match(reExp); m != "" {
		return token{kFloat, m}
	}
	if m := number(s); m != nil {
		return *m
	}
	if m := match(reSingle); m != "" {
		return token{kString, m}
	}
	if m := match(reDouble); m != "" {
		return token{kSymbol, m}
	}
	if m := match(reDouble2); m != "" {
		return token{kSymbol, m}
	}
	if m := match(reNotNull); m != "" && boundary(s, len(m)) {
		return token{kKeyword, m}
	}
	if m := match(reOrder); m != "" && boundary(s, len(m)) {
		return token{kOrder, m}
	}
	if m := match(reLike); m != "" && boundary(s, len(m)) {
		return token{kCompare, m}
	}
	if isWord(r) {
		n := wordLen(s, true)
		if keywords[strings.ToUpper(s[:n])] {
			return token{kKeyword, s[:n]}
		}
		if strings.EqualFold(s[:n], "timestamp") {
			return token{kBuiltin, s[:n]}
		}
		return token{kName, s[:n]}
	}
	switch r {
	case ';', ':', '(', ')', '[', ']', ',', '.':
		return token{kPunct, s[:1]}
	}
	if m := match(reCompare); m != "" {
		return token{kCompare, m}
	}
	if m := match(reOperator); m != "" {
		return token{kOther, m}
	}
	_, n := utf8.DecodeRuneInString(s)
	return token{kOther, s[:n]}
}

// number lexes a decimal number at the start of s: a float (1.5, 1., .5)
// or an integer, optionally negative, that no letter follows. Like a
// backtracking regular expression, it gives up digits from the end until
// the rest does not start with a letter, so "12ab" lexes as 1 then "2ab".
func number(s string) *token {
	body := s
	neg := strings.HasPrefix(body, "-")
	if neg {
		body = body[1:]
	}
	digits := 0
	for digits < len(body) && body[digits] >= '0' && body[digits] <= '9' {
		digits++
	}
	letterAt := func(i int) bool {
		r, _ := utf8.DecodeRuneInString(body[i:])
		return i < len(body) && (r == '_' || isNameStart(r))
	}
	sign := len(s) - len(body)
	if digits > 0 && digits < len(body) && body[digits] == '.' {
		frac := 0
		for digits+1+frac < len(body) && body[digits+1+frac] >= '0' && body[digits+1+frac] <= '9' {
			frac++
		}
		for f := frac; f >= 0; f-- {
			if !letterAt(digits + 1 + f) {
				return &token{kFloat, s[:sign+digits+1+f]}
			}
		}
	}
	if digits == 0 && strings.HasPrefix(body, ".") {
		frac := 0
		for 1+frac < len(body) && body[1+frac] >= '0' && body[1+frac] <= '9' {
			frac++
		}
		for f := frac; f >= 1; f-- {
			if !letterAt(1 + f) {
				return &token{kFloat, s[:sign+1+f]}
			}
		}
	}
	for d := digits; d >= 1; d-- {
		if !letterAt(d) {
			return &token{kInt, s[:sign+d]}
		}
	}
	return nil
}
