"""Marks in a row's shown text: byte offsets to characters, overlapping hits, marks named by their hits."""
import random

from viewer.core.marks import Characters, Marks


def test_characters_count_what_decoding_counts_at_every_character_boundary():
    rng = random.Random(7)
    for _ in range(200):
        data = "".join(rng.choice("aé€𝄞\\\"") for _ in range(rng.randint(0, 700))).encode()
        characters = Characters(data)
        for at in [i for i in range(len(data) + 1) if i == len(data) or data[i] & 0xC0 != 0x80]:
            assert characters.at(at) == len(data[:at].decode())


def test_overlapping_hits_make_marks_naming_every_hit_they_belong_to():
    marks = Marks([(0, 3, 10), (2, 5, 12)])  # "0,0" at 10 and at 12 in "0,0,0"
    assert marks.text("0,0,0", 0) == ('<mark data-first="10" data-last="10">0,</mark>'
                                      '<mark data-first="10" data-last="12">0</mark>'
                                      '<mark data-first="12" data-last="12">,0</mark>')


def test_a_hit_with_nothing_shown_is_a_thin_mark_where_it_lies_and_text_is_escaped():
    marks = Marks([(1, 1, 7), (2, 3, 9)])
    assert marks.text("<&>", 0) == ('&lt;<mark class="gap" data-first="7" data-last="7"></mark>&amp;'
                                    '<mark data-first="9" data-last="9">&gt;</mark>')
    late = Marks([(5, 5, 3)])
    assert late.text("ab", 0) == "ab" and late.rest() == '<mark class="gap" data-first="3" data-last="3"></mark>'
