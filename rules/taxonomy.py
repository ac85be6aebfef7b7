"""The failure taxonomy: 6 categories, 18 subcategories (a public contract, TAXONOMY.md)."""
from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    INCOMPLETE_IMPLEMENTATION = "incomplete-implementation"
    SECURITY = "security"
    ARCHITECTURE = "architecture"
    CDK_SPECIFIC = "cdk-specific"
    TYPESCRIPT_QUALITY = "typescript-quality"
    OPERATIONAL_EXCELLENCE = "operational-excellence"


class Subcategory(str, Enum):
    MISSING_STACK_DEPENDENCIES = "missing-stack-dependencies"
    INCOMPLETE_STACK_IMPLEMENTATION = "incomplete-stack-implementation"
    MISSING_ERROR_HANDLING = "missing-error-handling"
    OVERLY_PERMISSIVE_SECURITY_GROUPS = "overly-permissive-security-groups"
    MISSING_KMS_ENCRYPTION = "missing-kms-encryption"
    INADEQUATE_IAM_POLICIES = "inadequate-iam-policies"
    SINGLE_POINT_OF_FAILURE = "single-point-of-failure"
    POOR_SUBNET_DESIGN = "poor-subnet-design"
    RESOURCE_SIZING = "resource-sizing"
    INCORRECT_CONSTRUCT_USAGE = "incorrect-construct-usage"
    MISSING_RESOURCE_PROPERTIES = "missing-resource-properties"
    CROSS_STACK_REFERENCES = "cross-stack-references"
    TYPE_DEFINITIONS = "type-definitions"
    IMPORT_STATEMENTS = "import-statements"
    CODE_STRUCTURE = "code-structure"
    MISSING_MONITORING_LOGGING = "missing-monitoring-logging"
    INADEQUATE_BACKUPS = "inadequate-backups"
    COST_OPTIMIZATION = "cost-optimization"

    @property
    def category(self) -> Category:
        return CATEGORY_OF[self]


_S, _C = Subcategory, Category
CATEGORY_OF: dict[Subcategory, Category] = {
    _S.MISSING_STACK_DEPENDENCIES: _C.INCOMPLETE_IMPLEMENTATION,
    _S.INCOMPLETE_STACK_IMPLEMENTATION: _C.INCOMPLETE_IMPLEMENTATION,
    _S.MISSING_ERROR_HANDLING: _C.INCOMPLETE_IMPLEMENTATION,
    _S.OVERLY_PERMISSIVE_SECURITY_GROUPS: _C.SECURITY,
    _S.MISSING_KMS_ENCRYPTION: _C.SECURITY,
    _S.INADEQUATE_IAM_POLICIES: _C.SECURITY,
    _S.SINGLE_POINT_OF_FAILURE: _C.ARCHITECTURE,
    _S.POOR_SUBNET_DESIGN: _C.ARCHITECTURE,
    _S.RESOURCE_SIZING: _C.ARCHITECTURE,
    _S.INCORRECT_CONSTRUCT_USAGE: _C.CDK_SPECIFIC,
    _S.MISSING_RESOURCE_PROPERTIES: _C.CDK_SPECIFIC,
    _S.CROSS_STACK_REFERENCES: _C.CDK_SPECIFIC,
    _S.TYPE_DEFINITIONS: _C.TYPESCRIPT_QUALITY,
    _S.IMPORT_STATEMENTS: _C.TYPESCRIPT_QUALITY,
    _S.CODE_STRUCTURE: _C.TYPESCRIPT_QUALITY,
    _S.MISSING_MONITORING_LOGGING: _C.OPERATIONAL_EXCELLENCE,
    _S.INADEQUATE_BACKUPS: _C.OPERATIONAL_EXCELLENCE,
    _S.COST_OPTIMIZATION: _C.OPERATIONAL_EXCELLENCE,
}


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "notice": 1}[self.value]
