package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// Mount MLflow's tracking API in a program of your own, over a SQLite
// store, behind the Host check.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "grove-server")
	defer os.RemoveAll(dir)
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: filepath.Join(dir, "mlruns")})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	api := server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(dir, "mlruns")})
	srv := httptest.NewServer(server.Protect(api, server.Guard{}))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/api/2.0/mlflow/experiments/create", "application/json", strings.NewReader(`{"name": "iris"}`))
	if err != nil {
		log.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(b))

	resp, err = http.Get(srv.URL + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope")
	if err != nil {
		log.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(b))
	// Output:
	// 200 {"experiment_id":"1"}
	// 404 {"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Could not find experiment with name 'nope'","sqlstate":"KAM00","error_class":"RESOURCE_NOT_FOUND"}
}

// Require credentials from an htpasswd file of bcrypt hashes (htpasswd -B).
func ExampleParseHtpasswd() {
	users, err := server.ParseHtpasswd(strings.NewReader("alice:$2a$04$ko79t3.sSImBFlECkRVHAOLemp8iVssbArElcGMIyrwJXZ6lPJvGK\n"), "team.htpasswd")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(users.Check("alice", "s3cret"), users.Check("alice", "wrong"), users.Check("bob", "s3cret"))
	// Output:
	// true false false
}

// Sample two runs' histories as get-history-bulk-interval does: the same
// steps for both, evenly spaced, with each run's first and last.
func ExampleSampleHistories() {
	var a, b []store.Metric
	for step := range int64(10) {
		a = append(a, store.Metric{Key: "loss", Value: float64(10 - step), Step: step})
	}
	for step := int64(0); step < 10; step += 3 {
		b = append(b, store.Metric{Key: "loss", Value: float64(20 - step), Step: step})
	}
	for _, pts := range server.SampleHistories([][]store.Metric{a, b}, 4, nil, nil) {
		var steps []int64
		for _, p := range pts {
			steps = append(steps, p.Step)
		}
		fmt.Println(steps)
	}
	// Output:
	// [0 2 5 7 9]
	// [0 9]
}
