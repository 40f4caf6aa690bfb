package api

import (
	"encoding/json"
	"math"
	"testing"
)

func TestIntReadsNumbersAndStrings(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{`12`, 12, true}, {`"12"`, 12, true}, {`1.5e3`, 1500, true}, {`null`, 0, true},
		{`1.5`, 0, false}, {`"x"`, 0, false}, {`true`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var n Int
			err := json.Unmarshal([]byte(tt.in), &n)
			if (err == nil) != tt.ok || (tt.ok && int64(n) != tt.want) {
				t.Errorf("Int %s = %d, %v; want %d, ok %v", tt.in, n, err, tt.want, tt.ok)
			}
		})
	}
}

func TestFloatRoundTripsSpecialValues(t *testing.T) {
	for _, v := range []float64{0, -1.25, math.NaN(), math.Inf(1), math.Inf(-1), 1e300} {
		b, err := json.Marshal(Float(v))
		if err != nil {
			t.Fatal(err)
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if float64(back) != v && !(math.IsNaN(v) && math.IsNaN(float64(back))) {
			t.Errorf("%v -> %s -> %v", v, b, back)
		}
	}
}

func TestHTTPStatusAsMLflow(t *testing.T) {
	for code, want := range map[string]int{
		"RESOURCE_DOES_NOT_EXIST": 404, "INVALID_PARAMETER_VALUE": 400, "RESOURCE_ALREADY_EXISTS": 400,
		"INTERNAL_ERROR": 500, "ENDPOINT_NOT_FOUND": 404, "PERMISSION_DENIED": 403, "SOMETHING_NEW": 500,
	} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestAppendMetricsAsEncodingJSON(t *testing.T) {
	ms := []Metric{
		{Key: "loss", Value: 0.25, Timestamp: 1767225600000, Step: 4},
		{Key: "f1 score", Value: Float(math.NaN()), Timestamp: -1, Step: -7},
		{Key: "<acc>&\"x\"\\\n\u00e9\u2028", Value: Float(math.Inf(-1)), ModelID: "m-1", DatasetName: "iris", DatasetDigest: "d", RunID: "r"},
		{Key: "big", Value: 1e21, Timestamp: 1 << 62},
		{Key: "small", Value: 1e-7},
		{Key: "int", Value: 3, RunID: "abc"},
	}
	for n := range len(ms) + 1 {
		want, err := json.Marshal(ms[:n])
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			want = []byte("[]")
		}
		if got := AppendMetrics(nil, ms[:n]); string(got) != string(want) {
			t.Errorf("%d metrics:\n got %s\nwant %s", n, got, want)
		}
	}
}
