package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opt    CSVOptions
		err    error
		line   int
		col    int
		text   string
		detail string // a substring the detail must hold
	}{
		{name: "empty file", in: "", err: ErrEmpty},
		{name: "blank lines only", in: "\n\r\n  \n", err: ErrEmpty},
		{name: "header only", in: "a,b,y\n", err: ErrEmpty},
		{name: "ragged short", in: "a,b,y\n1,2,x\n1,x\n", err: ErrFieldCount, line: 3, text: "1,x", detail: "want 3, got 2"},
		{name: "ragged long", in: "a,b,y\n1,2,x,4\n", err: ErrFieldCount, line: 2, text: "1,2,x,4", detail: "got 4"},
		{name: "not numeric", in: "a,b,y\n1,2,x\n3,abc,y\n", err: ErrNotNumeric, line: 3, col: 2, text: "abc"},
		{name: "not numeric after blank", in: "a,b,y\n\n1,2,x\n\n3,4e,y\n", err: ErrNotNumeric, line: 5, col: 2, text: "4e"},
		{name: "empty cell", in: "a,b,y\n1,,x\n", err: ErrMissingValue, line: 2, col: 2},
		{name: "NA", in: "a,b,y\n1,2,x\nNA,2,y\n", err: ErrMissingValue, line: 3, col: 1, text: "NA"},
		{name: "NaN", in: "a,b,y\n1,NaN,x\n", err: ErrMissingValue, line: 2, col: 2, text: "NaN"},
		{name: "nan lower", in: "a,b,y\n1,nan,x\n", err: ErrMissingValue, line: 2, col: 2, text: "nan"},
		{name: "missing label", in: "a,b,y\n1,2,x\n1,2,\n", err: ErrMissingValue, line: 3, col: 3},
		{name: "Inf", in: "a,b,y\n1,Inf,x\n", err: ErrNotFinite, line: 2, col: 2, text: "Inf"},
		{name: "minus infinity", in: "a,b,y\n-infinity,1,x\n", err: ErrNotFinite, line: 2, col: 1, text: "-infinity"},
		{name: "overflow", in: "a,b,y\n1,1e400,x\n", err: ErrNotFinite, line: 2, col: 2, text: "1e400"},
		{name: "no target", in: "a,b,y\n1,2,x\n", opt: CSVOptions{Target: "species"}, err: ErrNoTarget, line: 1, text: "species", detail: "columns: a, b, y"},
		{name: "duplicate column", in: "a,b,a,y\n1,2,3,x\n", err: ErrDuplicateColumn, line: 1, col: 3, text: "a", detail: "also column 1"},
		{name: "one class", in: "a,y\n1,x\n2,x\n", err: ErrFewClasses, col: 2, text: "x"},
		{name: "one class in two spellings", in: "a,y\n1,1\n2,1.0\n", err: ErrFewClasses, col: 2, text: "1.0", detail: "1, 1.0"},
		{name: "no features", in: "y\nx\nz\n", err: ErrNoFeatures, line: 1},
		{name: "unknown class", in: "a,y\n1,x\n2,w\n", opt: CSVOptions{ClassNames: []string{"x", "y"}}, err: ErrUnknownClass, line: 3, col: 2, text: "w", detail: "classes: x, y"},
		{name: "open quote", in: "a,y\n1,\"x\n", err: ErrQuote, line: 2, col: 2, text: `"x`},
		{name: "text after quote", in: "a,y\n1,\"x\"z\n", err: ErrQuote, line: 2, col: 2, text: "z"},
		{name: "named input", in: "a,y\n1,x\n?,z\n", opt: CSVOptions{Name: "d.csv"}, err: ErrNotNumeric, line: 3, col: 1, text: "?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadCSVFrom(strings.NewReader(tt.in), tt.opt)
			if err == nil {
				t.Fatalf("got a dataset of %d rows, want error %v", ds.Rows(), tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %q does not wrap %q", err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %q is not a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col || pe.Text != tt.text {
				t.Errorf("line %d column %d text %q, want line %d column %d text %q (%v)", pe.Line, pe.Column, pe.Text, tt.line, tt.col, tt.text, err)
			}
			if !strings.Contains(pe.Detail, tt.detail) {
				t.Errorf("detail %q does not hold %q", pe.Detail, tt.detail)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "datasets: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line prefixed with the package", msg)
			}
			if tt.opt.Name != "" && !strings.Contains(msg, tt.opt.Name) {
				t.Errorf("message %q does not name the input %q", msg, tt.opt.Name)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := ReadCSVFrom(strings.NewReader("a,b,y\n1,2,x\n3,abc,y\n"), CSVOptions{Name: "bad.csv"})
	want := `datasets: bad.csv line 3 column 2 (b): "abc": not a number`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opt      CSVOptions
		features []string
		target   string
		classes  []string
		x        []float64
		y        []int
	}{
		{
			name: "last column target", in: "a,b,y\n1,2,x\n3,4,w\n",
			features: []string{"a", "b"}, target: "y", classes: []string{"w", "x"},
			x: []float64{1, 2, 3, 4}, y: []int{1, 0},
		},
		{
			name: "named target in the middle", in: "a,y,b\n1,x,2\n3,w,4\n", opt: CSVOptions{Target: "y"},
			features: []string{"a", "b"}, target: "y", classes: []string{"w", "x"},
			x: []float64{1, 2, 3, 4}, y: []int{1, 0},
		},
		{
			name: "numeric labels sort as numbers", in: "a,y\n1,10\n2,2\n3,1\n4,2\n",
			features: []string{"a"}, target: "y", classes: []string{"1", "2", "10"},
			x: []float64{1, 2, 3, 4}, y: []int{2, 1, 0, 1},
		},
		{
			name: "crlf bom blank lines spaces no final newline", in: "\xef\xbb\xbfa,b,y\r\n\r\n 1 , 2.5e1 ,x\r\n\r\n-3,.5, w",
			features: []string{"a", "b"}, target: "y", classes: []string{"w", "x"},
			x: []float64{1, 25, -3, 0.5}, y: []int{1, 0},
		},
		{
			name: "quoted fields", in: "\"sepal, length\",\"say \"\"hi\"\"\",y\n1,\"2\",\"a,b\"\n3,4,c\n",
			features: []string{"sepal, length", `say "hi"`}, target: "y", classes: []string{"a,b", "c"},
			x: []float64{1, 2, 3, 4}, y: []int{0, 1},
		},
		{
			name: "numeric labels equal as numbers are one class", in: "a,y\n1,0\n2,0.0\n3,1\n4,1.0\n5,-0\n",
			features: []string{"a"}, target: "y", classes: []string{"0.0", "1.0"},
			x: []float64{1, 2, 3, 4, 5}, y: []int{0, 0, 1, 1, 0},
		},
		{
			name: "integer labels named as integers", in: "a,y\n1,10\n2,9\n3,01\n4,+9\n",
			features: []string{"a"}, target: "y", classes: []string{"1", "9", "10"},
			x: []float64{1, 2, 3, 4}, y: []int{2, 1, 0, 1},
		},
		{
			name: "float labels named as pandas shows them", in: "a,y\n1,10\n2,9.5\n3,-1e-5\n4,2e16\n5,inf\n",
			features: []string{"a"}, target: "y", classes: []string{"-1e-05", "9.5", "10.0", "2e+16", "inf"},
			x: []float64{1, 2, 3, 4, 5}, y: []int{2, 1, 0, 3, 4},
		},
		{
			name: "text labels keep their exact text", in: "a,y\n1,10\n2,9\n3,1.0\n4,1\n5,x\n",
			features: []string{"a"}, target: "y", classes: []string{"1", "1.0", "10", "9", "x"},
			x: []float64{1, 2, 3, 4, 5}, y: []int{2, 3, 1, 0, 4},
		},
		{
			name: "fixed numeric classes find equal numbers", in: "a,y\n1,1.0\n2,0\n3,0.00\n", opt: CSVOptions{ClassNames: []string{"0", "1"}},
			features: []string{"a"}, target: "y", classes: []string{"0", "1"},
			x: []float64{1, 2, 3}, y: []int{1, 0, 0},
		},
		{
			name: "fixed classes", in: "a,y\n1,x\n2,x\n", opt: CSVOptions{ClassNames: []string{"w", "x", "z"}},
			features: []string{"a"}, target: "y", classes: []string{"w", "x", "z"},
			x: []float64{1, 2}, y: []int{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadCSVFrom(strings.NewReader(tt.in), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ds.FeatureNames, tt.features) || ds.TargetName != tt.target || !slices.Equal(ds.ClassNames, tt.classes) {
				t.Errorf("names %q, target %q, classes %q; want %q, %q, %q", ds.FeatureNames, ds.TargetName, ds.ClassNames, tt.features, tt.target, tt.classes)
			}
			if got := ds.X.RawMatrix().Data; !slices.Equal(got, tt.x) {
				t.Errorf("X = %v, want %v", got, tt.x)
			}
			if !slices.Equal(ds.Y, tt.y) {
				t.Errorf("Y = %v, want %v", ds.Y, tt.y)
			}
		})
	}
}

func TestReadCSVGzipFile(t *testing.T) {
	plain := "a,b,y\n1,2,x\n3,4,w\n5,6,x\n"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(plain))
	zw.Close()
	dir := t.TempDir()
	gz := filepath.Join(dir, "d.csv.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := ReadCSV(gz, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ReadCSVFrom(strings.NewReader(plain), CSVOptions{})
	if ds.Digest() != want.Digest() || ds.Rows() != 3 {
		t.Errorf("gzip read differs from plain read: %d rows", ds.Rows())
	}
	// Errors from a file name the file.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("a,y\n1,x\nzz,w\n"), 0o644)
	if _, err := ReadCSV(bad, CSVOptions{}); err == nil || !strings.Contains(err.Error(), bad+" line 3") {
		t.Errorf("error %v does not name %s line 3", err, bad)
	}
	if _, err := ReadCSV(filepath.Join(dir, "absent.csv"), CSVOptions{}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

// A line longer than the reader's buffer takes the slow path; it must read
// the same as any other.
func TestReadCSVLongLine(t *testing.T) {
	const cols = 160_000 // over 1 MB per line, past the reader's buffer
	var b strings.Builder
	for j := 0; j < cols; j++ {
		b.WriteString("c" + strconv.Itoa(j) + ",")
	}
	b.WriteString("y\n")
	for r := 0; r < 2; r++ {
		b.WriteString(strings.Repeat("1.2500,", cols))
		b.WriteString(strconv.Itoa(r) + "\n")
	}
	ds, err := ReadCSVFrom(strings.NewReader(b.String()), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != 2 || ds.Features() != cols || ds.X.At(1, cols-1) != 1.25 || ds.FeatureNames[cols-1] != "c159999" {
		t.Errorf("got %d x %d", ds.Rows(), ds.Features())
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	ds, err := MakeClassification(SynthConfig{Samples: 300, Features: 7, Informative: 3, Classes: 3, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	ds.X.Set(0, 0, math.SmallestNonzeroFloat64)
	ds.X.Set(1, 1, -math.MaxFloat64)
	ds.X.Set(2, 2, 0.1+0.2)
	var buf bytes.Buffer
	if err := ds.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSVFrom(&buf, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != ds.Digest() {
		t.Error("data changed in a write and read")
	}
	if !slices.Equal(back.FeatureNames, ds.FeatureNames) || !slices.Equal(back.ClassNames, ds.ClassNames) {
		t.Errorf("names changed: %q %q", back.FeatureNames, back.ClassNames)
	}
}

// TestReadCSVEnv loads the file named by GROVE_CSV, so that a large file's
// time and peak memory can be measured on the test binary:
//
//	go test -c -o /tmp/ds.test ./datasets
//	GROVE_CSV=big.csv /usr/bin/time -v /tmp/ds.test -test.run ReadCSVEnv
func TestReadCSVEnv(t *testing.T) {
	path := os.Getenv("GROVE_CSV")
	if path == "" {
		t.Skip("set GROVE_CSV to a CSV file to time loading it")
	}
	ds, err := ReadCSV(path, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows x %d features, %d classes", ds.Rows(), ds.Features(), ds.Classes())
}
