package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// withBlockSize cuts input into many small blocks for one test, so the
// gathering of blocks in order is exercised on small data.
func withBlockSize(t *testing.T, n int) {
	old := blockSize
	blockSize = n
	t.Cleanup(func() { blockSize = old })
}

func TestReadCSVManyBlocks(t *testing.T) {
	ds, err := MakeClassification(SynthConfig{Samples: 5000, Features: 9, Informative: 3, Classes: 3, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ds.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.Bytes()
	for _, size := range []int{64, 1000, 4096, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			withBlockSize(t, size)
			back, err := ReadCSVFrom(bytes.NewReader(text), CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if back.Digest() != ds.Digest() {
				t.Error("data read in blocks differs from the data written")
			}
		})
	}
}

// The first error in the file is the one reported, with its true line,
// however the blocks fall and whichever worker finishes first.
func TestReadCSVErrorAcrossBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := 0; i < 3000; i++ {
		switch i {
		case 1700:
			b.WriteString("1,x1700,p\n") // line 1702
		case 2500:
			b.WriteString("1,2\n") // line 2502, later: must not win
		default:
			fmt.Fprintf(&b, "%d,%d.5,%c\n", i, i, 'p'+i%2)
		}
		if i == 900 {
			b.WriteString("\n\r\n") // blank lines still count
		}
	}
	for _, size := range []int{50, 333, 8192, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			withBlockSize(t, size)
			_, err := ReadCSVFrom(strings.NewReader(b.String()), CSVOptions{})
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrNotNumeric) || pe.Line != 1704 || pe.Text != "x1700" {
				t.Errorf("got %v, want line 1704 %q", err, "x1700")
			}
		})
	}
}
