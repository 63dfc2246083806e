"""The tokenizer: spaCy's `zh` language with a jieba segmenter that knows the rule phrases.

spaCy's `zh` defaults to one token per character; we set a jieba segmenter explicitly.
Every phrase a rule pack mentions is added to the segmenter's dictionary, so a phrase
segments as a word of its own and matching can insist on word boundaries: 滚 must not
match inside 滚动条, nor 笨 inside 笨重.

Two interchangeable backends with the same dictionary and algorithm:
- `rjieba` (default): jieba-rs, a compiled port, about ten times faster;
- `jieba`: the reference Python implementation.
Tests run the dev set through both and require identical findings.

The segmenter is built once per process and per rule pack, never per call. The batch
reads word boundaries straight from `Segmenter.cut`: building a spaCy `Doc` per turn
costs more than the segmentation itself and no check needs one (see README, "Where the
time goes"). The spaCy pipeline (`build_nlp`) wraps the same segmenter, so its `Doc`s
have exactly the words the audit matched on; `qa-audit check --tokens` shows them to
whoever tunes a rule. spaCy is imported only when a pipeline is built, which keeps half
a second off the start of every batch worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

BACKENDS = ("rjieba", "jieba")


class _JiebaCutter:
    """The reference jieba, in a private Tokenizer so adding words never leaks between packs."""

    def __init__(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()

    def add_word(self, word: str) -> None:
        self._tokenizer.add_word(word)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, cut_all=False, HMM=True)


class _RjiebaCutter:
    """jieba-rs: same dictionary and algorithm, compiled."""

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def add_word(self, word: str) -> None:
        self._jieba.add_word(word, None, None)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, True)


class Segmenter:
    """jieba segmentation with a private dictionary that holds the rule phrases."""

    def __init__(self, backend: str = "rjieba") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown segmenter backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        self.backend = backend
        self._cutter: _JiebaCutter | _RjiebaCutter = _RjiebaCutter() if backend == "rjieba" else _JiebaCutter()

    def add_words(self, words: Iterable[str]) -> None:
        """Put phrases in the dictionary so they segment as single words.

        Sorted, so the dictionary (and therefore segmentation) never depends on the
        order rules were loaded in.
        """
        for word in sorted(set(words)):
            if len(word) > 1 and not word.isspace():
                self._cutter.add_word(word)

    def cut(self, text: str) -> list[str]:
        """The jieba words of `text`, in order, covering it exactly; a Latin word is one word.

        jieba cuts runs of letters by its dictionary too: with the rule phrase app (您在App里…)
        in it, Apple came out as app / le, and a rule could match app inside Apple.
        """
        words = [w for w in self._cutter.cut(text) if w]
        return _join_latin(words) if _LATIN.search(text) else words


_LATIN = re.compile(r"[A-Za-z]")
"""A Latin letter: only a turn with one can hold a Latin word to join (most hold none)."""


def _join_latin(words: list[str]) -> list[str]:
    """`words` with each run of adjacent all-letter ASCII words joined into one word."""
    joined: list[str] = []
    latin_before = False
    for word in words:
        latin = word.isascii() and word.isalpha()
        if latin and latin_before:
            joined[-1] += word
        else:
            joined.append(word)
        latin_before = latin
    return joined


class SpacyTokenizer:
    """A spaCy tokenizer over a `Segmenter`: the `Doc` is built from its words directly."""

    def __init__(self, vocab: Vocab, segmenter: Segmenter) -> None:
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc
        from spacy.util import get_words_and_spaces

        words, spaces = get_words_and_spaces(self.segmenter.cut(text), text)
        return Doc(self.vocab, words=words, spaces=spaces)


def build_nlp(segmenter: Segmenter) -> Language:
    """A blank spaCy `zh` pipeline whose tokenizer is `segmenter`.

    spaCy's own `zh` tokenizer would segment by character unless told `segmenter: jieba`,
    and then uses jieba's global dictionary; ours keeps a private dictionary per pack.
    """
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = SpacyTokenizer(nlp.vocab, segmenter)
    return nlp
