package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// runsPage is an experiment's runs table, one page of it.
type runsPage struct {
	base
	Exp         *store.Experiment
	ExpTags     []store.Tag
	Filter      string
	OrderBy     string
	Deleted     bool // the deleted runs, not the active ones
	FilterError string
	Columns     []column // the fixed columns, then metrics, then params, as MLflow orders them
	Params      []string
	Metrics     []string
	Rows        []runRow
	From, To    int    // numbers of the page's first and last runs, from 1
	FixedSpan   int    // the tick box and attribute columns
	NextURL     string // "" on the last page
	FirstURL    string // "" on the first page
	ActiveURL   string
	DeletedURL  string
	ChartURL    string
}

// column is a header of the runs table: its label, the order_by it sorts
// by ("" for none), and the links that sort it.
type column struct {
	ID, Label, Kind string // Kind: "attr", "param", "metric"
	Sort            string // MLflow order_by key, "" when not sortable
	SortURL         string
	Arrow           string // "▼" or "▲" when the table is sorted by it
}

// runRow is one run of the table.
type runRow struct {
	ID, Name, Status     string
	Started, StartedAgo  string
	StartedISO, Duration string
	User, Source         string
	SourceURL            string
	Datasets             []string // name (context)
	Models               []modelLink
	Params, Metrics      []cell
}

type cell struct{ Text, Full string }

type modelLink struct{ Name, URL string }

// fixedColumns are the run attributes every runs table shows, with MLflow's
// order_by key for those it can sort by.
var fixedColumns = []column{
	{ID: "name", Label: "Run name", Kind: "attr", Sort: "attributes.run_name"},
	{ID: "status", Label: "Status", Kind: "attr", Sort: "attributes.status"},
	{ID: "created", Label: "Created", Kind: "attr", Sort: "attributes.start_time"},
	{ID: "datasets", Label: "Dataset", Kind: "attr"},
	{ID: "duration", Label: "Duration", Kind: "attr"},
	{ID: "user", Label: "User", Kind: "attr", Sort: "attributes.user_id"},
	{ID: "source", Label: "Source", Kind: "attr", Sort: "tags.`mlflow.source.name`"},
	{ID: "models", Label: "Models", Kind: "attr"},
}

// orderKey quotes a param or metric key for an order_by clause.
func orderKey(kind, key string) string { return kind + ".`" + key + "`" }

