package evaluate

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// testMatrix has distinct counts off a strong diagonal, plus repeats, so
// colour comparisons have both equal and different pairs.
func testMatrix(n int) ([][]int, []string) {
	cm := make([][]int, n)
	names := make([]string, n)
	for r := range cm {
		cm[r] = make([]int, n)
		for c := range cm[r] {
			cm[r][c] = (r*7 + c*3) % 5
		}
		cm[r][r] = 40 + 3*r
		names[r] = fmt.Sprintf("class %d", r)
	}
	return cm, names
}

func render(t *testing.T, cm [][]int, names []string) (image.Image, []cellBox, []byte) {
	t.Helper()
	c, boxes, err := drawConfusionMatrix(cm, names, "Confusion matrix")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteConfusionMatrixPNG(&buf, cm, names, "Confusion matrix"); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	w, h := c.Size()
	wantW, wantH := int(float64(w)*pictureDPI/72+0.5), int(float64(h)*pictureDPI/72+0.5)
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("picture is %v, want %dx%d", got, wantW, wantH)
	}
	if len(boxes) != len(cm)*len(cm) {
		t.Fatalf("%d cells drawn, want %d", len(boxes), len(cm)*len(cm))
	}
	return img, boxes, raw
}

// fillAt samples a cell near its top-left corner, away from the count
// written in the middle.
func fillAt(img image.Image, b cellBox) color.RGBA {
	x := int(b.minX + 0.15*(b.maxX-b.minX))
	y := int(b.minY + 0.15*(b.maxY-b.minY))
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func TestConfusionMatrixPicture(t *testing.T) {
	for _, n := range []int{2, 3, 10, 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cm, names := testMatrix(n)
			img, boxes, raw := render(t, cm, names)
			bounds := img.Bounds()

			fills := make([]color.RGBA, len(boxes))
			for i, b := range boxes {
				if b.minX < 0 || b.minY < 0 || b.maxX > float64(bounds.Max.X) || b.maxY > float64(bounds.Max.Y) {
					t.Fatalf("cell %d at %+v lies outside the %v picture", i, b, bounds)
				}
				if b.maxX-b.minX < 20 || b.maxY-b.minY < 20 {
					t.Errorf("cell %d is only %.0fx%.0f pixels, too small to read", i, b.maxX-b.minX, b.maxY-b.minY)
				}
				fills[i] = fillAt(img, b)
			}
			// Cells differ in colour exactly where counts differ.
			for i := range boxes {
				for j := i + 1; j < len(boxes); j++ {
					ci, cj := cm[i/n][i%n], cm[j/n][j%n]
					if same := fills[i] == fills[j]; same != (ci == cj) {
						t.Fatalf("cells %d (count %d, %v) and %d (count %d, %v): same colour %v",
							i, ci, fills[i], j, cj, fills[j], same)
					}
				}
			}
			// Larger counts are darker.
			if lo, hi := relativeLuminance(fills[1]), relativeLuminance(fills[0]); hi >= lo && cm[0][0] > cm[0][1] {
				t.Errorf("count %d is not darker than count %d", cm[0][0], cm[0][1])
			}
			// The first class is the top row, the first prediction the left column.
			if boxes[0].minY >= boxes[n].minY || boxes[0].minX >= boxes[1].minX {
				t.Errorf("cell [0,0] at %+v is not top left of [1,0] %+v and [0,1] %+v", boxes[0], boxes[n], boxes[1])
			}
			// Every cell shows its count: pixels of the text colour in its middle.
			for i, b := range boxes {
				if ink := inkIn(img, b, fills[i]); ink == 0 {
					t.Errorf("cell %d (count %d) shows no count", i, cm[i/n][i%n])
				}
			}
			// The same input gives the same bytes.
			var again bytes.Buffer
			if err := WriteConfusionMatrixPNG(&again, cm, names, "Confusion matrix"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, again.Bytes()) {
				t.Error("two renderings of the same matrix differ")
			}
		})
	}
}

