"""Settings.from_env: explicit, frozen, clear errors, secrets kept out of sight."""
from __future__ import annotations

import dataclasses

import pytest

from bot.cli import main
from bot.settings import Settings, SettingsError

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----\n"
ENV = {"GITHUB_APP_ID": "42", "GITHUB_PRIVATE_KEY": PEM, "GITHUB_WEBHOOK_SECRET": "hush"}


def test_from_env_with_defaults():
    s = Settings.from_env(ENV)
    assert (s.app_id, s.private_key, s.webhook_secret) == (42, PEM, "hush")
    assert (s.api_url, s.queue, s.data_dir, s.redis) == ("https://api.github.com", "embedded", "./.cdk-review", False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.app_id = 1


def test_everything_from_env():
    s = Settings.from_env({**ENV, "GITHUB_API_URL": "https://ghe.example.com/api/v3/", "CDK_REVIEW_QUEUE":
                           "redis://cache:6379/2", "CDK_REVIEW_DATA_DIR": "/var/lib/cdk-review",
                           "CDK_REVIEW_WORKERS": "8", "CDK_REVIEW_GITHUB_WRITE_INTERVAL": "0"})
    assert (s.api_url, s.queue, s.redis, s.data_dir, s.workers, s.seconds_between_writes) == \
        ("https://ghe.example.com/api/v3", "redis://cache:6379/2", True, "/var/lib/cdk-review", 8, 0.0)


def test_missing_settings_are_named_together():
    with pytest.raises(SettingsError) as exc:
        Settings.from_env({})
    assert str(exc.value) == ("missing settings: GITHUB_APP_ID, GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH), "
                              "GITHUB_WEBHOOK_SECRET (set them in the environment or in the CDK_REVIEW_CONFIG file)")


def test_the_worker_needs_no_webhook_secret():
    env = {k: v for k, v in ENV.items() if k != "GITHUB_WEBHOOK_SECRET"}
    assert Settings.from_env(env, webhook=False).webhook_secret == ""
    with pytest.raises(SettingsError, match="GITHUB_WEBHOOK_SECRET"):
        Settings.from_env(env)


@pytest.mark.parametrize("key,value,message", [
    ("GITHUB_APP_ID", "abc", "GITHUB_APP_ID must be an integer, got 'abc'"),
    ("GITHUB_APP_ID", "0", "GITHUB_APP_ID must be at least 1"),
    ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL must be an http(s) URL"),
    ("CDK_REVIEW_QUEUE", "rabbitmq://x", "CDK_REVIEW_QUEUE must be 'embedded' or a redis:// URL"),
    ("CDK_REVIEW_WORKERS", "0", "CDK_REVIEW_WORKERS must be at least 1"),
    ("GITHUB_PRIVATE_KEY", "ghp_notakey", "GITHUB_PRIVATE_KEY is not a PEM private key"),
])
def test_bad_values(key, value, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({**ENV, key: value})


def test_a_bad_key_is_not_echoed():
    with pytest.raises(SettingsError) as exc:
        Settings.from_env({**ENV, "GITHUB_PRIVATE_KEY": "super-secret-value"})
    assert "super-secret-value" not in str(exc.value)


def test_private_key_from_a_file_and_from_one_line(tmp_path):
    path = tmp_path / "app.pem"
    path.write_text(PEM)
    env = {k: v for k, v in ENV.items() if k != "GITHUB_PRIVATE_KEY"}
    assert Settings.from_env({**env, "GITHUB_PRIVATE_KEY_PATH": str(path)}).private_key == PEM
    assert Settings.from_env({**env, "GITHUB_PRIVATE_KEY": PEM.strip().replace("\n", "\\n")}).private_key == PEM
    with pytest.raises(SettingsError, match="cannot read the private key file"):
        Settings.from_env({**env, "GITHUB_PRIVATE_KEY_PATH": str(tmp_path / "missing.pem")})


def test_config_file_with_env_winning(tmp_path):
    f = tmp_path / "cdk-review.yml"
    f.write_text(f"GITHUB_APP_ID: 7\nGITHUB_WEBHOOK_SECRET: from-file\nCDK_REVIEW_DATA_DIR: /data\n"
                 f"GITHUB_PRIVATE_KEY: |\n" + "".join(f"  {line}\n" for line in PEM.splitlines()))
    s = Settings.from_env({"CDK_REVIEW_CONFIG": str(f), "GITHUB_WEBHOOK_SECRET": "from-env"})
    assert (s.app_id, s.webhook_secret, s.data_dir, s.private_key) == (7, "from-env", "/data", PEM)
    f.write_text("GITHUB_APP_ID: 7\nGITHUB_APPID: 8\n")
    with pytest.raises(SettingsError, match="unknown settings GITHUB_APPID"):
        Settings.from_env({"CDK_REVIEW_CONFIG": str(f)})
    with pytest.raises(SettingsError, match="cannot read the config file"):
        Settings.from_env({"CDK_REVIEW_CONFIG": str(tmp_path / "nope.yml")})


def test_secrets_are_not_in_the_repr():
    text = repr(Settings.from_env(ENV))
    assert "hush" not in text and "PRIVATE KEY" not in text and "app_id=42" in text


def test_nothing_reads_the_environment_at_import():
    """No module of bot/ touches os.environ / os.getenv outside a function body."""
    import ast
    from pathlib import Path
    offenders = []
    for path in sorted((Path(__file__).parent.parent / "bot").glob("*.py")):
        tree = ast.parse(path.read_text())
        stack = list(tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue                                   # runs later, when called
            if isinstance(node, (ast.Attribute, ast.Name)) and getattr(node, "attr", getattr(node, "id", "")) in (
                    "environ", "getenv", "environb"):
                offenders.append(f"{path.name}:{node.lineno}")
            stack.extend(ast.iter_child_nodes(node))
    assert offenders == []


def test_serve_without_settings_exits_2(capsys, monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("CDK_REVIEW_CONFIG", raising=False)
    assert main(["serve", "--port", "0"]) == 2
    assert "missing settings: GITHUB_APP_ID" in capsys.readouterr().err
