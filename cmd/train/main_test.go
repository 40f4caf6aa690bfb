package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// goldenCases are command lines whose whole outcome (exit status, stdout,
// stderr) is pinned in testdata/<name>.golden.
var goldenCases = []struct {
	name string
	args []string
	code int
}{
	{"iris-default", []string{"-no-track"}, 0},
	{"iris-stratified", []string{"-no-track", "-test-size", "0.3", "-stratify", "-seed", "7"}, 0},
	{"iris-smallest", []string{"-no-track", "-test-size", "0.01"}, 0},
	{"iris-json", []string{"-no-track", "-json", "-test-size", "0.1", "-seed", "3"}, 0},
	{"csv", []string{"-no-track", "-data", "testdata/small.csv", "-target", "label"}, 0},
	{"csv-test-data", []string{"-no-track", "-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv"}, 0},
	{"help", []string{"-h"}, 0},

	{"usage-test-size-high", []string{"-test-size", "1.5"}, 2},
	{"usage-test-size-zero", []string{"-test-size", "0"}, 2},
	{"usage-test-size-text", []string{"-test-size", "half"}, 2},
	{"usage-test-size-nan", []string{"-test-size", "NaN"}, 2},
	{"usage-test-size-no-train", []string{"-test-size", "0.999"}, 2},
	{"usage-test-size-missing", []string{"-test-size"}, 2},
	{"usage-seed-negative", []string{"-seed", "-1"}, 2},
	{"usage-unknown-flag", []string{"-tree", "10"}, 2},
	{"usage-argument", []string{"extra"}, 2},
	{"usage-stratify-few-test", []string{"-test-size", "0.01", "-stratify"}, 2},
	{"usage-test-data-alone", []string{"-test-data", "testdata/small_test.csv"}, 2},
	{"usage-test-data-and-size", []string{"-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv", "-test-size", "0.3"}, 2},
	{"usage-test-data-and-stratify", []string{"-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv", "-stratify"}, 2},
	{"usage-target-without-data", []string{"-target", "species"}, 2},

	{"fail-bad-csv", []string{"-no-track", "-data", "testdata/bad.csv"}, 1},
	{"fail-no-target", []string{"-no-track", "-data", "testdata/small.csv", "-target", "species"}, 1},
	{"fail-missing-file", []string{"-no-track", "-data", "testdata/absent.csv"}, 1},
	{"fail-test-data-width", []string{"-no-track", "-data", "testdata/small.csv", "-test-data", "testdata/wide_test.csv"}, 1},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			code := exitCode(err, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if code != 0 && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("a failure must be one line on stderr, got %q", stderr.String())
			}
			got := fmt.Sprintf("$ train %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s", strings.Join(tc.args, " "), code, stdout.String(), stderr.String())
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-no-track"}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130 (err %v)", code, err)
	}
	if got := stderr.String(); got != "train: interrupted\n" {
		t.Errorf("stderr %q", got)
	}
}
