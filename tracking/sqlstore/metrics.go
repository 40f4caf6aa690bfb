package sqlstore

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

var nan64 = math.NaN()

// sanitize returns a metric value as MLflow stores it: NaN as 0 with is_nan
// set, ±Inf as ±math.MaxFloat64 (SQL has no infinities). MLflow reads those
// back as NaN and as the largest finite floats, and so does grove.
func sanitize(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v):
		return 0, true
	case math.IsInf(v, 1):
		return math.MaxFloat64, false
	case math.IsInf(v, -1):
		return -math.MaxFloat64, false
	}
	return v, false
}

// LogBatch records metrics, params and tags of an active run in one
// transaction, within MLflow's batch limits. A param that the run already has
// with another value fails the whole batch with INVALID_PARAMETER_VALUE,
// naming the key, the old and the new value. A metric point logged twice is
// kept once. Metrics with a ModelID are recorded for that logged model too.
func (s *Store) LogBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if err := checkBatchSize(metrics, params, tags); err != nil {
		return err
	}
	return s.LogWholeBatch(ctx, runID, metrics, params, tags)
}

// LogWholeBatch is LogBatch for a batch of any size, in one transaction: it
// implements store.WholeBatcher.
func (s *Store) LogWholeBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if err := checkBatch(metrics, params, tags); err != nil {
		return err
	}
	if len(metrics)+len(params)+len(tags) == 0 {
		return nil
	}
	err := s.write(ctx, func(t tx) error {
		expID, err := activeRun(t, runID)
		if err != nil {
			return err
		}
		if err := logParams(t, runID, params); err != nil {
			return err
		}
		if err := logMetrics(t, runID, expID, metrics); err != nil {
			return err
		}
		return setTags(t, runID, tags)
	})
	return wrap(err, "log batch to run %s", runID)
}

var _ store.WholeBatcher = (*Store)(nil)

// checkBatchSize applies MLflow's limits on how much one batch holds.
func checkBatchSize(metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	switch {
	case len(metrics) > store.MaxBatchMetrics:
		return errorf(store.CodeInvalidParameter, "a batch may hold %d metrics, got %d", store.MaxBatchMetrics, len(metrics))
	case len(params) > store.MaxBatchParams:
		return errorf(store.CodeInvalidParameter, "a batch may hold %d params, got %d", store.MaxBatchParams, len(params))
	case len(tags) > store.MaxBatchTags:
		return errorf(store.CodeInvalidParameter, "a batch may hold %d tags, got %d", store.MaxBatchTags, len(tags))
	case len(metrics)+len(params)+len(tags) > store.MaxBatchItems:
		return errorf(store.CodeInvalidParameter, "a batch may hold %d items, got %d", store.MaxBatchItems, len(metrics)+len(params)+len(tags))
	}
	return nil
}

// checkBatch checks the keys and values of a batch.
func checkBatch(metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	for _, m := range metrics {
		if err := checkKey("metric", m.Key); err != nil {
			return err
		}
	}
	seen := make(map[string]string, len(params))
	for _, p := range params {
		if err := checkValue("param", p.Key, p.Value, store.MaxParamValueLength); err != nil {
			return err
		}
		if old, ok := seen[p.Key]; ok && old != p.Value {
			return errorf(store.CodeInvalidParameter, "param %q appears twice in one batch, with values %q and %q", p.Key, old, p.Value)
		}
		seen[p.Key] = p.Value
	}
	for _, t := range tags {
		if err := checkTag(t); err != nil {
			return err
		}
	}
	return nil
}

func checkTag(t store.Tag) error {
	return checkValue("tag", t.Key, t.Value, store.MaxTagValueLength)
}

// checkValue checks the key of a param or tag and that its value holds at
// most limit characters.
func checkValue(what, key, value string, limit int) error {
	if err := checkKey(what, key); err != nil {
		return err
	}
	if n := chars(value); n > limit {
		return errorf(store.CodeInvalidParameter, "%s %q value is %d characters long, the limit is %d", what, key, n, limit)
	}
	return nil
}

