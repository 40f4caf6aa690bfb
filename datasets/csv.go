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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	// outside the list is an error; fewer than two classes present is not.
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
// target's labels are coded 0..k-1 in sorted order (numerically when every
// label is a number, as scikit-learn's LabelEncoder orders them). Input that
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

// block is a run of whole lines of the body, parsed by one worker.
type block struct {
	buf   []byte // the text: whole lines, the last one maybe unterminated
	line  int    // number of the first line in buf
	lines int    // newlines in buf

	vals  []float64 // features, row-major
	codes []int32   // labels: codes into names, or into the fixed classes
	names []string  // labels first seen in this block
	err   error
	done  chan struct{}
}

// blockSize is how much text one worker parses at a time; a variable so the
// tests can cut small inputs into many blocks.
var blockSize = 1 << 20

// read parses the body in blocks of whole lines, on as many goroutines as
// the process may use, and gathers the blocks in file order: the result,
// and the first error in the file, do not depend on which worker is fastest.
func (p *csvParser) read() (*Dataset, error) {
	if err := p.readHeader(); err != nil {
		return nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	work := make(chan *block)
	order := make(chan *block, 2*workers)
	free := make(chan *block, 3*workers)
	stop := make(chan struct{})

	var fixed map[string]int32
	if p.opt.ClassNames != nil {
		fixed = make(map[string]int32, len(p.opt.ClassNames))
		for i, n := range p.opt.ClassNames {
			fixed[n] = int32(i)
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		lp := *p // each worker needs its own line number and field slice
		lp.fields = make([][]byte, 0, len(p.header))
		go func() {
			defer wg.Done()
			for b := range work {
				lp.parseBlock(b, fixed)
				close(b.done)
			}
		}()
	}
	// The reader hands out blocks until the input ends, an error stops it,
	// or read returns early.
	var readErr error
	go func() {
		defer close(order)
		defer close(work)
		line := p.line + 1
		var carry []byte
		for {
			var b *block
			select {
			case b = <-free:
			default:
				b = &block{buf: make([]byte, 0, blockSize)}
			}
			buf := append(b.buf[:0], carry...)
			eof := false
			for {
				if len(buf) == cap(buf) {
					buf = slices.Grow(buf, cap(buf)) // a line longer than a block
				}
				n, err := p.br.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if err == io.EOF {
					eof = true
					break
				}
				if err != nil {
					readErr = fmt.Errorf("datasets: %s: %w", nameOr(p.opt.Name), err)
					return
				}
				if len(buf) == cap(buf) && bytes.LastIndexByte(buf, '\n') >= 0 {
					break
				}
			}
			cut := len(buf)
			if !eof {
				cut = bytes.LastIndexByte(buf, '\n') + 1
			}
			carry = append(carry[:0], buf[cut:]...)
			b.buf, b.line = buf[:cut], line
			b.done = make(chan struct{})
			b.lines = bytes.Count(b.buf, []byte{'\n'})
			line += b.lines
			select {
			case order <- b:
			case <-stop:
				return
			}
			select {
			case work <- b:
			case <-stop:
				return
			}
			if eof {
				return
			}
		}
	}()
	defer func() {
		// Stop the reader first: it may be waiting to hand out a block
		// that no worker will take once read has returned.
		close(stop)
		wg.Wait()
	}()

	// The matrix storage is sized by grow from the first block, never from
	// the width alone: a fixed number of rows times a wide header is
	// gigabytes for a file of a few megabytes.
	var data []float64
	var codes []int32
	labels := map[string]int32{}
	var names []string
	if fixed != nil {
		labels, names = fixed, p.opt.ClassNames
	}
	remap := []int32{}
	for b := range order {
		<-b.done
		if b.err != nil {
			return nil, b.err
		}
		remap = remap[:0]
		for _, n := range b.names {
			code, ok := labels[n]
			if !ok {
				code = int32(len(names))
				labels[n] = code
				names = append(names, n)
			}
			remap = append(remap, code)
		}
		for _, c := range b.codes {
			if fixed == nil {
				c = remap[c]
			}
			codes = append(codes, c)
		}
		p.consumed += int64(len(b.buf))
		if len(data)+len(b.vals) > cap(data) {
			data = p.grow(data, len(codes), len(b.vals))
		}
		data = append(data, b.vals...)
		select {
		case free <- b:
		default:
		}
	}
	if readErr != nil {
		return nil, readErr
	}
	if len(codes) == 0 {
		return nil, &ParseError{File: p.opt.Name, Err: ErrEmpty, Detail: "header row only"}
	}
	return p.finish(data, codes, names, fixed != nil)
}

// parseBlock parses the lines of b into b.vals and b.codes, stopping at the
// first fault.
func (p *csvParser) parseBlock(b *block, fixed map[string]int32) {
	// A row takes a line and holds a comma per feature, so this bounds the
	// rows of the block; sizing its storage once spares the copies of
	// growing by appends.
	rows := min(b.lines+1, len(b.buf)/max(p.nfeat, 1)+1)
	b.vals = slices.Grow(b.vals[:0], rows*p.nfeat)
	b.codes = slices.Grow(b.codes[:0], rows)
	b.names, b.err = b.names[:0], nil
	// Labels are looked up in the caller's fixed coding when there is one;
	// otherwise each block codes them in its own order, and the blocks'
	// codings are merged afterwards.
	local := map[string]int32{}
	known := local
	if fixed != nil {
		known = fixed
	}
	ncol := len(p.header)
	p.line = b.line - 1
	rest := b.buf
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		p.line++
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(trimSpace(line)) == 0 {
			continue
		}
		if err := p.split(line); err != nil {
			b.err = err
			return
		}
		if len(p.fields) != ncol {
			pe := p.errAt(0, string(line), ErrFieldCount)
			pe.Detail = fmt.Sprintf("want %d, got %d", ncol, len(p.fields))
			b.err = pe
			return
		}
		for i, cell := range p.fields {
			if i == p.target {
				continue
			}
			v, err := p.number(i+1, cell)
			if err != nil {
				b.err = err
				return
			}
			b.vals = append(b.vals, v)
		}
		lab := trimSpace(p.fields[p.target])
		code, ok := known[string(lab)]
		if !ok {
			s := string(lab)
			if missing[s] {
				b.err = p.errAt(p.target+1, s, ErrMissingValue)
				return
			}
			if fixed != nil {
				pe := p.errAt(p.target+1, s, ErrUnknownClass)
				pe.Detail = "classes: " + strings.Join(p.opt.ClassNames, ", ")
				b.err = pe
				return
			}
			code = int32(len(b.names))
			local[s] = code
			b.names = append(b.names, s)
		}
		b.codes = append(b.codes, code)
	}
}

// finish builds the Dataset and codes the labels in sorted order.
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
		ds.ClassNames = slices.Clone(names)
		for i, c := range codes {
			ds.Y[i] = int(c)
		}
		return ds, nil
	}
	if len(names) < 2 {
		return nil, &ParseError{File: p.opt.Name, Column: p.target + 1, Name: p.header[p.target],
			Text: names[0], Err: ErrFewClasses, Detail: "every row has this label"}
	}
	order := sortLabels(names)
	remap := make([]int, len(names))
	ds.ClassNames = make([]string, len(names))
	for code, old := range order {
		remap[old] = code
		ds.ClassNames[code] = names[old]
	}
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

// sortLabels returns the label indices in LabelEncoder's order: numeric
// order when every label is a number, else byte order.
func sortLabels(names []string) []int {
	order := make([]int, len(names))
	vals := make([]float64, len(names))
	numeric := true
	for i, n := range names {
		order[i] = i
		v, err := strconv.ParseFloat(n, 64)
		if err != nil {
			numeric = false
		}
		vals[i] = v
	}
	slices.SortFunc(order, func(a, b int) int {
		if numeric && vals[a] != vals[b] {
			if vals[a] < vals[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(names[a], names[b])
	})
	return order
}
