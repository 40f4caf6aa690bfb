package store

import (
	"fmt"
	"slices"
	"testing"
)

func TestSplitBatchSizes(t *testing.T) {
	tests := []struct {
		metrics, params, tags int
		want                  [][3]int // per batch: metrics, params, tags
	}{
		{0, 0, 0, nil},
		{10, 5, 2, [][3]int{{10, 5, 2}}},
		{1000, 0, 0, [][3]int{{1000, 0, 0}}},
		{2500, 0, 0, [][3]int{{1000, 0, 0}, {1000, 0, 0}, {500, 0, 0}}},
		{0, 101, 0, [][3]int{{0, 100, 0}, {0, 1, 0}}},
		{1000, 100, 100, [][3]int{{800, 100, 100}, {200, 0, 0}}},
		{0, 250, 130, [][3]int{{0, 100, 100}, {0, 100, 30}, {0, 50, 0}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dm,%dp,%dt", tt.metrics, tt.params, tt.tags), func(t *testing.T) {
			got := SplitBatch(make([]Metric, tt.metrics), make([]Param, tt.params), make([]Tag, tt.tags))
			var sizes [][3]int
			for _, b := range got {
				sizes = append(sizes, [3]int{len(b.Metrics), len(b.Params), len(b.Tags)})
				if n := len(b.Metrics) + len(b.Params) + len(b.Tags); n > MaxBatchItems {
					t.Errorf("batch of %d items", n)
				}
			}
			if !slices.Equal(sizes, tt.want) {
				t.Errorf("SplitBatch(%d, %d, %d) sizes %v, want %v", tt.metrics, tt.params, tt.tags, sizes, tt.want)
			}
		})
	}
}

func TestSplitBatchLimitsAndOrder(t *testing.T) {
	tests := []struct {
		metrics, params, tags int
		wantBatches           int
	}{
		{0, 0, 0, 0},
		{1, 1, 1, 1},
		{1000, 0, 0, 1},
		{1001, 0, 0, 2},
		{1000, 100, 100, 2},
		{0, 250, 0, 3},
		{0, 0, 101, 2},
		{900, 100, 0, 1},
		{901, 100, 0, 2},
		{10000, 150, 30, 11},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%d-%d", tt.metrics, tt.params, tt.tags), func(t *testing.T) {
			ms := make([]Metric, tt.metrics)
			for i := range ms {
				ms[i].Step = int64(i)
			}
			ps := make([]Param, tt.params)
			for i := range ps {
				ps[i].Key = fmt.Sprint(i)
			}
			ts := make([]Tag, tt.tags)
			for i := range ts {
				ts[i].Key = fmt.Sprint(i)
			}
			bs := SplitBatch(ms, ps, ts)
			if len(bs) != tt.wantBatches {
				t.Errorf("%d batches, want %d", len(bs), tt.wantBatches)
			}
			var nm, np, nt int
			for i, b := range bs {
				m, p, g := len(b.Metrics), len(b.Params), len(b.Tags)
				if m > MaxBatchMetrics || p > MaxBatchParams || g > MaxBatchTags || m+p+g > MaxBatchItems || m+p+g == 0 {
					t.Errorf("batch %d holds %d metrics, %d params, %d tags: outside MLflow's limits", i, m, p, g)
				}
				for j, x := range b.Metrics {
					if x.Step != int64(nm+j) {
						t.Fatalf("batch %d metric %d has step %d: order lost", i, j, x.Step)
					}
				}
				nm, np, nt = nm+m, np+p, nt+g
			}
			if nm != tt.metrics || np != tt.params || nt != tt.tags {
				t.Errorf("batches hold %d/%d/%d items, want %d/%d/%d", nm, np, nt, tt.metrics, tt.params, tt.tags)
			}
		})
	}
}

func TestComparePoints(t *testing.T) {
	pts := []Metric{{Step: 2, Timestamp: 1, Value: 0}, {Step: 1, Timestamp: 9, Value: 5}, {Step: 1, Timestamp: 9, Value: -1}, {Step: 1, Timestamp: 3, Value: 7}}
	slices.SortFunc(pts, ComparePoints)
	want := []Metric{{Step: 1, Timestamp: 3, Value: 7}, {Step: 1, Timestamp: 9, Value: -1}, {Step: 1, Timestamp: 9, Value: 5}, {Step: 2, Timestamp: 1, Value: 0}}
	if !slices.Equal(pts, want) {
		t.Errorf("sorted %v, want %v", pts, want)
	}
}
