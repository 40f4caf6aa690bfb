// Package datasets holds grove's tabular data: the Dataset type (a dense
// float64 feature matrix, integer class labels and the names that go with
// them), the CSV reader that fills it, the train/test split and a generator of
// synthetic classification problems.
//
// ReadCSV and ReadCSVFrom read a header row, numeric feature columns and one
// target column of class labels (the last, unless named), plain or
// gzip-compressed. Labels are coded 0..k-1 in sorted order, as scikit-learn's
// LabelEncoder codes the column pandas reads: when every label is a number,
// labels equal as numbers ("1", "1.0") are one class, named as pandas shows
// the value, and classes sort numerically; other labels keep their exact
// text. The reader parses rows as they stream in and writes
// numbers straight into the matrix's storage, so a file of 200,000 rows by 40
// columns loads in a fraction of a second with little memory beyond the
// matrix itself. Bad input is never a panic: it is a *ParseError that names
// the file, line, column and offending text and wraps a sentinel such as
// ErrNotNumeric or ErrMissingValue for errors.Is.
//
// Split divides a Dataset as scikit-learn's train_test_split does: the test
// side has ceil(test_size * n) rows, rows are shuffled (by a PCG generator and
// grove's own Fisher-Yates, so a seed gives the same split on every platform
// and Go release) and, when asked, stratified by class. SplitSizes gives the
// counts alone, so a command can check a flag before loading anything heavy.
//
// Subset makes a Dataset from chosen rows (the train and test sides are
// built with it), Digest fingerprints a Dataset for tracking (MLflow shows
// the digest beside a run's inputs), and WriteCSV writes one back out in the
// form ReadCSVFrom reads.
//
// MakeClassification draws data in the manner of Guyon's design, which
// scikit-learn's make_classification follows, for tests and benchmarks.
//
// The bundled Iris table lives in the subpackage datasets/iris.
package datasets
