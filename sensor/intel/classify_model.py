"""The trained alternative to the rules: character 1–3-grams of the folded text weighted by TF-IDF and
a logistic regression over the categories, trained on the corpus's train split only, when asked (no
stored model: the same corpus and seed give the same model). scikit-learn is imported here, lazily,
so nothing else pays for it.

Placeholders of published templates (``${NUM_6}``, ``{1}``) and the masks of news reports (``XXX``,
``***``, ``××``) are folded to one mark, and digits to ``0``, so the model cannot learn a source's
typography in place of its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sensor.errors import ConfigError
from sensor.intel.classify import fold
from sensor.intel.corpus import Entry

MODEL_SEED = 23
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\d+\}|[x×*＊]{2,}|<[^>]*>")


def features_text(text: str) -> str:
    return re.sub(r"\d", "0", _PLACEHOLDER.sub("#", fold(text)))


@dataclass(slots=True)
class Model:
    pipeline: Any  # sklearn Pipeline

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def predict(self, text: str) -> tuple[str, float]:
        """The most likely category and its probability."""
        proba = self.pipeline.predict_proba([features_text(text)])[0]
        best = int(proba.argmax())
        return str(self.classes[best]), float(proba[best])

    def top_ngrams(self, text: str, label: str, k: int = 4) -> list[str]:
        """The character n-grams of ``text`` that push it most toward ``label`` (their TF-IDF weight
        in the text times the model's coefficient for the label), strongest first: the model's
        reasons, as the rules give their words."""
        vectorizer, linear = self.pipeline[0], self.pipeline[-1]
        row = vectorizer.transform([features_text(text)]).tocoo()
        coef = linear.coef_[self.classes.index(label)] if len(self.classes) > 2 else linear.coef_[0]
        if len(self.classes) == 2 and label == self.classes[0]:
            coef = -coef
        names = vectorizer.get_feature_names_out()
        pushes = sorted(((v * coef[j], str(names[j])) for j, v in zip(row.col, row.data)), reverse=True)
        return [g for w, g in pushes if w > 0 and g.strip()][:k]


def train(entries: list[Entry]) -> Model:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
    except ImportError:
        raise ConfigError(
            "the learned SMS model needs scikit-learn: pip install 'fbs-sensor[model]' (the rules need nothing)"
        ) from None

    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced", random_state=MODEL_SEED),
    )
    pipeline.fit([features_text(e.text) for e in entries], [e.label for e in entries])
    return Model(pipeline)
