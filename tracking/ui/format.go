package ui

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// now is the clock relative times are measured from; tests may fix it.
var now = time.Now

// funcs are the helpers the templates call.
var funcs = template.FuncMap{
	"size":   humanSize,
	"status": statusClass,
	"inc":    func(i int) int { return i + 1 },
	"dec":    func(i int) int { return i - 1 },
	"ago":    ago,
	"exact":  exactTime,
	"static": staticURL,
}

// exactTime shows a time in ms since the epoch as UTC, to the second.
func exactTime(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05 UTC")
}

// isoTime is the datetime attribute of a <time> element.
func isoTime(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// ago shows how long before now a time was, in the largest whole unit.
func ago(ms int64) string {
	if ms <= 0 {
		return ""
	}
	d := now().Sub(time.UnixMilli(ms))
	if d < 0 {
		return "in the future"
	}
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return strconv.FormatInt(n, 10) + " " + unit + "s ago"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int64(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		return plural(int64(d/(30*24*time.Hour)), "month")
	}
	return plural(int64(d/(365*24*time.Hour)), "year")
}

// duration shows how long a run took, or has been running.
func duration(start, end int64, status store.RunStatus) string {
	if start <= 0 {
		return ""
	}
	if end <= 0 {
		if status.Terminal() {
			return ""
		}
		end = now().UnixMilli()
	}
	d := time.Duration(end-start) * time.Millisecond
	switch {
	case d < 0:
		return ""
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
}

// short shows a metric value to 6 significant digits: enough to compare
// runs in a table; full shows it exactly.
func short(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return full(v)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func full(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// humanSize shows a file size in bytes, KB, MB or GB.
func humanSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " KB"
	case n < 1000*1000*1000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + " GB"
}

// statusClass is the CSS class of a run status badge.
func statusClass(s string) string {
	switch store.RunStatus(s) {
	case store.StatusFinished:
		return "ok"
	case store.StatusFailed, store.StatusKilled:
		return "bad"
	case store.StatusRunning:
		return "live"
	}
	return ""
}

// baseName is the last element of a source path, as MLflow's table shows it.
func baseName(p string) string {
	if p == "" {
		return ""
	}
	return path.Base(p)
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

func itoa(i int) string { return strconv.Itoa(i) }

func atoiDefault(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}
