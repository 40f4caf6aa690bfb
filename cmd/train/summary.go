package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
)

// metricOrder is the order the summary lists autolog's metrics in.
var metricOrder = []string{
	autolog.MetricAccuracy, autolog.MetricPrecision, autolog.MetricRecall, autolog.MetricF1,
	autolog.MetricLogLoss, autolog.MetricROCAUC, autolog.MetricScore,
}

func printSummary(w io.Writer, j *job) {
	fmt.Fprintf(w, "data:       %s, %d rows x %d features, %d classes (%s)\n", j.Data, j.Rows, j.Features, j.Classes, strings.Join(j.classNames, ", "))
	if j.TestData != "" {
		fmt.Fprintf(w, "split:      %d train rows, %d test rows from %s\n", j.TrainRows, j.TestRows, j.TestData)
	} else {
		how := "shuffled"
		if j.Stratify {
			how = "stratified"
		}
		fmt.Fprintf(w, "split:      %d train / %d test rows (test size %g, %s, seed %d)\n", j.TrainRows, j.TestRows, j.TestSize, how, j.Seed)
	}
	fmt.Fprintf(w, "model:      %s, %d trees, fitted in %s, test set predicted in %s\n", j.Estimator, j.Trees, seconds(j.FitSeconds), seconds(j.PredictSeconds))

	fmt.Fprintf(w, "\n%-16s %10s %10s\n", "metric", "training", "test")
	for _, m := range metricOrder {
		tr, okTr := j.Metrics[autolog.PrefixTraining+m]
		te, okTe := j.Metrics[autolog.PrefixTest+m]
		if !okTr && !okTe {
			continue
		}
		fmt.Fprintf(w, "%-16s %10s %10s\n", m, num(tr, okTr), num(te, okTe))
	}
	for _, m := range j.custom {
		fmt.Fprintf(w, "%-27s %10s  (custom)\n", m, num(j.Metrics[m], true))
	}

	fmt.Fprintf(w, "\nclassification report (test set):\n\n%s", j.classReport)
	if !strings.HasSuffix(j.classReport, "\n") {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	if !j.Tracked {
		fmt.Fprintln(w, "not recorded (-no-track)")
		return
	}
	fmt.Fprintf(w, "run:        %s (id %s)\n", j.RunName, j.RunID)
	fmt.Fprintf(w, "experiment: %s (id %s)\n", j.Experiment, j.ExperimentID)
	fmt.Fprintf(w, "artifacts:  %s\n", j.ArtifactURI)
	if j.ReportFile != "" {
		fmt.Fprintf(w, "chart:      %s\n", j.ReportFile)
	}
	fmt.Fprintf(w, "look at it: %s\n", howToLook(j))
}

// howToLook tells the user the one command or address that shows the run.
func howToLook(j *job) string {
	loc, err := tracking.ParseURI(j.TrackingURI)
	if err == nil && loc.Kind == tracking.KindSQLite {
		return "mlflow ui --backend-store-uri " + j.TrackingURI
	}
	return fmt.Sprintf("%s/#/experiments/%s/runs/%s", strings.TrimSuffix(j.TrackingURI, "/"), j.ExperimentID, j.RunID)
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f s", s)
}

func num(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.4f", v)
}

// writeJSON prints the job as one flat JSON object: every metric under its
// own name beside the run's facts, as a script comparing runs wants them.
func writeJSON(w io.Writer, j *job) error {
	out := map[string]any{}
	for k, v := range j.Metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			out[k] = fmt.Sprint(v) // JSON has no NaN; keep the fact as text
			continue
		}
		out[k] = v
	}
	put := func(k string, v any, keep bool) {
		if keep {
			out[k] = v
		}
	}
	isRun := j.Rows > 0
	put("data", j.Data, isRun)
	put("rows", j.Rows, isRun)
	put("features", j.Features, isRun)
	put("classes", j.Classes, isRun)
	put("train_rows", j.TrainRows, isRun)
	put("test_rows", j.TestRows, isRun)
	put("test_size", j.TestSize, isRun && j.TestData == "")
	put("test_data", j.TestData, j.TestData != "")
	put("seed", j.Seed, isRun)
	put("stratify", j.Stratify, isRun)
	put("estimator", j.Estimator, isRun)
	put("trees", j.Trees, isRun)
	put("fit_seconds", j.FitSeconds, isRun)
	put("predict_seconds", j.PredictSeconds, isRun)
	put("tracked", j.Tracked, true)
	put("tracking_uri", j.TrackingURI, j.Tracked)
	put("run_id", j.RunID, j.RunID != "")
	put("run_name", j.RunName, j.RunName != "")
	put("experiment", j.Experiment, j.Experiment != "")
	put("experiment_id", j.ExperimentID, j.ExperimentID != "")
	put("artifact_uri", j.ArtifactURI, j.ArtifactURI != "")
	put("model_id", j.ModelID, j.ModelID != "")
	put("report_file", j.ReportFile, j.ReportFile != "")
	put("custom_metrics", j.custom, len(j.custom) > 0)
	put("warnings", j.Warnings, len(j.Warnings) > 0)
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}
