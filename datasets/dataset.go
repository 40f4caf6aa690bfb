package datasets

import "gonum.org/v1/gonum/mat"

// Dataset is a table of numeric features with one integer class label per row.
//
// Labels are codes 0..len(ClassNames)-1; ClassNames[c] is the label text that
// code c stands for, in sorted order as scikit-learn's LabelEncoder assigns them.
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
