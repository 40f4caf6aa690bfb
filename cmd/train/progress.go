package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a bar on stderr while the forest grows, but only when
// stderr is a terminal (never into a log file or a pipe) and only once
// training has taken a second, so quick runs print nothing extra.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	wait  time.Duration // quiet time before the first drawing
	tick  time.Duration

	mu          sync.Mutex
	done, total int
	drawn       bool
	finished    bool
	stop        chan struct{}
}

func newProgress(w io.Writer, label string) *progress {
	return startProgress(w, label, isTerminal(w), time.Second, 200*time.Millisecond)
}

// startProgress draws on w when show is set, from after wait, every tick.
func startProgress(w io.Writer, label string, show bool, wait, tick time.Duration) *progress {
	p := &progress{w: w, label: label, start: time.Now(), wait: wait, tick: tick, stop: make(chan struct{})}
	if !show {
		p.finished = true
		return p
	}
	go p.loop()
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// update is the forest's Progress callback.
func (p *progress) update(done, total int) {
	p.mu.Lock()
	p.done, p.total = done, total
	p.mu.Unlock()
}

func (p *progress) loop() {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if !p.finished && time.Since(p.start) >= p.wait && p.total > 0 {
				const width = 30
				fill := width * p.done / p.total
				fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d trees %.0fs", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.done, p.total, time.Since(p.start).Seconds())
				p.drawn = true
			}
			p.mu.Unlock()
		}
	}
}

// finish stops the bar and clears its line; calling it again does nothing.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	close(p.stop)
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
