package forest

import (
	"math"
	"strconv"
	"strings"
)

// Criterion names the impurity a split minimises, as scikit-learn spells it.
type Criterion string

// The criteria scikit-learn's RandomForestClassifier accepts. Entropy and
// LogLoss are the same measure (Shannon entropy in bits).
const (
	Gini    Criterion = "gini"
	Entropy Criterion = "entropy"
	LogLoss Criterion = "log_loss"
)

// Config holds a forest's hyper-parameters. Its zero value means
// scikit-learn 1.2's RandomForestClassifier defaults, except that the seed is
// always fixed (0 unless set), so a fit is reproducible.
type Config struct {
	// Trees is the number of trees (n_estimators); 0 means 100.
	Trees int
	// Criterion is gini, entropy or log_loss; "" means gini.
	Criterion Criterion
	// MaxDepth limits the depth of every tree (max_depth); 0 means unlimited.
	MaxDepth int
	// MinSamplesSplit is the fewest samples a node needs to be split
	// (min_samples_split, at least 2); 0 means 2.
	MinSamplesSplit int
	// MinSamplesLeaf is the fewest samples each child of a split must keep
	// (min_samples_leaf, at least 1); 0 means 1.
	MinSamplesLeaf int
	// MaxFeatures is how many features each split draws (max_features),
	// spelled as in Python: "sqrt" (the default when ""), "log2", "auto"
	// (same as sqrt), "all" or "None" (every feature), an integer count
	// such as "7", or a fraction in (0, 1] with a decimal point such as "0.5".
	MaxFeatures string
	// NoBootstrap turns bootstrap sampling off (bootstrap=False): every tree
	// then sees every row once.
	NoBootstrap bool
	// MaxSamples is the size of each bootstrap sample (max_samples), spelled
	// as in Python: "" or "None" for the number of rows, an integer count
	// such as "1000", or a fraction in (0, 1] with a decimal point such as
	// "0.5". It needs bootstrap on.
	MaxSamples string
	// MinImpurityDecrease is the least weighted impurity decrease a split
	// must bring (min_impurity_decrease, at least 0).
	MinImpurityDecrease float64
	// ClassWeight is "" (every row weighs 1), "balanced" (rows weigh
	// inversely to their class frequency in the training labels) or
	// "balanced_subsample" (the same, computed on each tree's bootstrap
	// sample).
	ClassWeight string
	// OOBScore asks Fit to compute the out-of-bag accuracy (oob_score).
	// It needs bootstrap on.
	OOBScore bool
	// Seed fixes every random draw (random_state).
	Seed int64
	// Workers is how many trees grow at once (n_jobs); 0 means one per core.
	// The model does not depend on it, so model files do not record it.
	Workers int `json:"-"`
	// Progress, when set, is called after each tree is grown with the number
	// of trees done and the total. Calls come from the training goroutines
	// one at a time, with done increasing; keep it quick.
	Progress func(done, total int) `json:"-"`
}

// Validate reports the first field whose value is out of range, naming the
// field and what it accepts. Counts that depend on the data (a MaxFeatures
// above the number of features, a MaxSamples above the number of rows) are
// checked by Fit.
func (c Config) Validate() error {
	_, err := c.resolve(math.MaxInt32, math.MaxInt32)
	return err
}

// settings is a Config with defaults filled in and strings parsed, for a
// given training set size.
type settings struct {
	trees           int
	entropy         bool
	maxDepth        int // 0 = unlimited
	minSamplesSplit int
	minSamplesLeaf  int
	mtry            int
	bootstrap       bool
	nBootstrap      int
	minImpurityDec  float64
	classWeight     string
	oob             bool
}

