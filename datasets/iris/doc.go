// Package iris bundles Fisher's Iris table, the 150 flowers of three species
// measured in centimetres, as scikit-learn's load_iris provides it.
//
// The table is embedded in the binary (iris.csv, read with go:embed and
// datasets.ReadCSVFrom), so grove's default job needs no download and no
// file beside the program. Load returns a fresh copy each time; callers may
// change it freely.
package iris
