"""Compare a whole archive: every event of a folder of event folders or of a table of documents,
one report per event and an index across them, on Ray (``narrative-compare batch``).

:mod:`compare.batch.inputs` reads the events as a stream, :mod:`compare.batch.run` runs the job,
:mod:`compare.batch.index` gathers the index. Ray is imported only when a batch runs.
"""

from compare.batch.inputs import Entry, count_events, event_key, read_entries
from compare.batch.run import BatchResult, run_batch

__all__ = ["BatchResult", "Entry", "count_events", "event_key", "read_entries", "run_batch"]
