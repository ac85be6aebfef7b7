"""YAML loading that rejects duplicate keys, for every hand-written YAML file we read."""
from __future__ import annotations

import yaml


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


# The data files shipped with the package are read at every start: libyaml's parser, when
# PyYAML has it, reads them ten times faster. Its error marks lack the offending source line,
# which matters only for the user's own files (StrictLoader).
DataLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictDataLoader(DataLoader):
    """StrictLoader for the packaged data files."""


def _construct_mapping(loader: "StrictLoader | StrictDataLoader", node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:                 # unhashable key: let PyYAML report it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


for _loader in (StrictLoader, StrictDataLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
