"""A local GitHub REST API emulator for offline end-to-end tests (see README.md).

    from tests.github_emulator import GitHubEmulator
    with GitHubEmulator() as emu:
        ...
"""
from .emulator import Fault, GitHubEmulator

__all__ = ["GitHubEmulator", "Fault"]
