"""What the Streamlit app needs that is not drawing: the app (``app.py``) is a thin shell over this.

* :mod:`.inputs`: corpus events, and events built from uploaded files or
  pasted texts, with size limits; every problem is an :class:`InputError`
  whose message the app shows in the page;
* :mod:`.settings`: model and judge choices, thresholds, hash-safe cache keys,
  and preparation with a progress callback;
* :mod:`.views`: the coverage matrix (as a data frame and as an escaped HTML
  table), counts, filters and sorting, pair evidence, passages highlighted in
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
    badge,
    describe_discrepancies,
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
    select_points,
    source_metadata,
    status_counts,
)

__all__ = [
    "AUTO_MODEL",
    "COLOURS",
    "EXPORTS",
    "MAX_SOURCES",
    "MAX_TEXT_BYTES",
    "MEANINGS",
    "SORTS",
    "STATUSES",
    "STYLE",
    "SYMBOLS",
    "TEXT_COLOURS",
    "UPLOAD_TYPES",
    "CorpusEvent",
    "KeyedPair",
    "Step",
    "TextInput",
    "badge",
    "choose_model",
    "corpus_events",
    "default_model",
    "default_thresholds",
    "describe_discrepancies",
    "discrepancy_spans",
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
    "prepare_with_progress",
    "read_lesson",
    "select_points",
    "source_from_input",
    "source_metadata",
    "status_counts",
    "teaching_steps",
    "thresholds_from",
]