// resolve fills in defaults and checks ranges; nRows and nFeatures are the
// training set's shape (features and sample counts depend on them).
func (c Config) resolve(nRows, nFeatures int) (settings, error) {
	s := settings{
		trees:           c.Trees,
		maxDepth:        c.MaxDepth,
		minSamplesSplit: c.MinSamplesSplit,
		minSamplesLeaf:  c.MinSamplesLeaf,
		bootstrap:       !c.NoBootstrap,
		minImpurityDec:  c.MinImpurityDecrease,
		classWeight:     c.ClassWeight,
		oob:             c.OOBScore,
	}
	if s.trees == 0 {
		s.trees = 100
	}
	if s.trees < 0 {
		return s, inputErrorf(ErrBadConfig, "Trees must be at least 1 (0 means 100), got %d", c.Trees)
	}
	switch c.Criterion {
	case "", Gini:
	case Entropy, LogLoss:
		s.entropy = true
	default:
		return s, inputErrorf(ErrBadConfig, "Criterion must be gini, entropy or log_loss, got %q", string(c.Criterion))
	}
	if s.maxDepth < 0 {
		return s, inputErrorf(ErrBadConfig, "MaxDepth must be at least 0 (0 means unlimited), got %d", c.MaxDepth)
	}
	if s.minSamplesSplit == 0 {
		s.minSamplesSplit = 2
	}
	if s.minSamplesSplit < 2 {
		return s, inputErrorf(ErrBadConfig, "MinSamplesSplit must be at least 2 (0 means 2), got %d", c.MinSamplesSplit)
	}
	if s.minSamplesLeaf == 0 {
		s.minSamplesLeaf = 1
	}
	if s.minSamplesLeaf < 1 {
		return s, inputErrorf(ErrBadConfig, "MinSamplesLeaf must be at least 1 (0 means 1), got %d", c.MinSamplesLeaf)
	}
	mtry, err := maxFeatures(c.MaxFeatures, nFeatures)
	if err != nil {
		return s, err
	}
	s.mtry = mtry
	if math.IsNaN(s.minImpurityDec) || math.IsInf(s.minImpurityDec, 0) || s.minImpurityDec < 0 {
		return s, inputErrorf(ErrBadConfig, "MinImpurityDecrease must be a finite number at least 0, got %v", c.MinImpurityDecrease)
	}
	switch c.ClassWeight {
	case "", "balanced", "balanced_subsample":
	default:
		return s, inputErrorf(ErrBadConfig, "ClassWeight must be \"\", \"balanced\" or \"balanced_subsample\", got %q", c.ClassWeight)
	}
	s.nBootstrap = nRows
	if c.MaxSamples != "" && c.MaxSamples != "None" {
		if !s.bootstrap {
			return s, inputErrorf(ErrBadConfig, "MaxSamples must be empty when NoBootstrap is set, got %q", c.MaxSamples)
		}
		n, err := maxSamples(c.MaxSamples, nRows)
		if err != nil {
			return s, err
		}
		s.nBootstrap = n
	}
	if s.oob && !s.bootstrap {
		return s, inputErrorf(ErrBadConfig, "OOBScore needs bootstrap on, but NoBootstrap is set")
	}
	if c.Workers < 0 {
		return s, inputErrorf(ErrBadConfig, "Workers must be at least 0 (0 means one per core), got %d", c.Workers)
	}
	return s, nil
}

// maxFeatures turns a MaxFeatures spelling into a count for d features, the
// way scikit-learn rounds: down, but at least 1.
func maxFeatures(v string, d int) (int, error) {
	switch v {
	case "", "sqrt", "auto":
		return max(1, int(math.Sqrt(float64(d)))), nil
	case "log2":
		return max(1, int(math.Log2(float64(d)))), nil
	case "all", "None":
		return d, nil
	}
	n, ok := countOrFraction(v, d, math.Floor)
	switch {
	case !ok:
		return 0, inputErrorf(ErrBadConfig, "MaxFeatures must be sqrt, log2, all, a count in [1, features] or a fraction in (0, 1], got %q", v)
	case n > d:
		return 0, inputErrorf(ErrBadConfig, "MaxFeatures %d is more than the %d features", n, d)
	}
	return n, nil
}

