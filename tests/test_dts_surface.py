"""tools/dts_surface.py: the exports and enum members a package's .d.ts files declare."""
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

from dts_surface import Surface, enum_members  # noqa: E402

FILES = {
    "index.d.ts": "export * as aws_thing from './aws-thing';\nexport * from './core';\nimport './side-effect';\n",
    "core/index.d.ts": "export * from './lib';\n",
    "core/lib/index.d.ts": "export * from './stack';\nexport * from './environment';\n",
    "core/lib/stack.d.ts": "export declare class Stack {\n}\nexport interface StackProps {\n}\n"
                           "declare class Hidden {\n}\n",
    "core/lib/environment.d.ts": "import type { ResourceEnvironment } from '../../interfaces/env';\n"
                                 "export type { ResourceEnvironment };\nexport { Renamed as Shown } from './other';\n",
    "aws-thing/index.d.ts": "export * from './lib';\n",
    "aws-thing/lib/index.d.ts": "export declare const FLAG = \"@aws-cdk/thing:flag\";\n"
                                "export declare function helper(): void;\nexport type Alias = string;\n"
                                "export declare enum VolumeType {\n    /** General purpose */\n    GP3 = \"gp3\",\n"
                                "    /**\n     * The old name.\n     * @deprecated use GP3\n     */\n"
                                "    GENERAL_PURPOSE_SSD_GP3 = \"gp3\",\n    'QUOTED' = \"q\"\n}\n",
}


def _package(tmp_path: Path) -> Path:
    for rel, content in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return tmp_path


def test_module_exports_follow_star_named_and_type_only_re_exports(tmp_path):
    surface = Surface(_package(tmp_path))
    assert surface.module_exports("") == {"aws_thing", "Stack", "StackProps", "ResourceEnvironment", "Shown"}
    assert surface.module_exports("aws-thing") == {"FLAG", "helper", "Alias", "VolumeType"}
    assert surface.module_exports("no-such-module") == frozenset()


def test_enum_members_keep_aliases_and_their_deprecation(tmp_path):
    members = enum_members(_package(tmp_path) / "aws-thing/lib/index.d.ts", "VolumeType")
    assert members == {"GP3": None, "GENERAL_PURPOSE_SSD_GP3": "use GP3", "QUOTED": None}
    assert enum_members(tmp_path / "aws-thing/lib/index.d.ts", "Missing") == {}
