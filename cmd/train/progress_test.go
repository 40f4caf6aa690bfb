package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the drawing goroutine and the test share a buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name  string
		show  bool
		wait  time.Duration
		drawn bool
	}{
		{"terminal, slow fit", true, 0, true},
		{"terminal, quick fit", true, time.Hour, false},
		{"not a terminal", false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			p := startProgress(&out, "training", tt.show, tt.wait, time.Millisecond)
			p.update(3, 10)
			time.Sleep(50 * time.Millisecond)
			p.finish()
			p.finish() // a second finish is harmless
			got := out.String()
			if drawn := strings.Contains(got, "3/10 trees"); drawn != tt.drawn {
				t.Fatalf("drawn = %v, want %v: %q", drawn, tt.drawn, got)
			}
			if tt.drawn {
				if !strings.Contains(got, "[#########.....................]") {
					t.Errorf("bar %q does not show 3 of 10", got)
				}
				if !strings.HasSuffix(got, "\r\033[K") {
					t.Errorf("the bar's line is not cleared at the end: %q", got)
				}
			}
		})
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer taken for a terminal")
	}
}
