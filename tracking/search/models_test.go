package search_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

func TestParseLoggedModelQuery(t *testing.T) {
	newest := []search.Order{{Entity: search.Attribute, Key: search.ModelCreated}, {Entity: search.Attribute, Key: search.ModelID, Ascending: true}}
	tests := []struct {
		name      string
		filter    string
		order     []store.LoggedModelOrder
		want      search.Filter
		wantOrder []search.Order
		err       bool
	}{
		{name: "empty", wantOrder: newest},
		{
			name:   "name",
			filter: "name = 'tree'",
			want:   search.Filter{{Entity: search.Attribute, Key: "name", Op: "=", Value: "tree"}},
		},
		{
			name:   "attributes, metrics, params and tags",
			filter: "attributes.status != 'LOGGED_MODEL_READY' and creation_time >= 5 and metrics.acc > 0.9 and params.depth like '3%' and tags.`a b` is null",
			want: search.Filter{
				{Entity: search.Attribute, Key: "status", Op: "!=", Value: "LOGGED_MODEL_READY"},
				{Entity: search.Attribute, Key: "creation_timestamp", Op: ">=", Value: "5", Number: 5},
				{Entity: search.Metric, Key: "acc", Op: ">", Value: "0.9", Number: 0.9},
				{Entity: search.Param, Key: "depth", Op: "LIKE", Value: "3%"},
				{Entity: search.Tag, Key: "a b", Op: "IS NULL"},
			},
		},
		{
			name:      "order by a metric, then the default tie-breaks",
			order:     []store.LoggedModelOrder{{Field: "metrics.acc"}, {Field: "last_updated_timestamp", Ascending: true}},
			wantOrder: []search.Order{{Entity: search.Metric, Key: "acc"}, {Entity: search.Attribute, Key: search.ModelUpdated, Ascending: true}, newest[0], newest[1]},
		},
		{
			name:      "an order naming the tie-break keys keeps their direction",
			order:     []store.LoggedModelOrder{{Field: "model_id"}, {Field: " creation_time", Ascending: true}},
			wantOrder: []search.Order{{Entity: search.Attribute, Key: search.ModelID}, {Entity: search.Attribute, Key: search.ModelCreated, Ascending: true}},
		},
		{name: "unknown attribute", filter: "run_name = 'a'", err: true},
		{name: "dataset entity", filter: "datasets.name = 'a'", err: true},
		{name: "time compared with a string", filter: "creation_time = 'a'", err: true},
		{name: "metric with LIKE", filter: "metrics.acc LIKE '1'", err: true},
		{name: "name with <", filter: "name < 'a'", err: true},
		{name: "attribute IS NULL", filter: "name IS NULL", err: true},
		{name: "order by a param", order: []store.LoggedModelOrder{{Field: "params.depth"}}, err: true},
		{name: "order by an unknown attribute", order: []store.LoggedModelOrder{{Field: "size"}}, err: true},
		{name: "order by metric. rather than metrics.", order: []store.LoggedModelOrder{{Field: "metric.acc"}}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := search.ParseLoggedModelQuery(tt.filter, tt.order)
			if tt.err {
				if !errors.Is(err, store.ErrInvalidParameter) {
					t.Fatalf("error %v, want an invalid parameter", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(q.Filter, tt.want) {
				t.Errorf("filter %#v, want %#v", q.Filter, tt.want)
			}
			want := tt.wantOrder
			if want == nil {
				want = newest
			}
			if !reflect.DeepEqual(q.Order, want) {
				t.Errorf("order %v, want %v", q.Order, want)
			}
		})
	}
}
