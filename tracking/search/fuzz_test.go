package search_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
)

// FuzzParseFilter feeds the parser arbitrary filters: it must never panic,
// and whatever it accepts must read back the same from its String form.
func FuzzParseFilter(f *testing.F) {
	for _, tt := range filterTests {
		f.Add(tt.filter)
	}
	for _, s := range []string{
		"metrics.a > 1 < 2 and tags.x = 'y'", "run_id IN ('a\\'b', \"c\\\"d\")", "tags.`a\"b` = \"x'y\"",
		"params.\"a`b\" = 'v'", "(metrics.a > 1)", "attributes.run_id = ('a')", "/* x */ metrics.a > 1",
		"metrics.a > 1 -- note", "datasets.context NOT IN ('', 'train',)", "tags.x LIKE 'a'';'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		got, err := search.ParseFilter(filter)
		if err != nil {
			return
		}
		text := got.String()
		again, err := search.ParseFilter(text)
		if err != nil {
			t.Fatalf("%q parsed, but its form %q does not: %v", filter, text, err)
		}
		if len(got) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("%q parsed as %#v, its form %q as %#v", filter, got, text, again)
		}
	})
}

// FuzzParseOrderBy checks the same for order_by clauses.
func FuzzParseOrderBy(f *testing.F) {
	for _, s := range []string{"metrics.`f1 score` DESC", "params.x", "tags.\"a b\" asc", "created", "timestamp DESC", "metrics.a sideways"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, clause string) {
		got, err := search.ParseOrderBy([]string{clause})
		if err != nil {
			return
		}
		if !got[0].Ascending && strings.ContainsAny(got[0].Key, "`\"'\\") {
			return // see Order.String
		}
		text := got[0].String()
		again, err := search.ParseOrderBy([]string{text})
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("%q parsed as %#v, its form %q as %#v, %v", clause, got, text, again, err)
		}
	})
}
