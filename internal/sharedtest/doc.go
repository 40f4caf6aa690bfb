// Package sharedtest lets grove's tests use the material kept beside a
// clone in ../shared (MLflow's and scikit-learn's own output, the benchmark
// splits), and check that a copy of a fixture under a package's testdata/
// still matches its source there.
//
// A user's clone has no ../shared: a test that needs it skips, saying so in
// a line `go test -v` prints, and the copies in testdata/ carry the rest of
// the tests on their own.
package sharedtest
