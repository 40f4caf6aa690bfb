package forest

import (
	"flag"
	"os"
	"testing"
)

// The -sortlimit flag sets sortLimit for one run of the tests and
// benchmarks, to measure the trade between exact thresholds and histogram
// speed (bench/README.md has the figures):
//
//	go test -run TestAccuracyBench ./models/forest -args -sortlimit 1024
var sortLimitFlag = flag.Int("sortlimit", 0, "sort nodes of up to `n` rows on every feature (exact thresholds)")

func TestMain(m *testing.M) {
	flag.Parse()
	sortLimit = *sortLimitFlag
	os.Exit(m.Run())
}
