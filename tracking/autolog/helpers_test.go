package autolog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
	"gonum.org/v1/gonum/mat"
)

// centroid is a small real classifier for these tests: nearest class mean,
// with probabilities from a softmax of negative squared distances. It meets
// models.Classifier, models.Named and models.Saver, as grove's forest does.
type centroid struct {
	Temperature float64     `json:"temperature"`
	Means       [][]float64 `json:"means"`
	K           int         `json:"k"`
}

func (c *centroid) Fit(ctx context.Context, X mat.Matrix, y []int, classes int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, d := X.Dims()
	if r != len(y) || r == 0 {
		return fmt.Errorf("centroid: %d rows, %d labels", r, len(y))
	}
	c.K = classes
	c.Means = make([][]float64, classes)
	count := make([]float64, classes)
	for k := range c.Means {
		c.Means[k] = make([]float64, d)
	}
	for i, k := range y {
		count[k]++
		for j := 0; j < d; j++ {
			c.Means[k][j] += X.At(i, j)
		}
	}
	for k := range c.Means {
		for j := range c.Means[k] {
			if count[k] > 0 {
				c.Means[k][j] /= count[k]
			} else {
				c.Means[k][j] = math.Inf(1)
			}
		}
	}
	return nil
}

func (c *centroid) PredictProba(X mat.Matrix) (*mat.Dense, error) {
	if c.K == 0 {
		return nil, errors.New("centroid: not fitted")
	}
	r, d := X.Dims()
	out := mat.NewDense(r, c.K, nil)
	t := c.temperature()
	for i := 0; i < r; i++ {
		s := make([]float64, c.K)
		best := math.Inf(1)
		for k := range s {
			for j := 0; j < d; j++ {
				diff := X.At(i, j) - c.Means[k][j]
				s[k] += diff * diff
			}
			best = math.Min(best, s[k])
		}
		var sum float64
		for k := range s {
			s[k] = math.Exp(-(s[k] - best) / t)
			sum += s[k]
		}
		for k := range s {
			out.Set(i, k, s[k]/sum)
		}
	}
	return out, nil
}

func (c *centroid) Predict(X mat.Matrix) ([]int, error) {
	p, err := c.PredictProba(X)
	if err != nil {
		return nil, err
	}
	r, _ := p.Dims()
	out := make([]int, r)
	for i := range out {
		for k := 1; k < c.K; k++ {
			if p.At(i, k) > p.At(i, out[i]) {
				out[i] = k
			}
		}
	}
	return out, nil
}

func (c *centroid) Params() map[string]string {
	return map[string]string{"temperature": fmt.Sprint(c.temperature()), "metric": "euclidean"}
}

func (c *centroid) temperature() float64 {
	if c.Temperature == 0 {
		return 1
	}
	return c.Temperature
}

func (c *centroid) Classes() int               { return c.K }
func (c *centroid) EstimatorName() string      { return "NearestCentroid" }
func (c *centroid) ModelFormat() (string, int) { return "test-centroid", 1 }
func (c *centroid) Save(w io.Writer) error     { return json.NewEncoder(w).Encode(c) }
func loadCentroid(r io.Reader) (*centroid, error) {
	var c centroid
	if err := json.NewDecoder(r).Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// misbehaving is a centroid whose Fit fails in the way the test asks.
type misbehaving struct {
	centroid
	fit func(ctx context.Context) error
}

func (m *misbehaving) Fit(ctx context.Context, X mat.Matrix, y []int, classes int) error {
	if err := m.fit(ctx); err != nil {
		return err
	}
	return m.centroid.Fit(ctx, X, y, classes)
}

// flakyStore passes everything to a real store but fails the calls the
// test names, as a tracking server that went away would.
type flakyStore struct {
	store.Store
	// onModel, when set, answers CreateLoggedModel instead of the store.
	onModel func(ctx context.Context) error
}

var errServerGone = errors.New("connection refused")

func (f *flakyStore) CreateLoggedModel(ctx context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	if f.onModel != nil {
		return nil, f.onModel(ctx)
	}
	return f.Store.CreateLoggedModel(ctx, req)
}

func openClient(t *testing.T) *tracking.Client {
	t.Helper()
	c, err := tracking.Open(context.Background(), "sqlite:///"+filepath.Join(t.TempDir(), "mlflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func irisSplit(t *testing.T) (train, test *datasets.Dataset) {
	t.Helper()
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.3, Seed: 0, Stratify: true})
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}
