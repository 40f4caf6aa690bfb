package search_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

// The messages below are MLflow's own, as its SearchUtils and SQL store
// raise them; where MLflow prints a Python set, the order is the one its
// messages in the search fixture show.
var filterTests = []struct {
	name   string
	filter string
	want   search.Filter
	err    string
}{
	{name: "empty", filter: ""},
	{
		name:   "metric and param",
		filter: "metrics.acc > 0.9 and params.criterion = 'gini'",
		want: search.Filter{
			{Entity: search.Metric, Key: "acc", Op: ">", Value: "0.9", Number: 0.9},
			{Entity: search.Param, Key: "criterion", Op: "=", Value: "gini"},
		},
	},
	{
		name:   "aliases and quoted keys",
		filter: "metric.`f1 score` <= -1e3 AND param.\"max features\" != \"sqrt\" AND tag.'a b' LIKE '%x%' AND attr.created >= 5",
		want: search.Filter{
			{Entity: search.Metric, Key: "f1 score", Op: "<=", Value: "-1e3", Number: -1000},
			{Entity: search.Param, Key: "max features", Op: "!=", Value: "sqrt"},
			{Entity: search.Tag, Key: "a b", Op: "LIKE", Value: "%x%"},
			{Entity: search.Attribute, Key: "start_time", Op: ">=", Value: "5", Number: 5},
		},
	},
	{
		name:   "bare attributes and lower-case comparators",
		filter: "status ilike 'fin%' and `Run Name` = 'a' and run.end_time < 10",
		want: search.Filter{
			{Entity: search.Attribute, Key: "status", Op: "ILIKE", Value: "fin%"},
			{Entity: search.Attribute, Key: "run_name", Op: "=", Value: "a"},
			{Entity: search.Attribute, Key: "end_time", Op: "<", Value: "10", Number: 10},
		},
	},
	{
		name:   "values keep what is between their quotes",
		filter: `tags.note = 'it''s' and tags.x = 'a\'b'`,
		want: search.Filter{
			{Entity: search.Tag, Key: "note", Op: "=", Value: "it''s"},
			{Entity: search.Tag, Key: "x", Op: "=", Value: `a\'b`},
		},
	},
	{
		name:   "dotted tag key",
		filter: "tags.mlflow.runName IS NOT NULL and params.p IS NULL",
		want: search.Filter{
			{Entity: search.Tag, Key: "mlflow.runName", Op: "IS NOT NULL"},
			{Entity: search.Param, Key: "p", Op: "IS NULL"},
		},
	},
	{
		name:   "run id lists keep lower-case ids",
		filter: `attributes.run_id IN ('ab12', "CD34", 'e' 'f') and run_id NOT IN ('x',)`,
		want: search.Filter{
			{Entity: search.Attribute, Key: "run_id", Op: "IN", Values: []string{"ab12", "ef"}},
			{Entity: search.Attribute, Key: "run_id", Op: "NOT IN", Values: []string{"x"}},
		},
	},
	{
		name:   "datasets",
		filter: "datasets.name IN ('iris', 'wine') and datasets.context = 'train' and dataset.digest LIKE 'd1%'",
		want: search.Filter{
			{Entity: search.Dataset, Key: "name", Op: "IN", Values: []string{"iris", "wine"}},
			{Entity: search.Dataset, Key: "context", Op: "=", Value: "train"},
			{Entity: search.Dataset, Key: "digest", Op: "LIKE", Value: "d1%"},
		},
	},
	{name: "or", filter: "metrics.a > 1 OR metrics.b < 2", err: "Invalid clause(s) in filter string: 'OR'"},
	{name: "lone identifier", filter: "metrics.a", err: "Invalid clause(s) in filter string: 'metrics.a'"},
	{name: "comma", filter: "params.a = 'x', params.b = 'y'", err: "Invalid clause(s) in filter string: 'params.a = 'x', params.b = 'y''"},
	{name: "two statements", filter: "params.a = 'x'; params.b = 'y'", err: `Search filter contained multiple expression "params.a = 'x'; params.b = 'y'". Provide AND-ed expression list.`},
	{name: "value first", filter: "'x' = params.a", err: "Invalid comparison clause. Expected 'Identifier' found ''x''"},
	{name: "chained", filter: "metrics.a > 1 < 2", err: "Invalid comparison clause. Expected 'Identifier' found 'metrics.a > 1'"},
	{name: "entity", filter: "foo.bar = 1", err: "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"},
	{name: "attribute key", filter: "attributes.unknown = 'x'", err: "Invalid attribute key 'unknown' specified. Valid keys are '{'end_time', 'Created', 'run_id', 'artifact_uri', 'status', 'run name', 'Run name', 'user_id', 'Run Name', 'start_time', 'run_name', 'created'}'"},
	{name: "dataset key", filter: "datasets.size = 'x'", err: "Invalid dataset key 'size' specified. Valid keys are '{'name', 'digest', 'context'}'"},
	{name: "metric string", filter: "metrics.acc > '0.9'", err: "Expected numeric value type for metric. Found '0.9'"},
	{name: "metric hex", filter: "metrics.acc > 0x1F", err: "Invalid clause(s) in filter string: 'metrics.acc', '>', '0x1F'"},
	{name: "param number", filter: "params.n > 10", err: "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 10"},
	{name: "tag list", filter: "tags.t NOT IN ('a')", err: "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')"},
	{name: "bare value", filter: "params.n = gini", err: "Parameter value is either not quoted or unidentified quote types used for string value gini. Use either single or double quotes."},
	{name: "numeric attribute string", filter: "start_time > 'x'", err: "Expected numeric value type for numeric attribute: start_time. Found 'x'"},
	{name: "status list", filter: "attributes.status IN ('FAILED', 'KILLED')", err: "Only the 'run_id' attribute supports comparison with a list of quoted string values."},
	{name: "attribute null", filter: "attributes.end_time IS NULL", err: "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'end_time'"},
	{name: "metric null", filter: "metrics.acc IS NOT NULL", err: "IS NULL / IS NOT NULL is only supported for tags and params, not for 'metric' 'acc'"},
	{name: "empty list", filter: "run_id IN ()", err: "While parsing a list in the query, expected a non-empty list of string values, but got empty list"},
	{name: "number in list", filter: "run_id IN (1, 'a')", err: "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (1, 'a')"},
	{name: "ill-formed list", filter: "run_id IN ('a' 'b', , 'c')", err: "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."},
	{name: "param comparator", filter: "params.test_size > '0.2'", err: "Invalid comparator '>' not one of '{'ILIKE', 'IS NOT NULL', 'LIKE', '!=', 'IS NULL', '='}'"},
	{name: "tag comparator", filter: "tags.t < 'a'", err: "Invalid comparator '<' not one of '{'ILIKE', 'IS NOT NULL', 'LIKE', '!=', 'IS NULL', '='}"},
	{name: "metric comparator", filter: "metrics.a LIKE 1", err: "Invalid comparator 'LIKE' not one of '{'>', '>=', '!=', '=', '<', '<='}"},
	{name: "string attribute comparator", filter: "attributes.status > 'FAILED'", err: "Invalid comparator '>' not one of '{'ILIKE', 'LIKE', '!=', 'NOT IN', 'IN', '='}'"},
	{name: "numeric attribute comparator", filter: "start_time LIKE 1", err: "Invalid comparator 'LIKE' not one of '{'ILIKE', 'LIKE', '!=', 'NOT IN', 'IN', '='}"},
	{name: "not like", filter: "tags.t NOT LIKE 'a'", err: "Invalid comparator 'NOT LIKE' not one of '{'ILIKE', 'IS NOT NULL', 'LIKE', '!=', 'IS NULL', '='}"},
	{name: "comparator checked after values", filter: "params.a > 'x' and metrics.b > 'y'", err: "Expected numeric value type for metric. Found 'y'"},
}

