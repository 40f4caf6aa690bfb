// Package forest is grove's random forest classifier: CART trees grown on
// bootstrap samples, each split chosen among a random subset of features,
// with class probabilities averaged over the trees. It follows
// scikit-learn 1.2's RandomForestClassifier: the same parameters with the
// same meanings and defaults (Config, whose zero value is scikit-learn's
// defaults), the same names when reporting them (Config.Params), and the
// same rules where a user can see them.
//
// # Training
//
// Fit checks its input, bins every feature once, grows the trees on
// Workers goroutines, then assembles the forest. Each tree draws a
// bootstrap sample (a row drawn several times is one sample of that
// weight) and grows depth first. A node becomes a leaf when it is pure,
// holds fewer than MinSamplesSplit samples, reaches MaxDepth, or no split
// keeps MinSamplesLeaf samples on each side and decreases the weighted
// impurity by MinImpurityDecrease. Otherwise it draws MaxFeatures features
// without replacement, and more while every one seen so far is constant
// in the node, and keeps the split with the largest decrease in Gini or
// entropy. A threshold lies midway between the two training values it
// separates; a row goes left when its value is at most the threshold.
//
// A feature with at most 256 distinct values gets a bin per value, others
// 256 bins of about equal row counts. Per node and feature, the split
// search takes the cheaper of a histogram over the bins (one pass over the
// node) and a sort of the node's values (exact, and cheaper in small
// nodes), so features with few values are split exactly everywhere and
// continuous ones at quantile boundaries in large nodes. Fit reads X in
// place when it is a *mat.Dense; besides it, it holds a byte of bin code
// per value, and each worker two more and about 40 bytes per row. The
// measured accuracy, speed and memory of this design, and the designs
// rejected for it, are in bench/README.md.
//
// The files follow these parts: fit.go (validate, grow, assemble), bins.go
// (the features' bins), build.go (one tree, depth first, on buffers a
// worker reuses), split.go (the split search), tree.go (a fitted tree's
// layout and the walk from root to leaf), predict.go, and format.go.
//
// # Prediction
//
// PredictProba is the mean over the trees of the class frequencies in the
// leaf each row reaches (not a vote count); Predict is its argmax, the
// lowest class on a tie. FeatureImportances is the mean decrease in
// impurity, normalised per tree and then over the forest. With
// Config.OOBScore, Fit also scores every training row with the trees that
// did not draw it (OOBScore).
//
// # Determinism
//
// Tree t draws all its randomness from its own stream, derived from Seed
// and t with grove's own generator (not math/rand, whose streams may change
// between Go releases). Trees are stored by index and every sum runs in a
// fixed order, so the same data, Config and Seed give a bit-identical model
// file whatever the number of Workers. The zero Config means Seed 0, never
// an unseeded run.
//
// # Model files
//
// Save writes a versioned binary file (format "grove-forest", version 1,
// laid out in format.go) holding the Config and the trees, with a CRC-32C
// checksum; a loaded model predicts exactly what the saved one did. Load
// tells a foreign, truncated, corrupted or newer grove's file apart by
// ErrNotModel, ErrTruncated, ErrCorrupted and ErrNewer. Workers and
// Progress are settings of a run, not of the model, and are not saved.
//
// Errors name the input at fault and wrap a sentinel for errors.Is
// (ErrEmpty, ErrShape, ErrNotFinite, ErrBadLabels, ErrBadConfig, ...).
package forest