// logParams inserts params the run does not have yet; a param it has with
// the same value is fine, with another value an error.
func logParams(t tx, runID string, params []store.Param) error {
	if len(params) == 0 {
		return nil
	}
	existing := map[string]string{}
	err := t.query(`SELECT "key", value FROM params WHERE run_uuid = ?`, []any{runID}, func(row *lite.Stmt) error {
		existing[row.Text(0)] = row.Text(1)
		return nil
	})
	if err != nil {
		return err
	}
	var conflicts []string
	for _, p := range params {
		if old, ok := existing[p.Key]; ok && old != p.Value {
			conflicts = append(conflicts, fmt.Sprintf("%q was %q, new value %q", p.Key, old, p.Value))
		}
	}
	if len(conflicts) > 0 {
		return errorf(store.CodeInvalidParameter, "changing param values is not allowed: run %s param %s", runID, strings.Join(conflicts, "; param "))
	}
	for _, p := range params {
		if _, ok := existing[p.Key]; ok {
			continue
		}
		if err := t.exec(`INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO NOTHING`, p.Key, p.Value, runID); err != nil {
			return err
		}
	}
	return nil
}

// setTags sets or replaces run tags. mlflow.runName also renames the run, as
// in MLflow.
func setTags(t tx, runID string, tags []store.Tag) error {
	for _, tag := range tags {
		if tag.Key == runNameTag {
			if err := setRunName(t, runID, tag.Value); err != nil {
				return err
			}
			continue
		}
		if err := t.exec(`INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value`,
			tag.Key, tag.Value, runID); err != nil {
			return err
		}
	}
	return nil
}

// maxRowsPerInsert bounds one multi-row INSERT: 6 parameters a row stay far
// below SQLite's parameter limit, and few statements make a 1000-metric batch
// several times faster than one INSERT per point. Chunks are powers of two so
// that a handful of prepared statements serve every batch size.
const maxRowsPerInsert = 256

// insertMetricsSQL returns the INSERT of n metric rows. The primary key spans
// every column, so a point logged again is the same point: it is kept once,
// as MLflow keeps it.
func insertMetricsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(` ON CONFLICT DO NOTHING`)
	return b.String()
}

var insertMetrics = func() map[int]string {
	m := map[int]string{}
	for n := 1; n <= maxRowsPerInsert; n *= 2 {
		m[n] = insertMetricsSQL(n)
	}
	return m
}()

// logMetrics appends points to the metric history and keeps latest_metrics
// at the largest (step, timestamp, value) of each key, comparing stored
// values (NaN as 0) as MLflow does.
func logMetrics(t tx, runID string, expID int64, metrics []store.Metric) error {
	if err := logPoints(t, runID, metrics); err != nil {
		return err
	}
	return logModelMetrics(t, runID, expID, metrics)
}

// upsertLatestSQL sets a key's latest point unless the one stored sorts after
// it.
const upsertLatestSQL = `INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
	WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, coalesce(latest_metrics.timestamp, 0), latest_metrics.value)`

// logPoints writes metric points and their keys' latest points.
func logPoints(t tx, runID string, metrics []store.Metric) error {
	if len(metrics) == 0 {
		return nil
	}
	type point struct {
		value    float64
		isNaN    bool
		ts, step int64
	}
	// Per key, the point of this batch that could become the latest.
	latest := make(map[string]point, 8)
	var keys []string
	args := make([]any, 0, 6*min(len(metrics), maxRowsPerInsert))
	// Rows in key order land next to each other in the (key, ...) primary
	// key index, which SQLite then updates page by page.
	for rest := groupByKey(metrics); len(rest) > 0; {
		n := maxRowsPerInsert
		for n > len(rest) {
			n /= 2
		}
		args = args[:0]
		for _, m := range rest[:n] {
			v, isNaN := sanitize(m.Value)
			args = append(args, m.Key, v, m.Timestamp, m.Step, isNaN, runID)
			p := point{v, isNaN, m.Timestamp, m.Step}
			old, ok := latest[m.Key]
			if !ok {
				keys = append(keys, m.Key)
			}
			if !ok || newer(p.step, p.ts, p.value, old.step, old.ts, old.value) {
				latest[m.Key] = p
			}
		}
		if err := t.query(insertMetrics[n], args, nil); err != nil {
			return err
		}
		rest = rest[n:]
	}
	for _, k := range keys {
		p := latest[k]
		if err := t.exec(upsertLatestSQL, k, p.value, p.ts, p.step, p.isNaN, runID); err != nil {
			return err
		}
	}
	return nil
}

