package search

import "strings"

// nodeKind is what a group of tokens is once grouped as MLflow's SQL parser
// groups them.
type nodeKind int

const (
	nLeaf       nodeKind = iota // one token
	nIdent                      // metrics.acc, "run name", `f1 score`, an alias
	nParen                      // ( ... )
	nComparison                 // identifier, comparator, value
	nFunction                   // name(...)
	nList                       // items separated by commas
)

// node is a token or a group of them. text is the source text it spans,
// whitespace included, as MLflow quotes it in error messages.
type node struct {
	kind  nodeKind
	tok   token   // nLeaf
	parts []*node // the grouped nodes, whitespace included
	text  string
}

func leaf(t token) *node { return &node{kind: nLeaf, tok: t, text: t.text} }

func group(k nodeKind, parts []*node) *node {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.text)
	}
	return &node{kind: k, parts: parts, text: b.String()}
}

func (n *node) is(k kind) bool { return n != nil && n.kind == nLeaf && n.tok.kind == k }

func (n *node) isSpace() bool { return n.is(kSpace) }

// keyword reports whether n is the keyword word (in any case, inner spaces
// as written).
func (n *node) keyword(word string) bool {
	return n.is(kKeyword) && strings.ToUpper(n.text) == word
}

// solid returns n's parts without whitespace.
func (n *node) solid() []*node {
	var out []*node
	for _, p := range n.parts {
		if !p.isSpace() {
			out = append(out, p)
		}
	}
	return out
}

// parse lexes and groups s into the top-level nodes of one statement:
// parentheses, dotted identifiers, lone names, ORDER keywords after an
// identifier, comparisons, and aliases, in that order, the order in which
// MLflow's SQL parser groups them.
func parse(s string) []*node {
	toks := lex(s)
	nodes := make([]*node, 0, len(toks))
	for _, t := range toks {
		nodes = append(nodes, leaf(t))
	}
	nodes = groupParens(nodes)
	nodes = groupFunctions(nodes)
	nodes = groupPeriods(nodes)
	for i, n := range nodes {
		if n.is(kName) || n.is(kSymbol) {
			nodes[i] = group(nIdent, []*node{n})
		}
	}
	nodes = groupOrder(nodes)
	nodes = groupComparisons(nodes)
	nodes = groupAliases(nodes)
	return groupLists(nodes)
}

// groupFunctions joins a name and the parenthesis after it.
func groupFunctions(nodes []*node) []*node {
	for i := 0; i < len(nodes); i++ {
		if !nodes[i].is(kName) {
			continue
		}
		if j := neighbour(nodes, i, 1); j >= 0 && nodes[j].kind == nParen {
			nodes = replace(nodes, i, j, nFunction)
		}
	}
	return nodes
}

// groupLists joins items separated by commas.
func groupLists(nodes []*node) []*node {
	item := func(n *node) bool {
		switch n.kind {
		case nFunction, nIdent, nComparison, nList:
			return true
		case nLeaf:
			switch n.tok.kind {
			case kInt, kFloat, kString, kSymbol, kName, kKeyword:
				return true
			}
		}
		return false
	}
	for i := 0; i < len(nodes); i++ {
		if !(nodes[i].is(kPunct) && nodes[i].text == ",") {
			continue
		}
		p, n := neighbour(nodes, i, -1), neighbour(nodes, i, 1)
		if p < 0 || n < 0 || !item(nodes[p]) || !item(nodes[n]) {
			continue
		}
		if nodes[p].kind == nList {
			l := nodes[p]
			nodes = replace(nodes, p, n, nList)
			nodes[p] = group(nList, append(append([]*node(nil), l.parts...), nodes[p].parts[1:]...))
		} else {
			nodes = replace(nodes, p, n, nList)
		}
		i = p
	}
	return nodes
}

// neighbour returns the index of the nearest node before (step -1) or after
// (step 1) i that is not whitespace, or -1.
func neighbour(nodes []*node, i, step int) int {
	for j := i + step; j >= 0 && j < len(nodes); j += step {
		if !nodes[j].isSpace() {
			return j
		}
	}
	return -1
}

// replace puts a group of nodes[i:j+1] of kind k in their place.
func replace(nodes []*node, i, j int, k nodeKind) []*node {
	g := group(k, append([]*node(nil), nodes[i:j+1]...))
	return append(nodes[:i], append([]*node{g}, nodes[j+1:]...)...)
}

