package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// runCopy is one run being copied: the source, its copy, and whether the
// copy is new (so that nothing needs to be compared with what it holds).
type runCopy struct {
	src    *store.Run
	dst    *store.Run
	fresh  bool
	models map[string]string // source model id -> target model id
	// modelMetrics holds each source model's attached points, by its id.
	modelMetrics map[string][]store.Metric
	points       int64
	bytes        int64
}

// copyRun copies one ended source run into experiment tgt, resuming the
// partial copy have when there is one. See the package documentation for
// the order of the steps.
func (s *syncer) copyRun(ctx context.Context, tgt *store.Experiment, src *store.Run, have *store.Run) error {
	id := src.Info.RunID
	c := &runCopy{src: src, models: map[string]string{}, modelMetrics: map[string][]store.Metric{}}
	if have != nil {
		// Read the partial copy whole: a search need not list a run's
		// inputs and outputs.
		var err error
		if c.dst, err = s.dst.GetRun(ctx, have.Info.RunID); err != nil {
			return fmt.Errorf("sync: the partial copy %s of run %s: %w", have.Info.RunID, id, err)
		}
	}
	if c.dst == nil {
		var err error
		if c.dst, err = s.adopt(ctx, tgt, src); err != nil {
			return err
		}
	}
	if c.dst == nil {
		r, err := s.dst.CreateRun(ctx, store.CreateRunRequest{
			ExperimentID: tgt.ID,
			UserID:       src.Info.UserID,
			RunName:      src.Info.RunName,
			StartTime:    src.Info.StartTime,
			Tags:         []store.Tag{{Key: TagSourceRunID, Value: id}, {Key: TagState, Value: StatePartial}},
		})
		if err != nil {
			return fmt.Errorf("sync: create the copy of run %s: %w", id, err)
		}
		c.dst, c.fresh = r, true
	}
	if c.dst.Info.LifecycleStage == store.LifecycleDeleted {
		// Deleted on the target by its user: left alone.
		s.add(func(m *Summary) { m.Skipped++ })
		return nil
	}
	dstID := c.dst.Info.RunID
	if err := s.copyInputs(ctx, c); err != nil {
		return fmt.Errorf("sync: dataset inputs of run %s: %w", id, err)
	}
	if err := s.copyModels(ctx, c); err != nil {
		return err
	}
	if err := s.copyData(ctx, c); err != nil {
		return err
	}
	if err := s.copyRunArtifacts(ctx, c); err != nil {
		return err
	}
	// The source run may have been deleted while it was copied: then its
	// copy is not completed.
	now, err := s.src.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && now.Info.LifecycleStage == store.LifecycleDeleted {
		return s.abandon(ctx, c)
	}
	if err != nil {
		return fmt.Errorf("sync: run %s on the source: %w", id, err)
	}
	if _, err := s.dst.UpdateRun(ctx, dstID, src.Info.Status, src.Info.EndTime, src.Info.RunName); err != nil {
		return fmt.Errorf("sync: end the copy %s of run %s: %w", dstID, id, err)
	}
	if err := s.dst.LogBatch(ctx, dstID, nil, nil, []store.Tag{{Key: TagState, Value: StateComplete}}); err != nil {
		return fmt.Errorf("sync: mark the copy %s of run %s complete: %w", dstID, id, err)
	}
	s.add(func(m *Summary) { m.Runs++; m.Points += c.points; m.Bytes += c.bytes })
	s.progress("copied run %s (%s) as %s: %d points, %s", id, src.Info.RunName, dstID, c.points, byteSize(c.bytes))
	return s.deleteSource(ctx, src)
}

// adopt returns the target run a spooled source run continues, marked as
// its partial copy, or nil when there is none.
func (s *syncer) adopt(ctx context.Context, tgt *store.Experiment, src *store.Run) (*store.Run, error) {
	cont, ok := src.Tag(TagContinuesRunID)
	if !ok || cont == "" {
		return nil, nil
	}
	r, err := s.dst.GetRun(ctx, cont)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidParameter) {
		return nil, nil // another target than the one the run started on
	}
	if err != nil {
		return nil, fmt.Errorf("sync: run %s that run %s continues: %w", cont, src.Info.RunID, err)
	}
	if r.Info.ExperimentID != tgt.ID || r.Info.LifecycleStage != store.LifecycleActive {
		return nil, nil
	}
	if v, ok := r.Tag(TagSourceRunID); ok && v != src.Info.RunID {
		return nil, nil // already the copy of another run
	}
	tags := []store.Tag{{Key: TagSourceRunID, Value: src.Info.RunID}, {Key: TagState, Value: StatePartial}}
	if err := s.dst.LogBatch(ctx, cont, nil, nil, tags); err != nil {
		return nil, fmt.Errorf("sync: adopt run %s for run %s: %w", cont, src.Info.RunID, err)
	}
	r.Data.Tags = append(r.Data.Tags, tags...)
	return r, nil
}

// abandon takes back the partial copy of a run deleted on the source.
func (s *syncer) abandon(ctx context.Context, c *runCopy) error {
	dstID := c.dst.Info.RunID
	var err error
	if s.dstMgr != nil {
		err = s.dstMgr.DeleteRun(ctx, dstID)
	} else {
		_, err = s.dst.UpdateRun(ctx, dstID, store.StatusKilled, c.src.Info.EndTime, "")
	}
	if err != nil {
		return fmt.Errorf("sync: take back the copy %s of run %s, deleted on the source: %w", dstID, c.src.Info.RunID, err)
	}
	s.add(func(m *Summary) { m.Abandoned++ })
	s.progress("run %s (%s) was deleted on the source meanwhile: not copied", c.src.Info.RunID, c.src.Info.RunName)
	return nil
}

