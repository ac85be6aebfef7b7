"""Repository configuration: `.github/cdk-review.yml` (format in CONTRACT.md).

Parsing is strict: an unknown key, a wrong type or an unknown rule id/slug is a
ConfigError naming the file and the key, because a typo that silently does nothing
(`rules: {SEC-SG-01: off}`) is worse than a failed run.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import yaml

from rules.strict_yaml import StrictLoader as _StrictLoader
from rules.taxonomy import Category, Severity, Subcategory

CONFIG_PATH = ".github/cdk-review.yml"
DEFAULT_INCLUDE = ("**/*.ts",)
DEFAULT_EXCLUDE = ("**/node_modules/**", "**/cdk.out/**", "**/*.d.ts")
DEFAULT_PRODUCTION_HINT = ("prod", "production")
OFF = "off"
NEVER = "never"

_SCHEMA_PATH = Path(__file__).parent / "schemas" / "config.schema.json"
_SLUGS = frozenset(s.value for s in Subcategory) | frozenset(c.value for c in Category)


class ConfigError(ValueError):
    """A configuration file that cannot be used; str() is the message for the user."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True)
class Config:
    fail_on: Severity | str = Severity.ERROR          # a Severity or NEVER
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    # key: rule id, subcategory slug or category slug; value: 'off' | 'error' | 'warning' | 'notice'
    rules: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    production_hint: tuple[str, ...] = DEFAULT_PRODUCTION_HINT
    max_inline_comments: int = 30
    draft_conclusion: str = "neutral"                   # 'neutral' | 'normal'

    def __post_init__(self):
        # Callers may pass lists/dicts; store immutable, hashable forms (globs are compiled per tuple).
        for name in ("include", "exclude", "production_hint"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not isinstance(self.rules, MappingProxyType):
            object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def fails(self, severity: Severity) -> bool:
        """Does a finding of this severity fail the run (exit 1 / check-run failure)?"""
        if self.fail_on == NEVER:
            return False
        return Severity(severity).rank >= Severity(self.fail_on).rank

    def _override(self, rule) -> str | None:
        sub = Subcategory(getattr(rule.subcategory, "value", rule.subcategory))
        for key in (rule.id, sub.value, sub.category.value):   # most specific wins
            if key in self.rules:
                return self.rules[key]
        return None

    def severity_for(self, rule) -> Severity | None:
        """Effective severity of a rule; None when it is switched off."""
        override = self._override(rule)
        if override is None:
            return Severity(getattr(rule.severity, "value", rule.severity))
        return None if override == OFF else Severity(override)

    def adjust(self, finding, rule):
        """The finding as configured: None if its rule is off, its severity replaced only
        when the config overrides it (so a rule's per-finding severity otherwise stands)."""
        override = self._override(rule)
        if override is None:
            return finding
        if override == OFF:
            return None
        return dataclasses.replace(finding, severity=Severity(override))

    def path_included(self, relpath: str) -> bool:
        path = _normalise_path(relpath)
        return bool(_compile_globs(self.include).match(path)) and not _compile_globs(self.exclude).match(path)

    def is_production(self, name: str) -> bool:
        """Does a stack name/id/stage look like production? Matches whole words, where
        words are split at non-alphanumerics, camelCase humps and letter/digit changes."""
        tokens = [w.lower() for w in words(name)]
        for hint in self.production_hint:
            needle = [w.lower() for w in words(hint)]
            n = len(needle)
            if n and any(tokens[i:i + n] == needle and (i == 0 or tokens[i - 1] not in _NEGATING)
                         for i in range(len(tokens) - n + 1)):
                return True
        return False


# --------------------------------------------------------------------------- loading

def load_config(path: str | None, *, known_rule_ids: Iterable[str]) -> Config:
    """Read a config file; None means 'no file': the defaults."""
    if path is None:
        return Config()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from None
    return parse_config(text, source=path, known_rule_ids=known_rule_ids)


def parse_config(text: str, *, source: str, known_rule_ids: Iterable[str]) -> Config:
    data = _load_yaml(text, source)
    if data is None:                      # empty file or only comments
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(source, [f"the top level must be a mapping of settings, got {_kind(data)}"])
    problems = _non_string_keys(data, ())
    if problems:
        raise ConfigError(source, problems)
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    problems = [msg for e in errors for msg in _describe(e)]
    if isinstance(data.get("rules"), dict):
        problems += _unknown_rule_keys(data["rules"], set(known_rule_ids))
    if problems:
        raise ConfigError(source, problems)
    return _build(data)


def _build(data: dict) -> Config:
    kwargs: dict[str, Any] = {}
    if "fail_on" in data:
        kwargs["fail_on"] = NEVER if data["fail_on"] == NEVER else Severity(data["fail_on"])
    paths = data.get("paths") or {}
    # a given list replaces the default list (explicit beats merged)
    if "include" in paths:
        kwargs["include"] = tuple(paths["include"])
    if "exclude" in paths:
        kwargs["exclude"] = tuple(paths["exclude"])
    if "rules" in data:
        kwargs["rules"] = MappingProxyType({k: (OFF if v is False else v) for k, v in data["rules"].items()})
    if "production_hint" in data:
        kwargs["production_hint"] = tuple(data["production_hint"])
    for key in ("max_inline_comments", "draft_conclusion"):
        if key in data:
            kwargs[key] = data[key]
    return Config(**kwargs)


@functools.cache
def _schema() -> dict:
    return json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))




