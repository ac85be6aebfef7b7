"""Small helpers for the GitHub-flavoured markdown the bot writes (pure string functions).

Messages quote analysed source code (construct ids, property names), so text put into
a comment or a check summary is made inert: HTML-like text outside code spans is
escaped (`<!-- cdk-review:... -->` in a message can never pose as our marker, `Array<T>`
is not swallowed as a tag) and a value never breaks out of its line or table cell.
"""
from __future__ import annotations

import re

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def inline(text: str, *, limit: int | None = None) -> str:
    """One line of markdown: newlines become spaces, `<`, `>`, `&` outside code spans
    are escaped. `limit` cuts the raw text first (never an escape sequence)."""
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(text[pos:m.start()].translate(_HTML))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].translate(_HTML))
    return "".join(out)


def code(text: str) -> str:
    """`text` as a code span, whatever backticks it holds."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fence_for(text: str) -> str:
    """A code-fence delimiter longer than any backtick run at a line start in `text`."""
    runs = [len(r) for r in re.findall(r"^\s*(`{3,})", text, re.M)]
    return "`" * max(3, max(runs, default=0) + 1)


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural_form or word + 's'}"
