package tracking

import (
	"fmt"
	"math/rand/v2"
)

// Word lists for run names. grove's own, in MLflow's shape
// (adjective-noun-number), so a grove run sits naturally among MLflow's.
var (
	nameAdjectives = []string{
		"amber", "ancient", "bold", "brave", "bright", "calm", "clever", "crisp",
		"dapper", "eager", "fancy", "gentle", "glad", "golden", "grand", "happy",
		"hazy", "honest", "jolly", "keen", "kind", "lively", "lucky", "merry",
		"misty", "nimble", "noble", "patient", "placid", "proud", "quiet", "quick",
		"rare", "rustic", "serene", "shy", "silent", "smart", "steady", "sunny",
		"swift", "tidy", "upbeat", "valiant", "vivid", "warm", "wise", "witty",
	}
	nameNouns = []string{
		"alder", "ash", "aspen", "badger", "beech", "birch", "bramble", "cedar",
		"elm", "fern", "finch", "fir", "fox", "hare", "hazel", "heron",
		"holly", "ivy", "juniper", "larch", "laurel", "linden", "lynx", "maple",
		"marten", "moss", "oak", "otter", "owl", "pine", "poplar", "rowan",
		"sequoia", "sparrow", "spruce", "stoat", "sycamore", "thrush", "vole", "walnut",
		"willow", "wren", "yew", "acorn", "bracken", "clover", "sorrel", "thistle",
	}
)

// GenerateRunName returns a fresh run name such as "brave-owl-417", for runs
// started without one.
func GenerateRunName() string {
	return fmt.Sprintf("%s-%s-%d",
		nameAdjectives[rand.IntN(len(nameAdjectives))],
		nameNouns[rand.IntN(len(nameNouns))],
		rand.IntN(1000))
}
