package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzReadCSV feeds arbitrary bytes to the reader. It must never panic; an
// error must be a *ParseError (or an I/O error from gzip); a success must
// agree with encoding/csv and strconv.ParseFloat reading the same bytes:
// the same columns, the same numbers to the bit, and each row's class the
// label it wrote (or, in a numeric column, the same number).
// The seed corpus is in testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,2,x\n3,4,w\n"), "")
	f.Add([]byte("\"q,1\",y\n\"1\",\"a\"\"b\"\n2,c\n"), "y")
	f.Add([]byte("a,y\r\n1e5,1\r\n-0x1p3,2\r\n"), "a")
	f.Add([]byte("a,y\n1,0\n2,0.0\n3,1e0\n4,-0\n"), "")
	// Tiny blocks put block edges everywhere, inside lines and between.
	old := blockSize
	blockSize = 7
	f.Cleanup(func() { blockSize = old })
	f.Fuzz(func(t *testing.T, in []byte, target string) {
		ds, err := ReadCSVFrom(bytes.NewReader(in), CSVOptions{Target: target})
		gz := bytes.HasPrefix(in, []byte{0x1f, 0x8b})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !gz {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		r, c := ds.X.Dims()
		if r != len(ds.Y) || c != len(ds.FeatureNames) || r == 0 || ds.Classes() < 2 {
			t.Fatalf("inconsistent dataset: %d x %d, %d labels, %d classes", r, c, len(ds.Y), ds.Classes())
		}
		text := in
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("grove read gzip that compress/gzip refuses: %v", err)
			}
			if text, err = io.ReadAll(zr); err != nil {
				t.Fatalf("grove read gzip that compress/gzip refuses: %v", err)
			}
		}
		header, rows, err := oracleCSV(text)
		if err != nil {
			// grove reads a quote inside an unquoted field, and blanks
			// after a closing quote, as text; encoding/csv refuses both.
			if bytes.ContainsRune(text, '"') {
				return
			}
			t.Fatalf("grove read what encoding/csv refuses: %v", err)
		}
		compareOracle(t, ds, target, header, rows)
	})
}

// oracleCSV reads text with encoding/csv, dropping the lines grove skips:
// blank ones, and before the header those of white space; a byte-order mark
// before the header is dropped too.
func oracleCSV(text []byte) (header []string, rows [][]string, err error) {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return header, rows, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if header == nil {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			header = rec
			continue
		}
		if len(rec) == 1 && strings.Trim(rec[0], " \t") == "" {
			continue
		}
		rows = append(rows, rec)
	}
}

func compareOracle(t *testing.T, ds *Dataset, target string, header []string, rows [][]string) {
	t.Helper()
	tcol := len(header) - 1
	if target != "" {
		tcol = -1
		for i, h := range header {
			if strings.TrimSpace(h) == target {
				tcol = i
			}
		}
	}
	if tcol < 0 || strings.TrimSpace(header[tcol]) != ds.TargetName {
		t.Fatalf("target %q, encoding/csv's header %q", ds.TargetName, header)
	}
	var names []string
	for i, h := range header {
		if i != tcol {
			names = append(names, strings.TrimSpace(h))
		}
	}
	if !equalStrings(names, ds.FeatureNames) {
		t.Fatalf("features %q, encoding/csv's %q", ds.FeatureNames, names)
	}
	if len(rows) != ds.Rows() {
		t.Fatalf("%d rows, encoding/csv reads %d", ds.Rows(), len(rows))
	}
	for i, rec := range rows {
		if len(rec) != len(header) {
			t.Fatalf("row %d has %d fields, the header %d", i, len(rec), len(header))
		}
		j := 0
		for k, cell := range rec {
			if k == tcol {
				continue
			}
			want, err := strconv.ParseFloat(strings.Trim(cell, " \t"), 64)
			if err != nil || math.Float64bits(want) != math.Float64bits(ds.X.At(i, j)) {
				t.Fatalf("row %d column %d: %v, strconv reads %q as %v (%v)", i, k, ds.X.At(i, j), cell, want, err)
			}
			j++
		}
	}
	// The labels, coded as pandas and LabelEncoder code them: a column of
	// numbers gives one class per value, named as pandas prints it; any
	// other column one class per exact text.
	labels := make([]string, len(rows))
	numeric, integer := true, true
	for i, rec := range rows {
		labels[i] = strings.Trim(rec[tcol], " \t")
		_, err := strconv.ParseFloat(labels[i], 64)
		numeric = numeric && err == nil && decimalLabel.MatchString(labels[i])
		_, err = strconv.ParseInt(labels[i], 10, 64)
		integer = integer && err == nil
	}
	for i, label := range labels {
		class := ds.ClassNames[ds.Y[i]]
		switch {
		case numeric && integer:
			if n, _ := strconv.ParseInt(label, 10, 64); class != strconv.FormatInt(n, 10) {
				t.Fatalf("row %d: integer label %q became class %q", i, label, class)
			}
		case numeric:
			if !sameNumber(label, class) || !strings.ContainsAny(class, ".ei") {
				t.Fatalf("row %d: number %q became class %q, not the same float", i, label, class)
			}
		default:
			if label != class {
				t.Fatalf("row %d: label %q became class %q", i, label, class)
			}
		}
	}
	for k := 1; k < ds.Classes(); k++ {
		a, b := ds.ClassNames[k-1], ds.ClassNames[k]
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		if numeric && !(x < y) || !numeric && !(a < b) {
			t.Fatalf("classes %q and %q out of order (numeric column %v)", a, b, numeric)
		}
	}
}

// decimalLabel is the syntax of a number in a label column as pandas reads
// it: no hex, no underscores, and NaN is a missing value.
var decimalLabel = regexp.MustCompile(`^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|(?i:inf|infinity))$`)

// sameNumber reports whether strconv reads a and b as one number.
func sameNumber(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	return errA == nil && errB == nil && x == y
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
