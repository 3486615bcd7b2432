"""Words of a document and of a query, as the index stores and matches them.

English text goes to the database as written: its own stemmer (FTS5's porter,
PostgreSQL's ``english`` configuration) handles it.  Indonesian text is turned
here into its stems (:func:`indonesian_terms`), because no database ships an
Indonesian stemmer.  A query is cut into words; each word becomes a
:class:`Term`, the set of spellings any of which may match: the word itself for
the English text, its Indonesian stems, and the words of its synonym groups
(:mod:`kembar.search.synonyms`).  A document matches when it matches every
term.  User text reaches the database only as these words of letters and
digits, never as query syntax.

>>> [sorted(term.indonesian) for term in query_terms("Pelatihan guru")]
[['kursus', 'latih', 'lokakarya'], ['ajar', 'guru', 'kajar']]
>>> query_terms('") OR * NOT')
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kembar.search.stemmer import stem, stems
from kembar.search.synonyms import expansions, groups_of

__all__ = ["MAX_TERMS", "Term", "concepts", "indonesian_terms", "query_terms", "words"]

#: Words of a query beyond this many are ignored.
MAX_TERMS = 8
#: Longer words are cut (no real word is longer; a longer one is noise or an attack).
MAX_WORD = 40

_WORD = re.compile(r"[^\W_]+")

#: Words too common to search for, in either language.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "not",
        "ada",
        "adalah",
        "akan",
        "antara",
        "atau",
        "bagi",
        "bahwa",
        "dalam",
        "dan",
        "dari",
        "dengan",
        "di",
        "dia",
        "ini",
        "itu",
        "juga",
        "ke",
        "kepada",
        "oleh",
        "pada",
        "para",
        "sebagai",
        "secara",
        "serta",
        "tersebut",
        "untuk",
        "yang",
        "tidak",
    ]
)


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, letters and digits only.

    >>> words("Kota-kota (pesisir) & 'smart city' 2024!")
    ['kota', 'kota', 'pesisir', 'smart', 'city', '2024']
    """
    return [word[:MAX_WORD] for word in _WORD.findall(text.lower())]


def indonesian_terms(text: str) -> str:
    """``text`` as the index stores Indonesian: every reading of every word's stem.

    >>> indonesian_terms("Pelatihan pengelolaan sampah untuk guru")
    'latih kelola elola sampah guru'
    """
    return " ".join(root for word in words(text) if word not in STOPWORDS for root in stems(word))


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query: ``english`` spellings for the English text, stems for Indonesian."""

    word: str
    english: frozenset[str]
    indonesian: frozenset[str]

    @property
    def spellings(self) -> frozenset[str]:
        """Every spelling, for a database that matches both languages alike (FTS5)."""
        return self.english | self.indonesian


def _term(word: str) -> Term:
    english, indonesian = expansions(word)
    roots = {root for indonesian_word in indonesian for root in stems(indonesian_word)}
    return Term(
        word=word,
        english=frozenset({word} | english),
        indonesian=frozenset(set(stems(word)) | roots),
    )


def query_terms(query: str) -> list[Term]:
    """The terms of ``query``: distinct words, stopwords and one-letter words left out.

    >>> [term.word for term in query_terms("the  Flood and floods, x")]
    ['flood', 'floods']
    """
    seen: list[str] = []
    for word in words(query[: MAX_TERMS * MAX_WORD * 4]):
        if len(word) > 1 and word not in STOPWORDS and word not in seen:
            seen.append(word)
    return [_term(word) for word in seen[:MAX_TERMS]]


def concepts(text: str) -> dict[str, str]:
    """The ideas ``text`` speaks of, in either language: a key per idea and a word to show for it.

    A word of a synonym group stands for its group (so "banjir" and "flooding"
    are one idea); any other word for its stem ("pelatihan" and "latihan" are
    one).  An idea is shown by the first word of the text that stands for it.
    Stopwords, one-letter words and numbers are left out.  Used to match a
    practice sought with one offered (:mod:`kembar.analytics.practice_match`).

    >>> concepts("Pengendalian banjir rob")
    {'kendali': 'pengendalian', 'group:8': 'banjir'}
    >>> concepts("Flood control") == {"group:8": "flood", "control": "control"}
    True
    """
    found: dict[str, str] = {}
    for word in words(text):
        if len(word) < 2 or word in STOPWORDS or word.isdigit():
            continue
        groups = groups_of(word)
        if groups:
            for number in sorted(groups):
                found.setdefault(f"group:{number}", word)
        else:
            found.setdefault(stem(word), word)
    return found
