"""The @rule decorator rejects malformed rules at import time."""
import pytest

from rules.registry import REGISTRY, RuleDefinitionError, rule

DOC = '''
## What it does
Finds things.

## Why is this bad?
Because.

## Example
```ts
const a = 1; // <-- SEC-ZZ-999
```

## Use instead
```ts
const a = 2;
```
'''


def _define(**overrides):
    spec = dict(id="SEC-ZZ-999", name="zz-test-rule", subcategory="missing-kms-encryption",
                severity="warning", message="m", remediation="r")
    spec.update(overrides)

    def check(f, ctx):
        return []
    check.__doc__ = overrides.pop("doc", DOC)
    spec.pop("doc", None)
    try:
        return rule(**spec)(check)
    finally:
        REGISTRY.pop(spec["id"], None)


def test_a_well_formed_rule_registers():
    _define()


@pytest.mark.parametrize("overrides,needle", [
    ({"id": "SEC-1"}, "does not match"),
    ({"id": "ARC-ZZ-999"}, "does not belong to category"),
    ({"subcategory": "no-such-slug"}, "TAXONOMY"),
    ({"severity": "fatal"}, "fatal"),
    ({"name": "Not Kebab"}, "kebab"),
    ({"doc": "## What it does\nx\n"}, "sections missing"),
    ({"doc": DOC.replace("```ts\nconst a = 2;\n```", "no code")}, "need a ```ts block"),
])
def test_malformed_rules_are_rejected(overrides, needle):
    with pytest.raises(RuleDefinitionError, match=None) as info:
        _define(**overrides)
    assert needle in str(info.value)


def test_duplicate_ids_are_rejected():
    from rules.registry import all_rules
    existing = all_rules()[0]
    with pytest.raises(RuleDefinitionError, match="duplicate rule id"):
        rule(id=existing.id, name="another-name", subcategory=existing.subcategory.value,
             severity="warning", message="m", remediation="r")(lambda f, c: [])