// groupParens groups matched parentheses; an unmatched one stays a
// punctuation token.
func groupParens(nodes []*node) []*node {
	var stack []int
	for i := 0; i < len(nodes); i++ {
		switch {
		case nodes[i].is(kPunct) && nodes[i].text == "(":
			stack = append(stack, i)
		case nodes[i].is(kPunct) && nodes[i].text == ")" && len(stack) > 0:
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			nodes = replace(nodes, open, i, nParen)
			i = open
		}
	}
	return nodes
}

// groupPeriods joins name . name chains into identifiers. What follows a
// period joins only if it is a name, a quoted name or a quoted string; else
// the identifier ends with the period.
func groupPeriods(nodes []*node) []*node {
	for i := 0; i < len(nodes); i++ {
		if !(nodes[i].is(kPunct) && nodes[i].text == ".") {
			continue
		}
		p := neighbour(nodes, i, -1)
		if p < 0 || !(nodes[p].is(kName) || nodes[p].is(kSymbol) || nodes[p].kind == nIdent) {
			continue
		}
		end := i
		if n := neighbour(nodes, i, 1); n >= 0 && (nodes[n].is(kName) || nodes[n].is(kSymbol) || nodes[n].is(kString) || nodes[n].kind == nFunction) {
			end = n
		}
		if nodes[p].kind == nIdent {
			id := nodes[p]
			nodes = replace(nodes, p, end, nIdent)
			nodes[p] = group(nIdent, append(append([]*node(nil), id.parts...), nodes[p].parts[1:]...))
		} else {
			nodes = replace(nodes, p, end, nIdent)
		}
		i = p
	}
	return nodes
}

// groupOrder joins an identifier or number and the ASC or DESC after it.
func groupOrder(nodes []*node) []*node {
	for i := 0; i < len(nodes); i++ {
		if !nodes[i].is(kOrder) {
			continue
		}
		p := neighbour(nodes, i, -1)
		if p < 0 || !(nodes[p].kind == nIdent || nodes[p].is(kInt) || nodes[p].is(kFloat) || nodes[p].is(kHex)) {
			continue
		}
		nodes = extend(nodes, p, i)
		i = p
	}
	return nodes
}

// extend makes nodes[i:j+1] one identifier, adding to nodes[i] if it is one.
func extend(nodes []*node, i, j int) []*node {
	if nodes[i].kind != nIdent {
		return replace(nodes, i, j, nIdent)
	}
	id := nodes[i]
	nodes = replace(nodes, i, j, nIdent)
	nodes[i] = group(nIdent, append(append([]*node(nil), id.parts...), nodes[i].parts[1:]...))
	return nodes
}

// operand reports whether n may stand on either side of a comparator.
func operand(n *node) bool {
	switch n.kind {
	case nIdent, nParen, nFunction:
		return true
	case nLeaf:
		switch n.tok.kind {
		case kInt, kFloat, kString, kSymbol, kName:
			return true
		}
		return n.keyword("NULL")
	}
	return false
}

// groupComparisons groups operand comparator operand. A chain a = b < c
// nests, (a = b) < c, as the SQL parser's grouping does, which MLflow then
// refuses for its left side.
func groupComparisons(nodes []*node) []*node {
	for i := 0; i < len(nodes); i++ {
		if !nodes[i].is(kCompare) {
			continue
		}
		p, n := neighbour(nodes, i, -1), neighbour(nodes, i, 1)
		if p < 0 || n < 0 || !(operand(nodes[p]) || nodes[p].kind == nComparison) || !operand(nodes[n]) {
			continue
		}
		nodes = replace(nodes, p, n, nComparison)
		i = p
	}
	return nodes
}

// groupAliases joins an identifier that follows an identifier, a
// parenthesis, a comparison or a number into one identifier, as SQL reads
// "expr alias".
func groupAliases(nodes []*node) []*node {
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		if !(n.kind == nIdent || n.kind == nParen || n.kind == nFunction || n.kind == nComparison || n.is(kInt) || n.is(kFloat) || n.is(kHex)) {
			continue
		}
		if j := neighbour(nodes, i, 1); j >= 0 && nodes[j].kind == nIdent {
			nodes = extend(nodes, i, j)
		}
	}
	return nodes
}
