"""Labeled CDK corpora in other styles than the development corpus, scored in the tests.

Each is written for this project and labeled with the corpus conventions (see its
README.md): tests/fixtures/style-corpus (27 files in the held-out evaluation's style:
aliased and named imports, constants modules, spread defaults, builders, L3 constructs,
isProd ternaries, a CDK v1 app) and four written by authors who did not see the analyser:
corpus-a (security, architecture, operations), corpus-b (cdk-specific, TypeScript
quality, incomplete stacks), corpus-c (code as assistants write it), corpus-d (a
platform monorepo whose values cross files: stage configs passed as stack props and
construct-library defaults, the hardest), corpus-e (CDK v1 and half-migrated apps) and
corpus-f (builders, Stages and factories). Floors record where the analyser stands.
They are scored here with the matching rules of the project's scorer:

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

import pytest

from rules.engine import analyse
from rules.loader import load_project

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# corpus -> (minimum precision, minimum recall); measured values are in each test's report
FLOORS = {"style-corpus": (0.98, 0.98), "corpus-a": (0.95, 0.92), "corpus-b": (0.92, 0.9),
          "corpus-c": (0.95, 0.93), "corpus-d": (0.95, 0.65), "corpus-e": (0.95, 0.9),
          "corpus-f": (0.95, 0.73)}


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


def load_labels(corpus: str) -> list[Label]:
    with open(os.path.join(corpus, "labels.json"), encoding="utf-8") as fh:
        files = json.load(fh)["files"]
    return [Label(path, e["line"], e["subcategory"], bool(e.get("optional")), e.get("note", ""))
            for path, entries in files.items() for e in entries]


def scan(corpus: str) -> list[Found]:
    result = analyse(load_project(["."], cwd=corpus))
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


@pytest.mark.parametrize("name", FLOORS)
def test_labels_cover_every_file_of_the_corpus(name):
    corpus = os.path.join(FIXTURES, name)
    ts_files = {os.path.relpath(os.path.join(root, name), corpus).replace(os.sep, "/")
                for root, _, names in os.walk(corpus) for name in names if name.endswith(".ts")}
    with open(os.path.join(corpus, "labels.json"), encoding="utf-8") as fh:
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


@pytest.mark.parametrize("name", FLOORS)
def test_corpus_precision_and_recall(name):
    corpus = os.path.join(FIXTURES, name)
    min_precision, min_recall = FLOORS[name]
    tp, misses, false_alarms = score(load_labels(corpus), scan(corpus))
    precision = tp / (tp + len(false_alarms)) if tp + len(false_alarms) else 1.0
    recall = tp / (tp + len(misses)) if tp + len(misses) else 1.0
    report = "\n".join(
        [f"precision {precision:.3f}, recall {recall:.3f} ({tp} TP, {len(false_alarms)} FP, {len(misses)} FN)",
         "misses:", *(f"  {m.path}:{m.line} {m.subcategory} -- {m.note}" for m in misses),
         "false alarms:", *(f"  {f.path}:{f.line}-{f.end_line} {f.subcategory} ({f.rule_id})" for f in false_alarms)])
    assert precision >= min_precision and recall >= min_recall, report
