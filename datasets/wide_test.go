package datasets

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// writeWideCSV writes a table of rows x features short cells, the shape of
// gene-expression or bag-of-words data: few rows, very many columns.
func writeWideCSV(tb testing.TB, dir string, rows, features int) (path string, size int64) {
	tb.Helper()
	var b []byte
	for j := 0; j < features; j++ {
		b = append(b, 'f')
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, ',')
	}
	b = append(b, "y\n"...)
	for i := 0; i < rows; i++ {
		for j := 0; j < features; j++ {
			b = strconv.AppendInt(b, int64((i*7+j)%10), 10)
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(i%2), 10)
		b = append(b, '\n')
	}
	path = filepath.Join(dir, "wide.csv")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, int64(len(b))
}

// The reader's memory follows the data: a wide file of few rows costs a
// small multiple of its size, not a fixed number of rows times its width.
func TestReadCSVWideMemory(t *testing.T) {
	const rows, features = 6, 100_000
	path, size := writeWideCSV(t, t.TempDir(), rows, features)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ds, err := ReadCSV(path, CSVOptions{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != rows || ds.Features() != features || ds.X.At(5, features-1) != float64((5*7+features-1)%10) {
		t.Fatalf("got %d x %d", ds.Rows(), ds.Features())
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("file %d bytes, matrix %d bytes, allocated %d bytes (%.1fx the file)", size, rows*features*8, alloc, float64(alloc)/float64(size))
	if limit := 20 * uint64(size); alloc > limit {
		t.Errorf("reading a %d-byte file allocated %d bytes, over 20 times its size", size, alloc)
	}
}

// BenchmarkReadCSVWide reads 6 rows of 100,000 columns and reports the
// bytes allocated per cell; the matrix alone needs 8.
func BenchmarkReadCSVWide(b *testing.B) {
	const rows, features = 6, 100_000
	path, size := writeWideCSV(b, b.TempDir(), rows, features)
	b.SetBytes(size)
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		if _, err := ReadCSV(path, CSVOptions{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n*rows*(features+1)), "B/cell")
}
