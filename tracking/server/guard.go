package server

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Guard says who may reach a handler wrapped by Protect.
type Guard struct {
	// AllowedHosts are the Host header values accepted besides loopback
	// names (localhost, 127.0.0.1, [::1]) and private network addresses
	// (10.*, 172.16-31.*, 192.168.*, fc00::/7), as MLflow 3 accepts: a
	// name, a name:port, "*.suffix" or "*" for any. Refusing other hosts
	// stops DNS rebinding: a page elsewhere whose name resolves to this
	// machine cannot use the API.
	AllowedHosts []string
	// CORSOrigins are the origins ("https://app.example.com", or "*") whose
	// browser pages may read the API's answers and change things. None by
	// default: the server sends no CORS headers, and refuses a POST, PUT,
	// PATCH or DELETE that a page of another origin than this machine's
	// sends, as MLflow 3 does.
	CORSOrigins []string
	// Users, when not nil, makes every request need HTTP basic credentials
	// that it accepts.
	Users *Htpasswd
}

// Protect wraps h with g's checks: the Host header, CORS and credentials.
func Protect(h http.Handler, g Guard) http.Handler {
	return &guarded{h: h, g: g}
}

type guarded struct {
	h http.Handler
	g Guard
}

func (p *guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.hostAllowed(r.Host) {
		// MLflow's words, which clients recognise.
		http.Error(w, "Invalid Host header - possible DNS rebinding attack detected", http.StatusForbidden)
		return
	}
	origin := r.Header.Get("Origin")
	if origin != "" && changes(r.Method) && !p.originAllowed(origin) && !localOrigin(origin) && !sameOrigin(origin, r.Host) {
		http.Error(w, "Cross-origin request blocked: origin "+origin+" is not allowed", http.StatusForbidden)
		return
	}
	if origin != "" && p.originAllowed(origin) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if p.g.Users != nil {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if p.g.Users != nil {
		user, pass, ok := r.BasicAuth()
		if !ok || !p.g.Users.Check(user, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="mlflow"`)
			http.Error(w, "You are not authenticated. Please provide valid credentials.", http.StatusUnauthorized)
			return
		}
	}
	p.h.ServeHTTP(w, r)
}

// hostAllowed reports whether a request's Host names this server.
func (p *guarded) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if IsLoopback(host) || host == "0.0.0.0" {
		return true
	}
	// An address, not a name, cannot be rebound; MLflow accepts the
	// private ones.
	if ip := net.ParseIP(host); ip != nil && ip.IsPrivate() {
		return true
	}
	for _, a := range p.g.AllowedHosts {
		a = strings.ToLower(strings.TrimSpace(a))
		switch {
		case a == "*":
			return true
		case strings.HasPrefix(a, "*."):
			if strings.HasSuffix(host, a[1:]) {
				return true
			}
		case a == strings.ToLower(hostport) || strings.Trim(a, "[]") == host:
			return true
		}
	}
	return false
}

func (p *guarded) originAllowed(origin string) bool {
	for _, o := range p.g.CORSOrigins {
		if o = strings.TrimSpace(o); o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// changes reports whether a request of this method may change things.
func changes(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// localOrigin reports whether a page's origin is this machine.
func localOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && IsLoopback(u.Hostname())
}

// sameOrigin reports whether a page of origin was served by this server
// under the name the request uses: not a cross-origin request at all.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

// IsLoopback reports whether host (a name or an address, without port)
// names this machine only.
func IsLoopback(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Htpasswd is a set of users and their bcrypt password hashes, as
// Apache's htpasswd -B writes them ("name:$2y$..."). It is safe for
// concurrent use.
type Htpasswd struct {
	hashes map[string][]byte
	mu     sync.Mutex
	// ok remembers credentials that passed, by a hash of both, so that
	// bcrypt's deliberate slowness is paid once per user and not on every
	// request of a training loop.
	ok map[[32]byte]bool
}

// ReadHtpasswd reads an htpasswd file. Only bcrypt hashes are accepted:
// the older MD5 and SHA-1 forms are too weak to guard a server.
func ReadHtpasswd(path string) (*Htpasswd, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("server: auth file: %w", err)
	}
	defer f.Close()
	return ParseHtpasswd(f, path)
}

// ParseHtpasswd reads htpasswd lines from r; name is used in errors.
func ParseHtpasswd(r io.Reader, name string) (*Htpasswd, error) {
	h := &Htpasswd{hashes: map[string][]byte{}, ok: map[[32]byte]bool{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, found := strings.Cut(line, ":")
		if !found || user == "" {
			return nil, fmt.Errorf("server: auth file %s line %d: want name:hash", name, n)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("server: auth file %s line %d: user %q: only bcrypt hashes are accepted (htpasswd -B)", name, n, user)
		}
		h.hashes[user] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("server: auth file %s: %w", name, err)
	}
	if len(h.hashes) == 0 {
		return nil, fmt.Errorf("server: auth file %s has no users", name)
	}
	return h, nil
}

// Check reports whether user and password match an entry.
func (h *Htpasswd) Check(user, password string) bool {
	hash, ok := h.hashes[user]
	if !ok {
		// Spend the time a real check takes, so that timing does not tell
		// which names exist.
		bcrypt.CompareHashAndPassword([]byte("$2a$10$0000000000000000000000000000000000000000000000000000"), []byte(password))
		return false
	}
	key := sha256.Sum256([]byte(user + "\x00" + password + "\x00" + string(hash)))
	h.mu.Lock()
	seen := h.ok[key]
	h.mu.Unlock()
	if seen {
		return true
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return false
	}
	h.mu.Lock()
	if len(h.ok) > 1000 {
		clear(h.ok)
	}
	h.ok[key] = true
	h.mu.Unlock()
	return true
}
