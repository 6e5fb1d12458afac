"""Find project proposals that look like duplicates of each other.

Coordinators need to see, when a mentee proposes a project, whether the same (or nearly the
same) work has already been proposed in this cohort or an earlier one. This module is pure
Python + scikit-learn: plain data in, plain data out, no Django, so it can be unit-tested and
benchmarked on its own and called from a view, a management command or a Celery task.

How a score is computed
-----------------------
Every proposal is turned into four TF-IDF vectors:

* title, word n-grams (1-2 words, English stop words removed, light stemming, sublinear tf);
* title, character n-grams (``char_wb``, 3-5 characters) -- catches "yield"/"yields",
  "imagery"/"images", "organisation"/"organization" and small typos;
* body (description + ``extra``, e.g. expected benefit), word n-grams;
* body, character n-grams.

The vocabularies and inverse document frequencies are fitted once on the whole indexed corpus,
a proposal (title and body together) being one document, so IDF reflects how common a term is
across all past proposals. Queries are cheap (a sparse matrix-vector product); the index is
rebuilt when the corpus changes, so cache it (it pickles) if building it per request is too
slow.

The text score of two proposals is the weighted mean of the four cosine similarities, using
:data:`DEFAULT_WEIGHTS` (the title counts for more than the description, since it is the
mentee's own summary of the project). Only parts present on *both* sides take part in the mean:
a proposal with no description is compared on its title alone rather than being penalised.

Tags (business priorities) give a small boost: ``score = text + tag_boost * J * (1 - text)``
where ``J`` is the Jaccard overlap of the two tag sets. The boost can never exceed
``tag_boost``, so shared tags alone cannot make unrelated projects look like duplicates as long
as ``tag_boost`` is below the threshold.

All scores are in [0, 1]; identical text scores 1.

Words in a new proposal that never appear in the indexed corpus still count towards the length
of its vector (as if they had the highest possible IDF). Without this a query whose only known
word is "policy" would look like a perfect match for every proposal about policy.

Choosing the threshold
----------------------
The default :data:`DEFAULT_THRESHOLD` (0.35) was chosen on a corpus of 30 varied public-sector
data science proposals (``programmes/tests/test_similarity.py``). There, reworded duplicates
score 0.48-0.58 on full text and 0.45-0.53 on the title alone, while the most similar pairs of
*different* projects (two forecasting projects; two NLP projects) score about 0.17, and
unrelated ones below 0.1. 0.35 sits in the middle of that gap.

To tune it for real data, call :meth:`SimilarityIndex.duplicates_within` with a low threshold
(say 0.15) on past cohorts, ask a coordinator to mark which pairs are really the same project,
and put the threshold between the lowest true duplicate and the highest false alarm. Raise it
if coordinators see too many false alarms; lower it if they find duplicates the tool missed.
Changing the weights (e.g. more weight on the body when titles are short or generic) or the
tag boost shifts all scores, so re-check the threshold after changing them.

Words are lightly stemmed (``_stem``) so "estimate"/"estimating" and "image"/"images" also meet
in the word n-grams; there is no synonym handling ("CPI" and "inflation" only match if both
appear), which the character n-grams and the rest of the text make up for.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    TfidfVectorizer,
    strip_accents_unicode,
)

__all__ = [
    "DEFAULT_TAG_BOOST",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WEIGHTS",
    "Match",
    "Proposal",
    "SimilarityIndex",
]

#: Score at or above which two proposals are reported as possibly the same project.
DEFAULT_THRESHOLD = 0.35

#: Weight of each part of the text score; they are normalised to sum to 1.
DEFAULT_WEIGHTS: dict[str, float] = {
    "title_words": 0.30,
    "title_chars": 0.25,
    "body_words": 0.25,
    "body_chars": 0.20,
}

#: Largest amount by which shared tags can raise a score.
DEFAULT_TAG_BOOST = 0.10

_BLOCKS = ("title_words", "title_chars", "body_words", "body_chars")

# Upper bound on the number of cells of a dense (rows x n) block in duplicates_within.
_MAX_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Proposal:
    """A project proposal as far as duplicate detection is concerned.

    ``id`` is whatever identifies the proposal to the caller (usually a primary key); it must be
    hashable and unique within one index. ``extra`` is any further free text, such as the
    expected benefit; it is compared together with the description.
    """

    id: Hashable
    title: str
    description: str = ""
    tags: Sequence[str] = ()
    extra: str = ""


@dataclass(frozen=True)
class Match:
    """An indexed proposal and how similar it is to the query (0 = nothing alike, 1 = same)."""

    id: Hashable
    score: float


def _clean(text: object) -> str:
    if text is None:
        return ""
    return " ".join(str(text).split())


def _body(description: object, extra: object) -> str:
    return " ".join(part for part in (_clean(description), _clean(extra)) if part)


def _norm_tags(tags: Iterable[object] | None) -> frozenset[str]:
    if not tags:
        return frozenset()
    if isinstance(tags, str):
        tags = [tags]
    return frozenset(t for t in (" ".join(str(tag).split()).casefold() for tag in tags) if t)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STEM_CACHE: dict[str, str] = {}


def _stem(word: str) -> str:
    """A deliberately small English suffix stripper (no NLTK dependency).

    It only has to map variants of the same word to the same token ("estimate", "estimating",
    "estimates"; "image", "images"; "automation", "automating"); the stems need not be words.
    """
    stem = _STEM_CACHE.get(word)
    if stem is not None:
        return stem
    w = word
    if len(w) > 3 and not w.isdigit():
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        for suffix, replacement in (("ation", "at"), ("ing", ""), ("ed", ""), ("al", "")):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)] + replacement
                if suffix in ("ing", "ed") and w[-1] == w[-2] and w[-1] not in "lsz":
                    w = w[:-1]  # planning -> plan
                break
        if w.endswith("e") and len(w) > 4:
            w = w[:-1]
    if len(_STEM_CACHE) < 200_000:
        _STEM_CACHE[word] = w
    return w


def _word_analyzer(text: str) -> list[str]:
    """Lower-case, strip accents, drop English stop words, stem, then words and word pairs.

    The same as TfidfVectorizer(ngram_range=(1, 2), stop_words="english") plus stemming. A
    module-level function, so a fitted index can be pickled (e.g. into Django's cache).
    """
    tokens = [
        _stem(t)
        for t in _TOKEN.findall(strip_accents_unicode(text.lower()))
        if t not in ENGLISH_STOP_WORDS
    ]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


_CHAR_CACHE: dict[str, tuple[str, ...]] = {}
_CHAR_MIN, _CHAR_MAX = 3, 5


def _char_wb_ngrams(word: str) -> tuple[str, ...]:
    """sklearn's ``char_wb`` n-grams (3-5) of one word, padded with a space on each side."""
    w = f" {word} "
    grams: list[str] = []
    for n in range(_CHAR_MIN, _CHAR_MAX + 1):
        if len(w) <= n:
            grams.append(w)  # a short word counts once, whole, like sklearn does
            break
        grams.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return tuple(grams)


def _char_analyzer(text: str) -> list[str]:
    """Same n-grams as ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
    strip_accents="unicode")``, caching the n-grams of each distinct word."""
    out: list[str] = []
    for word in _split_words(text):
        grams = _CHAR_CACHE.get(word)
        if grams is None:
            grams = _char_wb_ngrams(word)
            if len(_CHAR_CACHE) < 200_000:
                _CHAR_CACHE[word] = grams
        out.extend(grams)
    return out


def _split_words(text: str) -> list[str]:
    return strip_accents_unicode(text.lower()).split()


def _sublinear(counts: sp.csr_matrix) -> sp.csr_matrix:
    tf = counts.tocsr().astype(np.float64)
    tf.data = 1.0 + np.log(tf.data)
    return tf


class _CharNgramVectoriser:
    """Sublinear term frequencies of ``char_wb`` 3-5-grams, computed fast for a large corpus.

    ``TfidfVectorizer(analyzer="char_wb")`` counts every n-gram of every document in a Python
    loop, which dominated index building (about 10 s for 10,000 proposals). Here scikit-learn's
    CountVectorizer counts *words* per document, each distinct word is expanded into its
    n-grams once, and the document n-gram counts are a sparse product ``words @ ngrams``. The
    result is identical to the TfidfVectorizer one (same n-grams, same counts).
    """

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        words = CountVectorizer(analyzer=_split_words, dtype=np.float64)
        doc_words = words.fit_transform(texts)  # raises ValueError on an empty vocabulary
        by_index = sorted(words.vocabulary_, key=words.vocabulary_.__getitem__)
        self.vocabulary_: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        data: list[int] = []
        for i, word in enumerate(by_index):
            for gram, count in Counter(_char_wb_ngrams(word)).items():
                rows.append(i)
                cols.append(self.vocabulary_.setdefault(gram, len(self.vocabulary_)))
                data.append(count)
        word_grams = sp.csr_matrix(
            (np.array(data, dtype=np.float64), (rows, cols)),
            shape=(len(by_index), len(self.vocabulary_)),
        )
        return _sublinear(doc_words @ word_grams)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        data: list[int] = []
        for i, text in enumerate(texts):
            for gram, count in Counter(_char_analyzer(text)).items():
                j = self.vocabulary_.get(gram)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    data.append(count)
        counts = sp.csr_matrix(
            (np.array(data, dtype=np.float64), (rows, cols)),
            shape=(len(texts), len(self.vocabulary_)),
        )
        return _sublinear(counts)

    def build_analyzer(self):
        return _char_analyzer


def _make_vectorisers() -> dict[str, TfidfVectorizer | _CharNgramVectoriser]:
    # Only sublinear term frequencies come from the vectorisers: the IDF is computed per
    # proposal (title and body together) by SimilarityIndex, and rows are normalised by hand so
    # that unseen query terms count (see the module docstring).
    return {
        "words": TfidfVectorizer(
            analyzer=_word_analyzer, use_idf=False, sublinear_tf=True, norm=None, dtype=np.float64
        ),
        "chars": _CharNgramVectoriser(),
    }


class SimilarityIndex:
    """TF-IDF index over a fixed set of proposals.

    Build it once (``SimilarityIndex(proposals)``), then call :meth:`similar` for each new
    proposal, or :meth:`duplicates_within` for the coordinator's review table. The index is
    read-only after construction, so one instance can be shared between threads or cached.
    """

    def __init__(
        self,
        proposals: Iterable[Proposal],
        *,
        weights: dict[str, float] | None = None,
        tag_boost: float = DEFAULT_TAG_BOOST,
    ) -> None:
        self.proposals: tuple[Proposal, ...] = tuple(proposals)
        self.ids: tuple[Hashable, ...] = tuple(p.id for p in self.proposals)
        self._position = {pid: i for i, pid in enumerate(self.ids)}
        if len(self._position) != len(self.ids):
            dupes = sorted({repr(i) for i, c in Counter(self.ids).items() if c > 1})
            raise ValueError(f"proposal ids must be unique; repeated: {', '.join(dupes)}")

        w = dict(DEFAULT_WEIGHTS if weights is None else weights)
        if set(w) != set(_BLOCKS) or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise ValueError(f"weights must give a non-negative weight for each of {_BLOCKS}")
        total = sum(w.values())
        self.weights = np.array([w[b] / total for b in _BLOCKS])
        if not 0.0 <= tag_boost <= 1.0:
            raise ValueError("tag_boost must be between 0 and 1")
        self.tag_boost = float(tag_boost)

        n = len(self.proposals)
        titles = [_clean(p.title) for p in self.proposals]
        bodies = [_body(p.description, p.extra) for p in self.proposals]

        # One pass of each analyser over all titles and bodies. The IDF treats a proposal
        # (title + body) as the document: smoothed, as in sklearn, ln((1 + n) / (1 + df)) + 1.
        # A vectoriser with no vocabulary at all (empty corpus, or nothing but stop words) is
        # dropped and its blocks never match.
        self._vectorisers: dict[str, TfidfVectorizer | _CharNgramVectoriser] = {}
        self._idf: dict[str, np.ndarray] = {}
        tfs: dict[str, sp.csr_matrix] = {}
        for kind, vec in _make_vectorisers().items():
            if n == 0:
                continue
            try:
                tf = vec.fit_transform(titles + bodies).tocsr()
            except ValueError:  # "empty vocabulary"
                continue
            in_proposal = (tf[:n] + tf[n:]).tocsc()
            in_proposal.eliminate_zeros()
            df = np.diff(in_proposal.indptr)  # non-zeros per column = proposals with the term
            self._vectorisers[kind] = vec
            self._idf[kind] = np.log((1.0 + n) / (1.0 + df)) + 1.0
            tfs[kind] = tf

        blocks = []
        for part in (slice(0, n), slice(n, 2 * n)):  # titles, then bodies
            for kind in ("words", "chars"):
                tf = tfs[kind][part] if kind in tfs else sp.csr_matrix((n, 0))
                blocks.append(self._weigh(tf, kind, np.zeros(n)))
        self._present = np.column_stack([p for _, p in blocks]).reshape(n, 4).astype(np.float64)
        self._matrix = self._combine([m for m, _ in blocks])
        self._matrix_t = self._matrix.T.tocsr()

        tag_sets = [_norm_tags(p.tags) for p in self.proposals]
        self._tag_vocab = {t: i for i, t in enumerate(sorted(set().union(*tag_sets)))}
        self._tags = self._tag_matrix(tag_sets)
        self._tag_counts = np.asarray(self._tags.sum(axis=1)).ravel()

    def __len__(self) -> int:
        return len(self.proposals)

    # -- encoding -----------------------------------------------------------------------------

    def _weigh(
        self, tf: sp.csr_matrix, kind: str, unseen_sq: np.ndarray
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Apply IDF and L2-normalise rows; also say which rows had any terms at all.

        ``unseen_sq`` is each row's squared weight of terms missing from the vocabulary, which
        counts towards the norm but matches nothing.
        """
        rows = tf.shape[0]
        if kind not in self._idf:
            return sp.csr_matrix((rows, 0)), unseen_sq > 0
        x = (tf @ sp.diags(self._idf[kind])).tocsr()
        sq = np.asarray(x.multiply(x).sum(axis=1)).ravel() + unseen_sq
        present = sq > 0
        norms = np.sqrt(sq)
        norms[~present] = 1.0
        return (sp.diags(1.0 / norms) @ x).tocsr(), present

    def _encode_query(self, text: str, kind: str) -> tuple[sp.csr_matrix, np.ndarray]:
        """Weighted, normalised vector of a new text.

        Terms the index has never seen get the IDF of a term in no document and count towards
        the norm, so unknown words dilute the match instead of being silently dropped.
        """
        vec = self._vectorisers.get(kind)
        if vec is None:
            return self._weigh(sp.csr_matrix((1, 0)), kind, np.zeros(1))
        terms = Counter(vec.build_analyzer()(text))
        vocab = vec.vocabulary_
        idf_unseen = math.log(1.0 + len(self.proposals)) + 1.0
        unseen_sq = sum(
            ((1.0 + math.log(count)) * idf_unseen) ** 2
            for term, count in terms.items()
            if term not in vocab
        )
        return self._weigh(vec.transform([text]).tocsr(), kind, np.array([unseen_sq]))

    def _combine(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        scaled = [b * math.sqrt(w) for b, w in zip(blocks, self.weights, strict=True)]
        return sp.hstack(scaled, format="csr", dtype=np.float64)

    def _tag_matrix(self, tag_sets: Sequence[frozenset[str]]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, tags in enumerate(tag_sets):
            for t in tags:
                j = self._tag_vocab.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows))
        return sp.csr_matrix((data, (rows, cols)), shape=(len(tag_sets), len(self._tag_vocab)))

    # -- scoring ------------------------------------------------------------------------------

    def _scores(
        self,
        dot: np.ndarray,
        present_a: np.ndarray,
        present_b: np.ndarray,
        tag_inter: np.ndarray,
        tags_a: np.ndarray,
        tags_b: np.ndarray,
    ) -> np.ndarray:
        """Turn weighted dot products into final scores (all arrays broadcast together)."""
        denom = (present_a * self.weights) @ present_b.T
        text = np.divide(dot, denom, out=np.zeros_like(dot, dtype=np.float64), where=denom > 0)
        np.clip(text, 0.0, 1.0, out=text)
        if self.tag_boost:
            union = tags_a[:, None] + tags_b[None, :] - tag_inter
            jaccard = np.divide(tag_inter, union, out=np.zeros_like(text), where=union > 0)
            text = text + self.tag_boost * jaccard * (1.0 - text)
        return np.clip(text, 0.0, 1.0)

    def similar(
        self,
        title: str,
        description: str = "",
        tags: Sequence[str] = (),
        *,
        extra: str = "",
        threshold: float = DEFAULT_THRESHOLD,
        limit: int | None = 5,
        exclude_ids: Iterable[Hashable] = (),
    ) -> list[Match]:
        """Indexed proposals at least ``threshold`` similar to the given one, best first.

        Proposals with a score of exactly 0 (nothing in common) are never returned, even with
        ``threshold=0``.

        ``limit`` caps the number of matches (``None`` for all). ``exclude_ids`` leaves out
        proposals, e.g. the one being edited when it is itself in the index. Ties are broken by
        position in the index, so results are deterministic.
        """
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0 or None")
        n = len(self.proposals)
        if n == 0 or limit == 0:
            return []

        t = _clean(title)
        b = _body(description, extra)
        encoded = [self._encode_query(x, kind) for x in (t, b) for kind in ("words", "chars")]
        present = np.column_stack([p for _, p in encoded]).astype(np.float64)
        q = self._combine([m for m, _ in encoded])
        dot = np.asarray((q @ self._matrix_t).todense()).ravel()

        qtags = _norm_tags(tags)
        qt = self._tag_matrix([qtags])
        inter = np.asarray((qt @ self._tags.T).todense()).ravel()
        scores = self._scores(
            dot[None, :],
            present,
            self._present,
            inter[None, :],
            np.array([float(len(qtags))]),
            self._tag_counts,
        ).ravel()

        excluded = [self._position[i] for i in exclude_ids if i in self._position]
        if excluded:
            scores[excluded] = -1.0
        candidates = np.flatnonzero((scores >= threshold) & (scores > 0))
        # Stable sort: score descending, then index order.
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        if limit is not None:
            order = order[:limit]
        return [Match(self.ids[i], round(float(scores[i]), 6)) for i in order]

    def score_pair(self, id_a: Hashable, id_b: Hashable) -> float:
        """Score between two indexed proposals (handy for explaining a review-table row)."""
        i, j = self._position[id_a], self._position[id_b]
        dot = float((self._matrix[i] @ self._matrix_t[:, j]).toarray()[0, 0])
        inter = float((self._tags[i] @ self._tags[j].T).toarray()[0, 0])
        score = self._scores(
            np.array([[dot]]),
            self._present[i : i + 1],
            self._present[j : j + 1],
            np.array([[inter]]),
            self._tag_counts[i : i + 1],
            self._tag_counts[j : j + 1],
        )
        return round(float(score[0, 0]), 6)

    def duplicates_within(
        self, threshold: float = DEFAULT_THRESHOLD
    ) -> list[tuple[Hashable, Hashable, float]]:
        """Pairs of indexed proposals scoring at least ``threshold``, highest score first.

        Each pair appears once, as ``(id_a, id_b, score)`` with ``id_a`` the proposal that comes
        first in the index. Computed with sparse matrix products in row blocks, so memory stays
        bounded for large indexes.
        """
        n = len(self.proposals)
        if n < 2:
            return []
        chunk = max(1, min(n, _MAX_CHUNK_CELLS // n))
        found_a: list[np.ndarray] = []
        found_b: list[np.ndarray] = []
        found_s: list[np.ndarray] = []
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            dot = (self._matrix[start:stop] @ self._matrix_t).toarray()
            inter = (self._tags[start:stop] @ self._tags.T).toarray()
            scores = self._scores(
                dot,
                self._present[start:stop],
                self._present,
                inter,
                self._tag_counts[start:stop],
                self._tag_counts,
            )
            # Keep each unordered pair once: column index strictly greater than row index.
            rows = np.arange(start, stop)[:, None]
            mask = (scores >= threshold) & (scores > 0) & (np.arange(n)[None, :] > rows)
            r, c = np.nonzero(mask)
            found_a.append(r + start)
            found_b.append(c)
            found_s.append(scores[r, c])
        a = np.concatenate(found_a)
        b = np.concatenate(found_b)
        s = np.concatenate(found_s)
        order = np.lexsort((b, a, -s))
        return [(self.ids[a[k]], self.ids[b[k]], round(float(s[k]), 6)) for k in order]
