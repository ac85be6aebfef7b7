#!/usr/bin/env python3
"""Distil aws-cdk-lib's (and constructs') jsii assembly into rules/knowledge/aws_cdk_lib.json.gz.

Run by hand when bumping the pinned CDK version; never at test time:

    .venv/bin/python tools/gen_knowledge.py            # npm pack the pinned versions
    .venv/bin/python tools/gen_knowledge.py --from-dir /tmp/pkgs   # already-extracted packages
    .venv/bin/python tools/gen_knowledge.py --check-overlay        # verify overlay.yml quotes

jsii leaves out what the .d.ts files declare beyond it (constants, functions, type aliases,
type-only re-exports, enum members aliasing another); tools/dts_surface.py reads those in.

The output keeps only what static review needs (type shapes, optionality, `@default` and
deprecation text, source file) and stores each type's *own* members plus direct base links;
rules/knowledge/__init__.py flattens inheritance on demand, which keeps the file much smaller
than flattening here (every Cfn* class would otherwise repeat CfnResource's members).

Encoding (format 2: format 1 plus "entries"), all JSON, sorted keys, gzip with mtime 0 so
output is byte-reproducible:
  {"format": 2, "packages": {name: version}, "s": [interned strings, s[0] == ""],
   "modules": {submodule: [top-level names]}, "entries": [importable subpaths of aws-cdk-lib],
   "constructs": [top-level names of constructs],
   "t": {fqn: record}}
  record keys: k kind ("c" class, "s" struct, "i" interface, "e" enum), f source file (s idx),
    d deprecation (s idx), b base class fqn, i direct interfaces, a abstract (1),
    n initializer params (absent: no public constructor), p properties, m methods, e enum members.
  property  [name, type, flags, default, deprecated]   (trailing zeros dropped; ints are s idx)
  method    [name, returns, flags, deprecated, params] (returns 0 = void)
  param     [name, type, flags]
  flags: 1 optional, 2 static, 4 readonly, 8 protected, 16 abstract, 32 variadic.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dts_surface import Surface, enum_members  # noqa: E402  (uses the analyser's parser)

CDK_VERSION = "2.276.0"
# Newest 10.x when the data file was generated; satisfies aws-cdk-lib's peer range ^10.5.0.
CONSTRUCTS_VERSION = "10.8.1"
FORMAT = 2
OUT = Path(__file__).resolve().parent.parent / "rules" / "knowledge" / "aws_cdk_lib.json.gz"

F_OPTIONAL, F_STATIC, F_READONLY, F_PROTECTED, F_ABSTRACT, F_VARIADIC = 1, 2, 4, 8, 16, 32
CDK_PREFIX = "aws-cdk-lib."


def short_fqn(fqn: str) -> str:
    """Project convention: drop the `aws-cdk-lib.` prefix; other packages keep their name."""
    return fqn[len(CDK_PREFIX):] if fqn.startswith(CDK_PREFIX) else fqn


def type_str(ref: dict | None) -> str:
    """Render a jsii TypeReference as the project's type string."""
    if ref is None:
        return ""
    if "primitive" in ref:
        return ref["primitive"]  # string number boolean any date json
    if "fqn" in ref:
        return short_fqn(ref["fqn"])
    if "collection" in ref:
        coll = ref["collection"]
        elem = type_str(coll["elementtype"])
        return f"Array<{elem}>" if coll["kind"] == "array" else f"Map<string,{elem}>"
    if "union" in ref:
        return " | ".join(type_str(t) for t in ref["union"]["types"])
    if "intersection" in ref:  # jsii "intersection-types" feature, used a handful of times
        return " & ".join(type_str(t) for t in ref["intersection"]["types"])
    raise ValueError(f"unknown jsii type reference: {ref}")


class Strings:
    """Interning table: repeated type strings and doc texts become small ints."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}

    def __call__(self, s: str | None) -> int:
        if not s:
            return 0
        return self._index.setdefault(s, len(self._index) + 1)

    def seeded(self, values: list[str]) -> None:
        for v in sorted(set(values)):  # sorted first-assignment keeps the table deterministic
            self(v)

    def table(self) -> list[str]:
        return [""] + sorted(self._index, key=self._index.__getitem__)


def _trim(row: list) -> list:
    while row and row[-1] in (0, None, []):
        row.pop()
    return row


def deprecation(docs: dict, owner_docs: dict | None = None) -> str | None:
    """jsii marks deprecation with docs.stability == 'deprecated' and the message in docs.deprecated;
    members of a deprecated type carry only the stability, so fall back to the owner's message."""
    if "deprecated" in docs:
        return docs["deprecated"] or "deprecated"
    if docs.get("stability") == "deprecated":
        return (owner_docs or {}).get("deprecated") or "deprecated"
    return None


