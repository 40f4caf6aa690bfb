// Package searchtest holds what the tests of grove's run searches share:
// MLflow's search fixture (a database MLflow wrote and the queries asked of
// it, with the runs MLflow returned or the error it raised), a check that a
// search answers every query as MLflow did, and random queries on which two
// searches can be compared.
//
// The fixture is the copy under tracking/search/testdata, itself checked
// against ../shared/fixtures/mlflow/search by that package's tests; every
// store reads that one copy.
package searchtest
