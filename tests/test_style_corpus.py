"""The style corpus: labeled CDK code in another style than the development corpus.

tests/fixtures/style-corpus holds 27 files written for this project in the style of the
held-out evaluation (aliased and named imports, constants modules, spread defaults,
builder functions, L3 constructs, isProd ternaries, context-driven environments, two
multi-file apps of which one is CDK v1). Its labels.json follows the corpus conventions
(see its README.md). It is scored here with the matching rules of the project's scorer:

- a finding matches a label when path and subcategory are equal and the label's line is
  in [finding.line - 1, finding.end_line + 1];
- each label and each finding is matched at most once (maximum matching over the
  required labels): matched required labels are true positives, unmatched ones misses;
- a finding matching no label at all is a false alarm; one that only matches an optional
  label, or a label already taken, is neutral.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass

from rules.engine import analyse
from rules.loader import load_project

CORPUS = os.path.join(os.path.dirname(__file__), "fixtures", "style-corpus")
MIN_PRECISION = MIN_RECALL = 0.9


@dataclass(frozen=True)
class Label:
    path: str
    line: int
    subcategory: str
    optional: bool
    note: str


@dataclass(frozen=True)
class Found:
    path: str
    line: int
    end_line: int
    subcategory: str
    rule_id: str

    def covers(self, line: int) -> bool:
        return self.line - 1 <= line <= self.end_line + 1


def load_labels() -> list[Label]:
    with open(os.path.join(CORPUS, "labels.json"), encoding="utf-8") as fh:
        files = json.load(fh)["files"]
    return [Label(path, e["line"], e["subcategory"], bool(e.get("optional")), e.get("note", ""))
            for path, entries in files.items() for e in entries]


def scan() -> list[Found]:
    result = analyse(load_project(["."], cwd=CORPUS))
    return [Found(f.path, f.line, f.end_line, f.subcategory.value, f.rule_id) for f in result.findings]


def _matching(finds: list[Found], required: list[Label]) -> dict[int, int]:
    """Maximum bipartite matching {label index: finding index} (augmenting paths)."""
    matched: dict[int, int] = {}

    def augment(fi: int, seen: set[int]) -> bool:
        for li, label in enumerate(required):
            if li in seen or not finds[fi].covers(label.line):
                continue
            seen.add(li)
            if li not in matched or augment(matched[li], seen):
                matched[li] = fi
                return True
        return False

    for fi in range(len(finds)):
        augment(fi, set())
    return matched


def score(labels: list[Label], finds: list[Found]):
    """(true positives, misses, false alarms)."""
    groups: dict[tuple[str, str], tuple[list[Label], list[Found]]] = defaultdict(lambda: ([], []))
    for label in labels:
        groups[(label.path, label.subcategory)][0].append(label)
    for found in finds:
        groups[(found.path, found.subcategory)][1].append(found)
    tp, misses, false_alarms = 0, [], []
    for group_labels, group_finds in groups.values():
        required = [label for label in group_labels if not label.optional]
        matched = _matching(group_finds, required)
        tp += len(matched)
        misses += [label for li, label in enumerate(required) if li not in matched]
        used = set(matched.values())
        false_alarms += [f for fi, f in enumerate(group_finds)
                         if fi not in used and not any(f.covers(label.line) for label in group_labels)]
    return tp, misses, false_alarms


def test_labels_cover_every_file_of_the_corpus():
    ts_files = {os.path.relpath(os.path.join(root, name), CORPUS).replace(os.sep, "/")
                for root, _, names in os.walk(CORPUS) for name in names if name.endswith(".ts")}
    with open(os.path.join(CORPUS, "labels.json"), encoding="utf-8") as fh:
        assert set(json.load(fh)["files"]) == ts_files


def test_scorer_matching_rules():
    labels = [Label("a.ts", 10, "cost-optimization", False, ""), Label("a.ts", 20, "cost-optimization", True, "")]
    finds = [Found("a.ts", 9, 12, "cost-optimization", "X"),      # covers 10: TP
             Found("a.ts", 11, 11, "cost-optimization", "X"),     # covers 10 too, already taken: neutral
             Found("a.ts", 21, 21, "cost-optimization", "X"),     # optional label only: neutral
             Found("a.ts", 30, 30, "cost-optimization", "X"),     # nothing: false alarm
             Found("a.ts", 10, 10, "code-structure", "Y")]        # other subcategory: false alarm
    tp, misses, false_alarms = score(labels, finds)
    assert (tp, misses) == (1, [])
    assert [(f.line, f.subcategory) for f in false_alarms] == [(30, "cost-optimization"), (10, "code-structure")]
    assert score(labels, [])[1] == [labels[0]]


def test_style_corpus_precision_and_recall():
    tp, misses, false_alarms = score(load_labels(), scan())
    precision = tp / (tp + len(false_alarms)) if tp + len(false_alarms) else 1.0
    recall = tp / (tp + len(misses)) if tp + len(misses) else 1.0
    report = "\n".join(
        [f"precision {precision:.3f}, recall {recall:.3f} ({tp} TP, {len(false_alarms)} FP, {len(misses)} FN)",
         "misses:", *(f"  {m.path}:{m.line} {m.subcategory} -- {m.note}" for m in misses),
         "false alarms:", *(f"  {f.path}:{f.line}-{f.end_line} {f.subcategory} ({f.rule_id})" for f in false_alarms)])
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, report
