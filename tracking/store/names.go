package store

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
)

// MaxGeneratedNameLength is the longest name GenerateRunName returns, MLflow's
// own cap on the names it makes up, so a grove name never stands out in
// `mlflow ui` or overflows a column MLflow sized for its own.
const MaxGeneratedNameLength = 20

// Words for generated run and model names. They are grove's own lists; only
// the shape (adjective-noun-number) follows MLflow, so names look familiar
// beside MLflow's. Every pairing fits MaxGeneratedNameLength (a test holds
// the lists to that), so the retry in GenerateRunName is a guard, not a loop
// that normally spins.
var (
	nameAdjectives = []string{
		"amber", "ancient", "bold", "brave", "bright", "calm", "clever", "crisp",
		"dapper", "eager", "fancy", "fleet", "gentle", "glad", "golden", "grand",
		"happy", "hazy", "honest", "jolly", "keen", "kind", "lively", "lucky",
		"merry", "mighty", "misty", "nimble", "noble", "patient", "placid", "polite",
		"proud", "quick", "quiet", "rapid", "rare", "rustic", "serene", "shy",
		"silent", "sleek", "smart", "snug", "steady", "sunny", "swift", "tidy",
		"upbeat", "valiant", "vivid", "warm", "wise", "witty", "young", "zesty",
	}
	nameNouns = []string{
		"acorn", "alder", "ash", "aspen", "badger", "bark", "beech", "birch",
		"bracken", "bramble", "branch", "bud", "canopy", "cedar", "cherry", "clover",
		"cone", "cypress", "elm", "fern", "fig", "finch", "fir", "fox",
		"ginkgo", "grove", "hare", "hazel", "heron", "holly", "ivy", "juniper",
		"larch", "laurel", "leaf", "linden", "lynx", "maple", "marten", "moss",
		"oak", "olive", "otter", "owl", "palm", "pine", "poplar", "root",
		"rowan", "sapling", "seed", "sequoia", "shoot", "sorrel", "sparrow", "spruce",
		"stoat", "stump", "sumac", "sycamore", "thicket", "thistle", "thrush", "trunk",
		"twig", "vole", "walnut", "willow", "wren", "yew",
	}
)

// GenerateRunName returns a random name such as "swift-maple-417", of at most
// MaxGeneratedNameLength characters: the shape MLflow gives runs and logged
// models created without a name. Every store and the tracking client use it,
// so a run is named alike whichever of them names it.
func GenerateRunName() string {
	for {
		n := nameAdjectives[rand.IntN(len(nameAdjectives))] + "-" +
			nameNouns[rand.IntN(len(nameNouns))] + "-" + strconv.Itoa(rand.IntN(1000))
		if len(n) <= MaxGeneratedNameLength {
			return n
		}
	}
}

// TagRunName is the run tag MLflow keeps a run's name in.
const TagRunName = "mlflow.runName"

// NameAndTags resolves the name of the run r creates as MLflow does: r's
// RunName, else the value of its mlflow.runName tag, else a generated name.
// It returns the name and a copy of r's tags, with mlflow.runName added when
// r has none; a RunName that differs from the tag is an error. Every store
// that creates runs itself resolves names here, so they all agree.
func (r CreateRunRequest) NameAndTags() (string, []Tag, error) {
	tags := slices.Clone(r.Tags)
	tagName := ""
	for _, t := range tags {
		if t.Key == TagRunName {
			tagName = t.Value
		}
	}
	if r.RunName != "" && tagName != "" && r.RunName != tagName {
		return "", nil, Errorf(CodeInvalidParameter, "run name %q and tag %s=%q differ", r.RunName, TagRunName, tagName)
	}
	name := cmp.Or(r.RunName, tagName)
	if name == "" {
		name = GenerateRunName()
	}
	if tagName == "" {
		tags = append(tags, Tag{Key: TagRunName, Value: name})
	}
	return name, tags, nil
}
