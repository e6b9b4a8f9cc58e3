"""Deploy function.zip with boto3: create or update, publish a version, canary the `live` alias.

Dry-run by default: without `confirm=True` nothing touches AWS and the result lists the
calls that would be made, so a demo never changes an account by accident. A real run
records the same list with each call's outcome.

Canary: the alias keeps pointing at the current stable version and sends
`canary_weight` (10 %) of invocations to the new one (`RoutingConfig`). `promote` moves the
alias to the new version; `rollback` drops the canary (or steps back one version).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError

ALIAS = "live"
CANARY_WEIGHT = 0.10
RUNTIME = "python3.11"
HANDLER = "lambda_function.lambda_handler"


@dataclass
class Plan:
    """Calls made (or, in a dry run, to be made), in order, and the outcome."""

    action: str
    function_name: str
    region: str
    dry_run: bool
    calls: list[dict[str, Any]] = field(default_factory=list)
    version: str | None = None
    stable_version: str | None = None
    routing: dict[str, float] = field(default_factory=dict)
    status: str = "planned"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shown(value: Any) -> Any:
    """Parameters as shown in the plan: zip bytes become '<N bytes>'."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


class _Caller:
    """Records each call; executes it only when not a dry run."""

    def __init__(self, plan: Plan, client: Any):
        self.plan, self.client = plan, client

    def __call__(self, operation: str, when: str | None = None, **params: Any) -> Any:
        shown = _shown(params)
        entry: dict[str, Any] = {"service": "lambda", "operation": operation, "params": shown}
        if when:
            entry["when"] = when
        self.plan.calls.append(entry)
        if self.plan.dry_run:
            return None
        return getattr(self.client, operation)(**params)


def _client(region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region, endpoint_url=endpoint_url)


