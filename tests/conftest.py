"""Shared pytest fixtures."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github_emulator import GitHubEmulator

# --- GitHub emulator (tests/github_emulator/README.md) -------------------------------------------

TEST_APP_ID = 12345


@pytest.fixture(scope="session")
def app_private_key() -> str:
    """A fresh RSA key in the PEM format GitHub hands out for Apps (PKCS#1)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


@pytest.fixture
def github_emulator():
    """A started GitHubEmulator on 127.0.0.1 (random port), stopped after the test."""
    with GitHubEmulator() as emu:
        yield emu


@dataclass
class GitHubApp:
    emulator: GitHubEmulator
    app_id: int
    private_key: str
    installation_id: int

    @property
    def env(self) -> dict[str, str]:
        """The CONTRACT.md environment for running the bot against the emulator."""
        return {"GITHUB_API_URL": self.emulator.url, "GITHUB_APP_ID": str(self.app_id),
                "GITHUB_PRIVATE_KEY": self.private_key}


@pytest.fixture
def github_app(github_emulator, app_private_key) -> GitHubApp:
    """The test App (id 12345) installed on account "octo" with the bot's default permissions
    (checks/pull_requests/issues: write, contents/metadata: read)."""
    inst = github_emulator.add_installation(TEST_APP_ID, app_private_key, account="octo")
    return GitHubApp(github_emulator, TEST_APP_ID, app_private_key, inst.id)
