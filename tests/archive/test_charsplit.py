"""The index copies of the text: single characters and overlapping pairs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.charsplit import PLACEHOLDER, is_exact, pair_tokens, phrase_tokens, split_pairs, split_text

ALPHABET = "党建组织生活干部5Gg，。 \n\U00020000é"


def contains_run(tokens: list[str], run: list[str]) -> bool:
    return any(tokens[i : i + len(run)] == run for i in range(len(tokens) - len(run) + 1))


def test_pairs_overlap_and_punctuation_pairs_are_one_token():
    assert split_pairs("党建工作").split() == ["党建", "建工", "工作"]
    assert split_pairs("5G，芯片").split() == ["5g", PLACEHOLDER * 2, PLACEHOLDER * 2, "芯片"]
    assert split_pairs("党") == "" and split_pairs("") == "" and split_pairs(None) == ""
    assert pair_tokens("组织生活") == ["组织", "织生", "生活"]


def test_supplementary_ideographs_are_one_character():
    assert split_text("\U00020000党").split() == ["\U00020000", "党"]
    assert split_pairs("\U00020000党").split() == ["\U00020000党"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.text(alphabet=ALPHABET, min_size=2, max_size=5))
def test_pair_phrase_occurs_exactly_where_the_string_does(text, query):
    # What the index decides for an exact query of two or more characters must equal substring search.
    if not is_exact(query):
        return
    folded_text = text.encode().lower().decode()
    folded_query = query.encode().lower().decode()
    assert contains_run(split_pairs(text).split(" "), pair_tokens(query)) == (folded_query in folded_text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.sampled_from("党建5gé，"))
def test_single_character_tokens_find_one_character(text, char):
    found = phrase_tokens(char)[0] in split_text(text).split(" ")
    if is_exact(char):
        assert found == (char in text.encode().lower().decode())
    else:
        assert found or char not in text
