package main

import (
	"bytes"
	"context"
	"flag"
	"testing"

	"github.com/grove-ml/grove/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestOutputGolden runs command lines whose output does not depend on the
// machine and compares it, with the exit status, with testdata/NAME.golden.
func TestOutputGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"help", []string{"-h"}},
		{"fail-bad-port", []string{"-port", "70000"}},
		{"fail-unknown-flag", []string{"-workers", "4"}},
		{"fail-argument", []string{"serve"}},
		{"fail-remote-store", []string{"-port", "0", "-backend-store-uri", "https://mlflow.example.com"}},
		{"fail-file-store", []string{"-port", "0", "-backend-store-uri", "file:///tmp/mlruns"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out, &out)
			code := command.Exit(err, &out)
			out.WriteString("exit status ")
			out.WriteString(string(rune('0' + code)))
			out.WriteString("\n")
			golden.Check(t, tt.name, out.String(), *update)
		})
	}
}
