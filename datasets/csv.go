package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// CSVOptions says how to read a CSV table. The zero value reads every column
// but the last as a feature and the last as the class label.
type CSVOptions struct {
	// Target names the column that holds the class labels; empty means the
	// last column.
	Target string
	// Name is how errors refer to the input; ReadCSV sets it to the path.
	Name string
	// ClassNames, when set, fixes the label -> code mapping (code i stands
	// for ClassNames[i]) instead of deriving it from the labels present, so a
	// separate test file is coded exactly as its training file was. A label
	// matches a class by its text or, when both are numbers, by its value
	// ("1.0" finds "1"); a label outside the list is an error; fewer than
	// two classes present is not.
	ClassNames []string
}

// ReadCSV reads the CSV file at path, gzip-compressed or not, into a Dataset.
// See ReadCSVFrom for the format and the errors.
func ReadCSV(path string, opt CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = path
	}
	return ReadCSVFrom(f, opt)
}

// ReadCSVFrom reads a CSV table from r into a Dataset. The first row names
// the columns; every other column than the target must hold numbers, and the
// target's labels are coded 0..k-1 in sorted order. When every label is a
// number the column is numeric, as pandas reads it: labels equal as numbers
// are one class ("0" and "0.0"), named "0.0" if any label has a point or an
// exponent and "0" otherwise, and classes sort numerically ("9" before
// "10"), as scikit-learn's LabelEncoder orders them. Other labels keep their
// exact text and sort in byte order. Input that
// starts with the gzip magic bytes is decompressed on the fly. Blank lines are
// skipped; fields may be double-quoted on one line.
//
// Every fault in the input is a *ParseError naming the line, the column and
// the offending text and wrapping one of the sentinels (ErrNotNumeric,
// ErrMissingValue for an empty, NA or NaN cell, ErrNotFinite, ErrFieldCount,
// ErrNoTarget, ErrDuplicateColumn, ErrEmpty, ErrFewClasses, ...).
//
// The rows are parsed as they stream in; when r can report its size (a file)
// the matrix is sized from it, so memory stays close to rows*features*8 bytes.
func ReadCSVFrom(r io.Reader, opt CSVOptions) (*Dataset, error) {
	var sizeHint int64
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			sizeHint = fi.Size()
		}
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", nameOr(opt.Name), err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<20)
		sizeHint = gzipSize(r, sizeHint)
	}
	p := &csvParser{br: br, opt: opt, sizeHint: sizeHint}
	return p.read()
}

// gzipSize reads the uncompressed size a gzip file records in its last four
// bytes (modulo 4 GiB, of the last member only), so a compressed file's
// matrix can be sized up front too; it is only a hint, and 0 means none.
func gzipSize(r io.Reader, fileSize int64) int64 {
	ra, ok := r.(io.ReaderAt)
	if !ok || fileSize < 18 {
		return 0
	}
	var tail [4]byte
	if _, err := ra.ReadAt(tail[:], fileSize-4); err != nil {
		return 0
	}
	return int64(binary.LittleEndian.Uint32(tail[:]))
}

func nameOr(name string) string {
	if name == "" {
		return "csv"
	}
	return name
}

type csvParser struct {
	br       *bufio.Reader
	opt      CSVOptions
	sizeHint int64

	line     int    // number of the line last read
	consumed int64  // bytes read so far, to size the matrix from sizeHint
	long     []byte // holds a line longer than the reader's buffer
	fields   [][]byte

	header    []string
	target    int // index of the target column
	nfeat     int
	estimated bool
}

func (p *csvParser) errAt(col int, text string, err error) *ParseError {
	pe := &ParseError{File: p.opt.Name, Line: p.line, Column: col, Text: clip(text), Err: err}
	if col > 0 && col <= len(p.header) {
		pe.Name = p.header[col-1]
	}
	return pe
}

// next returns the next non-blank line without its line ending, or io.EOF.
// The slice is valid until the following call.
func (p *csvParser) next() ([]byte, error) {
	for {
		line, err := p.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			p.long = append(p.long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = p.br.ReadSlice('\n')
				p.long = append(p.long, line...)
			}
			line = p.long
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("datasets: %s: %w", nameOr(p.opt.Name), err)
		}
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		p.line++
		p.consumed += int64(len(line))
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		return line, nil
	}
}

// split cuts line at commas into p.fields. Quoted fields are unquoted in
// place: the bytes have been consumed from the reader, so rewriting them
// cannot disturb what is read next.
func (p *csvParser) split(line []byte) error {
	f := p.fields[:0]
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			// Quoted field: "" stands for one quote; it ends at a lone quote.
			// Find the end before unquoting so an error can show the text
			// as written.
			end := -1
			for j := i + 1; j < len(line); j++ {
				if line[j] == '"' {
					if j+1 < len(line) && line[j+1] == '"' {
						j++
						continue
					}
					end = j
					break
				}
			}
			if end < 0 {
				p.fields = f
				return p.errAt(len(f)+1, string(line[i:]), ErrQuote)
			}
			w := i
			for j := i + 1; j < end; j++ {
				line[w] = line[j]
				w++
				if line[j] == '"' {
					j++ // skip the doubled quote
				}
			}
			j := end + 1
			f = append(f, line[i:w])
			// Only blanks may sit between the closing quote and the comma.
			rest := trimSpace(line[j:])
			if len(rest) == 0 {
				break
			}
			if rest[0] != ',' {
				p.fields = f
				return p.errAt(len(f), string(line[j:]), ErrQuote)
			}
			i = len(line) - len(rest) + 1
			continue
		}
		k := bytes.IndexByte(line[i:], ',')
		if k < 0 {
			f = append(f, line[i:])
			break
		}
		f = append(f, line[i:i+k])
		i += k + 1
	}
	p.fields = f
	return nil
}

