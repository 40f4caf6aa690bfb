package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// failWriter refuses every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// Every error the package returns starts with its name, whatever its kind:
// the parse errors are checked in TestReadCSVErrors, these are the rest.
func TestErrorsStartWithPackageName(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("a,y\n" + strings.Repeat("1,x\n2,w\n", 1000)))
	zw.Close()
	truncated := gz.Bytes()[:gz.Len()/2]
	ds, err := MakeClassification(SynthConfig{Samples: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"absent file", func() error {
			_, err := ReadCSV(filepath.Join(t.TempDir(), "absent.csv"), CSVOptions{})
			return err
		}},
		{"bad gzip header", func() error {
			_, err := ReadCSVFrom(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), CSVOptions{})
			return err
		}},
		{"truncated gzip", func() error {
			_, err := ReadCSVFrom(bytes.NewReader(truncated), CSVOptions{})
			return err
		}},
		{"directory", func() error {
			_, err := ReadCSV(t.TempDir(), CSVOptions{})
			return err
		}},
		{"write csv", func() error { return ds.WriteCSV(failWriter{}) }},
		{"split", func() error {
			_, _, err := Split(ds, SplitOptions{TestSize: 2})
			return err
		}},
		{"synthetic", func() error {
			_, err := MakeClassification(SynthConfig{Classes: 1})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "datasets: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line prefixed with the package", msg)
			}
		})
	}
}
