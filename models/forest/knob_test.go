package forest

import (
	"os"
	"strconv"
)

// GROVE_SORT_LIMIT overrides sortLimit in tests and benchmarks, to measure
// the trade between exact thresholds and histogram speed.
func init() {
	if v, err := strconv.Atoi(os.Getenv("GROVE_SORT_LIMIT")); err == nil {
		sortLimit = v
	}
}
