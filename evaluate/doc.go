// Package evaluate scores a classifier's predictions the way scikit-learn
// does, and draws the confusion matrix as a picture.
//
// grove runs and Python runs land in the same MLflow experiment, so every
// number here is meant to equal scikit-learn 1.2's for the same inputs
// (the tests hold it to 1e-12 against values scikit-learn computed):
//
//   - [Accuracy], and [Precision], [Recall], [F1] averaged as [Macro],
//     [Weighted], [Micro] or [Binary], with scikit-learn's zero_division=0:
//     a ratio whose denominator is zero counts as 0. [PrecisionRecallF1PerClass]
//     gives the per-class values and supports they are averaged from.
//   - [LogLoss] with scikit-learn 1.2's default clipping (eps="auto", the
//     float64 machine epsilon) and row renormalisation.
//   - [ROCAUC] for two classes (column 1 is the positive score) and, for
//     more, [OneVsRest] or [OneVsOne] averaged as [Macro] or [Weighted]
//     ([Micro] too for one-vs-rest). MLflow's sklearn autolog logs
//     training_roc_auc as one-vs-one weighted. Where scikit-learn refuses,
//     for instance one-vs-rest when a class is absent from the true labels,
//     ROCAUC returns an error that wraps [ErrOneClass]; one-vs-one, as in
//     scikit-learn, scores only the pairs of classes present.
//   - [ConfusionMatrix]: rows are true labels, columns predictions, both in
//     class-code order.
//   - [ClassificationReport]: the text table scikit-learn prints, aligned
//     the same way, for a command's summary.
//   - [WriteConfusionMatrixPNG]: the confusion matrix as a gonum/plot heat
//     map with the count in every cell and a colour bar, the picture MLflow's
//     autolog stores as training_confusion_matrix.png.
//
// Labels are class codes 0..classes-1, as in [github.com/grove-ml/grove/datasets.Dataset]; every
// class in that range takes part in the averages, predicted or not, as when
// scikit-learn is given labels=range(classes). Probabilities are a
// rows x classes [mat.Dense], one row per sample, as a model's PredictProba
// returns them.
//
// Bad input is an error, never a panic: empty inputs ([ErrEmpty]), lengths
// or shapes that do not match ([ErrLength]), labels outside the class range
// ([ErrLabel]) and probability rows that are not probabilities
// ([ErrProbability]). Errors say which argument and which index.
//
// The counting metrics are single passes over the labels and take
// milliseconds for a million predictions; LogLoss adds a logarithm per row,
// and ROCAUC one linear-time radix sort per class (one-vs-one reuses each
// class's sort for all its pairs), so they stay a fraction of a second, far
// below the time it takes to train the model.
package evaluate
