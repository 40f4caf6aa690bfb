// Command serverload measures grove's tracking server under load, the
// operations and experiment of issue 14's table: it starts the server over
// a fresh SQLite store in a child process bound to loopback, builds an
// experiment of -runs runs through the REST API (10 params, 10 metrics and
// 5 tags each; the first run also holds a 10,000-point history), then runs
// each operation from -clients concurrent clients for -duration and prints
// requests per second, p50 and p99, the server's CPU time per request (the
// figure least moved by other work on the machine), the error count, and
// the server's peak resident memory.
//
//	go run ./serverload -duration 10s -clients 8
//
// -cpuprofile DIR writes the server's CPU profile of each operation to
// DIR/opN.pprof (N in the order printed), for go tool pprof.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
)

func main() {
	serveDir := flag.String("serve-child", "", "internal: serve a store in this folder and print the URL")
	duration := flag.Duration("duration", 10*time.Second, "how long each operation runs")
	clients := flag.Int("clients", 8, "concurrent clients")
	runs := flag.Int("runs", 1000, "runs in the experiment")
	profDir := flag.String("cpuprofile", "", "write the server's CPU profile of each operation into this folder")
	flag.Parse()
	if *serveDir != "" {
		if err := serveChild(*serveDir, *profDir != ""); err != nil {
			fmt.Fprintln(os.Stderr, "serverload:", err)
			os.Exit(1)
		}
		return
	}
	if *duration <= 0 || *duration > 5*time.Minute || *clients < 1 || *clients > 64 || *runs < 1 || *runs > 100000 {
		fmt.Fprintln(os.Stderr, "serverload: -duration must be in (0, 5m], -clients in [1, 64], -runs in [1, 100000]")
		os.Exit(2)
	}
	if err := run(*duration, *clients, *runs, *profDir); err != nil {
		fmt.Fprintln(os.Stderr, "serverload:", err)
		os.Exit(1)
	}
}

