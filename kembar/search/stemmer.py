"""A small Indonesian stemmer: confix stripping without a dictionary.

Indonesian builds words by affixes around a root: ``pelatihan`` (training) is
pe- + latih + -an, ``ditingkatkan`` (raised) di- + tingkat + -kan.  The search
index stores the roots of the Indonesian text and the query's words are stemmed
the same way, so ``pelatihan`` finds ``dilatih``, ``melatih`` and ``latihan``.

The order of removal follows Nazief & Adriani (1996) and its improvement by
Asian et al. (2007, "confix stripping"): particle (-lah, -kah, -tah, -pun),
then possessive pronoun (-ku, -mu, -nya), then one derivational suffix (-kan,
-an, -i), then up to three derivational prefixes (di-, ke-, se-, ter-, ber-,
be-, per-, me-/pe- with their nasal forms mem-, men-, meng-, meny-, pem-,
pen-, peng-, peny-).  A nasal prefix changes the root's first letter, which is
restored ("recoding"): ``menyapu`` → sapu, ``memukul`` → pukul, ``pengelolaan``
→ kelola, ``menulis`` → tulis.

Those algorithms check every step against a dictionary of roots; Kembar ships
none.  Instead:

- a stem must keep at least :data:`MIN_STEM` letters, else the step is undone
  (``makan`` keeps its -an, ``sehat`` its se-);
- the suffix -i is removed only together with a prefix (a confix, as in
  ``diikuti``); alone it usually belongs to the root (``tinggi``, ``materi``);
- where the recoding is ambiguous (``mengambil`` may be k-ambil or ambil), every
  reading is returned by :func:`stems`; the index stores them all and a query
  matches any.  :data:`KNOWN_ROOTS`, a short list of common roots, only chooses
  which reading :func:`stem` gives first.

The same text always gives the same stems, which is what matching needs; a few
roots come out wrong (``sekolah`` → kolah) and are found all the same.

>>> stem("pelatihan"), stem("dilatih"), stem("melatih"), stem("latihan")
('latih', 'latih', 'latih', 'latih')
>>> stem("menyapu"), stem("memukul"), stem("pengelolaan"), stem("ditingkatkan")
('sapu', 'pukul', 'kelola', 'tingkat')
>>> stems("mengambil")
('ambil', 'kambil')
>>> stem("pemberdayaan"), stem("keberhasilan"), stem("bukunya")
('daya', 'hasil', 'buku')

References: B. Nazief and M. Adriani, "Confix-stripping: approach to stemming
algorithm for Bahasa Indonesia", Universitas Indonesia, 1996; J. Asian, H. E.
Williams and S. M. M. Tahaghoghi, "Stemming Indonesian", ACSC 2005 and ACM TALIP
6(4), 2007.
"""

from __future__ import annotations

import functools

__all__ = ["KNOWN_ROOTS", "MIN_STEM", "stem", "stems"]

#: The shortest stem a removal may leave.
MIN_STEM = 4
#: At most this many readings of one word are kept.
MAX_READINGS = 3

#: Roots that end like a particle (-lah, -kah, -tah) and keep that ending.
PARTICLE_LOOKALIKES = (
    "olah",
    "salah",
    "jumlah",
    "telah",
    "langkah",
    "nikah",
    "rintah",
    "mentah",
    "patah",
    "kolah",
    "wilah",
    "ulah",
)

#: Common roots that decide which reading of an ambiguous nasal prefix comes first.
KNOWN_ROOTS = frozenset(
    [
        "ada",
        "ajar",
        "ambil",
        "angkat",
        "atur",
        "awas",
        "ubah",
        "ukur",
        "ulang",
        "umum",
        "undang",
        "urus",
        "usaha",
        "usul",
        "ikut",
        "isi",
        "olah",
        "alir",
        "evaluasi",
        "edukasi",
        "amat",
        "ajak",
        "akses",
        "didik",
        "kelola",
        "kembang",
        "kenal",
        "kirim",
        "kumpul",
        "kunjung",
        "kaji",
        "kerja",
        "kuat",
        "kurang",
        "pukul",
        "pakai",
        "pantau",
        "pimpin",
        "pilih",
        "pindah",
        "pasar",
        "promosi",
        "proses",
        "tingkat",
        "tulis",
        "tanam",
        "tanggap",
        "tata",
        "tuju",
        "tahan",
        "terap",
        "timbang",
        "sapu",
        "simpan",
        "sampai",
        "sebar",
        "sedia",
        "susun",
        "selenggara",
        "sehat",
        "nikah",
        "nilai",
        "makan",
        "masak",
        "minum",
    ]
)

_VOWELS = frozenset("aeiou")


def _strip_particle(word: str) -> str:
    for particle in ("lah", "kah", "tah", "pun"):
        if (
            word.endswith(particle)
            and len(word) - 3 >= MIN_STEM + 1
            and not word.endswith(PARTICLE_LOOKALIKES)
        ):
            return word[:-3]
    return word


def _strip_possessive(word: str) -> str:
    for possessive in ("nya", "ku", "mu"):
        if word.endswith(possessive) and len(word) - len(possessive) >= MIN_STEM:
            return word[: -len(possessive)]
    return word


