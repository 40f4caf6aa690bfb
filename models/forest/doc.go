// Package forest is grove's random forest classifier: CART trees grown on
// bootstrap samples, each split chosen among a random subset of features,
// with class probabilities averaged over the trees. It follows
// scikit-learn 1.2's RandomForestClassifier: the same parameters with the
// same meanings and defaults (Config), the same names when reporting them
// (Config.Params), and the same rules where a user can see them.
//
// # Training
//
// Each tree draws a bootstrap sample (MaxSamples rows with replacement; a
// row drawn several times counts as one sample of that weight, as in
// scikit-learn), then grows depth first. A node becomes a leaf when it is
// pure, holds fewer than MinSamplesSplit samples, reaches MaxDepth, or no
// split leaves MinSamplesLeaf samples on each side or decreases the
// weighted impurity by MinImpurityDecrease. Otherwise the node visits
// MaxFeatures features drawn without replacement and keeps the split with
// the largest impurity decrease (Gini or entropy); like scikit-learn it goes
// on drawing past MaxFeatures while every feature seen was constant in the
// node. Thresholds lie midway between the two training values they
// separate, and a row goes left when its value is at most the threshold.
//
// Splits are found in one of two ways, chosen per node and feature by
// cost. Before training every feature is binned: a feature with at most
// 256 distinct values gets a bin per value, others get 256 bins of about
// equal row counts (quantiles). Large nodes fill a histogram of class
// weights per bin and scan it, which costs one pass over the node and one
// over the bins; small nodes sort their values and scan every boundary
// between distinct values, which is exact. So features with few distinct
// values (pixels, categories, counts) are split exactly everywhere, and
// continuous features are split at quantile boundaries in large nodes and
// exactly in small ones. On the five bench splits (../shared/bench) the
// mean test accuracy over seeds 0..4 is within 0.15 points of
// scikit-learn's exact search, above it on three; exact thresholds in
// every node would gain about 0.2 points on synth_20k for three times the
// fit time. bench/README.md has the tables.
//
// Trees grow in parallel, Workers at a time (all cores by default), each
// worker reusing its own buffers so the inner loops do not allocate. A
// worker keeps the node's rows as (row, class, weight) together with their
// row of one-byte bin codes, and partitions both in place, keeping row
// order, so a node's data lie together and one sequential pass fills the
// histograms of all the features drawn for it. Features found constant in
// a node are remembered for its subtree and skipped there when drawn, as
// scikit-learn does.
//
// Fit reads X in place when it is a *mat.Dense. Besides it, it holds one
// byte of bin code per value (rows x features), and each worker two more
// copies of those codes and about 40 bytes per row: for synth_200k
// (150,000 x 40) some 40 MB, plus the trees.
//
// # Prediction
//
// PredictProba is the mean over the trees of the class frequencies of the
// leaf each row reaches (scikit-learn's rule, not a vote count); Predict is
// its argmax, the lowest class on a tie. Each tree is stored in preorder
// with the heavier child (by training weight) right after its parent, so a
// row mostly steps to the next node; rows are spread over all cores.
// FeatureImportances is the mean
// decrease in impurity, normalised per tree and then over the forest to
// sum to 1. With Config.OOBScore, Fit also scores every training row with
// the trees that did not draw it (OOBScore).
//
// # Determinism
//
// Tree t draws all its randomness from its own stream, derived from Seed
// and t with grove's own generator (not math/rand, whose streams may
// change between Go releases). Trees are stored by index and every sum runs
// in a fixed order, so the same data, Config and Seed give a bit-identical
// model file whatever the number of Workers. Seed is always fixed: the
// zero Config means random_state=0, never an unseeded run.
//
// # Model files
//
// Save writes a versioned binary file (format "grove-forest", version 1):
// a magic header, the version, the payload length, the Config as JSON, the
// trees in preorder, and a CRC-32C checksum; format.go has the layout.
// A split takes 9 to 10 bytes (feature and side as a varint, threshold as a
// float64, one child implied by the order) and a pure leaf 3 (its class and
// bootstrap weight), so a fully grown forest costs about 6 bytes per node
// whatever the number of classes: 6.0 on synth_200k (1,529,384 nodes in
// 9.20 MB) and on digits with its ten classes. In memory a node takes 16
// bytes and a leaf 16 more per class (weights and probabilities). Load
// rejects a truncated, corrupted, foreign or newer-version file with an
// error wrapping ErrTruncated, ErrCorrupted, ErrNotModel or ErrNewer, and
// a loaded model predicts exactly what the saved one did. Workers and
// Progress are settings of a run, not of the model, and are not saved.
package forest
