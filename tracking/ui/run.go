package ui

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// runPage is a run's overview, metric charts or artifacts: three tabs of
// one page, as MLflow lays them out.
type runPage struct {
	base
	Tab      string // "overview", "metrics", "artifacts"
	Run      *store.Run
	Exp      *store.Experiment
	Name     string
	Started  string
	Ago      string
	Ended    string
	Duration string
	Source   string
	// SourceURL opens the source file among the run's artifacts (autolog
	// keeps it under code/), "" when it is not there.
	SourceURL   string
	GitCommit   string
	Description string // mlflow.note.content, as MLflow's UI shows it
	ParentID    string
	ParentName  string
	Params      []store.Param
	Metrics     []metricRow
	Histories   []string // keys of metrics logged at more than one step
	Tags        []store.Tag
	SysTags     []store.Tag
	Datasets    []datasetView
	Models      []modelView
	Running     bool // the page refreshes its charts
	URL         string

	// The artifacts tab.
	Tree    []treeNode
	Preview *preview
}

// metricRow is a metric's latest value on the overview.
type metricRow struct {
	Key, Value, Full string
	Step             int64
	History          bool
}

type datasetView struct {
	Name, Digest, Context, SourceType, Source, Schema, Profile string
}

// modelView is a logged model the run produced, with its MLmodel file.
type modelView struct {
	ID, Name, Status, Type string
	MLmodel                string
	Files                  []store.FileInfo
}

// runTab reads a run and fills in what every tab shows.
func (h *handler) runTab(ctx context.Context, r *http.Request, tab string) (*runPage, error) {
	run, err := h.st.GetRun(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	in := run.Info
	exp, err := h.st.GetExperiment(ctx, in.ExperimentID)
	if err != nil {
		return nil, err
	}
	p := &runPage{
		base: h.base(ctx, cmpOr(in.RunName, in.RunID), exp.ID),
		Tab:  tab, Run: run, Exp: exp, Name: cmpOr(in.RunName, in.RunID),
		Started: exactTime(in.StartTime), Ago: ago(in.StartTime), Ended: exactTime(in.EndTime),
		Duration: duration(in.StartTime, in.EndTime, in.Status),
		Running:  in.Status == store.StatusRunning,
		URL:      "/runs/" + url.PathEscape(in.RunID),
	}
	p.Source, _ = run.Tag("mlflow.source.name")
	p.GitCommit, _ = run.Tag("mlflow.source.git.commit")
	p.Description, _ = run.Tag("mlflow.note.content")
	if parent, ok := run.Tag("mlflow.parentRunId"); ok && parent != "" {
		p.ParentID, p.ParentName = parent, parent
		if pr, err := h.st.GetRun(ctx, parent); err == nil && pr.Info.RunName != "" {
			p.ParentName = pr.Info.RunName
		}
	}
	for _, t := range run.Data.Tags {
		if strings.HasPrefix(t.Key, "mlflow.") {
			p.SysTags = append(p.SysTags, t)
		} else {
			p.Tags = append(p.Tags, t)
		}
	}
	byKey := func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) }
	slices.SortFunc(p.Tags, byKey)
	slices.SortFunc(p.SysTags, byKey)
	p.Params = slices.Clone(run.Data.Params)
	slices.SortFunc(p.Params, func(a, b store.Param) int { return strings.Compare(a.Key, b.Key) })
	for _, m := range run.Data.Metrics {
		row := metricRow{Key: m.Key, Value: short(m.Value), Full: full(m.Value), Step: m.Step, History: m.Step != 0}
		p.Metrics = append(p.Metrics, row)
		if row.History {
			p.Histories = append(p.Histories, m.Key)
		}
	}
	slices.SortFunc(p.Metrics, func(a, b metricRow) int { return strings.Compare(a.Key, b.Key) })
	slices.Sort(p.Histories)
	return p, nil
}

// run shows a run's overview: about the run, params, metrics, tags,
// datasets and logged models.
func (h *handler) run(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := h.runTab(ctx, r, "overview")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	run := p.Run
	if p.Source != "" {
		p.SourceURL = h.sourceURL(ctx, run, p.Source)
	}
	for _, d := range run.Inputs.Datasets {
		v := datasetView{Name: d.Dataset.Name, Digest: d.Dataset.Digest, SourceType: d.Dataset.SourceType,
			Source: d.Dataset.Source, Schema: d.Dataset.Schema, Profile: d.Dataset.Profile}
		for _, t := range d.Tags {
			if t.Key == "mlflow.data.context" {
				v.Context = t.Value
			}
		}
		p.Datasets = append(p.Datasets, v)
	}
	seen := map[string]bool{}
	for _, m := range run.Outputs.Models {
		if seen[m.ModelID] {
			continue
		}
		seen[m.ModelID] = true
		p.Models = append(p.Models, h.model(ctx, m.ModelID))
	}
	h.render(w, r, http.StatusOK, "run", p)
}

// runMetrics shows a chart per metric logged at more than one step.
func (h *handler) runMetrics(w http.ResponseWriter, r *http.Request) {
	p, err := h.runTab(r.Context(), r, "metrics")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "run", p)
}

// sourceURL links the run's source file to its copy among the artifacts,
// where autolog puts it (code/<file name>), if it is there.
func (h *handler) sourceURL(ctx context.Context, run *store.Run, source string) string {
	repo, err := h.repo(ctx, run.Info.ArtifactURI)
	if err != nil || repo == nil {
		return ""
	}
	files, err := repo.List(ctx, "code")
	if err != nil {
		return ""
	}
	want := "code/" + baseName(source)
	for _, f := range files {
		if f.Path == want && !f.IsDir {
			return artifactsURL(run.Info.RunID, f.Path)
		}
	}
	return ""
}

// mlmodelMax is the most of an MLmodel file the run page shows.
const mlmodelMax = 64 << 10

// model reads what the run page shows of a logged model.
func (h *handler) model(ctx context.Context, id string) modelView {
	v := modelView{ID: id, Name: id}
	lm, err := h.st.GetLoggedModel(ctx, id)
	if err != nil {
		return v
	}
	v.Name, v.Status, v.Type = cmpOr(lm.Name, id), lm.Status.String(), lm.ModelType
	repo, err := h.repo(ctx, lm.ArtifactLocation)
	if err != nil || repo == nil {
		return v
	}
	v.Files, _ = repo.List(ctx, "")
	if rc, err := repo.Open(ctx, "MLmodel"); err == nil {
		b, _ := io.ReadAll(io.LimitReader(rc, mlmodelMax))
		rc.Close()
		v.MLmodel = string(b)
	}
	return v
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
