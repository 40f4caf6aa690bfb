package datasets

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Labels are coded as scikit-learn codes the column pandas reads from the
// same file. A column whose labels are all numbers is numeric to pandas:
// int64 when every label is an integer, float64 when any has a decimal
// point or an exponent. Labels that are equal as numbers ("1", "01", "1.0")
// are then one class, named as pandas prints the value ("1" in an integer
// column, "1.0" in a float one), and classes sort in numeric order, as
// LabelEncoder sorts numbers. Any other column keeps each label's exact text
// as a class and sorts in byte order.

// labelKind is how pandas would type a label column.
type labelKind int

const (
	textLabels labelKind = iota
	intLabels
	floatLabels
)

// labelNumber reads s as pandas reads a number in a label column: decimal
// digits with an optional sign, point and exponent, or an infinity. isInt
// is true for a plain integer that fits in int64. Hex, underscores and NaN
// (a missing value, refused before labels are coded) are not numbers here.
func labelNumber(s string) (f float64, i int64, isInt, ok bool) {
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 {
		return 0, 0, false, false // more than one sign
	}
	if strings.ContainsAny(t, "_xXpP") {
		return 0, 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, 0, false, false
	}
	if f == 0 {
		f = 0 // -0.0 and 0.0 are one label, as numpy compares them
	}
	if !strings.ContainsAny(t, ".eEiI") { // digits only
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return f, i, true, true
		}
	}
	return f, 0, false, true
}

// codeLabels merges and orders the distinct label texts of a column: it
// returns the class names in code order and, for each text, its class code.
// The column's kind comes from the same reading of each label that orders
// it.
func codeLabels(names []string) (classes []string, code []int) {
	type label struct {
		text  string
		f     float64
		i     int64
		index int
	}
	ls := make([]label, len(names))
	kind := intLabels
	for k, n := range names {
		f, i, isInt, ok := labelNumber(n)
		ls[k] = label{text: n, f: f, i: i, index: k}
		switch {
		case !ok:
			kind = textLabels
		case !isInt && kind == intLabels:
			kind = floatLabels
		}
	}
	order := func(a, b label) int {
		switch kind {
		case intLabels:
			return cmp.Compare(a.i, b.i)
		case floatLabels:
			return cmp.Compare(a.f, b.f) // no NaN: labelNumber refuses it
		}
		return strings.Compare(a.text, b.text)
	}
	slices.SortFunc(ls, order)
	code = make([]int, len(names))
	for k, l := range ls {
		if k == 0 || order(ls[k-1], l) != 0 {
			switch kind {
			case intLabels:
				classes = append(classes, strconv.FormatInt(l.i, 10))
			case floatLabels:
				classes = append(classes, pyFloat(l.f))
			default:
				classes = append(classes, l.text)
			}
		}
		code[l.index] = len(classes) - 1
	}
	return classes, code
}

// pyFloat formats v as Python's repr prints a float64, which is how pandas
// shows the classes of a float column: shortest digits, "1.0" rather than
// "1", and an exponent ("1e+16", "1e-05") outside [1e-4, 1e16).
func pyFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(v, 'e', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// fixedClasses is a coding given by the caller (CSVOptions.ClassNames): a
// label is found by its exact text, or else by its value when both it and
// a class name are numbers, so a test file that writes "1.0" finds the
// training file's class "1".
type fixedClasses struct {
	names   []string
	byText  map[string]int32
	byValue map[float64]int32
}

func newFixedClasses(names []string) *fixedClasses {
	fc := &fixedClasses{names: names, byText: make(map[string]int32, len(names)), byValue: map[float64]int32{}}
	for i, n := range names {
		fc.byText[n] = int32(i)
		if f, _, _, ok := labelNumber(n); ok {
			if _, dup := fc.byValue[f]; !dup {
				fc.byValue[f] = int32(i)
			}
		}
	}
	return fc
}

// byNumber finds a numeric label that is not written as a class name is.
func (fc *fixedClasses) byNumber(label string) (int32, bool) {
	if f, _, _, ok := labelNumber(label); ok {
		c, ok := fc.byValue[f]
		return c, ok
	}
	return 0, false
}
