package store_test

import (
	"errors"
	"fmt"

	"github.com/grove-ml/grove/tracking/store"
)

// Check keys by MLflow's rules before sending them anywhere.
func ExampleCheckKey() {
	fmt.Println(store.CheckKey("metric", "training_accuracy_score/fold-3"))
	err := store.CheckKey("metric", "bad/../key")
	fmt.Println(errors.Is(err, store.ErrInvalidParameter))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// INVALID_PARAMETER_VALUE: metric key "bad/../key" would resolve to "key" when used as a file name; MLflow refuses such keys
}

// A store that also implements Manager answers MLflow's view types.
func ExampleParseViewType() {
	v, err := store.ParseViewType("DELETED_ONLY")
	fmt.Println(err, v.Sees(store.LifecycleDeleted), v.Sees(store.LifecycleActive))
	_, err = store.ParseViewType("SOME")
	fmt.Println(err)
	// Output:
	// <nil> true false
	// INVALID_PARAMETER_VALUE: Invalid view_type "SOME": it must be ACTIVE_ONLY, DELETED_ONLY or ALL
}
