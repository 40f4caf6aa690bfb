package forest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// The model file, version 1. All integers are little-endian; "uvarint" is
// encoding/binary's unsigned varint.
//
//	magic     8 bytes  "GROVEFST"
//	version   uint32   1
//	length    uint64   payload bytes
//	payload   length bytes:
//	  uvarint n, then n bytes: the Config as JSON
//	  uvarint classes, uvarint features, uvarint trees
//	  features x float64: feature importances
//	  byte has-OOB, float64 OOB score
//	  per tree: uvarint node count, then the nodes in preorder (a node's
//	  left child follows it; its right child follows its left subtree):
//	    uvarint h
//	    h >= 3: split on feature (h-3)/2, then float64 threshold: rows with
//	            x <= threshold go left; the next node is the left child
//	            when (h-3) is even, the right child when it is odd
//	    h == 0: leaf, classes x uvarint integral class weights
//	    h == 1: leaf, classes x float64 class weights
//	    h == 2: pure leaf, uvarint class, uvarint its integral weight
//	checksum  uint32   CRC-32C (Castagnoli) of everything before it
//
// A split takes 9 or 10 bytes and a pure leaf of integral weight (bootstrap
// counts, the usual case in a fully grown tree) 3, so such a tree costs
// about 6 bytes per node whatever the number of classes.
const (
	fileMagic   = "GROVEFST"
	fileVersion = 1
	headerSize  = 8 + 4 + 8
)

// newestPlausible is the highest version field Load takes for a newer
// grove's format rather than for damage. Versions grow by one with each
// change of layout, so a number far above fileVersion (a flipped high bit,
// a stray byte) is far likelier to be a corrupted field than a file from
// the future.
const newestPlausible = fileVersion + 15

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors that Load wraps, for errors.Is.
var (
	ErrNotModel   = errors.New("forest: not a grove forest model file")
	ErrNewer      = errors.New("forest: model file was written by a newer grove")
	ErrTruncated  = errors.New("forest: model file is truncated")
	ErrCorrupted  = errors.New("forest: model file is corrupted")
	errBadPayload = fmt.Errorf("%w: bad payload", ErrCorrupted)
)

// ModelFormat names the model file format Save writes and its version.
func (f *Forest) ModelFormat() (string, int) { return "grove-forest", fileVersion }

// Save writes the fitted forest in grove's model file format.
func (f *Forest) Save(w io.Writer) error {
	if len(f.trees) == 0 {
		return ErrNotFitted
	}
	cfgJSON, err := json.Marshal(f.cfg)
	if err != nil {
		return fmt.Errorf("forest: encode config: %w", err)
	}
	var p []byte
	p = binary.AppendUvarint(p, uint64(len(cfgJSON)))
	p = append(p, cfgJSON...)
	p = binary.AppendUvarint(p, uint64(f.k))
	p = binary.AppendUvarint(p, uint64(f.d))
	p = binary.AppendUvarint(p, uint64(len(f.trees)))
	for _, v := range f.importances {
		p = binary.LittleEndian.AppendUint64(p, math.Float64bits(v))
	}
	if f.hasOOB {
		p = append(p, 1)
	} else {
		p = append(p, 0)
	}
	p = binary.LittleEndian.AppendUint64(p, math.Float64bits(f.oob))
	for _, t := range f.trees {
		p = binary.AppendUvarint(p, uint64(len(t.nodes)))
		for j, n := range t.nodes {
			if int(n.right) != j {
				f := uint64(n.feat&^flipBit) * 2
				if n.feat < 0 {
					f++
				}
				p = binary.AppendUvarint(p, f+3)
				p = binary.LittleEndian.AppendUint64(p, math.Float64bits(n.thr))
				continue
			}
			leaf := int(n.feat)
			v := t.value[leaf*f.k : (leaf+1)*f.k]
			if c := pureClass(v); c >= 0 && integral(v) {
				p = append(p, 2)
				p = binary.AppendUvarint(p, uint64(c))
				p = binary.AppendUvarint(p, uint64(v[c]))
			} else if integral(v) {
				p = append(p, 0)
				for _, x := range v {
					p = binary.AppendUvarint(p, uint64(x))
				}
			} else {
				p = append(p, 1)
				for _, x := range v {
					p = binary.LittleEndian.AppendUint64(p, math.Float64bits(x))
				}
			}
		}
	}
	buf := make([]byte, 0, headerSize+len(p)+4)
	buf = append(buf, fileMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, fileVersion)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(p)))
	buf = append(buf, p...)
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("forest: write model: %w", err)
	}
	return nil
}

