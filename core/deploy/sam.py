"""The SAM template: function, HTTP API, `live` alias with a 10 % canary, error/throttle alarms.

The template lives in deployment/template.yaml (it ships next to function.zip, whose name
is its CodeUri). Function name and memory are CloudFormation parameters, so the file is
copied unchanged and `sam deploy --parameter-overrides` sets them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from core.errors import UserError

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "deployment" / "template.yaml"
TEMPLATE_NAME = "template.yaml"


def template_text() -> str:
    """The SAM template as shipped."""
    return TEMPLATE_PATH.read_text()


def write_template(out_dir: str | Path) -> Path:
    """Copy the template next to function.zip in out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / TEMPLATE_NAME
    shutil.copyfile(TEMPLATE_PATH, target)
    return target


def lint(text: str | None = None) -> list[str]:
    """cfn-lint errors and warnings (empty list = valid; informational rules, as on the
    cfn-lint command line, are left out). Needs cfn-lint installed."""
    try:
        from cfnlint.api import lint_all
    except ImportError as exc:
        raise UserError("cfn-lint is not installed; install requirements-dev.txt to "
                        "validate the template.") from exc
    matches = lint_all(template_text() if text is None else text)
    return [str(m) for m in matches if m.rule.id[:1] in ("E", "W")]


def deploy_command(*, function_name: str, region: str, memory_mb: int = 512,
                   stack_name: str | None = None) -> str:
    """The `sam deploy` command a user runs next to template.yaml and function.zip."""
    stack = stack_name or f"{function_name}-stack"
    return (f"sam deploy --template-file {TEMPLATE_NAME} --stack-name {stack} "
            f"--region {region} --capabilities CAPABILITY_IAM --resolve-s3 "
            f"--parameter-overrides FunctionName={function_name} MemorySize={memory_mb}")