def _collect_strings(types: dict) -> list[str]:
    out: list[str] = []

    def add(ref):
        out.append(type_str(ref))

    for t in types.values():
        for p in t.get("properties", []):
            add(p["type"])
        for m in t.get("methods", []):
            if "returns" in m:
                add(m["returns"]["type"])
            for a in m.get("parameters", []):
                add(a["type"])
        for a in (t.get("initializer") or {}).get("parameters", []):
            add(a["type"])
    return out


def distil(assembly: dict, s: Strings) -> dict[str, list | dict]:
    out: dict[str, dict] = {}
    for fqn, t in assembly["types"].items():
        tdocs = t.get("docs", {})
        rec: dict = {"f": s(t.get("locationInModule", {}).get("filename"))}
        dep = deprecation(tdocs)
        if dep:
            rec["d"] = s(dep)
        kind = t["kind"]
        if kind == "enum":
            rec["k"] = "e"
            rec["e"] = {m["name"]: s(deprecation(m.get("docs", {}), tdocs)) for m in t["members"]}
        else:
            rec["k"] = "c" if kind == "class" else ("s" if t.get("datatype") else "i")
            if t.get("base"):
                rec["b"] = short_fqn(t["base"])
            if t.get("interfaces"):
                rec["i"] = sorted(short_fqn(i) for i in t["interfaces"])
            if t.get("abstract"):
                rec["a"] = 1
            if "initializer" in t:
                rec["n"] = [_param(a, s) for a in t["initializer"].get("parameters", [])]
            props = [_prop(p, s, tdocs) for p in t.get("properties", [])]
            if props:
                rec["p"] = sorted(props, key=_row_key)
            methods = [_method(m, s, tdocs) for m in t.get("methods", [])]
            if methods:
                rec["m"] = sorted(methods, key=_row_key)
        out[short_fqn(fqn)] = rec
    return out


def _row_key(row: list) -> tuple[str, int]:
    flags = row[2] if len(row) > 2 else 0
    return row[0], flags & F_STATIC


def _param(a: dict, s: Strings) -> list:
    flags = (F_OPTIONAL if a.get("optional") else 0) | (F_VARIADIC if a.get("variadic") else 0)
    return _trim([a["name"], s(type_str(a["type"])), flags])


def _prop(p: dict, s: Strings, tdocs: dict) -> list:
    docs = p.get("docs", {})
    flags = ((F_OPTIONAL if p.get("optional") else 0) | (F_STATIC if p.get("static") else 0)
             | (F_READONLY if p.get("immutable") else 0) | (F_PROTECTED if p.get("protected") else 0))
    return _trim([p["name"], s(type_str(p["type"])), flags, s(docs.get("default")),
                  s(deprecation(docs, tdocs))])


def _method(m: dict, s: Strings, tdocs: dict) -> list:
    flags = ((F_STATIC if m.get("static") else 0) | (F_PROTECTED if m.get("protected") else 0)
             | (F_ABSTRACT if m.get("abstract") else 0))
    ret = s(type_str(m["returns"]["type"])) if "returns" in m else 0
    params = [_param(a, s) for a in m.get("parameters", [])]
    return _trim([m["name"], ret, flags, s(deprecation(m.get("docs", {}), tdocs)), params])


def modules_of(assembly: dict) -> dict[str, list[str]]:
    """Top-level type names per submodule ("" = core); nested types (Cfn*.XProperty) excluded."""
    subs = sorted((k[len(CDK_PREFIX):] for k in assembly.get("submodules", {})), key=len, reverse=True)
    mods: dict[str, set[str]] = {"": set()}
    for sub in subs:
        mods.setdefault(sub, set())
    for fqn in assembly["types"]:
        rest = short_fqn(fqn)
        owner = next((m for m in subs if rest.startswith(m + ".")), "")
        name = rest[len(owner) + 1:] if owner else rest
        if "." not in name:
            mods[owner].add(name)
    return {k: sorted(v) for k, v in mods.items()}


