package forest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func fitOrFatal(t testing.TB, cfg Config, tb table) *Forest {
	t.Helper()
	f := New(cfg)
	if err := f.Fit(context.Background(), tb.X, tb.y, tb.classes); err != nil {
		t.Fatal(err)
	}
	return f
}

func saved(t testing.TB, f *Forest) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	cfgs := map[string]Config{
		"defaults":  {Trees: 20, Seed: 7},
		"oob":       {Trees: 20, Seed: 7, OOBScore: true, ClassWeight: "balanced_subsample"},
		"entropy":   {Trees: 10, Seed: 3, Criterion: Entropy, MaxFeatures: "0.5", MinSamplesLeaf: 3},
		"noBoot":    {Trees: 10, Seed: 3, NoBootstrap: true, MaxDepth: 4},
		"maxSample": {Trees: 10, Seed: 3, MaxSamples: "100", ClassWeight: "balanced"},
	}
	for name, cfg := range cfgs {
		t.Run(name, func(t *testing.T) {
			var want []byte
			for _, w := range []int{1, 2, 5} {
				c := cfg
				c.Workers = w
				got := saved(t, fitOrFatal(t, c, train))
				if want == nil {
					want = got
				} else if !bytes.Equal(got, want) {
					t.Fatalf("model file with %d workers differs from the one with 1 worker", w)
				}
			}
		})
	}
}

