"""What the Streamlit app needs that is not drawing: the app (``app.py``) is a thin shell over this.

* :mod:`.inputs`: corpus events, and events built from uploaded files or
  pasted texts, with size limits; every problem is an :class:`InputError`
  whose message the app shows in the page;
* :mod:`.settings`: model and judge choices, thresholds, hash-safe cache keys,
  and preparation with a progress callback;
* :mod:`.views`: the disputes (each contested claim, the sides and their
  quotes, in the report's order), the matrix of claims by sources (stances, or
  coverage statuses; as a data frame and as an escaped HTML table), the claims
  only one source makes, counts, filters and sorting, positions and pair evidence, passages highlighted in
  their original documents (escaped HTML, only ``<mark>`` added), framing,
  names, and the report files to download;
* :mod:`.lessons`: the lesson steps (each event's ``lesson.md``), the answer
  key checked against the tool, and the "you decide" exercise.

Everything that puts document text into HTML goes through :func:`esc`.

The app, the tests and the benchmarks use these names as ``explore.X``, and
the app looks them up here at call time, so a test that patches
``explore.prepare_with_progress`` patches what the app calls.
"""

from __future__ import annotations

from .inputs import (
    LIMITS_PROBLEM,
    MAX_SOURCES,
    MAX_TEXT_BYTES,
    UPLOAD_TYPES,
    CorpusEvent,
    TextInput,
    corpus_events,
    event_from_inputs,
    source_from_input,
)
from .lessons import (
    KeyedPair,
    Step,
    exercise_pairs,
    keyed_pairs,
    load_answers,
    read_lesson,
    teaching_steps,
)
from .settings import (
    AUTO_MODEL,
    choose_model,
    default_model,
    default_thresholds,
    event_key,
    judge_choices,
    make_judge,
    model_choices,
    prepare_with_progress,
    thresholds_from,
)
from .views import (
    COLOURS,
    EXPORTS,
    MEANINGS,
    SORTS,
    STATUSES,
    STYLE,
    SYMBOLS,
    TEXT_COLOURS,
    STANCE_COLOURS,
    STANCE_TEXT_COLOURS,
    badge,
    claim_text,
    describe_discrepancies,
    dispute_html,
    dispute_points,
    discrepancy_spans,
    document_html,
    esc,
    esc_md,
    evidence_value,
    export_file,
    framing_chart_spec,
    framing_frame,
    legend_html,
    mark_spans,
    matrix_frame,
    matrix_html,
    metadata_html,
    names_frame,
    pair_label_counts,
    pair_rows,
    parties,
    passage_html,
    position_rows,
    select_points,
    sole_claim_groups,
    sole_claims_html,
    source_metadata,
    stance_badge,
    stance_legend_html,
    stance_of,
    status_counts,
)

__all__ = [
    "AUTO_MODEL",
    "COLOURS",
    "CorpusEvent",
    "EXPORTS",
    "KeyedPair",
    "LIMITS_PROBLEM",
    "MAX_SOURCES",
    "MAX_TEXT_BYTES",
    "MEANINGS",
    "SORTS",
    "STANCE_COLOURS",
    "STANCE_TEXT_COLOURS",
    "STATUSES",
    "STYLE",
    "SYMBOLS",
    "Step",
    "TEXT_COLOURS",
    "TextInput",
    "UPLOAD_TYPES",
    "badge",
    "choose_model",
    "claim_text",
    "corpus_events",
    "default_model",
    "default_thresholds",
    "describe_discrepancies",
    "discrepancy_spans",
    "dispute_html",
    "dispute_points",
    "document_html",
    "esc",
    "esc_md",
    "event_from_inputs",
    "event_key",
    "evidence_value",
    "exercise_pairs",
    "export_file",
    "framing_chart_spec",
    "framing_frame",
    "judge_choices",
    "keyed_pairs",
    "legend_html",
    "load_answers",
    "make_judge",
    "mark_spans",
    "matrix_frame",
    "matrix_html",
    "metadata_html",
    "model_choices",
    "names_frame",
    "pair_label_counts",
    "pair_rows",
    "parties",
    "passage_html",
    "position_rows",
    "prepare_with_progress",
    "read_lesson",
    "select_points",
    "sole_claim_groups",
    "sole_claims_html",
    "source_from_input",
    "source_metadata",
    "stance_badge",
    "stance_legend_html",
    "stance_of",
    "status_counts",
    "teaching_steps",
    "thresholds_from",
]