def load_assembly(pkg_dir: Path) -> dict:
    """Read `.jsii`, following the `jsii/file-redirect` stub to `.jsii.gz` when present."""
    raw = json.loads((pkg_dir / ".jsii").read_text())
    if raw.get("schema") == "jsii/file-redirect":
        target = pkg_dir / raw["filename"]
        opener = gzip.open if raw.get("compression") == "gzip" else open
        with opener(target, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    return raw


def npm_fetch(spec: str, workdir: Path) -> Path:
    """`npm pack` a package into workdir and extract it; returns the package root."""
    name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=workdir, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    dest = workdir / spec.replace("/", "_").replace("@", "_")
    dest.mkdir()
    with tarfile.open(workdir / name) as tf:
        tf.extractall(dest, filter="data")
    return dest / "package"


def add_declarations(modules: dict[str, list[str]], cdk_types: dict[str, dict], s: Strings,
                     cdk_dir: Path) -> int:
    """What the .d.ts files add to the jsii view (see dts_surface.py): each module's other
    exports, and enum members that alias another. Returns how many names were added."""
    surface, added = Surface(cdk_dir), 0
    for module, names in modules.items():
        if "." not in module:           # nested namespaces (aws_s3.mixins) have no entry file of their own
            extra = surface.module_exports(module.replace("_", "-")) - set(names)
            names[:] = sorted({*names, *extra})
            added += len(extra)
    files = s.table()
    for fqn, rec in cdk_types.items():
        if rec["k"] != "e" or not rec.get("f"):
            continue
        declared = enum_members(cdk_dir / (files[rec["f"]][:-3] + ".d.ts"), fqn.rsplit(".", 1)[-1])
        for member, deprecated in declared.items():
            if member not in rec["e"]:
                rec["e"][member] = s(deprecated)
                added += 1
    return added


def entry_points(cdk_dir: Path) -> list[str]:
    """The importable subpaths of the package (`exports` of its package.json), code only."""
    exports = json.loads((cdk_dir / "package.json").read_text())["exports"]
    return sorted(key[2:] for key in exports
                  if key.startswith("./") and not key[2:].startswith(".") and not key.endswith((".json", ".js")))


def build(cdk_dir: Path, constructs_dir: Path) -> tuple[dict, dict]:
    cdk, cons = load_assembly(cdk_dir), load_assembly(constructs_dir)
    s = Strings()
    s.seeded(_collect_strings(cdk["types"]) + _collect_strings(cons["types"]))
    cons_types = distil(cons, s)
    cdk_types = distil(cdk, s)
    modules = modules_of(cdk)
    declared = add_declarations(modules, cdk_types, s, cdk_dir)
    types = {**cons_types, **cdk_types}
    data = {
        "format": FORMAT,
        "packages": {cdk["name"]: cdk["version"], cons["name"]: cons["version"]},
        "modules": modules,
        "entries": entry_points(cdk_dir),
        "constructs": sorted(short_fqn(f).split(".", 1)[1] for f in cons["types"]),
        "t": types,
        "s": s.table(),
    }
    stats = {"types": len(types), "strings": len(data["s"]), "declared": declared}
    return data, stats


def write(data: dict, out: Path) -> tuple[int, int]:
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)  # mtime 0: reproducible bytes
    out.write_bytes(packed)
    return len(packed), len(raw)


def _comment_text(text: str) -> str:
    """Doc-comment text of a .d.ts with the ` * ` gutters removed and whitespace collapsed."""
    return " ".join(re.sub(r"^\s*(/\*\*|\*/|\*)", "", line) for line in text.splitlines()).split()


def check_overlay(cdk_dir: Path) -> list[str]:
    """Every overlay `quote` must appear in the doc comments of its `source` (.d.ts shipped in
    the package); every in-package `source` must exist. Returns the problems found."""
    sys.path.insert(0, str(OUT.parent.parent.parent))
    from rules.knowledge.overlay import load_overlay_file

    ov = load_overlay_file(OUT.parent / "overlay.yml")
    facts = [(f"{d.construct}.{d.prop}", d.source, d.quote) for d in ov.defaults()]
    facts += [(f"stateful {s.fqn}", s.source, None) for s in ov.stateful_facts.values()]
    facts += [(f"port {p.name}", p.source, p.quote) for p in ov.ports]
    cache: dict[str, str | None] = {}
    problems = []
    for what, source, quote in facts:
        if source.startswith("external:"):
            continue
        if source not in cache:
            dts = cdk_dir / (source[:-3] + ".d.ts")
            cache[source] = " ".join(_comment_text(dts.read_text())) if dts.exists() else None
        text = cache[source]
        if text is None:
            problems.append(f"{what}: {source} not in package")
        elif quote and " ".join(quote.split()) not in text:
            problems.append(f"{what}: quote not found in {source}: {quote!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cdk-version", default=CDK_VERSION)
    ap.add_argument("--constructs-version", default=CONSTRUCTS_VERSION)
    ap.add_argument("--from-dir", type=Path,
                    help="dir holding extracted aws-cdk-lib/ and constructs/ package roots (skip npm)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check-overlay", action="store_true",
                    help="only verify overlay.yml quotes/sources against the package")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.from_dir:
            cdk_dir, cons_dir = args.from_dir / "aws-cdk-lib", args.from_dir / "constructs"
        else:
            cdk_dir = npm_fetch(f"aws-cdk-lib@{args.cdk_version}", Path(tmp))
            cons_dir = None if args.check_overlay else npm_fetch(
                f"constructs@{args.constructs_version}", Path(tmp))
        if args.check_overlay:
            problems = check_overlay(cdk_dir)
            print("\n".join(problems) or "overlay: every quote and source found")
            return 1 if problems else 0
        data, stats = build(cdk_dir, cons_dir)
    if data["packages"].get("aws-cdk-lib") != args.cdk_version:
        print(f"warning: assembly is {data['packages']}, expected {args.cdk_version}", file=sys.stderr)
    packed, raw = write(data, args.out)
    print(f"{args.out}: {stats['types']} types (+{stats['declared']} names from the .d.ts), "
          f"{stats['strings']} strings, "
          f"{packed / 1e6:.2f} MB gzip ({raw / 1e6:.2f} MB raw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
