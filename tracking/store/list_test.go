package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/store"
)

// pager answers SearchRuns with fixed pages; every other method is
// memstore's.
type pager struct {
	store.Store
	pages [][]*store.Run
	next  []string
	asked []store.RunQuery
}

func (p *pager) SearchRuns(_ context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	i := len(p.asked)
	p.asked = append(p.asked, q)
	return p.pages[i], p.next[i], nil
}

func run(id string) *store.Run { return &store.Run{Info: store.RunInfo{RunID: id}} }

func TestAllRuns(t *testing.T) {
	ctx := context.Background()
	p := &pager{Store: memstore.New(), pages: [][]*store.Run{{run("a"), nil, run("b")}, {run("b"), run("c")}}, next: []string{"t1", ""}}
	runs, err := store.AllRuns(ctx, p, store.RunQuery{ExperimentIDs: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.Info.RunID)
	}
	if got := strings.Join(ids, ","); got != "a,b,c" {
		t.Errorf("runs %s, want a,b,c (nil and repeated runs dropped)", got)
	}
	if len(p.asked) != 2 || p.asked[0].MaxResults != store.ListPageSize || p.asked[1].PageToken != "t1" {
		t.Errorf("queries %+v", p.asked)
	}

	stuck := &pager{Store: memstore.New(), pages: [][]*store.Run{{run("a")}, {run("b")}}, next: []string{"t", "t"}}
	if _, err := store.AllRuns(ctx, stuck, store.RunQuery{}); err == nil || !strings.HasPrefix(err.Error(), "store: ") || !strings.Contains(err.Error(), `page token "t" twice`) {
		t.Errorf("a repeated token: %v", err)
	}
}

func TestAllRunsMemstore(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	exp, err := s.CreateExperiment(ctx, "e", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: fmt.Sprint(i), StartTime: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{0, 4} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			runs, err := store.AllRuns(ctx, s, store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: size})
			if err != nil || len(runs) != 25 {
				t.Errorf("page size %d: %d runs, %v", size, len(runs), err)
			}
		})
	}
}
