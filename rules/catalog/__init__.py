"""The rule catalogue: one module per subcategory, grouped by category.

Importing this package registers every rule (see rules.registry.all_rules).
"""
import importlib
import pkgutil

for _info in pkgutil.walk_packages(__path__, __name__ + "."):
    importlib.import_module(_info.name)
