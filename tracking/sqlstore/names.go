package sqlstore

import (
	"math/rand/v2"
	"strconv"
)

// Words for generated run and model names. They are grove's own lists; only
// the shape (adjective-noun-number, at most 20 characters) follows MLflow,
// so names look familiar in `mlflow ui`.
var (
	nameAdjectives = []string{
		"amber", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper",
		"eager", "fancy", "fleet", "gentle", "glad", "grand", "happy", "honest",
		"jolly", "keen", "kind", "lively", "lucky", "merry", "mighty", "nimble",
		"noble", "patient", "placid", "polite", "proud", "quick", "quiet", "rapid",
		"shy", "silent", "sleek", "smart", "snug", "sunny", "swift", "tidy",
		"upbeat", "valiant", "vivid", "warm", "wise", "witty", "young", "zesty",
	}
	nameNouns = []string{
		"alder", "ash", "aspen", "birch", "cedar", "cherry", "cypress", "elm",
		"fig", "fir", "ginkgo", "hazel", "holly", "juniper", "larch", "laurel",
		"linden", "maple", "oak", "olive", "palm", "pine", "poplar", "rowan",
		"sequoia", "spruce", "sumac", "walnut", "willow", "yew", "acorn", "bark",
		"branch", "bud", "canopy", "cone", "fern", "grove", "leaf", "moss",
		"root", "sapling", "seed", "shoot", "stump", "thicket", "trunk", "twig",
	}
)

// GenerateName returns a random name such as "swift-maple-417", the shape
// MLflow gives runs and logged models created without a name.
func GenerateName() string {
	for {
		n := nameAdjectives[rand.IntN(len(nameAdjectives))] + "-" +
			nameNouns[rand.IntN(len(nameNouns))] + "-" + strconv.Itoa(rand.IntN(1000))
		if len(n) <= 20 {
			return n
		}
	}
}