def _not_found(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return code == "ResourceNotFoundException"


@contextmanager
def _explained(action: str) -> Iterator[None]:
    """Turn boto3/botocore failures inside the block into a UserError that says what to do."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        raise _user_error(action, exc) from exc


def _user_error(action: str, exc: Exception) -> UserError:
    from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

    if isinstance(exc, NoCredentialsError):
        return UserError(f"{action}: no AWS credentials found. Configure them (aws configure, "
                         "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or run without "
                         "--confirm for a dry run.")
    if isinstance(exc, NoRegionError):
        return UserError(f"{action}: no region; pass --region such as eu-west-1.")
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return UserError(f"{action}: AWS refused {exc.operation_name} "
                         f"({err.get('Code')}: {err.get('Message')}). Check the function name, "
                         "role and permissions.")
    return UserError(f"{action}: {type(exc).__name__}: {exc}")


def _check_names(function_name: str, region: str) -> None:
    import re

    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", function_name or ""):
        raise UserError(f"Function name {function_name!r} is not valid: use 1-64 letters, "
                        "digits, '-' or '_' (for example routing-lab-router).")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region or ""):
        raise UserError(f"Region {region!r} is not an AWS region name; use one such as "
                        "eu-west-1.")


def deploy(zip_path: str | Path, *, function_name: str, region: str,
           role: str | None = None, confirm: bool = False, endpoint_url: str | None = None,
           alias: str = ALIAS, canary_weight: float = CANARY_WEIGHT, memory_mb: int = 512,
           timeout_s: int = 10, architecture: str = "arm64",
           description: str = "") -> Plan:
    """Create or update the function, publish a version and point the alias at it.

    First deploy: the alias is created on the new version. Later deploys: the alias stays
    on the stable version and sends `canary_weight` of traffic to the new one.
    """
    _check_names(function_name, region)
    if not 0.0 < canary_weight < 1.0:
        raise UserError(f"canary_weight must be between 0 and 1 (exclusive); got "
                        f"{canary_weight}. The default is 0.1 (10 %).")
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise UserError(f"Zip {zip_path} not found; build it first (build-lambda).")
    code = zip_path.read_bytes()
    plan, call = _start("deploy", function_name, region, confirm, endpoint_url)
    create = {"FunctionName": function_name, "Runtime": RUNTIME, "Handler": HANDLER,
              "Code": {"ZipFile": code}, "MemorySize": int(memory_mb),
              "Timeout": int(timeout_s), "Architectures": [architecture],
              "Description": description or "routing lab router", "Publish": False}
    with _explained(f"Deploying {function_name}"):
        if plan.dry_run:
            call("get_function", FunctionName=function_name)
            call("create_function", when="function does not exist", Role=role or "<--role>",
                 **create)
            call("update_function_code", when="function exists", FunctionName=function_name,
                 ZipFile=code)
            call("get_waiter('function_updated_v2').wait", FunctionName=function_name)
            call("publish_version", FunctionName=function_name,
                 CodeSha256="<sha256 of the zip, base64>")
            call("get_alias", FunctionName=function_name, Name=alias)
            call("create_alias", when="alias does not exist", FunctionName=function_name,
                 Name=alias, FunctionVersion="<new version>")
            call("update_alias", when="alias exists (canary)", FunctionName=function_name,
                 Name=alias, FunctionVersion="<stable version>",
                 RoutingConfig={"AdditionalVersionWeights": {"<new version>": canary_weight}})
            return plan
        client = call.client
        try:
            call("get_function", FunctionName=function_name)
            exists = True
        except Exception as exc:
            if not _not_found(exc):
                raise
            exists = False
        if exists:
            out = call("update_function_code", FunctionName=function_name, ZipFile=code)
            waiter = "function_updated_v2"
        else:
            if not role:
                raise UserError(f"Function {function_name!r} does not exist yet; pass --role "
                                "with an IAM role ARN the function runs as "
                                "(arn:aws:iam::<account>:role/<name>).")
            out = call("create_function", Role=role, **create)
            waiter = "function_active_v2"
        plan.calls.append({"service": "lambda", "operation": f"get_waiter('{waiter}').wait",
                           "params": {"FunctionName": function_name}})
        client.get_waiter(waiter).wait(FunctionName=function_name,
                                       WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        published = call("publish_version", FunctionName=function_name,
                         CodeSha256=out["CodeSha256"])
        plan.version = str(published["Version"])
        try:
            current = call("get_alias", FunctionName=function_name, Name=alias)
        except Exception as exc:
            if not _not_found(exc):
                raise
            current = None
        if current is None or current["FunctionVersion"] in ("$LATEST", plan.version):
            verb = "create_alias" if current is None else "update_alias"
            call(verb, FunctionName=function_name, Name=alias, FunctionVersion=plan.version,
                 **({} if current is None else {"RoutingConfig": {
                     "AdditionalVersionWeights": {}}}))
            plan.stable_version, plan.status = plan.version, "live"
        else:
            plan.stable_version = str(current["FunctionVersion"])
            plan.routing = {plan.version: canary_weight}
            call("update_alias", FunctionName=function_name, Name=alias,
                 FunctionVersion=plan.stable_version,
                 RoutingConfig={"AdditionalVersionWeights": plan.routing})
            plan.status = "canary"
        return plan


def _start(action: str, function_name: str, region: str, confirm: bool,
           endpoint_url: str | None) -> tuple[Plan, _Caller]:
    """Check the names, open the plan, and a caller that only records in a dry run."""
    _check_names(function_name, region)
    plan = Plan(action, function_name, region, dry_run=not confirm)
    return plan, _Caller(plan, None if plan.dry_run else _client(region, endpoint_url))


def _alias_state(call: _Caller, function_name: str, alias: str) -> tuple[str, dict]:
    current = call("get_alias", FunctionName=function_name, Name=alias)
    weights = (current.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(current["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()}


def promote(*, function_name: str, region: str, confirm: bool = False,
            endpoint_url: str | None = None, alias: str = ALIAS) -> Plan:
    """Send all traffic of the alias to the canary version."""
    plan, call = _start("promote", function_name, region, confirm, endpoint_url)
    with _explained(f"Promoting {function_name}"):
        if plan.dry_run:
            call("get_alias", FunctionName=function_name, Name=alias)
            call("update_alias", FunctionName=function_name, Name=alias,
                 FunctionVersion="<canary version>",
                 RoutingConfig={"AdditionalVersionWeights": {}})
            return plan
        stable, weights = _alias_state(call, function_name, alias)
        if not weights:
            raise UserError(f"Alias {alias!r} of {function_name} has no canary to promote (it "
                            f"serves version {stable} only). Deploy a new version first.")
        plan.version = next(iter(weights))
        call("update_alias", FunctionName=function_name, Name=alias,
             FunctionVersion=plan.version, RoutingConfig={"AdditionalVersionWeights": {}})
        plan.stable_version, plan.status = plan.version, "live"
        return plan


def rollback(*, function_name: str, region: str, confirm: bool = False,
             endpoint_url: str | None = None, alias: str = ALIAS) -> Plan:
    """Drop the canary; with no canary, point the alias at the previous published version."""
    plan, call = _start("rollback", function_name, region, confirm, endpoint_url)
    with _explained(f"Rolling back {function_name}"):
        if plan.dry_run:
            call("get_alias", FunctionName=function_name, Name=alias)
            call("list_versions_by_function", when="no canary in progress",
                 FunctionName=function_name)
            call("update_alias", FunctionName=function_name, Name=alias,
                 FunctionVersion="<stable or previous version>",
                 RoutingConfig={"AdditionalVersionWeights": {}})
            return plan
        stable, weights = _alias_state(call, function_name, alias)
        target = stable
        if not weights:
            listed = call("list_versions_by_function", FunctionName=function_name)
            older = sorted(int(v["Version"]) for v in listed["Versions"]
                           if v["Version"].isdigit() and int(v["Version"]) < int(stable))
            if not older:
                raise UserError(f"Nothing to roll back: alias {alias!r} of {function_name} "
                                f"serves version {stable} and there is no earlier version.")
            target = str(older[-1])
        call("update_alias", FunctionName=function_name, Name=alias, FunctionVersion=target,
             RoutingConfig={"AdditionalVersionWeights": {}})
        plan.version = plan.stable_version = target
        plan.status = "rolled back"
        return plan

