package evaluate

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// pictureDPI is the resolution of the PNG.
const pictureDPI = 96

// WriteConfusionMatrixPNG draws cm (rows true labels, columns predictions,
// as ConfusionMatrix returns it) as a PNG heat map on w: the count written
// in each cell in black or white, whichever stands out more from the cell,
// the class names along both axes, the axis titles "Predicted label" and
// "True label", title above and a colour bar of counts on the right. The
// first class is the top row, as in scikit-learn's ConfusionMatrixDisplay.
// The picture grows with the number of classes so that 20 still read well
// (about 550 pixels wide for 3 classes, 1100 for 20); the same input gives
// the same bytes.
func WriteConfusionMatrixPNG(w io.Writer, cm [][]int, classNames []string, title string) error {
	c, _, err := drawConfusionMatrix(cm, classNames, title)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("evaluate: confusion matrix picture: %w", err)
	}
	return nil
}

// cellBox is where a cell landed in the picture, in pixels from the top
// left corner; tests sample colours there.
type cellBox struct {
	minX, minY, maxX, maxY float64
}

// drawConfusionMatrix renders the picture and reports where each cell is,
// indexed [row*n+col].
func drawConfusionMatrix(cm [][]int, classNames []string, title string) (*vgimg.Canvas, []cellBox, error) {
	const metric = "confusion matrix picture"
	n := len(cm)
	if n == 0 {
		return nil, nil, errorf(metric, "empty matrix: %w", ErrEmpty)
	}
	if len(classNames) != n {
		return nil, nil, errorf(metric, "%d class names for %d rows: %w", len(classNames), n, ErrLength)
	}
	maxCount := 0
	for r, row := range cm {
		if len(row) != n {
			return nil, nil, errorf(metric, "row %d has %d counts, want %d: %w", r, len(row), n, ErrLength)
		}
		for c, v := range row {
			if v < 0 {
				return nil, nil, errorf(metric, "count [%d, %d] = %d is negative", r, c, v)
			}
			maxCount = max(maxCount, v)
		}
	}

	dark, err := blues()
	if err != nil {
		return nil, nil, errorf(metric, "%v", err)
	}
	dark.SetMin(0)
	// An all-zero matrix would give an empty range; widen it so it still draws.
	dark.SetMax(float64(max(maxCount, 1)))
	cmap := palette.Reverse(dark) // light for few, dark for many

	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "Predicted label"
	p.Y.Label.Text = "True label"
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5

	// The data area is a square whose cells shrink slowly as classes grow.
	side := vg.Length(max(3.6, min(9, 0.46*float64(n)))) * vg.Inch
	cell := side / vg.Length(n)

	// gonum's y axis points up; row r sits at y = n-1-r so the first class
	// is on top.
	xt, yt := make([]plot.Tick, n), make([]plot.Tick, n)
	nameWidth := vg.Length(0)
	for i, name := range classNames {
		xt[i] = plot.Tick{Value: float64(i), Label: name}
		yt[i] = plot.Tick{Value: float64(n - 1 - i), Label: name}
		nameWidth = max(nameWidth, p.X.Tick.Label.Width(name))
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	if nameWidth > 0.9*cell {
		// Long names would overlap along x: slant them.
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	p.Title.TextStyle.Font.Size = 14
	p.Title.Padding = 0.15 * vg.Inch

	countStyle := p.X.Tick.Label
	countStyle.Rotation = 0
	countStyle.XAlign, countStyle.YAlign = draw.XCenter, draw.YCenter
	countStyle.Font.Size = max(7, min(16, cell/3.2))
	widest := countStyle.Width(strconv.Itoa(maxCount))
	if widest > 0.85*cell {
		countStyle.Font.Size = max(5, countStyle.Font.Size*0.85*cell/widest)
	}

	cells := &cellPlotter{cm: cm, cmap: cmap, style: countStyle}
	p.Add(cells)

	// The colour bar to the right reads shades as counts, as in
	// scikit-learn's picture.
	bar := plot.New()
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Tick.Marker = countTicks{}
	bar.Y.Tick.Label.Font.Size = p.Y.Tick.Label.Font.Size
	bar.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true})

	// Size the picture so that the data area is the square wanted: measure
	// what the title and axes take around it on a large trial area.
	const trial = 100 * vg.Inch
	trialArea := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: trial, Y: trial}}}
	dc := p.DataCanvas(trialArea)
	bc := bar.DataCanvas(trialArea)
	const margin, barGap, barWidth = 0.25 * vg.Inch, 0.3 * vg.Inch, 0.2 * vg.Inch
	barAxis := trial - (bc.Max.X - bc.Min.X) // tick labels left of the bar
	barBelow := bc.Min.Y                     // what the hidden x axis keeps
	strip := barGap + barAxis + barWidth
	width := side + trial - (dc.Max.X - dc.Min.X) + strip + 2*margin
	height := side + trial - (dc.Max.Y - dc.Min.Y) + 2*margin
	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(pictureDPI), vgimg.UseBackgroundColor(color.White))
	whole := draw.New(c)
	main := draw.Crop(whole, margin, -margin-strip, margin, -margin)
	p.Draw(main)
	data := p.DataCanvas(main)
	barCanvas := draw.Canvas{Canvas: c, Rectangle: vg.Rectangle{
		Min: vg.Point{X: width - margin - barWidth - barAxis, Y: data.Min.Y - barBelow},
		Max: vg.Point{X: width - margin, Y: data.Max.Y},
	}}
	bar.Draw(barCanvas)
	// An outline, as scikit-learn's colour bar has: the bar's lightest
	// shade would otherwise fade into the white around it.
	r := bar.DataCanvas(barCanvas).Rectangle
	whole.StrokeLines(draw.LineStyle{Color: color.Gray{0x40}, Width: 0.75},
		[]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})

	// Convert the cell rectangles from points (origin bottom left) to
	// pixels (origin top left).
	scale := float64(pictureDPI) / float64(vg.Inch)
	hpx := float64(height) * scale
	boxes := make([]cellBox, len(cells.rects))
	for i, r := range cells.rects {
		boxes[i] = cellBox{
			minX: float64(r.Min.X) * scale, maxX: float64(r.Max.X) * scale,
			minY: hpx - float64(r.Max.Y)*scale, maxY: hpx - float64(r.Min.Y)*scale,
		}
	}
	return c, boxes, nil
}

