"""Render findings as CONTRACT.md JSON, SARIF 2.1.0 or terminal text.

Pure functions: findings in, a string out (no trailing newline; the caller prints).
Every renderer sorts by Finding.sort_key() so output is byte-for-byte reproducible.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Protocol
from urllib.parse import quote

from rules.findings import Diagnostic, Finding
from rules.taxonomy import Category, Severity, Subcategory

TOOL_NAME = "cdk-review"
# Shown by GitHub code scanning as the tool's home page; change when the repo has a public home.
INFORMATION_URI = "https://github.com/cdk-review/cdk-review"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Versioned key, so a future change of the fingerprint basis cannot be confused with this one.
FINGERPRINT_KEY = "cdkReviewFingerprint/v1"

_SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}
# GitHub ranks security alerts by this number (critical >= 9, high >= 7, medium >= 4, low).
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "notice": "2.0"}


class RuleLike(Protocol):
    id: str
    name: str
    subcategory: Subcategory
    severity: Severity
    summary: str
    docs: str
    references: Sequence[str]


def tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def _sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def _sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.level, d.rule_id or "", d.message))


def _value(x) -> str:
    # Accept enum members or plain strings (duck-typed rules may carry either).
    return x.value if hasattr(x, "value") else str(x)


# --------------------------------------------------------------------------- JSON

def render_json(findings: Iterable[Finding], *, files: int, diagnostics: Iterable[Diagnostic] = ()) -> str:
    items = _sorted_findings(findings)
    counts = Counter(f.category.value for f in items)
    doc = {
        "version": 1,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "findings": [_finding_json(f) for f in items],
        "summary": {
            "files": files,
            "findings": len(items),
            # taxonomy order, only categories that have findings (as in the contract example)
            "by_category": {c.value: counts[c.value] for c in Category if counts[c.value]},
        },
        # extension to the contract: problems with the analysis itself
        "diagnostics": [
            {"path": d.path, "line": d.line, "level": d.level, "message": d.message, "rule_id": d.rule_id}
            for d in _sorted_diagnostics(diagnostics)
        ],
    }
    return json.dumps(doc, indent=2)


def _finding_json(f: Finding) -> dict:
    # Key order is the contract's order.
    return {
        "rule_id": f.rule_id,
        "category": f.category.value,
        "subcategory": f.subcategory.value,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.line,
        "end_line": f.end_line,
        "column": f.column,
        "message": f.message,
        "remediation": f.remediation,
        "suggestion": f.suggestion,
    }


# --------------------------------------------------------------------------- SARIF

def render_sarif(findings: Iterable[Finding], *, rules: Iterable[RuleLike],
                 diagnostics: Iterable[Diagnostic] = ()) -> str:
    rule_list = sorted(rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rule_list)}
    if len(index) != len(rule_list):
        raise ValueError("render_sarif: duplicate rule ids")
    run = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": tool_version(),
            "informationUri": INFORMATION_URI,
            "rules": [_sarif_rule(r) for r in rule_list],
        }},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_sarif_notification(d, index) for d in _sorted_diagnostics(diagnostics)],
        }],
        "results": [_sarif_result(f, index) for f in _sorted_findings(findings)],
    }
    doc = {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2)


def _sarif_rule(r: RuleLike) -> dict:
    sub = Subcategory(_value(r.subcategory))
    sev = _value(r.severity)
    docs = (r.docs or "").strip() or r.summary
    props = {
        "category": sub.category.value,
        "subcategory": sub.value,
        "tags": [sub.category.value, sub.value],
    }
    if sub.category is Category.SECURITY:
        props["security-severity"] = _SECURITY_SEVERITY[sev]
    desc = {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": _first_paragraph(docs) or r.summary},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": _SARIF_LEVEL[sev]},
        "properties": props,
    }
    refs = list(r.references or ())
    if refs:
        desc["helpUri"] = refs[0]
    return desc


def _first_paragraph(markdown: str) -> str:
    # fullDescription is plain text: take the first prose paragraph, skipping headings.
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block and not block.startswith(("#", "```")):
            return " ".join(block.split())
    return ""


def _artifact_location(path: str) -> dict:
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _sarif_result(f: Finding, index: dict[str, int]) -> dict:
    loc = _artifact_location(f.path)
    result = {"ruleId": f.rule_id}
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    result.update({
        "level": _SARIF_LEVEL[f.severity.value],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": loc,
            "region": {"startLine": f.line, "endLine": f.end_line, "startColumn": f.column},
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "category": f.category.value,
            "subcategory": f.subcategory.value,
            "remediation": f.remediation,
        },
    })
    if f.suggestion is not None:
        # A region without columns spans whole lines minus the final newline, so the
        # inserted text must not end with one either.
        text = f.suggestion[:-1] if f.suggestion.endswith("\n") else f.suggestion
        result["fixes"] = [{
            "description": {"text": f.remediation or "Apply the suggested fix"},
            "artifactChanges": [{
                "artifactLocation": dict(loc),
                "replacements": [{
                    "deletedRegion": {"startLine": f.line, "endLine": f.end_line},
                    "insertedContent": {"text": text},
                }],
            }],
        }]
    return result


def _sarif_notification(d: Diagnostic, index: dict[str, int]) -> dict:
    note: dict = {"message": {"text": d.message}, "level": _SARIF_LEVEL.get(d.level, "note")}
    if d.path:
        phys: dict = {"artifactLocation": _artifact_location(d.path)}
        if d.line >= 1:
            phys["region"] = {"startLine": d.line}
        note["locations"] = [{"physicalLocation": phys}]
    if d.rule_id:
        ref: dict = {"id": d.rule_id}
        if d.rule_id in index:
            ref["index"] = index[d.rule_id]
        note["associatedRule"] = ref
    return note


# --------------------------------------------------------------------------- text

_RESET = "\x1b[0m"
_STYLE = {
    "error": "\x1b[1;31m", "warning": "\x1b[33m", "notice": "\x1b[36m",
    "header": "\x1b[1;4m", "location": "\x1b[1m", "rule": "\x1b[2m", "fix": "\x1b[2m",
    "ok": "\x1b[32m",
}
# Control characters in messages (they can quote analysed source) must not reach the terminal raw.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_text(findings: Iterable[Finding], *, files: int, diagnostics: Iterable[Diagnostic] = (),
                color: bool) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if color and text else text

    def cell(text: str, width: int, style: str) -> str:
        # pad outside the escape codes so columns line up with and without colour
        return paint(text, style) + " " * (width - len(text))

    items = _sorted_findings(findings)
    out: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for f in items:
        groups.setdefault(f.path, []).append(f)

    for path, group in groups.items():
        if out:
            out.append("")
        out.append(paint(f"{_clean(path)} ({_plural(len(group), 'finding')})", "header"))
        rows = [(f"{_clean(f.path)}:{f.line}:{f.column}", f.rule_id, f.severity.value, f) for f in group]
        w_loc = max(len(r[0]) for r in rows)
        w_rule = max(len(r[1]) for r in rows)
        w_sev = max(len(r[2]) for r in rows)
        for loc, rule_id, sev, f in rows:
            out.append(f"{cell(loc, w_loc, 'location')}  {cell(rule_id, w_rule, 'rule')}  "
                       f"{cell(sev, w_sev, sev)}  {_clean(f.message)}")
            if f.remediation:
                fix = "\n         ".join(_clean(f.remediation).splitlines())  # align under "fix: "
                out.append("    " + paint(f"fix: {fix}", "fix"))

    diags = _sorted_diagnostics(diagnostics)
    if diags:
        if out:
            out.append("")
        out.append(paint(f"diagnostics ({len(diags)})", "header"))
        for d in diags:
            loc = _clean(d.path or TOOL_NAME) + (f":{d.line}" if d.path and d.line >= 1 else "")
            tail = f" ({d.rule_id})" if d.rule_id else ""
            level_style = d.level if d.level in ("error", "warning", "notice") else "notice"
            out.append(f"{paint(loc, 'location')}  {paint(d.level, level_style)}  {_clean(d.message)}{tail}")

    if out:
        out.append("")
    out.append(_total_line(items, files, paint))
    return "\n".join(out)


def _total_line(items: list[Finding], files: int, paint) -> str:
    if not items:
        return paint(f"No findings in {_plural(files, 'file')}.", "ok")
    by_sev = Counter(f.severity.value for f in items)
    parts = [_plural(by_sev[s.value], s.value) for s in Severity if by_sev[s.value]]
    worst = max((f.severity for f in items), key=lambda s: s.rank).value
    return paint(f"{_plural(len(items), 'finding')} ({', '.join(parts)}) in {_plural(files, 'file')}", worst)
