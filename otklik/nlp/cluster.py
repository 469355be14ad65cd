"""Grouping short texts that express the same need (the editors' queue, «карта болей»)."""

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def _key(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def cluster_texts(texts: Sequence[str], *, threshold: float = 0.25, max_texts: int = 20000) -> list[int]:
    """Assign a cluster number to each text (greedy leader clustering on char n-gram TF-IDF).

    Identical texts (after case and space folding) always share a cluster and are clustered once.
    Unique texts are visited from the most central (closest to the overall centroid) down; each
    joins the cluster whose leader (first member) it resembles most if the cosine similarity
    reaches `threshold`, otherwise it leads a new cluster. Comparing with fixed leaders rather than
    moving centroids keeps large groups from drifting into neighbouring needs. Deterministic.
    Unique texts beyond `max_texts` get -1.
    """
    keys = [_key(t) for t in texts]
    unique: dict[str, int] = {}
    for key in keys:
        if key not in unique and len(unique) < max_texts:
            unique[key] = len(unique)
    if not unique:
        return [-1] * len(texts)
    order = list(unique)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(order)
    except ValueError:  # nothing but empty texts
        return [0 if k in unique else -1 for k in keys]
    matrix = matrix.tocsr().astype(np.float32)
    centrality = np.asarray(matrix @ np.asarray(matrix.mean(axis=0)).ravel()).ravel()
    labels_unique = [-1] * len(order)
    # Leaders are dense rows grown in blocks; a similarity touches only the row's non-zero
    # columns, so each step costs (clusters x row length), not (clusters x vocabulary).
    capacity = 64
    centroids = np.zeros((capacity, matrix.shape[1]), dtype=np.float32)
    k = 0
    for i in sorted(range(len(order)), key=lambda j: (-centrality[j], j)):
        start_, end_ = matrix.indptr[i], matrix.indptr[i + 1]
        idx, data = matrix.indices[start_:end_], matrix.data[start_:end_]
        if k:
            sims = centroids[:k, idx] @ data
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                labels_unique[i] = best
                continue
        if k == capacity:
            capacity *= 2
            centroids = np.vstack([centroids, np.zeros_like(centroids)])
        centroids[k, idx] = data
        labels_unique[i] = k
        k += 1
    return [labels_unique[unique[k]] if k in unique else -1 for k in keys]


def cluster_representative(texts: Sequence[str]) -> str:
    """The most typical text of a group (closest to its centroid): a readable label for it."""
    if len(texts) <= 2:
        return min(texts, key=len) if texts else ""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([_key(t) for t in texts])
    except ValueError:
        return texts[0]
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    scores = matrix @ centroid
    return texts[int(np.argmax(scores))]
