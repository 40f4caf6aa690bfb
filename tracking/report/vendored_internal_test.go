package report

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestEmbeddedChecksum pins the embedded script to the checksum recorded
// beside its version, so a refresh must update both.
func TestEmbeddedChecksum(t *testing.T) {
	sum := sha256.Sum256([]byte(echartsJS))
	if got := hex.EncodeToString(sum[:]); got != echartsSHA256 {
		t.Errorf("embedded echarts.min.js has sha256 %s, vendored.go records %s for version %s", got, echartsSHA256, EChartsVersion)
	}
}