// groupByKey returns a copy of metrics in key order, each key's points in
// the order given: a stable sort by key, in one pass, as a batch holds few
// distinct keys.
func groupByKey(metrics []store.Metric) []store.Metric {
	bucket := make(map[string]int32, 8)
	var keys []string
	var count []int
	of := make([]int32, len(metrics))
	for i, m := range metrics {
		b, ok := bucket[m.Key]
		if !ok {
			b = int32(len(keys))
			bucket[m.Key] = b
			keys = append(keys, m.Key)
			count = append(count, 0)
		}
		count[b]++
		of[i] = b
	}
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(keys[a], keys[b]) })
	next := make([]int, len(keys))
	pos := 0
	for _, b := range order {
		next[b] = pos
		pos += count[b]
	}
	out := make([]store.Metric, len(metrics))
	for i, m := range metrics {
		out[next[of[i]]] = m
		next[of[i]]++
	}
	return out
}

// newer reports whether (step, ts, value) a sorts after b.
func newer(as, at int64, av float64, bs, bt int64, bv float64) bool {
	if as != bs {
		return as > bs
	}
	if at != bt {
		return at > bt
	}
	return av > bv
}

// logModelMetrics records the points that name a logged model in
// logged_model_metrics too, as MLflow 3 does for metrics computed on a model.
func logModelMetrics(t tx, runID string, expID int64, metrics []store.Metric) error {
	for _, m := range metrics {
		if m.ModelID == "" {
			continue
		}
		v, _ := sanitize(m.Value)
		if err := t.exec(`INSERT INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, dataset_name, dataset_digest)
				VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING`,
			m.ModelID, m.Key, m.Timestamp, m.Step, v, expID, runID, nullString(m.DatasetName), nullString(m.DatasetDigest)); err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return errorf(store.CodeNotFound, "metric %q names logged model %s, which does not exist", m.Key, m.ModelID)
			}
			return err
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GetMetricHistory returns every point of a run's metric, by step, then
// timestamp, then value.
func (s *Store) GetMetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	var out []store.Metric
	err := s.read(ctx, func(rq reader) error {
		args := []any{runID, key}
		found := false
		var n int64
		err := rq.query(`SELECT (SELECT count(*) FROM runs WHERE run_uuid = ?1), count(*) FROM metrics WHERE run_uuid = ?1 AND "key" = ?2`, args, func(row *lite.Stmt) error {
			found, n = row.Int64(0) > 0, row.Int64(1)
			return nil
		})
		if err != nil {
			return err
		}
		if !found {
			return errorf(store.CodeNotFound, "no run with id %s", runID)
		}
		out = make([]store.Metric, 0, n)
		// The (run_uuid, key, step) index yields step order without a sort.
		// NaN comes back as NULL: every column read costs, so is_nan is
		// folded into value.
		q := `SELECT CASE WHEN is_nan THEN NULL ELSE value END, timestamp, step FROM metrics WHERE run_uuid = ?1 AND "key" = ?2 ORDER BY step`
		return rq.query(q, args, func(row *lite.Stmt) error {
			m := store.Metric{Key: key, Value: nan64, Timestamp: row.Int64(1), Step: row.Int64(2)}
			if !row.Null(0) {
				m.Value = row.Float64(0)
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, wrap(err, "metric history %q of run %s", key, runID)
	}
	// Points usually arrive in that order already.
	if !slices.IsSortedFunc(out, store.ComparePoints) {
		slices.SortStableFunc(out, store.ComparePoints)
	}
	return out, nil
}