func TestSeedChangesModel(t *testing.T) {
	train := readTable(t, "testdata/iris_train.csv")
	a := saved(t, fitOrFatal(t, Config{Trees: 5, Seed: 1}, train))
	b := saved(t, fitOrFatal(t, Config{Trees: 5, Seed: 2}, train))
	if bytes.Equal(a, b) {
		t.Fatal("seeds 1 and 2 gave identical models")
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	test := readTable(t, "testdata/breast_cancer_test.csv")
	for name, cfg := range map[string]Config{
		"integral":  {Trees: 15, Seed: 1, OOBScore: true, MaxFeatures: "7"},
		"weighted":  {Trees: 15, Seed: 1, ClassWeight: "balanced", MaxDepth: 3},
		"fullDepth": {Trees: 3, Seed: 9, NoBootstrap: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := fitOrFatal(t, cfg, train)
			file := saved(t, f)
			g, err := Load(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			pf, _ := f.PredictProba(test.X)
			pg, err := g.PredictProba(test.X)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(pf, pg) {
				t.Fatal("loaded model predicts other probabilities")
			}
			if !bytes.Equal(saved(t, g), file) {
				t.Fatal("saving the loaded model gives other bytes")
			}
			if s, ok := g.OOBScore(); ok != cfg.OOBScore || s != f.oob {
				t.Fatalf("OOBScore after load = %v, %v", s, ok)
			}
			fi, gi := f.FeatureImportances(), g.FeatureImportances()
			for j := range fi {
				if fi[j] != gi[j] {
					t.Fatalf("importance %d: %v after load, %v before", j, gi[j], fi[j])
				}
			}
			for k, v := range f.Params() {
				if g.Params()[k] != v && k != "n_jobs" {
					t.Fatalf("param %s: %s after load, %s before", k, g.Params()[k], v)
				}
			}
			if name, v := g.ModelFormat(); name != "grove-forest" || v != 1 {
				t.Fatalf("ModelFormat = %s, %d", name, v)
			}
			t.Logf("%s: %d bytes, %.2f bytes per node", describe(f), len(file), float64(len(file))/float64(f.Nodes()))
		})
	}
}

func TestPredictProba(t *testing.T) {
	train := readTable(t, "testdata/iris_train.csv")
	test := readTable(t, "testdata/iris_test.csv")
	f := fitOrFatal(t, Config{Trees: 30, Seed: 4}, train)
	p, err := f.PredictProba(test.X)
	if err != nil {
		t.Fatal(err)
	}
	pred := mustPredict(t, f, test.X)
	r, c := p.Dims()
	if r != len(test.y) || c != 3 || f.Classes() != 3 {
		t.Fatalf("PredictProba is %dx%d, Classes %d", r, c, f.Classes())
	}
	for i := 0; i < r; i++ {
		row := p.RawRowView(i)
		var s float64
		for _, v := range row {
			if v < 0 || v > 1 {
				t.Fatalf("row %d: probability %v", i, v)
			}
			s += v
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("row %d: probabilities sum to %v", i, s)
		}
		if pred[i] != argmax(row) {
			t.Fatalf("row %d: Predict %d, argmax of PredictProba %d", i, pred[i], argmax(row))
		}
	}
}

func TestArgmaxTiesToLowest(t *testing.T) {
	for _, tc := range []struct {
		p    []float64
		want int
	}{
		{[]float64{0.5, 0.5}, 0},
		{[]float64{0.2, 0.4, 0.4}, 1},
		{[]float64{0.1, 0.2, 0.7}, 2},
		{[]float64{0, 0, 0}, 0},
	} {
		if got := argmax(tc.p); got != tc.want {
			t.Errorf("argmax(%v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// TestFeatureImportances builds data where only feature 1 decides the
// class and checks it gets nearly all the importance.
func TestFeatureImportances(t *testing.T) {
	const n = 400
	r := newTreeRNG(1, 0)
	X := mat.NewDense(n, 4, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			X.Set(i, j, float64(r.intn(1000))/1000)
		}
		if X.At(i, 1) > 0.5 {
			y[i] = 1
		}
	}
	f := fitOrFatal(t, Config{Trees: 20, MaxFeatures: "all"}, table{X: X, y: y, classes: 2})
	imp := f.FeatureImportances()
	var s float64
	for _, v := range imp {
		s += v
	}
	if math.Abs(s-1) > 1e-12 {
		t.Fatalf("importances sum to %v", s)
	}
	if imp[1] < 0.95 {
		t.Fatalf("importance of the deciding feature is %v (all: %v)", imp[1], imp)
	}
}

func TestOOBScore(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	f := fitOrFatal(t, Config{Trees: 50, OOBScore: true}, train)
	s, ok := f.OOBScore()
	if !ok || s < 0.9 || s > 1 {
		t.Fatalf("OOBScore = %v, %v; want a score in [0.9, 1]", s, ok)
	}
	if _, ok := fitOrFatal(t, Config{Trees: 5}, train).OOBScore(); ok {
		t.Fatal("OOBScore reported without Config.OOBScore")
	}
}

func TestProgressAndCancel(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	var mu sync.Mutex
	var seen []int
	cfg := Config{Trees: 12, Workers: 3, Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != 12 {
			t.Errorf("total = %d", total)
		}
		seen = append(seen, done)
	}}
	fitOrFatal(t, cfg, train)
	for i, d := range seen {
		if d != i+1 {
			t.Fatalf("progress calls %v, want 1..12", seen)
		}
	}
	if len(seen) != 12 {
		t.Fatalf("%d progress calls, want 12", len(seen))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := New(Config{Trees: 5})
	if err := f.Fit(ctx, train.X, train.y, train.classes); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit with a cancelled context: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	calls := 0
	f = New(Config{Trees: 1000, Workers: 1, Progress: func(done, total int) {
		calls++
		cancel()
	}})
	if err := f.Fit(ctx, train.X, train.y, train.classes); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit cancelled during training: %v", err)
	}
	if calls > 2 {
		t.Fatalf("%d trees grown after cancel", calls-1)
	}
	if f.Trees() != 0 {
		t.Fatal("a cancelled Fit left a model behind")
	}
}

func TestFitBadInput(t *testing.T) {
	good := mat.NewDense(4, 2, []float64{0, 1, 1, 0, 2, 3, 3, 2})
	nan := mat.NewDense(4, 2, []float64{0, 1, 1, 0, math.NaN(), 3, 3, 2})
	inf := mat.NewDense(4, 2, []float64{0, 1, 1, math.Inf(-1), 2, 3, 3, 2})
	for _, tc := range []struct {
		name    string
		X       mat.Matrix
		y       []int
		classes int
		cfg     Config
		want    string
	}{
		{"nil X", nil, []int{0, 1}, 2, Config{}, "X is nil"},
		{"no rows", &mat.Dense{}, nil, 2, Config{}, "X is empty"},
		{"label count", good, []int{0, 1, 0}, 2, Config{}, "3 labels for 4 rows"},
		{"one class", good, []int{0, 0, 0, 0}, 2, Config{}, "only one class"},
		{"classes 1", good, []int{0, 0, 0, 0}, 1, Config{}, "classes must be at least 2"},
		{"label range", good, []int{0, 1, 2, 0}, 2, Config{}, "label 2 of row 2"},
		{"negative label", good, []int{0, -1, 1, 0}, 2, Config{}, "label -1 of row 1"},
		{"NaN", nan, []int{0, 1, 1, 0}, 2, Config{}, "X[2, 0] is NaN"},
		{"Inf", inf, []int{0, 1, 1, 0}, 2, Config{}, "X[1, 1] is -Inf"},
		{"bad config", good, []int{0, 1, 1, 0}, 2, Config{MaxFeatures: "3"}, "MaxFeatures 3 is more than the 2 features"},
		{"max samples", good, []int{0, 1, 1, 0}, 2, Config{MaxSamples: "5"}, "MaxSamples 5 is more than the 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := New(tc.cfg).Fit(context.Background(), tc.X, tc.y, tc.classes)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "forest: ") {
				t.Fatalf("Fit error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPredictBadInput(t *testing.T) {
	if _, err := New(Config{}).Predict(mat.NewDense(1, 2, nil)); !errors.Is(err, ErrNotFitted) {
		t.Fatalf("Predict before Fit: %v", err)
	}
	if err := New(Config{}).Save(&bytes.Buffer{}); !errors.Is(err, ErrNotFitted) {
		t.Fatalf("Save before Fit: %v", err)
	}
	train := readTable(t, "testdata/iris_train.csv")
	f := fitOrFatal(t, Config{Trees: 3}, train)
	for _, tc := range []struct {
		name string
		X    mat.Matrix
		want string
	}{
		{"features", mat.NewDense(2, 3, nil), "X has 3 features, the model was fitted on 4"},
		{"NaN", mat.NewDense(1, 4, []float64{1, 2, math.NaN(), 4}), "X[0, 2] is NaN"},
		{"nil", nil, "X is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Predict(tc.X)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Predict error %v, want one containing %q", err, tc.want)
			}
			_, err = f.PredictProba(tc.X)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("PredictProba error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// A transposed view is a mat.Matrix that is not a *mat.Dense.
	p, err := f.Predict(train.X.T().T())
	if err != nil || len(p) != len(train.y) {
		t.Fatalf("Predict on a non-Dense matrix: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string // "" for valid
	}{
		{Config{}, ""},
		{Config{Trees: 1, Criterion: LogLoss, MaxDepth: 3, MinSamplesSplit: 5, MinSamplesLeaf: 2, MaxFeatures: "log2", MaxSamples: "0.5", ClassWeight: "balanced", OOBScore: true, Workers: 2}, ""},
		{Config{MaxFeatures: "None", NoBootstrap: true}, ""},
		{Config{Trees: -1}, "Trees must be at least 1"},
		{Config{Criterion: "mse"}, "Criterion must be gini, entropy or log_loss"},
		{Config{MaxDepth: -2}, "MaxDepth must be at least 0"},
		{Config{MinSamplesSplit: 1}, "MinSamplesSplit must be at least 2"},
		{Config{MinSamplesLeaf: -1}, "MinSamplesLeaf must be at least 1"},
		{Config{MaxFeatures: "half"}, "MaxFeatures must be sqrt, log2, all"},
		{Config{MaxFeatures: "1.5"}, "MaxFeatures must be"},
		{Config{MaxFeatures: "0"}, "MaxFeatures must be"},
		{Config{MaxSamples: "0.0"}, "MaxSamples must be a count in [1, rows] or a fraction in (0, 1]"},
		{Config{MaxSamples: "-3"}, "MaxSamples must be"},
		{Config{MaxSamples: "0.5", NoBootstrap: true}, "MaxSamples must be empty when NoBootstrap is set"},
		{Config{MinImpurityDecrease: -0.1}, "MinImpurityDecrease must be a finite number at least 0"},
		{Config{MinImpurityDecrease: math.NaN()}, "MinImpurityDecrease"},
		{Config{ClassWeight: "auto"}, "ClassWeight must be"},
		{Config{OOBScore: true, NoBootstrap: true}, "OOBScore needs bootstrap on"},
		{Config{Workers: -1}, "Workers must be at least 0"},
	} {
		err := tc.cfg.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", tc.cfg, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
	}
}

func TestMaxFeatures(t *testing.T) {
	for _, tc := range []struct {
		v    string
		d    int
		want int
	}{
		{"", 40, 6}, {"sqrt", 20, 4}, {"auto", 64, 8}, {"log2", 64, 6}, {"log2", 1, 1},
		{"all", 30, 30}, {"None", 30, 30}, {"7", 30, 7}, {"0.5", 30, 15}, {"0.01", 30, 1}, {"1.0", 4, 4},
	} {
		got, err := maxFeatures(tc.v, tc.d)
		if err != nil || got != tc.want {
			t.Errorf("maxFeatures(%q, %d) = %d, %v; want %d", tc.v, tc.d, got, err, tc.want)
		}
	}
}

func TestParams(t *testing.T) {
	want := map[string]string{
		"bootstrap": "True", "ccp_alpha": "0.0", "class_weight": "None", "criterion": "gini",
		"max_depth": "None", "max_features": "sqrt", "max_leaf_nodes": "None", "max_samples": "None",
		"min_impurity_decrease": "0.0", "min_samples_leaf": "1", "min_samples_split": "2",
		"min_weight_fraction_leaf": "0.0", "n_estimators": "100", "n_jobs": "None",
		"oob_score": "False", "random_state": "0", "verbose": "0", "warm_start": "False",
	}
	checkParams(t, Config{}, want)
	want2 := map[string]string{}
	for k, v := range want {
		want2[k] = v
	}
	for k, v := range map[string]string{
		"bootstrap": "False", "class_weight": "balanced", "criterion": "entropy", "max_depth": "12",
		"max_features": "0.5", "max_samples": "None", "min_impurity_decrease": "1e-05",
		"min_samples_leaf": "3", "min_samples_split": "4", "n_estimators": "250", "n_jobs": "2",
		"oob_score": "False", "random_state": "42",
	} {
		want2[k] = v
	}
	checkParams(t, Config{
		Trees: 250, Criterion: Entropy, MaxDepth: 12, MinSamplesSplit: 4, MinSamplesLeaf: 3,
		MaxFeatures: ".50", NoBootstrap: true, MinImpurityDecrease: 1e-5, ClassWeight: "balanced",
		Seed: 42, Workers: 2,
	}, want2)
	if got := (Config{MaxFeatures: "all", MaxSamples: "1000"}).Params(); got["max_features"] != "None" || got["max_samples"] != "1000" {
		t.Errorf("max_features=%s max_samples=%s, want None and 1000", got["max_features"], got["max_samples"])
	}
	if got := New(Config{}).EstimatorName(); got != "RandomForestClassifier" {
		t.Errorf("EstimatorName = %q", got)
	}
}

func checkParams(t *testing.T, cfg Config, want map[string]string) {
	t.Helper()
	got := New(cfg).Params()
	if len(got) != len(want) {
		t.Errorf("%d params, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}
}

func TestPyFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {0.5, "0.5"}, {1e-4, "0.0001"}, {1e-5, "1e-05"}, {2.5e-7, "2.5e-07"},
		{1e16, "1e+16"}, {123456789012345.0, "123456789012345.0"}, {-0.25, "-0.25"}, {0.1, "0.1"},
	} {
		if got := pyFloat(tc.f); got != tc.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestConcurrentPredict predicts from several goroutines at once, as a
// server would; run it with -race to check that prediction only reads.
func TestConcurrentPredict(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	test := readTable(t, "testdata/breast_cancer_test.csv")
	f := fitOrFatal(t, Config{Trees: 10}, train)
	want := mustPredict(t, f, test.X)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := f.Predict(test.X)
			if err != nil {
				errs <- err.Error()
				return
			}
			for i := range got {
				if got[i] != want[i] {
					errs <- "predictions differ between goroutines"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestTreeLimits checks that the parameters that stop growth are obeyed,
// reading the grown trees directly.
func TestTreeLimits(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	depth := func(tr *tree) int {
		d := make([]int, len(tr.nodes))
		deepest := 0
		for i, n := range tr.nodes {
			deepest = max(deepest, d[i])
			if int(n.right) != i {
				d[i+1], d[n.right] = d[i]+1, d[i]+1
			}
		}
		return deepest
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		check func(*tree) string
	}{
		{"MaxDepth", Config{Trees: 5, MaxDepth: 3}, func(tr *tree) string {
			if d := depth(tr); d > 3 {
				return fmt.Sprintf("depth %d", d)
			}
			return ""
		}},
		{"MinSamplesLeaf", Config{Trees: 5, NoBootstrap: true, MinSamplesLeaf: 7}, func(tr *tree) string {
			// Without bootstrap every row weighs 1, so a leaf's weights
			// sum to its row count.
			for i, n := range tr.nodes {
				if int(n.right) == i {
					var w float64
					for _, v := range tr.value[int(n.feat)*2 : int(n.feat)*2+2] {
						w += v
					}
					if w < 7 {
						return fmt.Sprintf("leaf %d holds %v rows", i, w)
					}
				}
			}
			return ""
		}},
		{"MinSamplesSplit", Config{Trees: 3, MinSamplesSplit: 100000}, func(tr *tree) string {
			if len(tr.nodes) != 1 {
				return fmt.Sprintf("%d nodes, want the root alone", len(tr.nodes))
			}
			return ""
		}},
		{"MinImpurityDecrease", Config{Trees: 3, MinImpurityDecrease: 0.2}, func(tr *tree) string {
			if len(tr.nodes) > 3 {
				return fmt.Sprintf("%d nodes; a decrease of 0.2 allows hardly a split", len(tr.nodes))
			}
			return ""
		}},
		{"FullyGrown", Config{Trees: 3, NoBootstrap: true, MaxFeatures: "all"}, func(tr *tree) string {
			// Every leaf is pure unless its rows are identical, which they
			// are not in this data.
			for i, n := range tr.nodes {
				if int(n.right) == i && n.thr < 0 {
					return fmt.Sprintf("leaf %d is impure", i)
				}
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fitOrFatal(t, tc.cfg, train)
			for j, tr := range f.trees {
				if msg := tc.check(tr); msg != "" {
					t.Fatalf("tree %d: %s", j, msg)
				}
			}
		})
	}
}

// TestConstantFeaturesDrawOn checks scikit-learn's rule that a node keeps
// drawing features past MaxFeatures while every one it saw was constant:
// with one feature per split and four constant features of five, every
// tree must still split on the fifth.
func TestConstantFeaturesDrawOn(t *testing.T) {
	const n = 60
	X := mat.NewDense(n, 5, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			X.Set(i, j, 3)
		}
		X.Set(i, 4, float64(i))
		if i >= n/2 {
			y[i] = 1
		}
	}
	f := fitOrFatal(t, Config{Trees: 20, MaxFeatures: "1"}, table{X: X, y: y, classes: 2})
	for j, tr := range f.trees {
		if len(tr.nodes) < 3 {
			t.Fatalf("tree %d did not split", j)
		}
	}
	if imp := f.FeatureImportances(); imp[4] != 1 {
		t.Fatalf("importances %v, want all on feature 4", imp)
	}
}