def _load_yaml(text: str, source: str):
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(source, [f"invalid YAML{where}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"invalid YAML: {exc}"]) from None


# --------------------------------------------------------------------------- messages

def _where(path: Iterable) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "an integer"}


_BOOL_HINT = " (YAML reads unquoted on/off/yes/no/true/false as booleans)"


def _show(value) -> str:
    if isinstance(value, bool):
        return "off" if value is False else "true"
    return str(value)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'X'?)' for a near miss among `choices`, else ''."""
    choices = list(choices)
    by_lower = {c.lower(): c for c in choices}
    if word.lower() in by_lower:
        return f" (did you mean '{by_lower[word.lower()]}'?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(err: jsonschema.ValidationError) -> list[str]:
    where = _where(err.absolute_path)
    prefix = f"{where}: " if where else ""
    if err.validator == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        under = f" under '{where}'" if where else ""
        return [f"unknown key '{k}'{under}{did_you_mean(k, allowed)}; allowed keys: {', '.join(allowed)}"
                for k in err.instance if k not in allowed]
    if err.validator == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return [f"{prefix}expected {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}, got {_kind(err.instance)}"]
    if err.validator == "enum":
        options = list(dict.fromkeys(_show(v) for v in err.validator_value))
        hint = _BOOL_HINT if isinstance(err.instance, bool) else ""
        return [f"{prefix}{_kind(err.instance)} is not one of: {', '.join(options)}{hint}"]
    if err.validator == "minimum":
        return [f"{prefix}must be at least {err.validator_value}, got {err.instance}"]
    if err.validator == "minLength":
        return [f"{prefix}must not be empty"]
    return [f"{prefix}{err.message}"]


def _non_string_keys(value, path: tuple) -> list[str]:
    # YAML turns keys like `on:` or `1:` into booleans/numbers; say so instead of a confusing schema error.
    problems: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                where = _where(path)
                problems.append(f"{where + ': ' if where else ''}key {str(k).lower() if isinstance(k, bool) else repr(k)} "
                                f"must be a string: quote it{_BOOL_HINT if isinstance(k, bool) else ''}")
            else:
                problems += _non_string_keys(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problems += _non_string_keys(v, path + (i,))
    return problems


def _unknown_rule_keys(rules: dict, known_rule_ids: set[str]) -> list[str]:
    valid = known_rule_ids | _SLUGS
    return [f"rules.{key}: unknown rule id, subcategory or category{did_you_mean(key, sorted(valid))}"
            for key in rules if key not in valid]


# --------------------------------------------------------------------------- globs

def _normalise_path(relpath: str) -> str:
    path = relpath.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


@functools.lru_cache(maxsize=64)
def _compile_globs(patterns: tuple[str, ...]) -> re.Pattern:
    alternatives = [_glob_to_regex(p) for pattern in patterns for p in _expand_braces(pattern)]
    return re.compile("(?:" + "|".join(alternatives) + r")\Z" if alternatives else r"(?!)")


def _expand_braces(pattern: str) -> list[str]:
    # `**/*.{ts,tsx}` -> two patterns; innermost-first keeps nested braces simple.
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    head, tail = pattern[:m.start()], pattern[m.end():]
    return [p for alt in m.group(1).split(",") for p in _expand_braces(head + alt + tail)]


def _glob_to_regex(pattern: str) -> str:
    """Glob -> regex over a '/'-separated relative path, anchored at the start.
    `**` as a whole segment spans any number of directories (zero included), `*` and
    `?` stay within one segment, `[...]` is a character class; a trailing '/' means
    'everything under this directory'."""
    pattern = _normalise_path(pattern)
    if pattern.endswith("/"):
        pattern += "**"
    segments = pattern.split("/")
    out = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment_to_regex(seg) + ("" if last else "/"))
    return "".join(out)


def _segment_to_regex(seg: str) -> str:
    out, i = [], 0
    while i < len(seg):
        c = seg[i]
        if seg.startswith("**", i):        # `**` inside a segment (`lib**.ts`): anything
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (end := seg.find("]", i + 2)) != -1:
            body = seg[i + 1:end]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[{'^/' if negate else ''}{body}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------- words

# An acronym before a capitalised word (PRODStack -> PROD, Stack), a capitalised or
# lower-case word, a run of capitals, or a run of digits.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


# 'NonProd', 'non-prod', 'pre-prod' name the environments that are not production.
_NEGATING = frozenset({"non", "not", "pre"})


def words(name: str) -> list[str]:
    """'TapProdDatabase' -> ['Tap', 'Prod', 'Database']; 'my-dev_stack' -> ['my', 'dev', 'stack']."""
    return _WORD.findall(name or "")