// copyInputs links the source's dataset inputs the copy lacks.
func (s *syncer) copyInputs(ctx context.Context, c *runCopy) error {
	have := map[string]bool{}
	for _, d := range c.dst.Inputs.Datasets {
		have[inputKey(d)] = true
	}
	var add []store.DatasetInput
	for _, d := range c.src.Inputs.Datasets {
		if !have[inputKey(d)] {
			add = append(add, d)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return s.dst.LogInputs(ctx, c.dst.Info.RunID, add, nil)
}

func inputKey(d store.DatasetInput) string {
	tags := make([]string, 0, len(d.Tags))
	for _, t := range d.Tags {
		tags = append(tags, t.Key+"="+t.Value)
	}
	slices.Sort(tags)
	return d.Dataset.Name + "\x00" + d.Dataset.Digest + "\x00" + strings.Join(tags, "\x00")
}

// copyData logs params, tags and every metric history the copy lacks, in
// as few batches as the target's limits allow.
func (s *syncer) copyData(ctx context.Context, c *runCopy) error {
	id, dstID := c.src.Info.RunID, c.dst.Info.RunID
	var tags []store.Tag
	for _, t := range c.src.Data.Tags {
		if strings.HasPrefix(t.Key, "grove.sync.") {
			continue // the source's own sync bookkeeping, not this copy's
		}
		if v, ok := c.dst.Tag(t.Key); ok && v == t.Value {
			continue
		}
		tags = append(tags, t)
	}
	var params []store.Param
	for _, p := range c.src.Data.Params {
		if _, ok := c.dst.Param(p.Key); !ok {
			params = append(params, p)
		}
	}
	attached := c.modelPoints()
	var points []store.Metric
	for _, latest := range c.src.Data.Metrics {
		h, err := s.src.GetMetricHistory(ctx, id, latest.Key)
		if err != nil {
			return fmt.Errorf("sync: history of metric %q of run %s: %w", latest.Key, id, err)
		}
		if !c.fresh {
			if h, err = s.missing(ctx, dstID, latest.Key, h); err != nil {
				return err
			}
		}
		for _, p := range h {
			p.Key = latest.Key
			if a, ok := attached[pointOf(p)]; ok {
				p.ModelID, p.DatasetName, p.DatasetDigest = a.ModelID, a.DatasetName, a.DatasetDigest
			}
			points = append(points, p)
		}
	}
	if err := s.logBatch(ctx, dstID, points, params, tags); err != nil {
		return fmt.Errorf("sync: log to the copy %s of run %s: %w", dstID, id, err)
	}
	c.points = int64(len(points))
	return nil
}

// missing returns the points of h that the target's history of key lacks,
// counting repeated points.
func (s *syncer) missing(ctx context.Context, dstID, key string, h []store.Metric) ([]store.Metric, error) {
	there, err := s.dst.GetMetricHistory(ctx, dstID, key)
	if err != nil {
		return nil, fmt.Errorf("sync: history of metric %q of the copy %s: %w", key, dstID, err)
	}
	if len(there) == 0 {
		return h, nil
	}
	count := map[point]int{}
	for _, p := range there {
		count[pointOf(p)]++
	}
	var out []store.Metric
	for _, p := range h {
		k := pointOf(p)
		if count[k] > 0 {
			count[k]--
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// point identifies a metric point by what a history holds.
type point struct {
	key             string
	step, timestamp int64
	value           uint64
}

func pointOf(m store.Metric) point {
	v := m.Value
	if math.IsNaN(v) {
		v = math.NaN() // one NaN, whatever its bits
	}
	return point{m.Key, m.Step, m.Timestamp, math.Float64bits(v)}
}

// modelPoints maps the metric points attached to the run's logged models
// to the target model and dataset they must carry.
func (c *runCopy) modelPoints() map[point]store.Metric {
	out := map[point]store.Metric{}
	for _, srcID := range slices.Sorted(maps.Keys(c.models)) {
		for _, m := range c.modelMetrics[srcID] {
			m.ModelID = c.models[srcID]
			out[pointOf(m)] = m
		}
	}
	return out
}

// logBatch sends a run's metrics, params and tags: whole to a store that
// takes any size, else in batches within MLflow's limits.
func (s *syncer) logBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if len(metrics)+len(params)+len(tags) == 0 {
		return nil
	}
	if wb, ok := s.dst.(store.WholeBatcher); ok {
		const most = 100_000 // points in one transaction, as tracking.Client sends
		for first := true; first || len(metrics) > 0; first = false {
			n := min(len(metrics), most)
			if err := wb.LogWholeBatch(ctx, runID, metrics[:n], params, tags); err != nil {
				return err
			}
			metrics, params, tags = metrics[n:], nil, nil
		}
		return nil
	}
	for _, b := range store.SplitBatch(metrics, params, tags) {
		if err := s.dst.LogBatch(ctx, runID, b.Metrics, b.Params, b.Tags); err != nil {
			return err
		}
	}
	return nil
}
