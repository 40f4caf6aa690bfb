package datasets

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinels that ReadCSV's errors wrap; match them with errors.Is.
var (
	ErrEmpty           = errors.New("no data")
	ErrFieldCount      = errors.New("wrong number of fields")
	ErrNotNumeric      = errors.New("not a number")
	ErrMissingValue    = errors.New("missing value")
	ErrNotFinite       = errors.New("not a finite number")
	ErrNoTarget        = errors.New("no such target column")
	ErrNoFeatures      = errors.New("no feature columns")
	ErrDuplicateColumn = errors.New("duplicate column name")
	ErrFewClasses      = errors.New("fewer than two classes")
	ErrUnknownClass    = errors.New("label not among the known classes")
	ErrQuote           = errors.New("bad quoted field")
)

// ParseError says where a CSV input went wrong, the way encoding/csv's
// ParseError does, plus the offending text so a user can find it with grep.
type ParseError struct {
	File   string // file name, or the name given in CSVOptions; may be empty
	Line   int    // 1-based line number; 0 when the fault is not on one line
	Column int    // 1-based column number; 0 when the fault is not in one cell
	Name   string // the column's header name, when known
	Text   string // the offending text, cut to a readable length
	Detail string // extra words, such as the columns that do exist
	Err    error  // one of the sentinels above
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("datasets: ")
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("csv")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, " column %d", e.Column)
		if e.Name != "" {
			fmt.Fprintf(&b, " (%s)", e.Name)
		}
	}
	b.WriteString(": ")
	if e.Text != "" || e.Err == ErrMissingValue || e.Err == ErrNotNumeric {
		fmt.Fprintf(&b, "%q: ", e.Text)
	}
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// clip keeps error messages one readable line even for a pathological cell.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
