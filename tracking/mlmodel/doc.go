// Package mlmodel writes and reads MLmodel, the YAML file MLflow keeps beside
// a logged model's files: which flavors can load the model, the run and model
// it belongs to, when it was made and its signature.
//
// Model.Marshal writes the file in MLflow's layout with sorted keys, so the
// same model always gives the same bytes, and quotes a value wherever YAML
// would otherwise read it back as another type. Parse reads MLflow's own files as
// well as grove's, ignoring the fields grove does not model. ColSpec and
// TensorSpec spell a signature's schemas as the JSON MLflow stores.
//
// grove's autolog writes an MLmodel with a "grove" flavor next to the model
// file (tracking/autolog), and tracking's Run.LogModel creates the logged
// model it belongs to.
package mlmodel