// pureClass returns the only class with weight in v, or -1.
func pureClass(v []float64) int {
	c := -1
	for i, x := range v {
		if x != 0 {
			if c >= 0 {
				return -1
			}
			c = i
		}
	}
	return c
}

func integral(v []float64) bool {
	for _, x := range v {
		if !(x >= 0 && x < 1<<53 && x == math.Trunc(x)) {
			return false
		}
	}
	return true
}

// Load reads a forest that Save wrote. A file that is not a grove forest,
// is cut short, or is damaged (its checksum fails, or its version field
// holds a number no grove writes) is an error that wraps ErrNotModel,
// ErrTruncated or ErrCorrupted; a file of a later format version, which a
// newer grove wrote, is one that wraps ErrNewer.
func Load(r io.Reader) (*Forest, error) {
	var hdr [headerSize]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n >= len(fileMagic) && string(hdr[:len(fileMagic)]) == fileMagic {
			return nil, fmt.Errorf("%w: header has %d of %d bytes", ErrTruncated, n, headerSize)
		}
		if n < len(fileMagic) && n > 0 && string(hdr[:n]) == fileMagic[:n] {
			return nil, fmt.Errorf("%w: header has %d of %d bytes", ErrTruncated, n, headerSize)
		}
		return nil, ErrNotModel
	}
	if string(hdr[:8]) != fileMagic {
		return nil, ErrNotModel
	}
	v := binary.LittleEndian.Uint32(hdr[8:])
	if v != fileVersion {
		return nil, versionError(hdr, v, r)
	}
	payload, err := readPayload(hdr, r)
	if err != nil {
		return nil, err
	}
	f, err := decodePayload(payload)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// readPayload reads the payload and checksum that follow hdr, and checks
// the checksum.
func readPayload(hdr [headerSize]byte, r io.Reader) ([]byte, error) {
	length := binary.LittleEndian.Uint64(hdr[12:])
	if length > math.MaxInt64-4 {
		return nil, fmt.Errorf("%w: payload length %d", ErrCorrupted, length)
	}
	// Grow the buffer as bytes arrive rather than trusting the length, so
	// a corrupted length cannot make us allocate a huge block.
	var body bytes.Buffer
	want := int64(length) + 4
	if n, err := io.CopyN(&body, r, want); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %d of %d bytes after the header", ErrTruncated, n, want)
		}
		return nil, fmt.Errorf("forest: read model: %w", err)
	}
	all := body.Bytes()
	payload, sum := all[:length], all[length:]
	if checksum(hdr, payload) != binary.LittleEndian.Uint32(sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupted)
	}
	return payload, nil
}

func checksum(hdr [headerSize]byte, payload []byte) uint32 {
	h := crc32.New(castagnoli)
	h.Write(hdr[:])
	h.Write(payload)
	return h.Sum32()
}

// versionError explains a version field v that is not fileVersion: a
// newer grove's file when v is plausibly a later version, damage
// otherwise. A plausible v is still damage when the rest of the file is
// a sound version-1 file, one whose checksum holds once the field reads 1
// again: a flipped low bit in the field of a file this grove wrote. A file
// that cannot be read as version 1 is left to the newer grove.
func versionError(hdr [headerSize]byte, v uint32, r io.Reader) error {
	if v < fileVersion || v > newestPlausible {
		return fmt.Errorf("%w: version field reads %d, not a version of grove's format (this grove writes version %d)", ErrCorrupted, v, fileVersion)
	}
	binary.LittleEndian.PutUint32(hdr[8:], fileVersion)
	if _, err := readPayload(hdr, r); err == nil {
		return fmt.Errorf("%w: version field reads %d in a version %d file", ErrCorrupted, v, fileVersion)
	}
	return fmt.Errorf("%w: format version %d, and this grove reads version %d", ErrNewer, v, fileVersion)
}

