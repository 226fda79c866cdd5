"""TAP007 on stack files: a missing `aws:region` is a warning that says where the region must come from (the
provider also reads AWS_REGION / AWS_DEFAULT_REGION / the profile); plain-text secrets stay errors, in any
namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

import tapcheck
from tapcheck.catalog import ERROR, WARNING
from tapcheck.rules.project_files import looks_secret


def project(root: Path, stack: str) -> Path:
    (root / "Pulumi.yaml").write_text("name: vpn\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text(stack, encoding="utf-8")
    (root / "__main__.py").write_text("import pulumi\nimport pulumi_aws as aws\n\naws.sqs.Queue('q')\n"
                                      "pulumi.export('stack', pulumi.get_stack())\n", encoding="utf-8")
    return root


def tap007(root: Path) -> list[tuple[int, str, str]]:
    return [(f.line, f.severity, f.message) for f in tapcheck.check(root, synth=False).findings if f.rule == "TAP007"]


def test_no_region_is_a_warning_naming_the_other_sources(tmp_path: Path) -> None:
    (found,) = tap007(project(tmp_path, "config:\n  vpn:tunnelCount: '2'\n"))
    assert found[:2] == (1, WARNING)
    assert all(word in found[2] for word in ("AWS_REGION", "AWS_DEFAULT_REGION", "profile", "`pulumi up` fails"))


def test_the_profile_the_stack_names_is_the_one_quoted(tmp_path: Path) -> None:
    (found,) = tap007(project(tmp_path, "config:\n  aws:profile: prod-admin\n"))
    assert "profile 'prod-admin' (aws:profile)" in found[2]


def test_a_region_in_the_stack_file_is_enough(tmp_path: Path) -> None:
    assert tap007(project(tmp_path, "config:\n  aws:region: eu-west-1\n")) == []


@pytest.mark.parametrize("key", ["vpn:tunnel1_preshared_key", "app:tlsPrivateKey", "ci:githubAuthToken",
                                 "vpn:psk", "app:oauthClientSecret", "aws:secretKey", "db:masterPassword"])
def test_secret_names_with_literal_values_are_errors_in_any_namespace(tmp_path: Path, key: str) -> None:
    found = tap007(project(tmp_path, f"config:\n  aws:region: eu-west-1\n  {key}: 'THIS_is_a_bad_shar3d_KEY'\n"))
    assert found == [(3, ERROR, f"config key '{key}' looks like a secret but is stored in plain text in a "
                                "committed file")]


@pytest.mark.parametrize("key", ["vpn:tunnel1_rekey_margin_time_seconds", "app:privateKeyPath", "app:sshKeyName",
                                 "app:dbSecretArn", "app:kmsKeyId", "app:tokenTtl", "app:keyPair"])
def test_names_about_secrets_are_not_secrets(key: str) -> None:
    assert not looks_secret(key)


def test_an_encrypted_value_is_fine(tmp_path: Path) -> None:
    stack = "config:\n  aws:region: eu-west-1\n  vpn:tunnel1_preshared_key:\n    secure: v1:abc\n"
    assert tap007(project(tmp_path, stack)) == []


def test_a_secret_inside_structured_config_is_found_at_its_line(tmp_path: Path) -> None:
    stack = ("config:\n  aws:region: eu-west-1\n  vpn:tunnels:\n    - inside_cidr: 169.254.10.0/30\n"
             "      preshared_key: THIS_is_a_bad_shar3d_KEY\n    - inside_cidr: 169.254.11.0/30\n"
             "      preshared_key:\n        secure: v1:abc\n")
    (found,) = tap007(project(tmp_path, stack))
    assert found[:2] == (5, ERROR) and "'0.preshared_key'" in found[2]