// blues is a white-to-dark-blue colour map, light for small counts as in
// the usual confusion matrix pictures; its luminance falls evenly with the
// count so that equal steps in count look like equal steps in shade.
func blues() (palette.ColorMap, error) {
	return moreland.NewLuminance([]color.Color{
		color.NRGBA{0x08, 0x30, 0x6b, 0xff},
		color.NRGBA{0x21, 0x71, 0xb5, 0xff},
		color.NRGBA{0x6b, 0xae, 0xd6, 0xff},
		color.NRGBA{0xc6, 0xdb, 0xef, 0xff},
		color.NRGBA{0xf7, 0xfb, 0xff, 0xff},
	})
}

// cellPlotter draws the coloured cells and their counts; it records where
// each cell went.
type cellPlotter struct {
	cm    [][]int
	cmap  palette.ColorMap
	style text.Style
	rects []vg.Rectangle
}

// seam is how far a cell's fill reaches under its right and lower
// neighbours.
const seam = 0.75 * vg.Millimeter / 2

// Plot implements plot.Plotter.
func (cp *cellPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(cp.cm)
	cp.rects = cp.rects[:0]
	for r, row := range cp.cm {
		y := float64(n - 1 - r)
		for col, v := range row {
			x := float64(col)
			rect := vg.Rectangle{
				Min: vg.Point{X: trX(x - 0.5), Y: trY(y - 0.5)},
				Max: vg.Point{X: trX(x + 0.5), Y: trY(y + 0.5)},
			}
			cp.rects = append(cp.rects, rect)
			fill, err := cp.cmap.At(float64(v))
			if err != nil {
				fill = color.Black
			}
			// Neighbouring cells overlap by a hair so that anti-aliasing
			// leaves no light seam between them.
			f := rect
			if col < n-1 {
				f.Max.X += seam
			}
			if r < n-1 {
				f.Min.Y -= seam
			}
			c.FillPolygon(fill, []vg.Point{f.Min, {X: f.Max.X, Y: f.Min.Y}, f.Max, {X: f.Min.X, Y: f.Max.Y}})
			st := cp.style
			st.Color = contrasting(fill)
			centre := vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: (rect.Min.Y + rect.Max.Y) / 2}
			c.FillText(st, centre, strconv.Itoa(v))
		}
	}
}

// DataRange implements plot.DataRanger so the axes fit the cells exactly.
func (cp *cellPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	n := float64(len(cp.cm))
	return -0.5, n - 0.5, -0.5, n - 0.5
}

// countTicks labels the colour bar with whole counts, at most about six.
type countTicks struct{}

// Ticks implements plot.Ticker.
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for (hi-lo)/step > 6 {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step))); {
		case m < 2:
			step *= 2
		case m < 5:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}

// contrasting returns black or white, whichever has the higher WCAG
// contrast ratio against c.
func contrasting(c color.Color) color.Color {
	l := relativeLuminance(c)
	// Contrast with white: 1.05/(l+0.05); with black: (l+0.05)/0.05.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return color.White
	}
	return color.Black
}

// relativeLuminance is the WCAG relative luminance of c, in [0, 1].
func relativeLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
