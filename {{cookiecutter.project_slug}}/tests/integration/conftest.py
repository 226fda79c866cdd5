"""Integration tests read the deployed stack's outputs; without a deployment they are skipped, saying why."""

import json
from pathlib import Path
from typing import Any

import pytest

OUTPUTS_FILE = Path(__file__).resolve().parents[2] / "cfn-outputs" / "flat-outputs.json"


@pytest.fixture(scope="session")
def outputs() -> dict[str, Any]:
    """The stack outputs written by `python scripts/export_outputs.py` after `pulumi up`."""
    if not OUTPUTS_FILE.exists():
        pytest.skip(f"{OUTPUTS_FILE.name} not found: deploy, then run `python scripts/export_outputs.py`")
    with open(OUTPUTS_FILE, encoding="utf-8") as file:
        return json.load(file)


@pytest.fixture(scope="session")
def aws_session(outputs):
    """A boto3 session in the stack's region."""
    boto3 = pytest.importorskip("boto3")
    return boto3.Session(region_name=outputs["region"])