// inkIn counts the pixels in the middle half of a cell that are far from
// its fill colour: the written count.
func inkIn(img image.Image, b cellBox, fill color.RGBA) int {
	ink := 0
	w, h := b.maxX-b.minX, b.maxY-b.minY
	for y := int(b.minY + h/4); y < int(b.maxY-h/4); y++ {
		for x := int(b.minX + w/4); x < int(b.maxX-w/4); x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			d := absDiff(c.R, fill.R) + absDiff(c.G, fill.G) + absDiff(c.B, fill.B)
			if d > 200 {
				ink++
			}
		}
	}
	return ink
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestConfusionMatrixPictureAllZero(t *testing.T) {
	cm := [][]int{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}
	img, boxes, _ := render(t, cm, []string{"a", "b", "c"})
	first := fillAt(img, boxes[0])
	if first == (color.RGBA{255, 255, 255, 255}) {
		t.Fatal("zero cells are not drawn: they show the white background")
	}
	for i, b := range boxes {
		if got := fillAt(img, b); got != first {
			t.Errorf("cell %d is %v, cell 0 %v: equal counts should share a colour", i, got, first)
		}
		if inkIn(img, b, first) == 0 {
			t.Errorf("cell %d does not show its 0", i)
		}
	}
}

func TestContrastingText(t *testing.T) {
	tests := []struct {
		name string
		fill color.Color
		want color.Color
	}{
		{"white", color.White, color.Black},
		{"black", color.Black, color.White},
		{"darkest blue", color.NRGBA{0x08, 0x30, 0x6b, 0xff}, color.White},
		{"lightest blue", color.NRGBA{0xf7, 0xfb, 0xff, 0xff}, color.Black},
		{"light blue", color.NRGBA{0xc6, 0xdb, 0xef, 0xff}, color.Black},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := contrasting(tc.fill); got != tc.want {
				t.Errorf("contrasting(%v) = %v, want %v", tc.fill, got, tc.want)
			}
		})
	}
}

func TestConfusionMatrixPictureErrors(t *testing.T) {
	tests := []struct {
		name  string
		cm    [][]int
		names []string
		want  error
	}{
		{"empty", nil, nil, ErrEmpty},
		{"names", [][]int{{1, 0}, {0, 1}}, []string{"a"}, ErrLength},
		{"ragged", [][]int{{1, 0}, {0}}, []string{"a", "b"}, ErrLength},
		{"negative", [][]int{{1, 0}, {-1, 1}}, []string{"a", "b"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteConfusionMatrixPNG(&buf, tc.cm, tc.names, "t")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

// TestConfusionMatrixPictureBar finds the colour bar from the picture's
// right edge: a margin of white, then the bar's grey outline along the
// whole height of the cells, then shades from dark at the top to light at
// the bottom.
func TestConfusionMatrixPictureBar(t *testing.T) {
	cm, names := testMatrix(3)
	img, boxes, _ := render(t, cm, names)
	top, bottom := int(boxes[0].minY), int(boxes[len(boxes)-1].maxY)
	mid := (top + bottom) / 2
	at := func(x, y int) color.RGBA { return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) }
	white := func(c color.RGBA) bool { return c.R > 0xf0 && c.G > 0xf0 && c.B > 0xf0 }
	grey := func(c color.RGBA) bool {
		return c.R < 0xd0 && absDiff(c.R, c.G) < 8 && absDiff(c.G, c.B) < 8 // edge pixels are anti-aliased
	}
	edge := img.Bounds().Max.X - 1
	x := edge
	for x > 0 && white(at(x, mid)) {
		x--
	}
	if edge-x < 10 {
		t.Errorf("the bar ends %d pixels from the right edge", edge-x)
	}
	for _, y := range []int{top + 3, mid, bottom - 3} {
		if c := at(x, y); !grey(c) {
			t.Errorf("outline at (%d, %d) is %v, want grey", x, y, c)
		}
	}
	if hi, lo := relativeLuminance(at(x-4, top+6)), relativeLuminance(at(x-4, bottom-6)); hi >= lo {
		t.Errorf("the bar is not dark at the top and light at the bottom: luminance %.3f over %.3f", hi, lo)
	}
}
