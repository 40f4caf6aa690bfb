package evaluate

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ClassificationReport returns the text table scikit-learn's
// classification_report prints with its default two digits: one row per
// class (precision, recall, F1, support), then accuracy and the macro and
// weighted averages, right-aligned in the same columns. classNames[c] names
// class c; their number sets the number of classes.
func ClassificationReport(yTrue, yPred []int, classNames []string) (string, error) {
	const metric = "classification report"
	if len(classNames) == 0 {
		return "", errorf(metric, "no class names")
	}
	c, err := count(metric, yTrue, yPred, len(classNames))
	if err != nil {
		return "", err
	}
	width := utf8.RuneCountInString("weighted avg")
	for _, name := range classNames {
		width = max(width, utf8.RuneCountInString(name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	p, r, f := perClass(c)
	for i, name := range classNames {
		fmt.Fprintf(&b, "%*s  %9.2f %9.2f %9.2f %9d\n", width, name, p[i], r[i], f[i], c.truth[i])
	}
	b.WriteString("\n")
	total := len(yTrue)
	_, _, acc, _ := average(metric, c, Micro)
	fmt.Fprintf(&b, "%*s  %9s %9s %9.2f %9d\n", width, "accuracy", "", "", acc, total)
	for _, avg := range []Average{Macro, Weighted} {
		ap, ar, af, _ := average(metric, c, avg)
		fmt.Fprintf(&b, "%*s  %9.2f %9.2f %9.2f %9d\n", width, avg.String()+" avg", ap, ar, af, total)
	}
	return b.String(), nil
}
