"""Distinctive terms: the words that set one source apart from the others."""

from __future__ import annotations

import math


from compare.framing import MIN_Z, distinctive_terms

COMMON = (
    "The road between the town and the border was discussed at the meeting. "
    "Trucks with food and medicine use the road every day. "
    "The meeting called for talks between the parties. "
)
# Long enough that the prior is at its full 500 pseudo-counts.
SHARED = COMMON * 8
TEXTS = {
    "armenia": SHARED + "The blockade must end. The blockade hurts children. "
               "This blockade is a humanitarian crisis, and the blockade continues. "
               "Nobody can leave because of the blockade; the blockade cuts off the town. "
               "We ask the council to lift the blockade. The blockade is illegal.",
    "azerbaijan": SHARED + "Activists protest against illegal mining. The activists protest peacefully. "
                  "Illegal mining harms the environment, say the activists. The activists want "
                  "the illegal mining stopped; the activists protest every day. Activists protest "
                  "at the post, and the activists let cars pass.",
    "un": SHARED + "The meeting called for restraint.",
}


def terms(result, source):
    return {t.term: t for t in result[source]}


def test_a_word_one_source_repeats_is_distinctive_of_it():
    result = distinctive_terms(TEXTS)

    assert set(result) == set(TEXTS)
    blockade = terms(result, "armenia")["blockade"]
    assert blockade.z > MIN_Z and blockade.log_odds > 0
    assert blockade.count == 8 and blockade.others_count == 0
    assert result["armenia"][0].term == "blockade"  # the strongest first
    assert "activists" in terms(result, "azerbaijan")
    assert "blockade" not in terms(result, "azerbaijan")


def test_a_source_using_only_shared_words_has_no_distinctive_term():
    result = distinctive_terms(TEXTS)
    assert result["un"] == []
    for found in result.values():  # the shared vocabulary belongs to nobody
        assert not {"road", "meeting", "trucks"} & set(terms({"x": found}, "x"))


def test_two_sources():
    # With one source as the only "other", the counts need twice the text to clear the prior.
    result = distinctive_terms({"armenia": TEXTS["armenia"] * 2, "azerbaijan": TEXTS["azerbaijan"] * 2})
    assert "blockade" in terms(result, "armenia")
    assert "activists" in terms(result, "azerbaijan")


def test_five_sources_and_finite_scores():
    texts = {
        **TEXTS,
        "russia": SHARED + "Peacekeepers patrol the corridor. The peacekeepers negotiate with both sides, "
                  "and the peacekeepers report progress. Peacekeepers escort trucks; peacekeepers "
                  "talk to the protesters, and the peacekeepers keep the peace.",
        "icrc": SHARED + "Our teams transfer patients. Patients need care; our teams evacuate patients. "
                "Patients in hospital wait, and patients with cancer need transfers. We moved patients "
                "across the line, and more patients wait.",
    }
    result = distinctive_terms(texts)
    assert set(result) == set(texts)
    assert "peacekeepers" in terms(result, "russia")
    assert "patients" in terms(result, "icrc")
    for found in result.values():
        assert len(found) <= 15
        for t in found:
            assert math.isfinite(t.z) and math.isfinite(t.log_odds)
            assert t.z > MIN_Z and t.count >= 2


def test_degenerate_inputs():
    assert distinctive_terms({"only": "The blockade must end."}) == {"only": []}
    assert distinctive_terms({"a": "the and of", "b": "to a the"}) == {"a": [], "b": []}


def test_a_repeated_word_stands_out_in_a_short_event():
    # The prior is capped at half the event's own counts, so it cannot drown them.
    short = {sid: text.replace(SHARED, COMMON) for sid, text in TEXTS.items()}
    assert "blockade" in terms(distinctive_terms(short), "armenia")