func TestParseFilter(t *testing.T) {
	for _, tt := range filterTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := search.ParseFilter(tt.filter)
			if tt.err != "" {
				var se *store.Error
				if !errors.As(err, &se) || se.Code != store.CodeInvalidParameter || se.Message != tt.err {
					t.Fatalf("ParseFilter(%q) = %v, %v\nwant error %s", tt.filter, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.filter, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseFilter(%q)\n got %#v\nwant %#v", tt.filter, got, tt.want)
			}
			again, err := search.ParseFilter(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("%q written back as %q reads as %#v, %v", tt.filter, got.String(), again, err)
			}
		})
	}
}

func TestParseOrderBy(t *testing.T) {
	tests := []struct {
		name    string
		orderBy []string
		want    []search.Order
		err     string
		code    string
	}{
		{name: "none", want: []search.Order{}},
		{
			name:    "entities and directions",
			orderBy: []string{"metrics.`f1 score` DESC", "params.max_depth", "tags.\"a b\" asc", "attributes.created desc", "run_name"},
			want: []search.Order{
				{Entity: search.Metric, Key: "f1 score"},
				{Entity: search.Param, Key: "max_depth", Ascending: true},
				{Entity: search.Tag, Key: "a b", Ascending: true},
				{Entity: search.Attribute, Key: "start_time"},
				{Entity: search.Attribute, Key: "run_name", Ascending: true},
			},
		},
		{name: "direction", orderBy: []string{"metrics.accuracy sideways"}, err: "Invalid ordering key in order_by clause 'metrics.accuracy sideways'."},
		{name: "three words", orderBy: []string{"metrics.a DESC x"}, err: "Invalid order_by clause 'metrics.a DESC x'. Could not be parsed."},
		{name: "leading space", orderBy: []string{" metrics.a"}, err: "Invalid order_by clause ' metrics.a'. Could not be parsed."},
		{name: "empty clause", orderBy: []string{""}, err: "Invalid order_by clause ''. Could not be parsed."},
		{name: "dataset", orderBy: []string{"datasets.name"}, err: "Invalid identifier type 'dataset'"},
		{name: "timestamp", orderBy: []string{"timestamp DESC"}, err: "Invalid attribute key 'timestamp' specified. Valid keys are '{'end_time', 'Created', 'run_id', 'artifact_uri', 'status', 'user_id', 'start_time', 'run_name', 'created'}'"},
		{name: "duplicate", orderBy: []string{"created", "start_time DESC"}, code: store.CodeInternal, err: "`order_by` contains duplicate fields: ['created', 'start_time DESC']"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := search.ParseOrderBy(tt.orderBy)
			if tt.err != "" {
				var se *store.Error
				code := tt.code
				if code == "" {
					code = store.CodeInvalidParameter
				}
				if !errors.As(err, &se) || se.Code != code || se.Message != tt.err {
					t.Fatalf("ParseOrderBy(%q) = %v, %v\nwant %s: %s", tt.orderBy, got, err, code, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseOrderBy(%q) = %#v, %v\nwant %#v", tt.orderBy, got, err, tt.want)
			}
			var again []string
			for _, o := range got {
				again = append(again, o.String())
			}
			if back, err := search.ParseOrderBy(again); err != nil || len(got) > 0 && !reflect.DeepEqual(back, got) {
				t.Fatalf("%q written back as %q reads as %#v, %v", tt.orderBy, again, back, err)
			}
		})
	}
}

func TestLike(t *testing.T) {
	tests := []struct {
		s, pattern string
		want       bool
	}{
		{"run-12", "run-1%", true},
		{"run-1", "run-1%", true},
		{"RUN-1", "run-1%", false},
		{"run_12%", `run\_12\%`, false}, // no escape character
		{"run_12%", "run_12%", true},
		{"runX12", "run_12", true},
		{"Résumé ✓", "R_sum_ _", true},
		{"Résumé ✓", "%✓", true},
		{"abcabd", "%ab_", true},
		{"abcabd", "%abc", false},
		{"", "%", true},
		{"", "_", false},
		{"a%b", "a%%b", true},
		{"mississippi", "%iss%ppi", true},
		{"mississippi", "m%issi%x", false},
	}
	for _, tt := range tests {
		if got := search.Like(tt.s, tt.pattern); got != tt.want {
			t.Errorf("Like(%q, %q) = %v, want %v", tt.s, tt.pattern, got, tt.want)
		}
	}
}
