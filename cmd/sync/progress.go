package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// line shows the latest progress line of the sync in place on a terminal:
// each line written replaces the one before.
type line struct {
	mu    sync.Mutex
	w     io.Writer
	runs  int
	drawn bool
}

// newLine returns a line on w when w is a terminal, else nil: a log file
// or a pipe gets only the summary.
func newLine(w io.Writer) *line {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &line{w: w}
}

func (l *line) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range bytes.Split(bytes.TrimSpace(p), []byte("\n")) {
		l.runs++
		const width = 100
		if len(s) > width {
			s = append(s[:width-1:width-1], "…"...)
		}
		fmt.Fprintf(l.w, "\r\033[K[%d] %s", l.runs, s)
		l.drawn = true
	}
	return len(p), nil
}

// clear erases the line, so that the summary starts on a clean one.
func (l *line) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drawn {
		fmt.Fprint(l.w, "\r\033[K")
	}
}