// reader walks a payload, failing once on the first short or bad read.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errBadPayload
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a uvarint that sizes something of at least per bytes still
// to come, so that a corrupted count cannot ask for more than the file has.
func (r *reader) count(per int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)/per) {
		r.err = errBadPayload
		return 0
	}
	return int(v)
}

func (r *reader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errBadPayload
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 1 {
		r.err = errBadPayload
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func decodePayload(p []byte) (*Forest, error) {
	r := &reader{b: p}
	n := r.count(1)
	if r.err != nil {
		return nil, r.err
	}
	var cfg Config
	if err := json.Unmarshal(r.b[:n], &cfg); err != nil {
		return nil, fmt.Errorf("%w: config: %v", ErrCorrupted, err)
	}
	r.b = r.b[n:]
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: config: %v", ErrCorrupted, err)
	}
	k := r.count(1)
	d := r.count(8)
	nt := r.count(1)
	if r.err == nil && (k < 2 || d < 1 || nt < 1) {
		return nil, fmt.Errorf("%w: %d classes, %d features, %d trees", ErrCorrupted, k, d, nt)
	}
	f := &Forest{cfg: cfg, k: k, d: d, trees: make([]*tree, 0, nt), importances: make([]float64, d)}
	for j := range f.importances {
		f.importances[j] = r.float()
	}
	f.hasOOB = r.byte() == 1
	f.oob = r.float()
	for t := 0; t < nt && r.err == nil; t++ {
		tr, err := decodeTree(r, k, d)
		if err != nil {
			return nil, fmt.Errorf("%w: tree %d: %v", ErrCorrupted, t, err)
		}
		f.trees = append(f.trees, tr)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last tree", ErrCorrupted, len(r.b))
	}
	return f, nil
}

// decodeTree rebuilds a tree from its preorder nodes: a node that follows
// a leaf is the right child of the nearest split still waiting for one.
func decodeTree(r *reader, k, d int) (*tree, error) {
	nn := r.count(1)
	if r.err != nil {
		return nil, r.err
	}
	if nn < 1 {
		return nil, errors.New("no nodes")
	}
	tr := &tree{nodes: make([]node, nn)}
	var open []int
	prevLeaf := false
	for j := 0; j < nn; j++ {
		if j > 0 && prevLeaf {
			if len(open) == 0 {
				return nil, fmt.Errorf("node %d follows a complete tree", j)
			}
			p := open[len(open)-1]
			open = open[:len(open)-1]
			tr.nodes[p].right = int32(j)
		}
		h := r.uvarint()
		if r.err != nil {
			return nil, r.err
		}
		switch {
		case h >= 3:
			f := (h - 3) / 2
			if f >= uint64(d) {
				return nil, fmt.Errorf("node %d splits on feature %d of %d", j, f, d)
			}
			thr := r.float()
			if math.IsNaN(thr) {
				return nil, fmt.Errorf("node %d has a NaN threshold", j)
			}
			feat := int32(f)
			if (h-3)%2 == 1 {
				feat |= flipBit
			}
			tr.nodes[j] = node{feat: feat, thr: thr}
			open = append(open, j)
			prevLeaf = false
		case h == 2:
			leaf := len(tr.value) / k
			c := r.uvarint()
			v := float64(r.uvarint())
			if r.err != nil {
				return nil, r.err
			}
			if c >= uint64(k) || v <= 0 {
				return nil, fmt.Errorf("node %d is a pure leaf of class %d, weight %v", j, c, v)
			}
			tr.value = append(tr.value, make([]float64, k)...)
			tr.value[leaf*k+int(c)] = v
			tr.nodes[j] = node{thr: -1, feat: int32(leaf), right: int32(j)}
			prevLeaf = true
		default:
			leaf := len(tr.value) / k
			for c := 0; c < k; c++ {
				var v float64
				if h == 0 {
					v = float64(r.uvarint())
				} else {
					v = r.float()
				}
				if r.err != nil {
					return nil, r.err
				}
				if !(v >= 0) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("node %d has class weight %v", j, v)
				}
				tr.value = append(tr.value, v)
			}
			tr.nodes[j] = node{thr: -1, feat: int32(leaf), right: int32(j)}
			prevLeaf = true
		}
	}
	if len(open) != 0 || !prevLeaf {
		return nil, fmt.Errorf("%d splits lack a right child", max(len(open), 1))
	}
	tr.finish(k)
	return tr, nil
}