def _suffix_forms(word: str) -> list[tuple[str, str]]:
    """The readings of ``word`` without a derivational suffix, most likely first."""
    forms = []
    if word.endswith("kan") and len(word) - 3 >= MIN_STEM:
        forms.append((word[:-3], "kan"))
        if word[-4] in _VOWELS:
            # pendidikan: pen-didik-an, not pen-didi-kan.
            forms.append((word[:-2], "an"))
    elif word.endswith("an") and len(word) - 2 >= MIN_STEM:
        forms.append((word[:-2], "an"))
    elif word.endswith("i") and not word.endswith("ii") and len(word) - 1 >= MIN_STEM:
        forms.append((word[:-1], "i"))
    return forms


def _prefix_readings(word: str, *, outer: bool) -> list[str]:
    """The roots left when one prefix is removed from ``word`` (none if no prefix fits).

    Only ber-, ter- and per- follow another prefix (di-per-kenal-kan,
    ke-ber-hasil-an, pem-ber-daya-an).
    """
    first = word[:1]
    if not outer and not word.startswith(("ber", "ter", "per")):
        return []
    if word.startswith(("di", "ke", "se")):
        return [word[2:]]
    if word.startswith(("ber", "ter", "per")):
        rest = word[3:]
        if rest[:1] in _VOWELS:
            # berupa: be-rupa; perawat: pe-rawat; but also ber-ada.
            return [word[2:], rest]
        return [rest]
    if word.startswith(("bel", "pel")) and word[3:].startswith("ajar"):
        return [word[3:]]
    if first in "bp" and word[1:2] == "e" and word[2] not in _VOWELS and word[3:5] == "er":
        # bekerja, pekerja: be-/pe- before a root whose first syllable ends in -er.
        return [word[2:]]
    if word.startswith(("me", "pe")):
        readings = _nasal_prefix(word[2:])
        if not readings and word.startswith("pe") and word[2:3] not in _VOWELS:
            # pedagang, petani, petugas: pe- before a root that keeps its first letter.
            return [word[2:]]
        return readings
    return []


def _nasal_prefix(rest: str) -> list[str]:
    """Readings after me-/pe-: ``rest`` starts with the prefix's nasal, if any."""
    if rest.startswith("ng"):
        after = rest[2:]
        if after[:1] in _VOWELS:
            return ["k" + after, after]
        return [after] if after[:1] in ("g", "h", "k", "q") else []
    if rest.startswith("ny"):
        after = rest[2:]
        return ["s" + after, rest] if after[:1] in _VOWELS else []
    if rest.startswith("m"):
        after = rest[1:]
        if after[:1] in _VOWELS:
            return ["p" + after, rest]
        return [after] if after[:1] in ("b", "f", "v", "p") else []
    if rest.startswith("n"):
        after = rest[1:]
        if after[:1] in _VOWELS:
            return ["t" + after, rest]
        return [after] if after[:1] in ("c", "d", "j", "z", "s", "t") else []
    if rest[:1] in ("l", "r", "w", "y"):
        return [rest]
    return []


#: Two consonants that may begin a root (mostly in loanwords: program, struktur).
_ONSETS = frozenset(
    [
        "bl",
        "br",
        "dr",
        "fl",
        "fr",
        "gl",
        "gr",
        "kh",
        "kl",
        "kr",
        "ng",
        "ny",
        "pl",
        "pr",
        "sk",
        "sl",
        "sm",
        "sn",
        "sp",
        "st",
        "sw",
        "sy",
        "tr",
    ]
)


def _plausible(root: str) -> bool:
    """Long enough, with a vowel, and not starting with two consonants no root starts with."""
    if len(root) < MIN_STEM or not _VOWELS.intersection(root):
        return False
    return root[0] in _VOWELS or root[1] in _VOWELS or root[:2] in _ONSETS


def _strip_prefixes(word: str, rounds: int = 3, *, outer: bool = True) -> list[str]:
    """Every root reachable by removing up to ``rounds`` prefixes; empty if none can go.

    A root recoded after a nasal prefix (pengelola → kelola) is final: its new
    first letter belongs to the root, not to another prefix.
    """
    if rounds == 0:
        return []
    found: list[str] = []
    for reading in _prefix_readings(word, outer=outer):
        if not _plausible(reading):
            continue
        recoded = not word.endswith(reading)
        deeper = [] if recoded else _strip_prefixes(reading, rounds - 1, outer=False)
        found.extend(deeper or [reading])
    return found


def _ordered(readings: list[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(readings))
    known = [reading for reading in unique if reading in KNOWN_ROOTS]
    rest = [reading for reading in unique if reading not in KNOWN_ROOTS]
    return tuple((known + rest)[:MAX_READINGS])


@functools.lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """Every reading of ``word``'s root, the likeliest first (see the module docstring).

    >>> stems("pendidikan")
    ('didik', 'didi')
    >>> stems("menulis")
    ('tulis', 'nulis')
    >>> stems("kota")
    ('kota',)
    """
    word = word.lower()
    if len(word) <= MIN_STEM or not word.isalpha():
        return (word,)
    base = _strip_possessive(_strip_particle(word))
    forms = _suffix_forms(base)
    confixed = [root for without, _suffix in forms for root in _strip_prefixes(without)]
    if confixed:
        return _ordered(confixed)
    # The suffix -i goes only with a prefix (above); -kan and -an also alone.
    suffixed = [without for without, suffix in forms if suffix != "i"]
    return _ordered(suffixed or _strip_prefixes(base) or [base])


def stem(word: str) -> str:
    """The likeliest root of ``word``.

    >>> stem("perbaikan"), stem("diperkenalkan"), stem("kesehatan")
    ('baik', 'kenal', 'sehat')
    """
    return stems(word)[0]
