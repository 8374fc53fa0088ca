#!/usr/bin/python3
"""sklearn_ref.py: the scikit-learn reference pipeline for the classifier bench.

TfidfVectorizer(word 1-2) + TfidfVectorizer(char_wb 2-5), both sublinear_tf,
joined by a FeatureUnion, then LinearSVC (C=1). Reads TSV files with a
'label<TAB>text' header (as made by run.sh), trains on TRAIN, evaluates on
TEST and prints one JSON object like `sigap model eval` plus train_sec.
usage: sklearn_ref.py TRAIN TEST
"""
import csv
import json
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf-8", newline="") as f:
        next(f)
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            labels.append(label)
            texts.append(text)
    return labels, texts


def main():
    ytr, xtr = read(sys.argv[1])
    yte, xte = read(sys.argv[2])
    pipe = Pipeline([
        ("features", FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ])),
        ("svm", LinearSVC(C=1.0)),
    ])
    t0 = time.perf_counter()
    pipe.fit(xtr, ytr)
    train_sec = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = pipe.predict(xte)
    pred_sec = time.perf_counter() - t0
    print(json.dumps({
        "n": len(yte),
        "accuracy": round(accuracy_score(yte, pred), 4),
        "macro_f1": round(f1_score(yte, pred, average="macro"), 4),
        "train_sec": round(train_sec, 3),
        "docs_per_sec": round(len(yte) / pred_sec),
    }))


if __name__ == "__main__":
    main()
