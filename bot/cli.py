"""The `cdk-review` command line: scan | diff | serve | worker | rules."""
from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
DEFAULT_CONFIG = os.path.join(".github", "cdk-review.yml")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one clear line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cdk-review", description="Review AWS CDK TypeScript from source.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="analyse CDK TypeScript files/directories and print findings")
    scan.add_argument("paths", nargs="+", metavar="PATH")
    scan.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    scan.add_argument("--config", metavar="FILE",
                      help=f"repository config (default: {DEFAULT_CONFIG} in the current directory, if present)")
    scan.add_argument("--fail-on", choices=("error", "warning", "notice", "never"),
                      help="lowest severity that makes the exit status 1 (default: the config's fail_on, else error)")

    diff = sub.add_parser("diff", help="review only what a git diff changed, as the bot would on a PR")
    diff.add_argument("--repo", metavar="DIR", default=".", help="the git repository (default: .)")
    diff.add_argument("--base", metavar="REF",
                      help="compare with the merge-base of this ref (default: origin/HEAD, else main, else master)")
    diff.add_argument("--head", metavar="REF", help="the reviewed commit (default: the working tree)")
    diff.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")

    serve = sub.add_parser("serve", help="run the webhook receiver (GitHub App) with the embedded job queue")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")

    sub.add_parser("worker", help="run a job worker against the distributed queue (CDK_REVIEW_QUEUE=redis://...)")

    rules = sub.add_parser("rules", help="list every rule with its docs")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "diff":
            from bot.local_diff import run as _diff
            return _diff(args)
        if args.command in ("serve", "worker"):
            from bot.serve import run_serve, run_worker
            return run_serve(args) if args.command == "serve" else run_worker(args)
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_USAGE


def _fail(message: str) -> int:
    print(f"cdk-review: {message}", file=sys.stderr)
    return EXIT_USAGE


def load_config_for(path: str | None):
    """The config at `path`, or the repo default when present, else defaults."""
    from rules.config import load_config
    from rules.registry import all_rules
    known = {r.id for r in all_rules()}
    if path is None and os.path.isfile(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    return load_config(path, known_rule_ids=known)


def _scan(args) -> int:
    from rules.config import ConfigError
    from rules.engine import analyse
    from rules.loader import InputError, load_project
    from rules import output
    from rules.registry import all_rules

    # A scan is the whole process. At exit the interpreter's last garbage collection would walk
    # every object of the model and the knowledge table (longer than analysing a small
    # repository) for memory the OS reclaims anyway: frozen objects are left alone.
    atexit.register(gc.freeze)
    try:
        config = load_config_for(args.config)
        project = load_project(args.paths, included=config.path_included)
    except (ConfigError, InputError) as exc:
        return _fail(str(exc))
    result = analyse(project, config)
    if args.format == "json":
        rendered = output.render_json(result.findings, files=result.files, diagnostics=result.diagnostics)
    elif args.format == "sarif":
        rendered = output.render_sarif(result.findings, rules=all_rules(), diagnostics=result.diagnostics)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        rendered = output.render_text(result.findings, files=result.files,
                                      diagnostics=result.diagnostics, color=color)
    sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    fail_on = args.fail_on or _fail_on_value(config.fail_on)
    return EXIT_FINDINGS if _fails(result.findings, fail_on) else EXIT_OK


def _fail_on_value(value) -> str:
    return getattr(value, "value", value)


def _fails(findings, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    from rules.taxonomy import Severity
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in findings)


def _rules(args) -> int:
    from rules.docs import render_rules_markdown
    from rules.registry import all_rules
    rules = all_rules()
    if args.format == "json":
        data = [{"id": r.id, "name": r.name, "category": r.category.value,
                 "subcategory": r.subcategory.value, "severity": r.severity.value,
                 "summary": r.summary, "docs": r.docs, "references": list(r.references)} for r in rules]
        print(json.dumps({"rules": data}, indent=2))
    elif args.format == "markdown":
        sys.stdout.write(render_rules_markdown(rules))
    else:
        for r in rules:
            print(f"{r.id:14} {r.severity.value:8} {r.subcategory.value:34} {r.summary}")
        print(f"{len(rules)} rules")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
