package datasets

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// block is a run of whole lines of the body, parsed by one worker.
type block struct {
	buf   []byte // the text: whole lines, the last one maybe unterminated
	line  int    // number of the first line in buf
	lines int    // newlines in buf

	vals  []float64 // features, row-major
	codes []int32   // labels: codes into names, or into the fixed classes
	names []string  // labels first seen in this block
	err   error
	done  chan struct{} // closed by the worker when the fields above are set
}

// blockSize is how much text one worker parses at a time; a variable so the
// tests can cut small inputs into many blocks.
var blockSize = 1 << 20

// read parses the body in blocks of whole lines, on as many goroutines as
// the process may use, and gathers the blocks in file order: the result,
// and the first error in the file, do not depend on which worker is fastest.
//
// The channel protocol:
//
//   - Who sends: one reader goroutine (cut) cuts the input into blocks and
//     sends each block on order, then the same block on work. It is the
//     only sender on both. Workers receive from work; read receives from
//     order. read sends a block it is done with on free (dropped when free
//     is full) and cut takes from it before allocating a new block.
//   - Who closes: cut closes work and order when it returns: at the end of
//     the input, on a read error (kept in readErr, which read looks at only
//     after order is closed), or on stop. A worker closes a block's done
//     after parsing it. read closes stop when it returns, whatever the
//     reason.
//   - How order is restored: order holds the blocks in file order, and read
//     waits on each block's done in that order, so a fast worker's later
//     block waits for the earlier ones. cut sends a block on order before
//     work and on work in file order, so the block read waits for is
//     always with a worker or the next one a worker will take, and
//     waiting on it cannot deadlock.
//   - How a stop propagates: read returns at the first block in error.
//     Closing stop frees cut from a send no one will receive; cut then
//     closes work, the workers finish the block in hand and leave their
//     loop, and read's deferred wait returns once cut and every worker
//     have ended, so no goroutine outlives read.
func (p *csvParser) read() (*Dataset, error) {
	if err := p.readHeader(); err != nil {
		return nil, err
	}
	var fixed *fixedClasses
	if p.opt.ClassNames != nil {
		fixed = newFixedClasses(p.opt.ClassNames)
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	work := make(chan *block)
	order := make(chan *block, 2*workers)
	free := make(chan *block, 3*workers)
	stop := make(chan struct{})

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		lp := *p // each worker needs its own line number and field slice
		lp.fields = nil
		go func() {
			defer wg.Done()
			for b := range work {
				lp.parseBlock(b, fixed)
				close(b.done)
			}
		}()
	}
	var readErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(work)
		readErr = p.cut(order, work, free, stop)
	}()
	defer func() {
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
	var remap []int32
	for b := range order {
		<-b.done
		if b.err != nil {
			return nil, b.err
		}
		// Each block codes the labels it meets in its own order; map its
		// codes onto the order of first appearance in the file.
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

// cut reads the body into blocks of whole lines and hands each out on
// order and work, as read's protocol says, until the input ends, a read
// fails or stop is closed.
func (p *csvParser) cut(order, work chan<- *block, free <-chan *block, stop <-chan struct{}) error {
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
				return fmt.Errorf("datasets: %s: %w", nameOr(p.opt.Name), err)
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
			return nil
		}
		select {
		case work <- b:
		case <-stop:
			return nil
		}
		if eof {
			return nil
		}
	}
}

// parseBlock parses the lines of b into b.vals and b.codes, stopping at the
// first fault.
func (p *csvParser) parseBlock(b *block, fixed *fixedClasses) {
	// A row takes a line and holds a comma per feature, so this bounds the
	// rows of the block; sizing its storage once spares the copies of
	// growing by appends.
	rows := min(b.lines+1, len(b.buf)/max(p.nfeat, 1)+1)
	b.vals = slices.Grow(b.vals[:0], rows*p.nfeat)
	b.codes = slices.Grow(b.codes[:0], rows)
	b.names, b.err = b.names[:0], nil
	if p.fields == nil { // on a worker's first block, not for idle workers
		p.fields = make([][]byte, 0, len(p.header))
	}
	// Labels are looked up in the caller's fixed coding when there is one;
	// otherwise each block codes them by exact text in its own order, and
	// the blocks' codings are merged afterwards.
	local := map[string]int32{}
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
		var code int32
		var ok bool
		if fixed != nil {
			if code, ok = fixed.byText[string(lab)]; !ok {
				code, ok = fixed.byNumber(string(lab))
			}
		} else {
			code, ok = local[string(lab)]
		}
		if !ok {
			s := string(lab)
			if missing[s] {
				b.err = p.errAt(p.target+1, s, ErrMissingValue)
				return
			}
			if fixed != nil {
				pe := p.errAt(p.target+1, s, ErrUnknownClass)
				pe.Detail = "classes: " + strings.Join(fixed.names, ", ")
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
