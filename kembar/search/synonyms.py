"""Bilingual synonyms of municipal cooperation, for query expansion.

Each group holds English words and Indonesian words for one idea.  A query word
that belongs to a group also matches every other word of it: "waste" finds a
record that only says "sampah", "pelatihan" one that only says "training".
Indonesian words are compared by their stems (:mod:`kembar.search.stemmer`), so
"persampahan" belongs to the group of "sampah"; English words by their lower
case, with a plural -s also tried.

A group is written ``english words | indonesian words``.  Add one by adding a
line; keep words single (no phrases) and the groups narrow: a group widens
every query that touches it.

>>> sorted(expansions("waste")[1])
['limbah', 'sampah']
>>> sorted(expansions("pelatihan")[0])
['course', 'training', 'workshop']
"""

from __future__ import annotations

import functools

from kembar.search.stemmer import stems

__all__ = ["GROUPS", "expansions", "groups_of"]

_TABLE = """
waste garbage rubbish trash | sampah limbah
recycling recycle | daur
training workshop course | pelatihan latihan kursus lokakarya
teacher teachers | guru pengajar
student students pupil | siswa pelajar mahasiswa murid
school schools | sekolah
education | pendidikan
university | universitas kampus
flood floods flooding | banjir rob genangan
drainage | drainase saluran
water | air
sanitation | sanitasi
health | kesehatan
hospital | rumahsakit
clinic | klinik puskesmas
tourism tourist | pariwisata wisata wisatawan
culture cultural | budaya kebudayaan
art arts | seni kesenian
festival | festival
trade commerce | perdagangan dagang niaga
export exports | ekspor
import imports | impor
investment investor | investasi penanaman
business enterprise | usaha bisnis
msme smes umkm | umkm
market | pasar
agriculture farming farmer | pertanian petani tani
fishery fisheries fisherman | perikanan nelayan
food | pangan makanan
transport transportation | transportasi angkutan perhubungan
traffic | lintas
road roads | jalan
bus | bus
port harbour harbor | pelabuhan
housing | perumahan permukiman
slum slums | kumuh
environment environmental | lingkungan
climate | iklim
energy | energi
electricity | listrik
disaster | bencana
emergency | darurat
fire | kebakaran
youth | pemuda kepemudaan
women | perempuan wanita
children child | anak
disability disabled | disabilitas difabel
poverty poor | kemiskinan miskin
employment job jobs | pekerjaan kerja ketenagakerjaan
worker workers labour labor | pekerja buruh tenaga
sport sports | olahraga
governance government | pemerintahan pemerintah
planning plan | perencanaan rencana
budget | anggaran
city town | kota
village | desa kelurahan
district | kecamatan kabupaten
exchange | pertukaran
visit visits | kunjungan
cooperation collaboration partnership | kerjasama kemitraan
agreement | perjanjian kesepakatan
scholarship scholarships | beasiswa
language | bahasa
digital | digital
technology | teknologi
innovation | inovasi
smart | cerdas pintar
service services | layanan pelayanan
public | publik umum
library | perpustakaan
heritage | warisan cagar
museum | museum
garden park | taman
tree trees | pohon
green | hijau
river | sungai
coast coastal | pesisir pantai
sea | laut
mangrove mangroves | mangrove bakau
air pollution | udara polusi pencemaran
"""


def _parse(table: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    groups = []
    for line in table.strip().splitlines():
        english, indonesian = line.split("|")
        groups.append((frozenset(english.split()), frozenset(indonesian.split())))
    return tuple(groups)


#: (English words, Indonesian words) of each group.
GROUPS = _parse(_TABLE)


@functools.cache
def _index() -> dict[str, list[int]]:
    """Group numbers by English word and by Indonesian stem."""
    index: dict[str, list[int]] = {}
    for number, (english, indonesian) in enumerate(GROUPS):
        keys = set(english) | {f"id:{root}" for word in indonesian for root in stems(word)}
        for key in keys:
            index.setdefault(key, []).append(number)
    return index


def groups_of(word: str) -> frozenset[int]:
    """The numbers of the groups ``word`` belongs to (by itself, without a plural -s, or its stems).

    >>> groups_of("floods") == groups_of("banjir") == groups_of("genangan")
    True
    >>> groups_of("gedung")
    frozenset()
    """
    word = word.lower()
    index = _index()
    keys = [word, word.removesuffix("s")] + [f"id:{root}" for root in stems(word)]
    return frozenset(number for key in keys for number in index.get(key, ()))


def expansions(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """The English and Indonesian words of every group ``word`` belongs to.

    ``word`` itself is not repeated unless a group holds it.
    """
    numbers = groups_of(word)
    english = frozenset(w for number in numbers for w in GROUPS[number][0])
    indonesian = frozenset(w for number in numbers for w in GROUPS[number][1])
    return english, indonesian
