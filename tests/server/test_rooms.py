"""The pure rules of a class room: codes, keys, names, nicknames."""

import itertools
import random

import pytest

from server import rooms


def test_codes_are_six_characters_of_the_alphabet_without_look_alikes():
    assert len(set(rooms.ALPHABET)) == 32 and not set("O0I1") & set(rooms.ALPHABET)
    codes = {rooms.new_code() for _ in range(200)}
    assert len(codes) == 200  # 32**6 codes: a repeat in 200 draws would be a broken generator
    for code in codes:
        assert len(code) == rooms.CODE_LENGTH and set(code) <= set(rooms.ALPHABET)
        assert rooms.normalize_code(code) == code


@pytest.mark.parametrize(
    "typed, code",
    [(" ab3k7z ", "AB3K7Z"), ("AB3 K7Z", "AB3K7Z"), ("ab3-k7z", "AB3K7Z"), ("AB3K7Z\n", "AB3K7Z")],
)
def test_normalize_code_accepts_what_people_type(typed, code):
    assert rooms.normalize_code(typed) == code


@pytest.mark.parametrize(
    "typed",
    ["", "AB3K7", "AB3K7ZZ", "AB3K70", "AB3KIZ", "AB3KOZ", "AB3K1Z", "'; DROP TABLE rooms; --", "AB\x003K7Z",
     "ÄB3K7Z", "A" * 10_000, None, 123456, b"AB3K7Z", ["AB3K7Z"]],
)  # fmt: skip
def test_normalize_code_refuses_anything_else(typed):
    assert rooms.normalize_code(typed) is None


def test_key_hash_and_key_matches():
    key = rooms.new_key()
    assert len(key) >= 22 and rooms.new_key() != key
    stored = rooms.key_hash(key)
    assert len(stored) == 64 and int(stored, 16) >= 0 and key not in stored
    assert rooms.key_matches(key, stored)
    assert not rooms.key_matches(key + "x", stored)
    assert not rooms.key_matches("", stored)
    for hostile in (None, 123, "\ud800", stored):  # wrong types, a lone surrogate, the hash offered as the key
        assert not rooms.key_matches(hostile, stored)
    assert not rooms.key_matches(key, "\ud800")


@pytest.mark.parametrize(
    "typed, name",
    [
        ("  Ada   Lovelace ", "Ada Lovelace"),
        ("Ada\tLove\nlace", "Ada Love lace"),  # whitespace controls become one space
        ("A\x00d\x07a\x1b[31m", "Ada[31m"),  # other controls (NUL, bell, escape) are dropped
        ("Ada\u202eecalevol", "Adaecalevol"),  # a right-to-left override (format character) is dropped
        ("<script>x</script>", "<script>x</script>"),  # markup stays text: the page escapes when it draws
        ("**bold** [x](y)", "**bold** [x](y)"),
        ("x'; DROP TABLE entries--", "x'; DROP TABLE entries--"),
        ("👩\u200d🔬 Ada", "👩\u200d🔬 Ada"),  # the zero-width joiner of an emoji sequence is kept
        ("x" * rooms.MAX_NAME, "x" * rooms.MAX_NAME),
    ],
)
def test_clean_name(typed, name):
    assert rooms.clean_name(typed) == name


@pytest.mark.parametrize("typed", ["", "   ", "\x00\x01", "\u200b\u202e", None, 42])
def test_clean_name_refuses_empty_and_non_text_saying_what_is_allowed(typed):
    with pytest.raises(ValueError, match=f"{rooms.MAX_NAME} characters"):
        rooms.clean_name(typed)


@pytest.mark.parametrize("length", [rooms.MAX_NAME + 1, 10_000])
def test_clean_name_refuses_long_names_saying_how_long(length):
    with pytest.raises(ValueError, match=f"at most {rooms.MAX_NAME} characters; this one has {length}"):
        rooms.clean_name("x" * length)


def test_every_nickname_is_a_clean_name_and_seeded():
    pairs = list(itertools.product(rooms.ADJECTIVES, rooms.ANIMALS))
    assert len(set(rooms.ADJECTIVES)) >= 40 and len(set(rooms.ANIMALS)) >= 40
    assert all(rooms.clean_name(f"{a} {b}") == f"{a} {b}" for a, b in pairs)  # each fits MAX_NAME
    first = [rooms.nickname(random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1 and first[0] in {f"{a} {b}" for a, b in pairs}
    assert len({rooms.nickname(random.Random(seed)) for seed in range(50)}) > 40
