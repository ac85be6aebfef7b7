"""analyse(project) -> findings: run every enabled rule, isolate crashes, apply config."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace

from rules.findings import Diagnostic, Finding
from rules.model.context import Context
from rules.model.layout import is_test_file
from rules.model.origins import value_origin
from rules.model.project import Project, gc_paused
from rules.model.source import SourceFile
from rules.parsing import text
from rules.registry import Hit, Rule, all_rules


@dataclass
class Analysis:
    findings: list[Finding]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


def analyse(project: Project, config=None, *, rules: list[Rule] | None = None) -> Analysis:
    with gc_paused():
        return _analyse(project, config, rules)


def _analyse(project: Project, config, rules: list[Rule] | None) -> Analysis:
    from rules.config import Config
    from rules.suppressions import apply_suppressions, parse_suppressions

    config = config or Config()
    ctx = Context(project, config)
    active = [(r, sev) for r in (rules if rules is not None else all_rules())
              if (sev := config.severity_for(r)) is not None]
    diagnostics: list[Diagnostic] = []
    raw: list[Finding] = []

    for f in project.analysed:
        err = f.syntax_error
        if err is not None:
            diagnostics.append(Diagnostic(
                f.path, err.start_point[0] + 1,
                f"syntax error at line {err.start_point[0] + 1}, column {err.start_point[1] + 1}: "
                "analysed what could be recovered", "notice"))

    app_files = [f for f in project.analysed if not is_test_file(f)]
    analysed = {id(f) for f in app_files}
    origins: dict[tuple, list[tuple[Finding, Finding]]] = {}
    for r, severity in active:
        targets = (project.analysed if r.in_tests else app_files) if r.scope == "file" else [None]
        for f in targets:
            try:
                hits = list(r.check(f, ctx) if f is not None else r.check(project, ctx))
                for h in hits:
                    if r.in_tests or not is_test_file(h.file or f):
                        raw.append(finding := _finding(r, severity, h, f))
                        if r.follows_values and (at := _at_origin(finding, h, f, analysed)) is not None:
                            origins.setdefault((at.rule_id, at.path, at.line), []).append((at, finding))
            except Exception as exc:  # one broken rule must not stop the others
                where = f.path if f is not None else "project"
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                diagnostics.append(Diagnostic(
                    where if f is not None else "", 0,
                    f"rule {r.id} crashed on {where}: {type(exc).__name__}: {exc} "
                    f"({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})", "error", r.id))

    raw.extend(_origin_findings(origins, raw))
    by_path: dict[str, list[Finding]] = {}
    for finding in _dedupe(raw):
        by_path.setdefault(finding.path, []).append(finding)
    kept: list[Finding] = []
    known_ids = {r.id for r in all_rules()}
    for f in project.analysed:
        findings = by_path.pop(f.path, [])
        suppressions = parse_suppressions(f.comments, f.path, known_ids=known_ids)
        survivors, notes = apply_suppressions(findings, suppressions)
        kept.extend(survivors)
        diagnostics.extend(notes)
    for rest in by_path.values():          # findings placed in a file outside the analysed set
        kept.extend(rest)
    kept.sort(key=Finding.sort_key)
    diagnostics.sort(key=lambda d: (d.path, d.line, d.message))
    return Analysis(kept, diagnostics, len(project.analysed))


def _finding(r: Rule, severity, hit: Hit, current: SourceFile | None) -> Finding:
    file = hit.file or current
    suggestion = hit.suggestion
    owner = file.project.analysed_file_of(hit.node) if file is not None and file.project is not None else None
    if owner is not None and owner is not file:
        # a prop set in another file's defaults: reported there; a suggestion written from
        # the rule's file lines would edit the wrong text
        file, suggestion = owner, None
    if file is None:
        raise ValueError(f"{r.id}: a project rule must say which file a hit is in")
    end = hit.end_node or hit.node
    return Finding(
        rule_id=r.id, subcategory=r.subcategory,
        severity=hit.severity if hit.severity is not None and severity == r.severity else severity,
        path=file.path, line=hit.node.start_point[0] + 1, end_line=end.end_point[0] + 1,
        column=hit.node.start_point[1] + 1,
        message=r.format(r.message, hit.args), remediation=r.format(r.remediation, hit.args),
        suggestion=suggestion, rule_name=r.name, snippet=text(hit.node)[:400],
    )


def _at_origin(finding: Finding, hit: Hit, current: SourceFile | None,
               analysed: set[int]) -> Finding | None:
    """The finding again where its value is set, when that is another line of the analysed
    code (a constant, a stage config): the line a pull request changing the value touches."""
    origin = value_origin(hit.file or current, hit.node)
    if origin is None or id(origin[0]) not in analysed:
        return None
    file, node = origin
    return replace(finding, path=file.path, line=node.start_point[0] + 1, end_line=node.end_point[0] + 1,
                   column=node.start_point[1] + 1, suggestion=None, snippet=text(node)[:400])


def _origin_findings(origins: dict[tuple, list[tuple[Finding, Finding]]], raw: list[Finding]) -> list[Finding]:
    """One finding per rule and place a value is set, naming where it is used; none where
    the rule reports that line already."""
    reported = {(f.rule_id, f.path, f.line) for f in raw}
    out = []
    for place, pairs in origins.items():
        if place in reported:
            continue
        at, use = pairs[0]
        uses = sorted({(u.path, u.line) for _, u in pairs})
        first = f"line {uses[0][1]}" if uses[0][0] == at.path else f"{uses[0][0]}:{uses[0][1]}"
        where = first + (f" and {len(uses) - 1} more" if len(uses) > 1 else "")
        out.append(replace(at, message=f"{use.message} (set here, used at {where})"))
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule_id, f.path, f.line, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
