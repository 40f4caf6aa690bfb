// Package pyjson writes the small JSON values MLflow stores as text (model
// signatures, dataset schemas and sources) the way MLflow's Python code
// writes them with json.dumps: ", " and ": " between items, and no HTML
// escaping, so a feature named "a<b" is stored as "a<b", not "a\u003cb".
//
// Unlike json.dumps by default, characters outside ASCII are written as
// themselves, not as \u escapes; both spellings decode to the same text.
package pyjson
