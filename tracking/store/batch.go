package store

// Batch is what one LogBatch request may carry within MLflow's limits.
type Batch struct {
	Metrics []Metric
	Params  []Param
	Tags    []Tag
}

// SplitBatch cuts metrics, params and tags into batches that each hold at
// most MaxBatchParams params, MaxBatchTags tags, MaxBatchMetrics metrics and
// MaxBatchItems items in all, keeping each list's order. Params and tags go
// first so that a run's configuration lands before its (usually far more
// numerous) metrics. An empty input gives no batch. The tracking client and
// the REST store both cut with it, so they agree on what one request holds.
func SplitBatch(metrics []Metric, params []Param, tags []Tag) []Batch {
	var out []Batch
	for len(metrics)+len(params)+len(tags) > 0 {
		var b Batch
		room := MaxBatchItems
		n := min(len(params), MaxBatchParams, room)
		b.Params, params = params[:n], params[n:]
		room -= n
		n = min(len(tags), MaxBatchTags, room)
		b.Tags, tags = tags[:n], tags[n:]
		room -= n
		n = min(len(metrics), MaxBatchMetrics, room)
		b.Metrics, metrics = metrics[:n], metrics[n:]
		out = append(out, b)
	}
	return out
}
