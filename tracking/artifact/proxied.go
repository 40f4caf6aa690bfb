package artifact

import (
	"path/filepath"
	"strings"
)

// proxyScheme starts the artifact locations of runs logged through MLflow's
// own server in its default proxy mode (mlflow server --serve-artifacts).
const proxyScheme = "mlflow-artifacts:"

// IsProxied reports whether uri is an mlflow-artifacts: location, whose
// files a tracking server keeps under its artifact root.
func IsProxied(uri string) bool { return strings.HasPrefix(uri, proxyScheme) }

// ProxiedPath returns the folder under root, a server's artifact root (its
// --artifacts-destination), that an mlflow-artifacts: location names.
// mlflow-artifacts://host:port/path names a server; only its path counts.
// The path goes through CleanPath; a location that is not mlflow-artifacts:,
// whose path is refused, or that names root itself is a *PathError.
func ProxiedPath(root, uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, proxyScheme)
	if !ok {
		return "", &PathError{Path: uri, Reason: "is not an mlflow-artifacts: location"}
	}
	if strings.HasPrefix(rest, "//") {
		if i := strings.Index(rest[2:], "/"); i >= 0 {
			rest = rest[2+i:]
		} else {
			rest = ""
		}
	}
	clean, err := CleanPath(strings.Trim(rest, "/"))
	if err != nil {
		return "", err
	}
	if clean == "" {
		return "", &PathError{Path: uri, Reason: "names the whole artifact root"}
	}
	return filepath.Join(root, filepath.FromSlash(clean)), nil
}
