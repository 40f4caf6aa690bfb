// Package models holds the small interfaces every grove classifier meets,
// so that the command, autolog and the evaluation code can train, predict
// and record any model without knowing which one it is.
//
// Classifier is the core: Fit on a feature matrix and class codes 0..k-1,
// Predict class codes, PredictProba a rows x k probability matrix, and
// report hyper-parameters under scikit-learn's names (Params) so that runs
// compare across grove and scikit-learn in MLflow. Named gives the
// scikit-learn estimator a model stands for (recorded as estimator_name),
// and Saver writes the model file that autolog logs as the model's payload.
//
// The implementations live in sub-packages: models/forest is the random
// forest.
package models