func (p *csvParser) readHeader() error {
	line, err := p.next()
	if err == io.EOF {
		return &ParseError{File: p.opt.Name, Text: "", Err: ErrEmpty, Detail: "no header row"}
	}
	if err != nil {
		return err
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a byte-order mark from spreadsheet exports
	p.fields = make([][]byte, 0, bytes.Count(line, []byte{','})+1)
	if err := p.split(line); err != nil {
		return err
	}
	p.header = make([]string, len(p.fields))
	seen := make(map[string]int, len(p.fields))
	for i, f := range p.fields {
		name := string(bytes.TrimSpace(f))
		if j, dup := seen[name]; dup {
			pe := p.errAt(i+1, name, ErrDuplicateColumn)
			pe.Name = ""
			pe.Detail = fmt.Sprintf("also column %d", j+1)
			return pe
		}
		seen[name] = i
		p.header[i] = name
	}
	p.target = len(p.header) - 1
	if p.opt.Target != "" {
		i, ok := seen[p.opt.Target]
		if !ok {
			return &ParseError{File: p.opt.Name, Line: p.line, Text: p.opt.Target, Err: ErrNoTarget,
				Detail: "columns: " + strings.Join(p.header, ", ")}
		}
		p.target = i
	}
	p.nfeat = len(p.header) - 1
	if p.nfeat == 0 {
		return &ParseError{File: p.opt.Name, Line: p.line, Err: ErrNoFeatures,
			Detail: "only the target column " + strconv.Quote(p.header[p.target])}
	}
	return nil
}

// missing lists the spellings of an absent value that pandas reads as NaN.
var missing = map[string]bool{
	"": true, "NA": true, "N/A": true, "n/a": true, "NaN": true, "nan": true, "NAN": true,
	"-NaN": true, "-nan": true, "null": true, "NULL": true, "None": true, "#N/A": true,
}

func (p *csvParser) number(col int, cell []byte) (float64, error) {
	cell = trimSpace(cell)
	if len(cell) == 0 {
		return 0, p.errAt(col, "", ErrMissingValue)
	}
	if v, ok := parseDecimal(cell); ok {
		return v, nil
	}
	v, err := strconv.ParseFloat(string(cell), 64)
	if err == nil && v-v == 0 { // finite
		return v, nil
	}
	s := string(cell)
	switch {
	case missing[s]:
		return 0, p.errAt(col, s, ErrMissingValue)
	case err == nil || errors.Is(err, strconv.ErrRange):
		return 0, p.errAt(col, s, ErrNotFinite)
	default:
		return 0, p.errAt(col, s, ErrNotNumeric)
	}
}

// trimSpace trims blanks without bytes.TrimSpace's Unicode work, which shows
// in the profile of a large file.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// finish builds the Dataset. names are the label texts in order of first
// appearance, which codes index; unless the classes were fixed by the
// caller, they are merged and ordered as labels.go says.
func (p *csvParser) finish(data []float64, codes []int32, names []string, fixed bool) (*Dataset, error) {
	ds := &Dataset{
		X:            mat.NewDense(len(codes), p.nfeat, data),
		Y:            make([]int, len(codes)),
		FeatureNames: make([]string, 0, p.nfeat),
		TargetName:   p.header[p.target],
	}
	for i, h := range p.header {
		if i != p.target {
			ds.FeatureNames = append(ds.FeatureNames, h)
		}
	}
	if fixed {
		ds.ClassNames = slices.Clone(p.opt.ClassNames)
		for i, c := range codes {
			ds.Y[i] = int(c)
		}
		return ds, nil
	}
	classes, remap := codeLabels(names)
	if len(classes) < 2 {
		detail := "every row has this label"
		if len(names) > 1 {
			detail = "every row has this number: " + strings.Join(names, ", ")
		}
		return nil, &ParseError{File: p.opt.Name, Column: p.target + 1, Name: p.header[p.target],
			Text: classes[0], Err: ErrFewClasses, Detail: detail}
	}
	ds.ClassNames = classes
	for i, c := range codes {
		ds.Y[i] = remap[c]
	}
	return ds, nil
}

// grow enlarges the matrix storage to take more values. The first time, with
// a known input size, it sizes the storage for the whole file from the bytes
// per row seen so far, so a large file is not copied again and again.
func (p *csvParser) grow(data []float64, rows, more int) []float64 {
	want := 0
	if !p.estimated && p.sizeHint > 0 && rows > 0 {
		p.estimated = true
		perRow := float64(p.consumed) / float64(rows)
		// 2% and one row of slack: enough for rows a little longer than
		// the first block's, without a fixed count of rows that a very
		// wide file would pay for many times over.
		est := int(float64(p.sizeHint)/perRow*1.02) + 1
		want = est * p.nfeat
	}
	if want < len(data)+more {
		return slices.Grow(data, more)
	}
	out := make([]float64, len(data), want)
	copy(out, data)
	return out
}
