"""narrative-compare: where several accounts of one event agree, diverge, or stay silent."""

__version__ = "0.1.0"

from .errors import InputError  # noqa: E402
from .model import (  # noqa: E402
    Comparison,
    Discrepancy,
    Event,
    Evidence,
    FramingTerm,
    PairLabel,
    Passage,
    Point,
    Source,
)

__all__ = [
    "Comparison",
    "Discrepancy",
    "Event",
    "Evidence",
    "FramingTerm",
    "InputError",
    "PairLabel",
    "Passage",
    "Point",
    "Source",
    "__version__",
]
