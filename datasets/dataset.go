package datasets

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Dataset is a table of numeric features with one integer class label per row.
//
// Labels are codes 0..len(ClassNames)-1; ClassNames[c] is the label that code
// c stands for, in sorted order as scikit-learn's LabelEncoder assigns them
// (for numeric labels, the number as pandas shows it; see ReadCSVFrom).
type Dataset struct {
	X            *mat.Dense // rows x features
	Y            []int      // one class code per row
	FeatureNames []string   // one per column of X
	TargetName   string     // the column the labels came from
	ClassNames   []string   // class code -> label text
}

// Rows returns the number of rows.
func (d *Dataset) Rows() int { return len(d.Y) }

// Features returns the number of feature columns.
func (d *Dataset) Features() int { return len(d.FeatureNames) }

// Classes returns the number of classes.
func (d *Dataset) Classes() int { return len(d.ClassNames) }

// Subset returns a new Dataset holding copies of the given rows, in the
// order given; the names are shared with d. It panics if a row is out of
// range, as indexing a slice does.
func (d *Dataset) Subset(rows []int) *Dataset {
	_, c := d.X.Dims()
	data := make([]float64, len(rows)*c)
	y := make([]int, len(rows))
	for i, r := range rows {
		copy(data[i*c:(i+1)*c], d.X.RawRowView(r))
		y[i] = d.Y[r]
	}
	out := &Dataset{
		Y:            y,
		FeatureNames: d.FeatureNames,
		TargetName:   d.TargetName,
		ClassNames:   d.ClassNames,
	}
	if len(rows) > 0 {
		out.X = mat.NewDense(len(rows), c, data)
	} else {
		out.X = &mat.Dense{} // gonum has no 0-row matrix but its empty value
	}
	return out
}

// Digest returns a short stable fingerprint of the data: the first 8 hex
// digits of the SHA-256 of the shape, the float64 bit patterns of X in row
// order and the labels. Equal data gives equal digests on every platform;
// MLflow shows it beside a run's dataset inputs.
func (d *Dataset) Digest() string {
	h := sha256.New()
	r, c := 0, 0
	if d.X != nil && !d.X.IsEmpty() {
		r, c = d.X.Dims()
	}
	var buf [8 * 512]byte
	binary.LittleEndian.PutUint64(buf[0:], uint64(r))
	binary.LittleEndian.PutUint64(buf[8:], uint64(c))
	h.Write(buf[:16])
	n := 0
	flush := func() {
		h.Write(buf[:n])
		n = 0
	}
	for i := 0; i < r; i++ {
		for _, v := range d.X.RawRowView(i) {
			binary.LittleEndian.PutUint64(buf[n:], math.Float64bits(v))
			n += 8
			if n == len(buf) {
				flush()
			}
		}
	}
	for _, y := range d.Y {
		binary.LittleEndian.PutUint64(buf[n:], uint64(int64(y)))
		n += 8
		if n == len(buf) {
			flush()
		}
	}
	flush()
	return hex.EncodeToString(h.Sum(nil))[:8]
}

// WriteCSV writes d as ReadCSVFrom reads it: a header of the feature names
// and the target name, then one row per sample with the class name last.
// Numbers are written in the shortest form that reads back to the same bits.
func (d *Dataset) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, n := range d.FeatureNames {
		bw.WriteString(csvField(n))
		bw.WriteByte(',')
	}
	bw.WriteString(csvField(d.TargetName))
	bw.WriteByte('\n')
	var num []byte
	for i := range d.Y {
		for _, v := range d.X.RawRowView(i) {
			num = strconv.AppendFloat(num[:0], v, 'g', -1, 64)
			bw.Write(num)
			bw.WriteByte(',')
		}
		bw.WriteString(csvField(d.ClassNames[d.Y[i]]))
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("datasets: write csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("datasets: write csv: %w", err)
	}
	return nil
}

// csvField quotes s when a reader would otherwise split or trim it.
func csvField(s string) string {
	if s == "" || strings.ContainsAny(s, ",\"\r\n") || s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '\t' || s[len(s)-1] == '\t' {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