// runs shows one page of an experiment's runs, searched, sorted and paged by
// the store with MLflow's filter, order_by and page token.
func (h *handler) runs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	exp, err := h.st.GetExperiment(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := runsPage{
		base:    h.base(ctx, exp.Name, exp.ID),
		Exp:     exp,
		ExpTags: userTags(exp.Tags),
		Filter:  strings.TrimSpace(q.Get("filter")),
		OrderBy: strings.TrimSpace(q.Get("order_by")),
		Deleted: q.Get("view") == "deleted",
	}
	link := func(change map[string]string) string {
		v := url.Values{}
		for k, s := range map[string]string{"filter": p.Filter, "order_by": p.OrderBy} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if p.Deleted {
			v.Set("view", "deleted")
		}
		for k, s := range change {
			if s == "" {
				v.Del(k)
			} else {
				v.Set(k, s)
			}
		}
		u := "/experiments/" + url.PathEscape(exp.ID)
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return u
	}
	p.ActiveURL = link(map[string]string{"view": ""})
	p.DeletedURL = link(map[string]string{"view": "deleted"})
	p.ChartURL = "/experiments/" + url.PathEscape(exp.ID) + "/chart"

	rq := store.RunQuery{ExperimentIDs: []string{exp.ID}, Filter: p.Filter, ViewType: store.ViewActiveOnly, MaxResults: h.opts.PageSize, PageToken: q.Get("page_token")}
	if p.OrderBy != "" {
		rq.OrderBy = []string{p.OrderBy}
	}
	if p.Deleted {
		rq.ViewType = store.ViewDeletedOnly
	}
	runs, next, err := h.st.SearchRuns(ctx, rq)
	if errors.Is(err, store.ErrInvalidParameter) {
		// A bad filter, order or page token: the store's message goes under
		// the filter box, as MLflow's UI shows the server's.
		var se *store.Error
		if errors.As(err, &se) {
			p.FilterError = se.Message
		} else {
			p.FilterError = err.Error()
		}
		runs, next = nil, ""
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Deleted { // a store that cannot tell views apart must not show active runs here
		runs = slices.DeleteFunc(runs, func(r *store.Run) bool { return r.Info.LifecycleStage != store.LifecycleDeleted })
	}
	p.From = atoiDefault(q.Get("from"), 1)
	if next != "" {
		p.NextURL = link(map[string]string{"page_token": next, "from": itoa(p.From + len(runs))})
	}
	if rq.PageToken != "" {
		p.FirstURL = link(map[string]string{"page_token": "", "from": ""})
	}

	p.To = p.From + len(runs) - 1
	p.FixedSpan = len(fixedColumns) + 1
	p.Params, p.Metrics = keysOf(runs)
	for _, c := range fixedColumns {
		p.Columns = append(p.Columns, h.sortable(c, p.OrderBy, link))
	}
	for _, k := range p.Metrics {
		p.Columns = append(p.Columns, h.sortable(column{ID: "m:" + k, Label: k, Kind: "metric", Sort: orderKey("metrics", k)}, p.OrderBy, link))
	}
	for _, k := range p.Params {
		p.Columns = append(p.Columns, h.sortable(column{ID: "p:" + k, Label: k, Kind: "param", Sort: orderKey("params", k)}, p.OrderBy, link))
	}
	models := h.modelNames(ctx, runs)
	for _, run := range runs {
		p.Rows = append(p.Rows, h.row(ctx, run, p.Params, p.Metrics, models))
	}
	h.render(w, r, http.StatusOK, "runs", p)
}

// sortable fills in the link that sorts by c: descending first, then
// ascending when it is already sorted descending.
func (h *handler) sortable(c column, current string, link func(map[string]string) string) column {
	if c.Sort == "" {
		return c
	}
	order := c.Sort + " DESC"
	switch current {
	case c.Sort + " DESC":
		c.Arrow = "▼"
		order = c.Sort + " ASC"
	case c.Sort + " ASC", c.Sort:
		c.Arrow = "▲"
	}
	c.SortURL = link(map[string]string{"order_by": order, "page_token": "", "from": ""})
	return c
}

// keysOf returns the param and metric keys of runs, sorted.
func keysOf(runs []*store.Run) (params, metrics []string) {
	ps, ms := map[string]bool{}, map[string]bool{}
	for _, r := range runs {
		for _, p := range r.Data.Params {
			ps[p.Key] = true
		}
		for _, m := range r.Data.Metrics {
			ms[m.Key] = true
		}
	}
	return sortedKeys(ps), sortedKeys(ms)
}

// modelNames reads the names of the logged models runs produced, once each.
func (h *handler) modelNames(ctx context.Context, runs []*store.Run) map[string]string {
	names := map[string]string{}
	for _, r := range runs {
		for _, m := range r.Outputs.Models {
			if _, ok := names[m.ModelID]; ok {
				continue
			}
			names[m.ModelID] = m.ModelID
			if lm, err := h.st.GetLoggedModel(ctx, m.ModelID); err == nil && lm.Name != "" {
				names[m.ModelID] = lm.Name
			}
		}
	}
	return names
}

// row is how the table shows run.
func (h *handler) row(ctx context.Context, run *store.Run, params, metrics []string, models map[string]string) runRow {
	in := run.Info
	row := runRow{
		ID: in.RunID, Name: in.RunName, Status: string(in.Status), User: in.UserID,
		Started: exactTime(in.StartTime), StartedISO: isoTime(in.StartTime), StartedAgo: ago(in.StartTime),
		Duration: duration(in.StartTime, in.EndTime, in.Status),
	}
	if row.Name == "" {
		row.Name = in.RunID
	}
	if src, ok := run.Tag("mlflow.source.name"); ok {
		row.Source = baseName(src)
	}
	for _, d := range run.Inputs.Datasets {
		name := d.Dataset.Name
		for _, t := range d.Tags {
			if t.Key == "mlflow.data.context" && t.Value != "" {
				name += " (" + t.Value + ")"
			}
		}
		row.Datasets = append(row.Datasets, name)
	}
	for _, m := range run.Outputs.Models {
		row.Models = append(row.Models, modelLink{Name: models[m.ModelID], URL: "/runs/" + url.PathEscape(in.RunID) + "#model"})
	}
	for _, k := range params {
		v, _ := run.Param(k)
		row.Params = append(row.Params, cell{Text: v, Full: v})
	}
	for _, k := range metrics {
		if m, ok := run.Metric(k); ok {
			row.Metrics = append(row.Metrics, cell{Text: short(m.Value), Full: full(m.Value)})
		} else {
			row.Metrics = append(row.Metrics, cell{})
		}
	}
	return row
}
