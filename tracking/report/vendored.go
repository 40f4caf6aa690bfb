package report

import (
	"crypto/sha256"
	_ "embed" // the ECharts script travels inside the binary
	"encoding/base64"
)

// EChartsVersion is the version of the npm package echarts whose
// dist/echarts.min.js is embedded in every page (see echarts/README.md).
const EChartsVersion = "6.1.0"

// echartsSHA256 pins the vendored file, so a refresh that forgets to update
// the version and the golden page fails a test instead of passing silently.
const echartsSHA256 = "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"

//go:embed echarts/echarts.min.js
var echartsJS string

// cspHash returns the Content-Security-Policy source that allows exactly the
// inline script s and nothing else.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// ECharts returns the embedded echarts.min.js (npm echarts, EChartsVersion),
// so that grove's other pages serve this one copy rather than vendor another.
func ECharts() string { return echartsJS }