// maxSamples turns a MaxSamples spelling into a bootstrap sample size for n
// rows, rounding a fraction to nearest as scikit-learn does.
func maxSamples(v string, n int) (int, error) {
	k, ok := countOrFraction(v, n, math.RoundToEven)
	switch {
	case !ok:
		return 0, inputErrorf(ErrBadConfig, "MaxSamples must be a count in [1, rows] or a fraction in (0, 1], got %q", v)
	case k > n:
		return 0, inputErrorf(ErrBadConfig, "MaxSamples %d is more than the %d training rows", k, n)
	}
	return k, nil
}

// countOrFraction reads v as a whole count of at least 1, or as a fraction
// in (0, 1] of n that round turns into a count of at least 1. ok is false
// for any other spelling; a count may still exceed n, which the callers
// report in their own terms.
func countOrFraction(v string, n int, round func(float64) float64) (count int, ok bool) {
	if isInteger(v) {
		k, err := strconv.Atoi(v)
		return k, err == nil && k >= 1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return 0, false
	}
	return max(1, int(round(f*float64(n)))), true
}

func isInteger(v string) bool {
	if v == "" {
		return false
	}
	for i, r := range v {
		if r == '-' && i == 0 {
			continue
		}
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Params reports the configuration under scikit-learn 1.2's get_params()
// names, spelled as Python prints the values. Parameters grove does not
// implement are reported at the only value it supports.
func (c Config) Params() map[string]string {
	p := map[string]string{
		"bootstrap":                pyBool(!c.NoBootstrap),
		"ccp_alpha":                "0.0",
		"class_weight":             "None",
		"criterion":                "gini",
		"max_depth":                "None",
		"max_features":             "sqrt",
		"max_leaf_nodes":           "None",
		"max_samples":              "None",
		"min_impurity_decrease":    pyFloat(c.MinImpurityDecrease),
		"min_samples_leaf":         "1",
		"min_samples_split":        "2",
		"min_weight_fraction_leaf": "0.0",
		"n_estimators":             "100",
		"n_jobs":                   "None",
		"oob_score":                pyBool(c.OOBScore),
		"random_state":             strconv.FormatInt(c.Seed, 10),
		"verbose":                  "0",
		"warm_start":               "False",
	}
	if c.ClassWeight != "" {
		p["class_weight"] = c.ClassWeight
	}
	if c.Criterion != "" {
		p["criterion"] = string(c.Criterion)
	}
	if c.MaxDepth != 0 {
		p["max_depth"] = strconv.Itoa(c.MaxDepth)
	}
	switch c.MaxFeatures {
	case "":
	case "all":
		p["max_features"] = "None"
	default:
		p["max_features"] = pyNumber(c.MaxFeatures)
	}
	if c.MaxSamples != "" {
		p["max_samples"] = pyNumber(c.MaxSamples)
	}
	if c.MinSamplesLeaf != 0 {
		p["min_samples_leaf"] = strconv.Itoa(c.MinSamplesLeaf)
	}
	if c.MinSamplesSplit != 0 {
		p["min_samples_split"] = strconv.Itoa(c.MinSamplesSplit)
	}
	if c.Trees != 0 {
		p["n_estimators"] = strconv.Itoa(c.Trees)
	}
	if c.Workers != 0 {
		p["n_jobs"] = strconv.Itoa(c.Workers)
	}
	return p
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyNumber respells a numeric string the way Python would print the number
// it parses to (".50" -> 0.5), and leaves words as they are.
func pyNumber(v string) string {
	if isInteger(v) {
		if n, err := strconv.Atoi(v); err == nil {
			return strconv.Itoa(n)
		}
		return v
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && strings.ContainsAny(v, ".eE") {
		return pyFloat(f)
	}
	return v
}

// pyFloat formats f as Python's repr does: the shortest digits that read
// back the same, always with a decimal point or an exponent, and exponents
// outside [-4, 16) written as e-05 / e+16.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-4 && a < 1e16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // like 1e-05, 1.5e+16
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	digits := strings.TrimLeft(exp[1:], "0")
	if len(digits) < 2 {
		digits = strings.Repeat("0", 2-len(digits)) + digits
	}
	return mant + "e" + string(sign) + digits
}
