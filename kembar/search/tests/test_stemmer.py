"""Indonesian word forms and the roots the index stores for them."""

from __future__ import annotations

import pytest

from kembar.search.stemmer import stem, stems


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("pelatihan", "latih"),
        ("dilatih", "latih"),
        ("melatih", "latih"),
        ("latihan", "latih"),
        ("berlatih", "latih"),
        ("menyapu", "sapu"),
        ("memukul", "pukul"),
        ("pengelolaan", "kelola"),
        ("mengelola", "kelola"),
        ("dikelola", "kelola"),
        ("ditingkatkan", "tingkat"),
        ("peningkatan", "tingkat"),
        ("pendidikan", "didik"),
        ("mendidik", "didik"),
        ("pemberdayaan", "daya"),
        ("keberhasilan", "hasil"),
        ("diperkenalkan", "kenal"),
        ("memperbaiki", "baik"),
        ("pertanian", "tani"),
        ("petani", "tani"),
        ("belajar", "ajar"),
        ("bekerja", "kerja"),
        ("kesehatan", "sehat"),
        ("bukunya", "buku"),
        ("diikuti", "ikut"),
        ("persampahan", "sampah"),
        ("pemerintahan", "merintah"),
        ("pemerintah", "merintah"),
        ("sampah", "sampah"),
        ("tinggi", "tinggi"),
        ("makan", "makan"),
        ("guru", "guru"),
        ("Pelatihan", "latih"),
    ],
)
def test_word_forms_reduce_to_their_root(word: str, root: str) -> None:
    assert stem(word) == root


def test_an_ambiguous_nasal_prefix_gives_every_reading() -> None:
    assert stems("mengambil") == ("ambil", "kambil")
    assert stems("diambil") == ("ambil",)
    assert stems("menulis") == ("tulis", "nulis")


@pytest.mark.parametrize("word", ["", "a", "2024", "covid19", "x" * 60])
def test_odd_words_come_back_whole(word: str) -> None:
    assert stems(word) == (word,)
