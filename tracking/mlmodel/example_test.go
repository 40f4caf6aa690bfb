package mlmodel_test

import (
	"fmt"
	"log"
	"time"

	"github.com/grove-ml/grove/tracking/mlmodel"
)

// Write an MLmodel file for a model with one flavor and a signature, then
// read it back.
func ExampleParse() {
	m := &mlmodel.Model{
		ArtifactPath: "/tmp/mlruns/1/models/m-1/artifacts",
		Flavors:      map[string]map[string]any{"grove": {"model_file": "model.grove", "format_version": 1}},
		ModelID:      "m-1",
		RunID:        "0123456789abcdef0123456789abcdef",
		Signature: &mlmodel.Signature{
			Inputs:  mlmodel.ColSpec([]string{"petal width (cm)"}, "double"),
			Outputs: mlmodel.TensorSpec("int64", -1),
		},
		Created: time.Date(2026, 11, 27, 10, 12, 22, 0, time.UTC),
	}
	text := m.Marshal()
	fmt.Print(string(text))

	back, err := mlmodel.Parse(text)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Flavors["grove"]["format_version"], back.Signature.Outputs == m.Signature.Outputs)
	// Output:
	// artifact_path: /tmp/mlruns/1/models/m-1/artifacts
	// flavors:
	//   grove:
	//     format_version: 1
	//     model_file: model.grove
	// model_id: m-1
	// model_uuid: m-1
	// run_id: '0123456789abcdef0123456789abcdef'
	// signature:
	//   inputs: '[{"type": "double", "name": "petal width (cm)", "required": true}]'
	//   outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
	//   params: null
	// utc_time_created: '2026-11-27 10:12:22.000000'
	// 1 true
}
