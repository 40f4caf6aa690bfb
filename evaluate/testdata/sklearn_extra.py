"""Writes sklearn_extra.json: cases for grove's evaluate package computed by
scikit-learn 1.2.1, beyond ../../shared/fixtures/sklearn/metrics.json.

Probabilities are tree votes over a fixed denominator, as a forest's are, so
ties are common; the file stores the votes and proba = votes / denominator is
computed the same way (one IEEE division) in Go and in numpy.

Run: /usr/bin/python3 sklearn_extra.py > sklearn_extra.json
"""
import json

import numpy as np
import sklearn
from sklearn import metrics as M


def case(name, labels, y_true, votes, denominator):
    k = len(labels)
    y_true = np.asarray(y_true)
    votes = np.asarray(votes)
    proba = votes / float(denominator)
    y_pred = proba.argmax(axis=1)  # ties go to the lowest index
    lab = list(range(k))
    e = {"accuracy_score": M.accuracy_score(y_true, y_pred)}
    for avg in ("macro", "weighted", "micro") + (("binary",) if k == 2 else ()):
        p, r, f, _ = M.precision_recall_fscore_support(
            y_true, y_pred, labels=lab, average=avg, zero_division=0)
        e["precision_score_" + avg] = p
        e["recall_score_" + avg] = r
        e["f1_score_" + avg] = f
    p, r, f, s = M.precision_recall_fscore_support(
        y_true, y_pred, labels=lab, zero_division=0)
    e["precision_per_class"] = p.tolist()
    e["recall_per_class"] = r.tolist()
    e["f1_per_class"] = f.tolist()
    e["support_per_class"] = s.tolist()
    e["log_loss"] = M.log_loss(y_true, proba, labels=lab)
    auc = {}
    if k == 2:
        runs = [("roc_auc", dict(y_score=proba[:, 1]))]
    else:
        runs = [("roc_auc_%s_%s" % (mc, avg), dict(y_score=proba, multi_class=mc, average=avg, labels=lab))
                for mc, avg in (("ovr", "macro"), ("ovr", "weighted"), ("ovr", "micro"),
                                ("ovo", "macro"), ("ovo", "weighted"))]
    for key, kw in runs:
        try:
            auc[key] = M.roc_auc_score(y_true, **kw)
        except ValueError as err:
            e["roc_auc_error"] = str(err)
    e.update(auc)
    e["confusion_matrix"] = M.confusion_matrix(y_true, y_pred, labels=lab).tolist()
    e["classification_report"] = M.classification_report(
        y_true, y_pred, labels=lab, target_names=labels, zero_division=0)
    return {"name": name, "labels": labels, "y_true": y_true.tolist(),
            "y_pred": y_pred.tolist(), "denominator": denominator,
            "votes": votes.tolist(), "expected": e}


def votes_for(rng, y_true, k, trees, skill):
    out = np.zeros((len(y_true), k), dtype=int)
    for i, y in enumerate(y_true):
        p = rng.dirichlet(np.ones(k))
        p = (1 - skill) * p
        p[y] += skill
        out[i] = rng.multinomial(trees, p)
    return out


rng = np.random.default_rng(4)
cases = []

y = rng.integers(0, 4, 5000)
cases.append(case("radix_4", ["w", "x", "y", "z"], y, votes_for(rng, y, 4, 100, 0.3), 100))

y = rng.integers(0, 2, 6000)
cases.append(case("radix_binary", ["no", "yes"], y, votes_for(rng, y, 2, 10, 0.2), 10))

names = ["Iris-setosa-long-name", "b", "class with spaces", "ü-umlaut"] + ["c%d" % i for i in range(8)]
y = rng.integers(0, 12, 400)
cases.append(case("twelve_long_names", names, y, votes_for(rng, y, 12, 50, 0.12), 50))

y = rng.integers(0, 20, 120)
y[y == 7] = 8  # class 7 never true: ROC AUC refuses
cases.append(case("twenty_one_absent", ["k%02d" % i for i in range(20)], y, votes_for(rng, y, 20, 30, 0.1), 30))

y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
v = np.array([[1, 1, 1], [1, 1, 1], [2, 1, 0], [0, 3, 0], [1, 2, 0], [0, 0, 3], [3, 0, 0], [1, 1, 1]])
cases.append(case("ties_three", ["a", "b", "c"], y, v, 3))

print(json.dumps({"sklearn_version": sklearn.__version__, "cases": cases}, indent=None))
