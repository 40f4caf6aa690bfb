package report

import (
	"math"
	"slices"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

func TestThin(t *testing.T) {
	wave := func(n int) []store.Metric {
		pts := make([]store.Metric, n)
		for i := range pts {
			pts[i] = store.Metric{Key: "loss", Step: int64(i), Value: math.Sin(float64(i) / 50)}
		}
		return pts
	}
	spiked := wave(10_000)
	spiked[7_321].Value = 40 // one diverging batch must stay visible
	withNaN := wave(3_000)
	withNaN[10].Value = math.NaN()

	tests := []struct {
		name  string
		pts   []store.Metric
		n     int
		want  int
		spike int64 // a step that must be kept; -1 for none
	}{
		{"short history kept whole", wave(500), 1000, 500, -1},
		{"exactly the limit", wave(1000), 1000, 1000, -1},
		{"long history", wave(50_000), 1000, 1000, -1},
		{"spike kept", spiked, 1000, 1000, 7_321},
		{"non-finite dropped", withNaN, 1000, 1000, -1},
		{"one over", wave(1001), 1000, 1000, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := thin(tt.pts, tt.n)
			if len(got) != tt.want {
				t.Fatalf("%d points, want %d", len(got), tt.want)
			}
			if got[0].Step != tt.pts[0].Step || got[len(got)-1].Step != tt.pts[len(tt.pts)-1].Step {
				t.Errorf("first and last steps %d, %d not kept", got[0].Step, got[len(got)-1].Step)
			}
			if !slices.IsSortedFunc(got, func(a, b store.Metric) int { return int(a.Step - b.Step) }) {
				t.Errorf("steps out of order")
			}
			for i := 1; i < len(got); i++ {
				if got[i].Step == got[i-1].Step {
					t.Fatalf("step %d kept twice", got[i].Step)
				}
			}
			for _, p := range got {
				if math.IsNaN(p.Value) {
					t.Errorf("NaN kept at step %d", p.Step)
				}
			}
			if tt.spike >= 0 && !slices.ContainsFunc(got, func(p store.Metric) bool { return p.Step == tt.spike }) {
				t.Errorf("spike at step %d lost", tt.spike)
			}
		})
	}
}

func BenchmarkThin(b *testing.B) {
	pts := make([]store.Metric, 100_000)
	for i := range pts {
		pts[i] = store.Metric{Step: int64(i), Value: math.Sin(float64(i) / 300)}
	}
	for b.Loop() {
		thin(pts, maxSeriesPoints)
	}
}
