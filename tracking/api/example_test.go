package api_test

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

func ExampleErrorOf() {
	body, status := api.ErrorOf(store.Errorf(store.CodeNotFound, "Run with id=abc not found"))
	b, _ := json.Marshal(body)
	fmt.Println(status, string(b))
	// Output:
	// 404 {"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run with id=abc not found","sqlstate":"KAM00","error_class":"RESOURCE_NOT_FOUND"}
}

func ExampleRunOf() {
	run := &store.Run{Info: store.RunInfo{RunID: "r1", ExperimentID: "1", Status: store.StatusRunning, StartTime: 1000}}
	run.Data.Metrics = []store.Metric{{Key: "loss", Value: math.NaN(), Timestamp: 1001}}
	b, _ := json.Marshal(api.RunOf(run))
	fmt.Println(string(b))
	// Output:
	// {"info":{"run_uuid":"r1","experiment_id":"1","run_name":"","user_id":"","status":"RUNNING","start_time":1000,"artifact_uri":"","lifecycle_stage":"","run_id":"r1"},"data":{"metrics":[{"key":"loss","value":"NaN","timestamp":1001,"step":0}]},"inputs":{},"outputs":{}}
}
