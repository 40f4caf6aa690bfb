package store

// MLflow's limits on what one request and one value may hold.
const (
	MaxBatchMetrics = 1000 // metrics in one LogBatch
	MaxBatchParams  = 100  // params in one LogBatch
	MaxBatchTags    = 100  // tags in one LogBatch
	MaxBatchItems   = 1000 // metrics + params + tags in one LogBatch

	MaxKeyLength        = 250  // metric, param and tag keys
	MaxParamValueLength = 6000 // param values
	MaxTagValueLength   = 8000 // run tag values
)
