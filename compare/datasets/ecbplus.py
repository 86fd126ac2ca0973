"""ECB+ (cross-document event coreference in news), read from its own files as a test of point formation.

ECB+ (Cybulska & Vossen, LREC 2014) groups news articles into topics; each topic
holds articles about two real events of one kind (two earthquakes, two
acquisitions), and every event mention is linked into a coreference chain
across articles. Read here in the layout of the preprocessed "Cybulska setup"
(only the sentences the corpus authors checked):

* ``ECB_{split}_corpus.txt``: a token a line, tab-separated ``doc_id``,
  ``sentence_id``, ``token_id``, ``token``, ``chain or -``; a blank line ends a sentence;
* ``ECB_{split}_Event_gold_mentions.json``: the event mentions, each with its
  ``coref_chain``, ``doc_id``, ``sent_id`` and ``is_singleton``.

Splits by their file names: ``Test`` (the default, held back here), ``Dev``,
``Train``. A document id is ``<topic>_<article>ecb`` or ``<topic>_<article>ecbplus``:
the two suffixes are the topic's two sister events.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from compare.errors import InputError

ECB_SPLITS = ("Test", "Dev", "Train")
#: Tokens written without a space before them, and after them (the corpus gives words, not spacing).
_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'re", "'ll", "'ve",
                              "'m", "'d", "’s"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})
_DOC_ID = re.compile(r"^(?P<topic>\d+)_\d+(?P<part>ecbplus|ecb)$")


@dataclass(frozen=True)
class EcbSentence:
    """One checked sentence of an ECB+ article, with the events it mentions."""

    doc: str
    index: int
    text: str
    #: the event coreference chains it mentions that some other article of the topic mentions too
    events: frozenset[str]


@dataclass(frozen=True)
class EcbTopic:
    """The checked sentences of one topic's articles (both sister events), in document and sentence order."""

    id: str
    sentences: tuple[EcbSentence, ...]

    def documents(self) -> dict[str, list[EcbSentence]]:
        """The topic's articles, each as its sentences in order."""
        docs: dict[str, list[EcbSentence]] = {}
        for s in self.sentences:
            docs.setdefault(s.doc, []).append(s)
        return docs


def sister_event(doc_id: str) -> str:
    """Which of its topic's two events an article reports: ``"ecb"`` or ``"ecbplus"``."""
    m = _DOC_ID.match(doc_id)
    return m.group("part") if m else doc_id


def detokenise(tokens: list[str]) -> str:
    """The tokens as text: spaces between words, none before closing punctuation or after an opening bracket."""
    out: list[str] = []
    for tok in tokens:
        if out and tok not in _NO_SPACE_BEFORE and out[-1] not in _NO_SPACE_AFTER:
            out.append(" ")
        out.append(tok)
    return "".join(out)


def read_ecbplus(folder: str | Path, split: str = "Test") -> list[EcbTopic]:
    """The topics of one ECB+ split, each with its sentences and their cross-document event chains."""
    folder = Path(folder)
    if split not in ECB_SPLITS:
        raise InputError(None, f"ECB+ has no split {split!r}; its splits are {', '.join(ECB_SPLITS)}")
    corpus = folder / f"ECB_{split}_corpus.txt"
    mentions_path = folder / f"ECB_{split}_Event_gold_mentions.json"
    for path in (corpus, mentions_path):
        if not path.is_file():
            raise InputError(str(path), f"not found: ECB+ {split} needs {corpus.name} and {mentions_path.name} in "
                                        f"{folder}")
    tokens: dict[tuple[str, int], list[str]] = {}
    with corpus.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 4 or not fields[1].isdigit() or not _DOC_ID.match(fields[0]):
                raise InputError(str(corpus), f"line {number} is not 'doc_id, sentence_id, token_id, token, chain' "
                                              f"separated by tabs with a document id like 2_11ecb: {line[:80]!r}")
            tokens.setdefault((fields[0], int(fields[1])), []).append(fields[3])
    try:
        mentions = json.loads(mentions_path.read_text(encoding="utf-8"))
        chains: dict[tuple[str, int], set[str]] = {}
        docs_of: dict[str, set[str]] = {}
        for m in mentions:
            if m["is_singleton"] or (m["doc_id"], int(m["sent_id"])) not in tokens:
                continue
            chains.setdefault((m["doc_id"], int(m["sent_id"])), set()).add(m["coref_chain"])
            docs_of.setdefault(m["coref_chain"], set()).add(m["doc_id"])
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, KeyError, ValueError) as err:
        raise InputError(str(mentions_path), f"not a list of ECB+ event mentions with coref_chain, doc_id, sent_id "
                                             f"and is_singleton: {err}") from None
    # Only chains that reach another article: a point is about what several sources say.
    across = {c for c, docs in docs_of.items() if len(docs) > 1}
    by_topic: dict[str, list[EcbSentence]] = {}
    for (doc, index), words in sorted(tokens.items(), key=lambda kv: (_order(kv[0][0]), kv[0][1])):
        events = frozenset(chains.get((doc, index), set()) & across)
        by_topic.setdefault(doc.split("_")[0], []).append(EcbSentence(doc, index, detokenise(words), events))
    if not by_topic:
        raise InputError(str(corpus), "holds no sentences")
    return [EcbTopic(t, tuple(s)) for t, s in sorted(by_topic.items(), key=lambda kv: int(kv[0]))]


def _order(doc_id: str) -> tuple[int, str, int]:
    """Documents in topic, sister-event and article order (2_1ecb, 2_2ecb, ..., 2_1ecbplus)."""
    topic, rest = doc_id.split("_", 1)
    article = int(re.match(r"\d+", rest).group(0))  # type: ignore[union-attr]
    return int(topic), sister_event(doc_id), article
