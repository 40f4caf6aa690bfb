package search

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MLflow reads the list of an IN clause as a Python literal, and quotes
// strings in some messages as Python's repr does. These helpers do the same
// for the part of Python's syntax a list of quoted strings uses.

const (
	illFormedList = "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."
	emptyList     = "While parsing a list in the query, expected a non-empty list of string values, but got empty list"
)

// parseList reads a parenthesised list of Python string literals: ('a',
// "b"), ('a') or ('a',). Adjacent literals join ('a' 'b' is "ab"), and
// backslash escapes are Python's.
func parseList(text string) ([]string, error) {
	p := pyParser{s: text}
	p.space()
	if !p.eat('(') {
		return nil, invalid(illFormedList)
	}
	var items []string
	var others []string // items that are not strings, as Python writes them
	tuple := false
	for {
		p.space()
		if p.eat(')') {
			break
		}
		if len(items)+len(others) > 0 && !tuple {
			return nil, invalid(illFormedList)
		}
		item, isString, ok := p.item()
		if !ok {
			return nil, invalid(illFormedList)
		}
		if isString {
			items = append(items, item)
		} else {
			others = append(others, item)
		}
		p.space()
		if p.eat(',') {
			tuple = true
			continue
		}
		p.space()
		if !p.eat(')') {
			return nil, invalid(illFormedList)
		}
		break
	}
	p.space()
	if p.i != len(p.s) {
		return nil, invalid(illFormedList)
	}
	n := len(items) + len(others)
	if n == 0 {
		return nil, invalid(emptyList)
	}
	if len(others) > 0 {
		return nil, invalid("While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: %s", strings.TrimSpace(text))
	}
	return items, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r\f\v", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// item reads one element: string literals (joined when adjacent) or a
// number, which Python reads but MLflow refuses.
func (p *pyParser) item() (string, bool, bool) {
	start := p.i
	if p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '-' || p.s[p.i] == '.') {
		j := p.i + 1
		for j < len(p.s) && strings.IndexByte("0123456789.eE_+-xXabcdefABCDEFjJ", p.s[j]) >= 0 {
			j++
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(p.s[p.i:j], "_", ""), 64); err != nil {
			if _, err := strconv.ParseInt(p.s[p.i:j], 0, 64); err != nil {
				return "", false, false
			}
		}
		p.i = j
		return p.s[start:j], false, true
	}
	var b strings.Builder
	n := 0
	bytes := false
	for {
		p.space()
		s, isBytes, ok := p.literal()
		if !ok {
			break
		}
		if n > 0 && isBytes != bytes {
			return "", false, false // Python refuses to join bytes and str
		}
		bytes = isBytes
		b.WriteString(s)
		n++
	}
	if n == 0 {
		return "", false, false
	}
	if bytes {
		return "b" + pyQuote(b.String()), false, true
	}
	return b.String(), true, true
}

// literal reads one string literal with an optional prefix (r, u, b and
// their pairs); it leaves p where it was when there is none.
func (p *pyParser) literal() (string, bool, bool) {
	start := p.i
	raw, bytes := false, false
	for k := 0; k < 2 && p.i < len(p.s); k++ {
		switch p.s[p.i] {
		case 'r', 'R':
			raw = true
		case 'b', 'B':
			bytes = true
		case 'u', 'U':
		default:
			k = 2
			continue
		}
		p.i++
	}
	if p.i >= len(p.s) || p.s[p.i] != '\'' && p.s[p.i] != '"' {
		p.i = start
		return "", false, false
	}
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), bytes, true
		case c == '\n':
			p.i = start
			return "", false, false
		case c == '\\' && p.i+1 < len(p.s):
			if raw {
				b.WriteString(p.s[p.i : p.i+2])
				p.i += 2
				continue
			}
			p.i++
			p.escape(&b)
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	p.i = start
	return "", false, false
}

// escape reads the escape after a backslash.
func (p *pyParser) escape(b *strings.Builder) {
	c := p.s[p.i]
	p.i++
	simple := map[byte]string{'\\': "\\", '\'': "'", '"': "\"", 'n': "\n", 't': "\t", 'r': "\r", 'a': "\a", 'b': "\b", 'f': "\f", 'v': "\v", '\n': ""}
	if s, ok := simple[c]; ok {
		b.WriteString(s)
		return
	}
	hex := func(n int) bool {
		if p.i+n > len(p.s) {
			return false
		}
		v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
		if err != nil {
			return false
		}
		b.WriteRune(rune(v))
		p.i += n
		return true
	}
	switch c {
	case 'x':
		if hex(2) {
			return
		}
	case 'u':
		if hex(4) {
			return
		}
	case 'U':
		if hex(8) {
			return
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		j := p.i - 1
		for p.i < len(p.s) && p.i-j < 3 && p.s[p.i] >= '0' && p.s[p.i] <= '7' {
			p.i++
		}
		v, _ := strconv.ParseUint(p.s[j:p.i], 8, 32)
		b.WriteRune(rune(v))
		return
	}
	// Python keeps an unknown escape as written.
	b.WriteByte('\\')
	b.WriteByte(c)
}

// pyQuote writes s as a Python string literal that parseList reads back.
func pyQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// pyRepr writes s as Python's repr does: in single quotes unless s holds a
// single quote and no double quote.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// pyIsLower is Python's str.islower: at least one cased letter, and no
// upper-case or title-case one.
func pyIsLower(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsLower(r) {
			cased = true
		}
	}
	return cased
}
