"""Reading template.yaml: the single source of the tables' key schemas and of the API's routes, for the
tests, the benchmark and the OpenAPI document, so none can drift from what `sam deploy` creates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """Keeps intrinsic functions (!Ref, !GetAtt, !Sub...) as plain {"Ref": ...} values."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}  # type: ignore[arg-type]


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    template: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_CloudFormationLoader)
    return template


def table_definition(logical_id: str, path: Path = TEMPLATE) -> dict[str, Any]:
    """The CreateTable arguments of a table of the template (without its name)."""
    properties = load_template(path)["Resources"][logical_id]["Properties"]
    wanted = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
    return {k: properties[k] for k in wanted if k in properties}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # e.g. /essays/{essayId}/preview
    function: str  # logical id
    handler: str  # e.g. functions/preview/app.handler
    authorizer: str | None

    @property
    def module(self) -> str:
        """The handler's module as Python imports it, e.g. functions.preview.app."""
        return self.handler.rsplit(".", 1)[0].replace("/", ".")

    @property
    def function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def api_routes(path: Path = TEMPLATE) -> list[Route]:
    template = load_template(path)
    routes = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        for event in (properties.get("Events") or {}).values():
            if event["Type"] != "Api":
                continue
            auth = (event["Properties"].get("Auth") or {}).get("Authorizer")
            routes.append(
                Route(
                    event["Properties"]["Method"].upper(),
                    event["Properties"]["Path"],
                    logical_id,
                    properties["Handler"],
                    auth,
                )
            )
    return routes


SAM_PYTHON = TEMPLATE.parent / ".venv-sam" / "bin" / "python"

# Run by SAM CLI's own Python (.venv-sam, where its translator is): the template as CloudFormation
# receives it, with the functions' and layers' code locations as `sam deploy` rewrites them.
_TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
for name, resource in template["Resources"].items():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://artifacts/" + name
    elif resource["Type"] == "AWS::Serverless::LayerVersion":
        resource["Properties"]["ContentUri"] = "s3://artifacts/" + name
json.dump(transform(template, json.loads(sys.argv[2]), NoManagedPolicies()), sys.stdout)
"""


def transformed_template(parameters: dict[str, str] | None = None, path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml after the SAM transform, with these parameter values (the rest their defaults):
    what CloudFormation creates, e.g. the stages, aliases and CodeDeploy groups SAM adds."""
    import json
    import os
    import subprocess

    result = subprocess.run(
        [str(SAM_PYTHON), "-c", _TRANSFORM, str(path), json.dumps(parameters or {})],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-2"},
    )
    transformed: dict[str, Any] = json.loads(result.stdout)
    return transformed


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def _named(value: Any) -> set[str]:
    """The logical ids a property value refers to (Ref, Fn::GetAtt, Fn::Sub), in every Fn::If branch."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else str(inner).split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (inner, {}) if isinstance(inner, str) else (inner[0], inner[1])
                found |= set(_SUB_NAME.findall(text)) - set(variables) | _named(variables)
            else:
                found |= _named(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _named(inner)
    return found


def circular_dependency(template: dict[str, Any]) -> list[str]:
    """A circle of resources that depend on each other (CloudFormation refuses such a template at deploy
    time; cfn-lint does not see the ones through SAM's generated API definition), or []."""
    from graphlib import CycleError, TopologicalSorter

    resources = template["Resources"]
    graph = {}
    for name, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        named = _named(resource.get("Properties", {})) | set(
            [depends_on] if isinstance(depends_on, str) else depends_on
        )
        graph[name] = named & resources.keys()
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []
