package search_test

import (
	"fmt"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

func run(id, criterion string, acc float64) *store.Run {
	return &store.Run{
		Info: store.RunInfo{RunID: id, StartTime: 1000},
		Data: store.RunData{
			Metrics: []store.Metric{{Key: "acc", Value: acc}},
			Params:  []store.Param{{Key: "criterion", Value: criterion}},
		},
	}
}

func Example() {
	q, err := search.ParseQuery("metrics.acc > 0.8 and params.criterion = 'gini'", []string{"metrics.acc DESC"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var kept []*store.Run
	for _, r := range []*store.Run{run("a", "gini", 0.85), run("b", "entropy", 0.95), run("c", "gini", 0.93), run("d", "gini", 0.7)} {
		if q.Match(r) {
			kept = append(kept, r)
		}
	}
	q.Sort(kept)
	for _, r := range kept {
		fmt.Println(r.Info.RunID)
	}
	fmt.Println(q.Filter)

	_, err = search.ParseFilter("metrics.acc > 0.8 OR params.criterion = 'gini'")
	fmt.Println(err)
	// Output:
	// c
	// a
	// metrics.acc > 0.8 AND params.criterion = 'gini'
	// INVALID_PARAMETER_VALUE: Invalid clause(s) in filter string: 'OR'
}

func ExampleParseOrderBy() {
	orders, err := search.ParseOrderBy([]string{"metrics.`f1 score` DESC", "params.max_depth", "attributes.created"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range orders {
		fmt.Printf("%s %q ascending=%v\n", o.Entity, o.Key, o.Ascending)
	}
	// Output:
	// metric "f1 score" ascending=false
	// parameter "max_depth" ascending=true
	// attribute "start_time" ascending=true
}

func ExampleEncodePageToken() {
	tok := search.EncodePageToken(100)
	fmt.Println(tok)
	offset, err := search.DecodePageToken(tok)
	fmt.Println(offset, err)
	// Output:
	// eyJvZmZzZXQiOiAxMDB9
	// 100 <nil>
}

func ExampleParseExperimentQuery() {
	q, err := search.ParseExperimentQuery("name LIKE 'iris%' and tags.team = 'a'", []string{"name"})
	if err != nil {
		fmt.Println(err)
		return
	}
	exps := []*store.Experiment{
		{ID: "1", Name: "iris-small", Tags: map[string]string{"team": "a"}},
		{ID: "2", Name: "iris-big", Tags: map[string]string{"team": "a"}},
		{ID: "3", Name: "iris-other", Tags: map[string]string{"team": "b"}},
		{ID: "4", Name: "wine", Tags: map[string]string{"team": "a"}},
	}
	var kept []*store.Experiment
	for _, e := range exps {
		if q.Match(e) {
			kept = append(kept, e)
		}
	}
	q.Sort(kept)
	for _, e := range kept {
		fmt.Println(e.ID, e.Name)
	}
	// Output:
	// 2 iris-big
	// 1 iris-small
}
