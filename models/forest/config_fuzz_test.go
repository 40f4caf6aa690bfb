package forest

import "testing"

// FuzzResolve feeds MaxFeatures and MaxSamples spellings, which come from
// command-line flags, to the parser: it must never panic, and what it
// accepts must be a usable feature count and sample size.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"", "sqrt", "log2", "all", "None", "7", "0.5", "1.0", "-1", "1e3", ".5", "9999999999999999999"} {
		f.Add(s, s, 100, 10)
	}
	f.Fuzz(func(t *testing.T, mf, ms string, rows, features int) {
		if rows < 1 || features < 1 || rows > 1<<20 || features > 1<<12 {
			return
		}
		s, err := Config{MaxFeatures: mf, MaxSamples: ms}.resolve(rows, features)
		if err != nil {
			return
		}
		if s.mtry < 1 || s.mtry > features {
			t.Fatalf("MaxFeatures %q with %d features gives %d", mf, features, s.mtry)
		}
		if s.nBootstrap < 1 || s.nBootstrap > rows {
			t.Fatalf("MaxSamples %q with %d rows gives %d", ms, rows, s.nBootstrap)
		}
	})
}