// serveChild serves a fresh store until its stdin closes, and net/http/pprof
// beside it when profile is set.
func serveChild(dir string, profile bool) error {
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: filepath.Join(dir, "mlruns")})
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var h http.Handler = server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(dir, "mlruns")})
	if profile {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.Handle("/", h)
		h = mux
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Printf("http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	return srv.Close()
}

type client struct {
	base string
	hc   *http.Client
}

func (c *client) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %d %.200s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func run(duration time.Duration, clients, nruns int, profDir string) error {
	dir, err := os.MkdirTemp("", "grove-serverload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := []string{"-serve-child", dir}
	if profDir != "" {
		if err := os.MkdirAll(profDir, 0o755); err != nil {
			return err
		}
		args = append(args, "-cpuprofile", profDir)
	}
	child := exec.Command(os.Args[0], args...)
	stdin, err := child.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		child.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("the server did not start: %w", err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2}
	url := strings.TrimSpace(line)
	c := &client{base: url + "/api/2.0/mlflow/", hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}

	start := time.Now()
	exp, ids, err := build(c, nruns)
	if err != nil {
		return err
	}
	fmt.Printf("built %d runs through the API in %.1f s (server pid %d)\n", nruns, time.Since(start).Seconds(), child.Process.Pid)

	// A filter over metrics and params that about 600 runs pass, ordered
	// by a metric: the page is full, as in issue 14's measurement.
	filtered := map[string]any{"experiment_ids": []string{exp}, "max_results": 100,
		"filter": "metrics.m0 >= 0.3 and params.p0 != 'v0'", "order_by": []string{"metrics.m1 DESC"}}
	var first struct {
		Runs []json.RawMessage `json:"runs"`
	}
	if err := c.call("POST", "runs/search", filtered, &first); err != nil {
		return err
	}
	if len(first.Runs) != 100 {
		return fmt.Errorf("the filtered search found %d runs, want a page of 100", len(first.Runs))
	}
	var created atomic.Int64
	ops := []struct {
		name string
		do   func(r *rand.Rand) (int, error)
	}{
		{"search, filter + order, 100 rows", func(*rand.Rand) (int, error) { return 1, c.call("POST", "runs/search", filtered, nil) }},
		{"page through all runs (100 a page)", func(*rand.Rand) (int, error) { return pageAll(c, exp) }},
		{"get run", func(r *rand.Rand) (int, error) {
			return 1, c.call("GET", "runs/get?run_id="+ids[r.IntN(len(ids))], nil, nil)
		}},
		{"10,000-point metric history", func(*rand.Rand) (int, error) {
			return 1, c.call("GET", "metrics/get-history?run_id="+ids[0]+"&metric_key=history&max_results=25000", nil, nil)
		}},
		{"log-batch of 10 metrics", func(r *rand.Rand) (int, error) {
			ms := make([]map[string]any, 10)
			ts := time.Now().UnixMilli()
			for i := range ms {
				ms[i] = map[string]any{"key": fmt.Sprintf("m%d", i), "value": r.Float64(), "timestamp": ts, "step": r.Int64N(1 << 40)}
			}
			return 1, c.call("POST", "runs/log-batch", map[string]any{"run_id": ids[r.IntN(len(ids))], "metrics": ms}, nil)
		}},
		{"create run", func(*rand.Rand) (int, error) {
			created.Add(1)
			return 1, c.call("POST", "runs/create", map[string]any{"experiment_id": exp, "start_time": time.Now().UnixMilli()}, nil)
		}},
	}
	fmt.Printf("%d clients, %s per operation\n\n", clients, duration)
	fmt.Printf("%-44s %10s %10s %10s %10s %7s\n", "operation", "per s", "p50 ms", "p99 ms", "cpu ms", "errors")
	total := 0
	for i, op := range ops {
		var prof chan error
		if profDir != "" {
			prof = make(chan error, 1)
			go func() { prof <- fetchProfile(url, duration, filepath.Join(profDir, fmt.Sprintf("op%d.pprof", i+1))) }()
		}
		cpu0 := cpuTime(child.Process.Pid)
		lat, errs, firstErr := load(clients, duration, op.do)
		cpu := cpuTime(child.Process.Pid) - cpu0
		if prof != nil {
			if err := <-prof; err != nil {
				return err
			}
		}
		rate := float64(len(lat)) / duration.Seconds()
		cpuPer := 0.0
		if len(lat) > 0 {
			cpuPer = float64(cpu.Microseconds()) / 1000 / float64(len(lat))
		}
		fmt.Printf("%-44s %10.1f %10.2f %10.2f %10.3f %7d\n", op.name, rate, pct(lat, 0.5), pct(lat, 0.99), cpuPer, errs)
		if firstErr != nil {
			fmt.Printf("  first error: %v\n", firstErr)
		}
		total += errs
	}
	fmt.Printf("\nserver peak RSS: %s\n", peakRSS(child.Process.Pid))
	if total > 0 {
		return fmt.Errorf("%d requests failed", total)
	}
	return nil
}

// load runs do from n goroutines for d and returns each call's latency.
func load(n int, d time.Duration, do func(*rand.Rand) (int, error)) ([]time.Duration, int, error) {
	var mu sync.Mutex
	var all []time.Duration
	var errs int
	var first error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				_, err := do(r)
				el := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
				mu.Unlock()
				if err == nil {
					mine = append(mine, el)
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs, first
}

// fetchProfile writes the server's CPU profile over the next d to file.
func fetchProfile(url string, d time.Duration, file string) error {
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", url, max(1, int(d.Seconds()))))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

func pct(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}

func pageAll(c *client, exp string) (int, error) {
	tok, n := "", 0
	for {
		body := map[string]any{"experiment_ids": []string{exp}, "max_results": 100}
		if tok != "" {
			body["page_token"] = tok
		}
		var out struct {
			NextPageToken string `json:"next_page_token"`
		}
		if err := c.call("POST", "runs/search", body, &out); err != nil {
			return n, err
		}
		n++
		if out.NextPageToken == "" {
			return n, nil
		}
		tok = out.NextPageToken
	}
}

// build makes the experiment: runs of 10 params, 10 metrics and 5 tags,
// the first with a 10,000-point history, created 8 at a time.
func build(c *client, n int) (string, []string, error) {
	var e struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := c.call("POST", "experiments/create", map[string]any{"name": "load"}, &e); err != nil {
		return "", nil, err
	}
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := buildRun(c, e.ExperimentID, i, ids); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return "", nil, firstErr
	}
	// The history: 10,000 points in batches of 1,000.
	for b := range 10 {
		ms := make([]map[string]any, 1000)
		for i := range ms {
			step := b*1000 + i
			ms[i] = map[string]any{"key": "history", "value": float64(step) / 10000, "timestamp": 1_700_000_000_000 + step, "step": step}
		}
		if err := c.call("POST", "runs/log-batch", map[string]any{"run_id": ids[0], "metrics": ms}, nil); err != nil {
			return "", nil, err
		}
	}
	return e.ExperimentID, ids, nil
}

func cmpErr(a, b error) error { return errors.Join(a, b) }

func buildRun(c *client, exp string, i int, ids []string) error {
	var r struct {
		Run struct {
			Info struct {
				RunID string `json:"run_id"`
			} `json:"info"`
		} `json:"run"`
	}
	if err := c.call("POST", "runs/create", map[string]any{"experiment_id": exp, "run_name": fmt.Sprintf("run-%04d", i),
		"start_time": 1_700_000_000_000 + i*1000}, &r); err != nil {
		return err
	}
	ids[i] = r.Run.Info.RunID
	var params, tags, metrics []map[string]any
	for k := range 10 {
		params = append(params, map[string]any{"key": fmt.Sprintf("p%d", k), "value": fmt.Sprintf("v%d", (i+k)%7)})
		metrics = append(metrics, map[string]any{"key": fmt.Sprintf("m%d", k), "value": float64((i*31+k*17)%100) / 100, "timestamp": 1_700_000_000_000 + i, "step": 0})
	}
	for k := range 5 {
		tags = append(tags, map[string]any{"key": fmt.Sprintf("t%d", k), "value": fmt.Sprintf("tag-%d", i%(k+2))})
	}
	return c.call("POST", "runs/log-batch", map[string]any{"run_id": ids[i], "params": params, "metrics": metrics, "tags": tags}, nil)
}

// cpuTime reads the CPU time a process has used so far (Linux, in clock
// ticks of 10 ms), 0 when it cannot.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which ends with the last ')':
	// utime and stime are the 12th and 13th of them.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ticks int64
	for _, v := range f[11:13] {
		var n int64
		fmt.Sscan(v, &n)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// peakRSS reads a process's high-water resident memory (Linux).
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
