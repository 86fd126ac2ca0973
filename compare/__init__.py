"""narrative-compare: where several accounts of one event agree, diverge, or stay silent.

The library in one call::

    from compare import compare_event

    comparison = compare_event("corpus/teaching-junction")
    for point in comparison.points:
        print(point.summary, {sid: pos.stance for sid, pos in point.positions.items()})

The stages, one module each, in the order the data flows: :mod:`compare.documents`,
:mod:`compare.passages`, :mod:`compare.embeddings`, :mod:`compare.alignment`,
:mod:`compare.checks`, :mod:`compare.judge`, :mod:`compare.framing`,
:mod:`compare.report`; :mod:`compare.pipeline` runs them. The data classes that
flow between them are in :mod:`compare.records`.
"""

__version__ = "0.1.0"

from compare.errors import InputError, ModelLoadError  # noqa: E402
from compare.records import (  # noqa: E402
    Comparison,
    Discrepancy,
    Event,
    Evidence,
    FramingTerm,
    PairLabel,
    Passage,
    Point,
    Source,
    Thresholds,
)

__all__ = [
    "Comparison",
    "Discrepancy",
    "Event",
    "Evidence",
    "FramingTerm",
    "InputError",
    "ModelLoadError",
    "PairLabel",
    "Passage",
    "Point",
    "Source",
    "Thresholds",
    "__version__",
    "compare_event",
]


def __getattr__(name: str):
    # compare_event is loaded on first use: the pipeline brings in scikit-learn and the
    # judges, which `import compare` (for the data classes alone) should not pay for.
    if name == "compare_event":
        from compare.pipeline import compare_event

        return compare_event
    raise AttributeError(f"module 'compare' has no attribute {name!r}")
