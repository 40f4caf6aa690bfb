package evaluate_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/evaluate"
)

// Twelve Iris flowers, their true species and a model's predictions.
var (
	species = []string{"setosa", "versicolor", "virginica"}
	yTrue   = []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	yPred   = []int{0, 0, 0, 1, 1, 1, 2, 1, 2, 2, 1, 2}
)

func ExampleAccuracy() {
	acc, err := evaluate.Accuracy(yTrue, yPred)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("accuracy %.4f\n", acc)
	// Output: accuracy 0.7500
}

func ExamplePrecision() {
	for _, avg := range []evaluate.Average{evaluate.Macro, evaluate.Weighted, evaluate.Micro} {
		p, err := evaluate.Precision(yTrue, yPred, len(species), avg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-8s %.4f\n", avg, p)
	}
	// Output:
	// macro    0.7833
	// weighted 0.7833
	// micro    0.7500
}

func ExampleRecall() {
	r, err := evaluate.Recall(yTrue, yPred, len(species), evaluate.Weighted)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("weighted recall %.4f\n", r)
	// Output: weighted recall 0.7500
}

func ExampleF1() {
	// MLflow's sklearn autolog logs training_f1_score with weighted averaging.
	f, err := evaluate.F1(yTrue, yPred, len(species), evaluate.Weighted)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("weighted F1 %.4f\n", f)
	// Output: weighted F1 0.7579
}

func ExamplePrecisionRecallF1PerClass() {
	p, r, f, support, err := evaluate.PrecisionRecallF1PerClass(yTrue, yPred, len(species))
	if err != nil {
		log.Fatal(err)
	}
	for c, name := range species {
		fmt.Printf("%-10s p=%.2f r=%.2f f1=%.2f n=%d\n", name, p[c], r[c], f[c], support[c])
	}
	// Output:
	// setosa     p=1.00 r=0.75 f1=0.86 n=4
	// versicolor p=0.60 r=0.75 f1=0.67 n=4
	// virginica  p=0.75 r=0.75 f1=0.75 n=4
}

func ExampleConfusionMatrix() {
	cm, err := evaluate.ConfusionMatrix(yTrue, yPred, len(species))
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range cm {
		fmt.Println(row)
	}
	// Output:
	// [3 1 0]
	// [0 3 1]
	// [0 1 3]
}

func ExampleLogLoss() {
	yTrue := []int{0, 1, 1, 0}
	proba := mat.NewDense(4, 2, []float64{
		0.9, 0.1,
		0.2, 0.8,
		0.6, 0.4,
		1.0, 0.0, // a certain, right answer costs (almost) nothing
	})
	loss, err := evaluate.LogLoss(yTrue, proba)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("log loss %.6f\n", loss)
	// Output: log loss 0.311199
}

func ExampleROCAUC() {
	yTrue := []int{0, 0, 1, 1, 2, 2}
	proba := mat.NewDense(6, 3, []float64{
		0.8, 0.1, 0.1,
		0.4, 0.5, 0.1,
		0.2, 0.7, 0.1,
		0.3, 0.3, 0.4,
		0.1, 0.2, 0.7,
		0.2, 0.2, 0.6,
	})
	// The way MLflow's sklearn autolog logs training_roc_auc.
	ovo, err := evaluate.ROCAUC(yTrue, proba, evaluate.OneVsOne, evaluate.Weighted)
	if err != nil {
		log.Fatal(err)
	}
	ovr, err := evaluate.ROCAUC(yTrue, proba, evaluate.OneVsRest, evaluate.Macro)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ovo weighted %.4f\novr macro    %.4f\n", ovo, ovr)

	// scikit-learn refuses when a class has no true sample; so does grove.
	_, err = evaluate.ROCAUC([]int{0, 0, 1, 1, 0, 1}, proba, evaluate.OneVsRest, evaluate.Macro)
	fmt.Println(err)
	// Output:
	// ovo weighted 0.9583
	// ovr macro    0.9583
	// evaluate: roc auc: class 2 has no true sample: only one class present in y_true; ROC AUC score is not defined in that case
}

func ExampleClassificationReport() {
	report, err := evaluate.ClassificationReport(yTrue, yPred, species)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
	// Output:
	//               precision    recall  f1-score   support
	//
	//       setosa       1.00      0.75      0.86         4
	//   versicolor       0.60      0.75      0.67         4
	//    virginica       0.75      0.75      0.75         4
	//
	//     accuracy                           0.75        12
	//    macro avg       0.78      0.75      0.76        12
	// weighted avg       0.78      0.75      0.76        12
}

func ExampleWriteConfusionMatrixPNG() {
	cm, err := evaluate.ConfusionMatrix(yTrue, yPred, len(species))
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer // in autolog: the training_confusion_matrix.png artifact
	if err := evaluate.WriteConfusionMatrixPNG(&buf, cm, species, "Confusion matrix"); err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Dx() > 300, img.Bounds().Dy() > 300)
	// Output: true true
}
