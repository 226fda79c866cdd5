"""tapcheck graph: the model built from a synth record, the Mermaid and DOT renderers, the README block, and the
command on real programs run under mocks."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydot
import pytest
from helpers import fixture

from tapcheck.cli import main
from tapcheck.diagram import (
    BEGIN,
    END,
    DiagramError,
    build,
    display_type,
    is_drawn,
    readme_with_diagram,
    render,
    render_dot,
    render_mermaid,
    write_diagram,
)
from tests.conftest import bake

# pydot 4.0.1's parser calls pyparsing names that pyparsing 3.3 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:'setParseAction' deprecated")

STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"


def resource(type_: str, name: str, parent: str = STACK, *, refs: dict[str, list[str]] | None = None,
             depends_on: list[str] | None = None, provider: str | None = None) -> dict[str, Any]:
    """A record entry as synth writes it; ``refs`` is property_dependencies (input -> URNs)."""
    refs = refs or {}
    return {"type": type_, "name": name, "urn": f"urn:pulumi:dev::shop::{type_}::{name}", "parent": parent,
            "custom": not type_.startswith("shop:"), "property_dependencies": refs,
            "dependencies": sorted({u for urns in refs.values() for u in urns} | set(depends_on or [])),
            "provider": f"{provider}::id" if provider else None, "site": {"path": "__main__.py", "line": 1},
            "inputs": {}, "outputs": {}}


def shop() -> dict[str, Any]:
    """A network component (VPC, subnet, and a nested endpoints component), a KMS key, and an app component
    with a role, a function (role, key, subnet), a bucket with its settings, a target group and a service."""
    network = resource("shop:net:Network", "network")
    endpoints = resource("shop:net:Endpoints", "endpoints", network["urn"])
    vpc = resource("aws:ec2/vpc:Vpc", "vpc", network["urn"])
    subnet = resource("aws:ec2/subnet:Subnet", "subnet-a", network["urn"], refs={"vpcId": [vpc["urn"]]})
    endpoint = resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", endpoints["urn"], refs={"vpcId": [vpc["urn"]]})
    key = resource("aws:kms/key:Key", "key")
    alias = resource("aws:kms/alias:Alias", "key-alias", refs={"targetKeyId": [key["urn"]]})
    app = resource("shop:app:App", "app")
    role = resource("aws:iam/role:Role", "fn-role", app["urn"])
    attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fn-basic", app["urn"],
                          refs={"role": [role["urn"]]})
    function = resource("aws:lambda/function:Function", "fn", app["urn"],
                        refs={"role": [role["urn"]], "kmsKeyArn": [key["urn"]], "vpcConfig": [subnet["urn"]]},
                        depends_on=[attachment["urn"]])
    bucket = resource("aws:s3/bucket:Bucket", "data", app["urn"])
    encryption = resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                          "data-sse", app["urn"], refs={"bucket": [bucket["urn"]], "rules": [key["urn"]]})
    group = resource("aws:lb/targetGroup:TargetGroup", "tg", app["urn"], refs={"vpcId": [vpc["urn"]]})
    service = resource("aws:ecs/service:Service", "svc", app["urn"], refs={"loadBalancers": [group["urn"]]},
                       depends_on=[endpoints["urn"]])
    resources = [network, endpoints, vpc, subnet, endpoint, key, alias, app, role, attachment, function, bucket,
                 encryption, group, service]
    return {"stack": "dev", "project": "shop", "resources": resources, "unexpanded": []}


def urn(record: dict[str, Any], name: str) -> str:
    return next(r["urn"] for r in record["resources"] if r["name"] == name)


def ids(text: str) -> dict[str, str]:
    """Mermaid: each declared node or subgraph id -> its label's first line."""
    found = {}
    for match in re.finditer(r'^\s*(?:subgraph )?([A-Za-z0-9_]+)(?:\[\[?|\{\{)"([^"]*)"', text, re.M):
        found[match.group(1)] = match.group(2).split("<br/>")[0]
    return found


def mermaid_edges(text: str) -> set[tuple[str, str, str, str]]:
    """Mermaid edges as (from label, arrow, edge label, to label)."""
    names = ids(text)
    return {(names[a], arrow, label or "", names[b])
            for a, arrow, label, b in re.findall(r"^  (\w+) (-->|-\.->)(?:\|([^|]*)\|)? (\w+)$", text, re.M)}


# ----- the model --------------------------------------------------------------------------------------------------
def test_components_nest_as_their_parents_and_hold_their_resources():
    record = shop()
    diagram = build(record, "full")
    assert diagram.boxes[urn(record, "endpoints")].parent == urn(record, "network")
    assert diagram.boxes[urn(record, "network")].parent is None
    assert diagram.nodes[urn(record, "s3")].box == urn(record, "endpoints")
    assert diagram.nodes[urn(record, "fn")].box == urn(record, "app")
    assert diagram.nodes[urn(record, "key")].box is None


def test_a_resource_parented_to_a_resource_is_drawn_in_that_resources_component():
    record = shop()
    record["resources"].append(resource("aws:ec2/routeTable:RouteTable", "rt", urn(record, "vpc")))
    assert build(record, "full").nodes[urn(record, "rt")].box == urn(record, "network")


def test_edges_go_to_what_inputs_reference_labelled_only_when_the_name_says_more_than_the_type():
    text = render(shop(), "mermaid", "full")
    edges = mermaid_edges(text)
    assert ("subnet-a", "-->", "", "vpc") in edges  # vpcId to a Vpc: the label would only repeat the type
    assert ("fn", "-->", "", "fn-role") in edges  # role to a Role
    assert ("fn", "-->", "kmsKeyArn", "key") in edges
    assert ("fn", "-->", "vpcConfig", "subnet-a") in edges
    assert ("svc", "-->", "loadBalancers", "tg") in edges


def test_depends_on_without_a_reference_is_dashed_and_may_point_at_a_component():
    edges = mermaid_edges(render(shop(), "mermaid", "full"))
    assert ("fn", "-.->", "", "fn-basic") in edges
    assert ("svc", "-.->", "", "endpoints") in edges


def test_no_edge_joins_a_resource_and_a_component_around_it():
    record = shop()
    service = next(r for r in record["resources"] if r["name"] == "svc")
    service["dependencies"].append(urn(record, "app"))
    record["resources"].append(resource("shop:app:Watcher", "watcher", urn(record, "app"),
                                        depends_on=[urn(record, "app")]))
    diagram = build(record, "full")
    assert not [edge for edge in diagram.edges if urn(record, "app") in edge]


def test_compact_folds_settings_into_the_resource_they_configure():
    record = shop()
    full, compact = build(record, "full"), build(record, "compact")
    folded = {urn(record, name) for name in ("fn-basic", "data-sse", "key-alias")}
    assert folded <= set(full.nodes)
    assert not folded & set(compact.nodes)
    assert compact.folded == 3
    edges = mermaid_edges(render_mermaid(compact))
    # The encryption's reference to the key becomes the bucket's; the function's depends_on its role's attachment
    # becomes one on the role, which its reference already draws.
    assert ("data", "-->", "bucketServerSideEncryptionConfiguration", "key") in edges
    assert ("fn", "-->", "", "fn-role") in edges
    assert not [edge for edge in edges if edge[0] == "fn" and edge[3] == "fn-role" and edge[1] == "-.->"]


def test_a_setting_whose_owner_is_not_a_reference_stays_a_node():
    record = shop()
    record["resources"].append(resource("aws:s3/bucketPolicy:BucketPolicy", "imported-policy"))
    assert urn(record, "imported-policy") in build(record, "compact").nodes


def test_components_detail_draws_one_node_per_component_with_the_references_between_them():
    record = shop()
    diagram = build(record, "components")
    assert set(diagram.nodes) == {urn(record, "key"), urn(record, "key-alias")}  # the top level has no component
    assert diagram.boxes[urn(record, "app")].resources == 7
    assert diagram.boxes[urn(record, "network")].resources == 2
    edges = {(diagram.boxes.get(s, diagram.nodes.get(s)).name, diagram.boxes.get(t, diagram.nodes.get(t)).name)
             for s, t in diagram.edges}
    # The endpoint's reference to the VPC would point at the component around it: not drawn.
    assert edges == {("app", "network"), ("app", "endpoints"), ("app", "key"), ("key-alias", "key")}
    text = render_mermaid(diagram)
    assert '[["app<br/>shop:app:App<br/>7 resources"]]' in text
    assert "subgraph" in text  # network holds the endpoints component: still a subgraph


def test_providers_are_drawn_only_when_a_package_has_several_explicit_ones():
    record = shop()
    main_region = resource("pulumi:providers:aws", "main")
    record["resources"] += [main_region, resource("pulumi:providers:aws", "default_7_0_0")]
    for item in record["resources"]:
        item["provider"] = f"{main_region['urn']}::id" if item["type"].startswith("aws:") else None
    assert "provider" not in render(record, "mermaid", "full")
    us_east_1 = resource("pulumi:providers:aws", "us-east-1")
    record["resources"].append(us_east_1)
    record["resources"].append(resource("aws:acm/certificate:Certificate", "cert", provider=us_east_1["urn"]))
    text = render(record, "mermaid", "full")
    assert ("cert", "-.->", "provider", "us-east-1") in mermaid_edges(text)
    assert ("vpc", "-.->", "provider", "main") in mermaid_edges(text)
    assert "default_7_0_0" not in text
    assert re.search(r'p_us_east_1_\w+\{\{"us-east-1<br/>pulumi:providers:aws"\}\}', text)


def test_a_component_the_mocks_could_not_expand_is_a_node_saying_so():
    record = shop()
    vpc = resource("awsx:ec2:Vpc", "awsx-vpc")
    vpc["custom"] = False
    record["resources"].append(vpc)
    record["unexpanded"] = [{"type": vpc["type"], "name": vpc["name"], "urn": vpc["urn"]}]
    text = render(record, "mermaid", "full")
    assert re.search(r'c_awsx_vpc_\w+\[\["awsx-vpc<br/>awsx:ec2:Vpc \(not expanded under mocks\)"\]\]', text)


def test_unknown_format_and_detail_are_refused():
    with pytest.raises(ValueError, match="format"):
        render(shop(), "svg")
    with pytest.raises(ValueError, match="detail"):
        build(shop(), "everything")


def test_type_tokens_are_shown_as_python_names_them():
    assert display_type("aws:ec2/subnet:Subnet") == "aws.ec2.Subnet"
    assert display_type("random:index/randomPassword:RandomPassword") == "random.RandomPassword"
    assert display_type("tap:network:Network") == "tap:network:Network"


# ----- determinism and syntax -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("detail", ["compact", "full", "components"])
def test_output_does_not_depend_on_registration_order(fmt, detail):
    record = shop()
    expected = render(record, fmt, detail)
    for seed in range(3):
        shuffled = dict(record, resources=random.Random(seed).sample(record["resources"], len(record["resources"])))
        assert render(shuffled, fmt, detail) == expected


def test_adding_a_resource_changes_no_other_line():
    record = shop()
    before = render(record, "mermaid", "full").splitlines()
    record["resources"].append(resource("aws:sqs/queue:Queue", "orders", urn(record, "app")))
    after = render(record, "mermaid", "full").splitlines()
    assert [line for line in before if line not in after] == [before[1]]  # only the header comment's count
    assert len(after) == len(before) + 1


HOSTILE = 'we"ird #1 <b>|`x`\\n\nname'


def hostile() -> dict[str, Any]:
    record = shop()
    record["resources"].append(resource("aws:sqs/queue:Queue", HOSTILE, urn(record, "app"),
                                        refs={"kmsMasterKeyId": [urn(record, "key")]}))
    return record


def test_mermaid_is_well_formed_with_hostile_names():
    text = render(hostile(), "mermaid", "full")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
    declared = ids(text)
    for a, b in re.findall(r"^  (\w+) -\.?->(?:\|[^|\"`<>]*\|)? (\w+)$", text, re.M):
        assert a in declared and b in declared
    edge_lines = [line for line in lines if "->" in line]
    assert len(edge_lines) == len(re.findall(r"^  \w+ -\.?->(?:\|[^|\"`<>]*\|)? \w+$", text, re.M))
    label = next(line for line in lines if "r_we_ird_1_b_x_n_name_" in line and "[" in line)
    assert label.strip().endswith('["we#34;ird #35;1 #60;b#62;#124;#96;x#96;#92;n name<br/>aws.sqs.Queue"]')


def test_dot_parses_and_keeps_every_node_edge_and_label_with_hostile_names():
    diagram = build(hostile(), "full")
    text = render_dot(diagram)
    (graph,) = pydot.graph_from_dot_data(text)

    def walk(g: pydot.Graph) -> tuple[list[pydot.Node], list[pydot.Subgraph]]:
        nodes, clusters = list(g.get_nodes()), list(g.get_subgraphs())
        for sub in g.get_subgraphs():
            more_nodes, more_clusters = walk(sub)
            nodes, clusters = nodes + more_nodes, clusters + more_clusters
        return nodes, clusters

    nodes, clusters = walk(graph)
    labels = {n.get_label() for n in nodes if n.get_name() not in ("graph", "node", "edge")}
    assert '"we\\"ird #1 <b>|`x`\\\\n name\\naws.sqs.Queue"' in labels
    assert len(labels) == len(diagram.nodes)
    assert len(clusters) == len(diagram.boxes)
    assert len(graph.get_edges()) == len(diagram.edges)
    assert all(c.get_name().startswith('"cluster_') for c in clusters)


def test_dot_edges_to_a_component_clip_at_its_cluster():
    text = render(shop(), "dot", "full")
    edge = next(line for line in text.splitlines() if line.startswith('  "r_svc_') and "lhead" in line)
    assert re.search(r'lhead="cluster_c_endpoints_\w+"', edge) and "style=dashed" in edge


# ----- README -----------------------------------------------------------------------------------------------------
README = f"# Shop\n\nText before.\n\n{BEGIN}\nNot drawn yet.\n{END}\n\nText after.\n"


def test_the_readme_block_is_replaced_and_redrawing_is_a_fixed_point():
    assert not is_drawn(README)
    once = readme_with_diagram(README, "flowchart LR\n  a\n")
    assert once == f"# Shop\n\nText before.\n\n{BEGIN}\n```mermaid\nflowchart LR\n  a\n```\n{END}\n\nText after.\n"
    assert is_drawn(once)
    assert readme_with_diagram(once, "flowchart LR\n  a\n") == once


@pytest.mark.parametrize("text", ["no markers\n", f"{END}\n{BEGIN}\n", f"{BEGIN}\n{BEGIN}\n{END}\n"])
def test_a_readme_without_exactly_one_pair_of_markers_is_refused(text):
    with pytest.raises(DiagramError, match="needs one line") as error:
        readme_with_diagram(text, "flowchart LR\n")
    assert error.value.exit_code == 2


def test_writing_keeps_windows_line_endings(tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes(README.replace("\n", "\r\n").encode())
    assert write_diagram(path, "flowchart LR\n")
    assert b"\r\n```mermaid\r\nflowchart LR\r\n```\r\n" in path.read_bytes()
    assert b"\n" not in path.read_bytes().replace(b"\r\n", b"")
    assert not write_diagram(path, "flowchart LR\n")


# ----- the command, on programs run under mocks -------------------------------------------------------------------
PROGRAM = '''\
import json

import pulumi
import pulumi_aws as aws


class Network(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("shop:net:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=child)
        self.subnet = aws.ec2.Subnet("private-a", vpc_id=self.vpc.id, cidr_block="10.0.0.0/24", opts=child)
        self.register_outputs({})


network = Network("network")
key = aws.kms.Key("key", enable_key_rotation=True)
role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
function = aws.lambda_.Function(
    "fn", role=role.arn, kms_key_arn=key.arn, runtime="python3.12", handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context): pass")}),
    vpc_config={"subnet_ids": [network.subnet.id], "security_group_ids": []})
group = aws.lb.TargetGroup("web", port=80, protocol="HTTP", vpc_id=network.vpc.id, target_type="ip")
aws.ecs.Service("web", cluster="default", desired_count=1,
                load_balancers=[{"target_group_arn": group.arn, "container_name": "web", "container_port": 80}])
pulumi.export("function", function.name)
'''


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    (root / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    (root / "README.md").write_text(README, encoding="utf-8")
    return root


def test_graph_draws_the_references_the_program_makes(program, tmp_path, capsys):
    assert main(["graph", str(program)]) == 0
    edges = mermaid_edges(capsys.readouterr().out)
    assert ("private-a", "-->", "", "vpc") in edges
    assert ("fn", "-->", "", "fn-role") in edges
    assert ("fn", "-->", "kmsKeyArn", "key") in edges
    assert ("fn", "-->", "vpcConfig", "private-a") in edges
    assert ("web", "-->", "loadBalancers", "web") in edges  # the service to its target group (both named web)
    out = tmp_path / "shop.dot"
    assert main(["graph", str(program), "--format", "dot", "--detail", "components", "--output", str(out)]) == 0
    (graph,) = pydot.graph_from_dot_data(out.read_text(encoding="utf-8"))
    assert [n.get_label() for n in graph.get_nodes() if n.get_name().startswith('"c_')] == [
        '"network\\nshop:net:Network\\n2 resources"']


def test_update_readme_writes_the_block_once(program, capsys):
    readme = program / "README.md"
    assert main(["graph", str(program), "--update-readme", str(readme)]) == 0
    assert capsys.readouterr().out.strip().endswith("diagram updated")
    text = readme.read_text(encoding="utf-8")
    assert is_drawn(text) and text.startswith("# Shop\n") and text.endswith("\nText after.\n")
    assert "subgraph c_network_" in text
    assert main(["graph", str(program), "--update-readme", str(readme)]) == 0
    assert capsys.readouterr().out.strip().endswith("already up to date")


def test_refusals_exit_2_and_a_failing_program_exits_1(program, tmp_path, capsys):
    no_markers = tmp_path / "NOTES.md"
    no_markers.write_text("# Notes\n", encoding="utf-8")
    assert main(["graph", str(program), "--update-readme", str(no_markers)]) == 2
    assert "needs one line <!-- tapcheck graph: begin -->" in capsys.readouterr().err
    assert main(["graph", str(program), "--update-readme", str(no_markers), "--format", "dot"]) == 2
    assert main(["graph", str(tmp_path)]) == 2
    assert "no Pulumi.yaml" in capsys.readouterr().err
    assert main(["graph", str(program), "--timeout", "0"]) == 2
    assert "--timeout must be positive" in capsys.readouterr().err
    assert main(["graph", str(fixture("TAP010-program-fails"))]) == 1
    assert "the program failed under mocks: __main__.py:" in capsys.readouterr().err


def test_a_multi_language_component_shows_as_one_node(capsys):
    assert main(["graph", str(fixture("mock-unexpanded"))]) == 0
    text = capsys.readouterr().out
    assert re.search(r'c_network_\w+\[\["network<br/>awsx:ec2:Vpc \(not expanded under mocks\)"\]\]', text)
    assert ("web", "-->", "", "network") in mermaid_edges(text)


# ----- the generated repo's test ----------------------------------------------------------------------------------
def generated_test(repo: Path) -> subprocess.CompletedProcess[str]:
    """Run the repo's tests/unit/test_diagram.py."""
    command = [sys.executable, "-m", "pytest", "tests/unit/test_diagram.py", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=600, check=False)


def test_a_generated_repo_draws_its_readme_diagram_then_holds_it_to_the_program(tmp_path):
    repo = bake(tmp_path)
    readme = repo / "README.md"
    assert not is_drawn(readme.read_text(encoding="utf-8"))
    assert generated_test(repo).returncode == 0  # the first run draws it
    drawn = readme.read_text(encoding="utf-8")
    assert is_drawn(drawn) and "subgraph c_network_" in drawn and '["vpc<br/>aws.ec2.Vpc"]' in drawn
    assert generated_test(repo).returncode == 0
    assert readme.read_text(encoding="utf-8") == drawn  # later runs compare and never write
    program = repo / "__main__.py"  # the program changes: one more resource
    program.write_text(program.read_text(encoding="utf-8") + '\nimport pulumi_aws\n\npulumi_aws.sns.Topic("alerts")\n',
                       encoding="utf-8")
    stale = generated_test(repo)
    assert stale.returncode == 1
    assert ("README.md's diagram of the dev stack no longer matches the program; redraw it with: "
            "uv run python -m tapcheck graph . --update-readme README.md") in stale.stdout
    redraw = subprocess.run([sys.executable, "-m", "tapcheck", "graph", ".", "--update-readme", "README.md"],
                            cwd=repo, capture_output=True, text=True, timeout=600, check=False)
    assert redraw.returncode == 0, redraw.stderr
    assert '["alerts<br/>aws.sns.Topic"]' in readme.read_text(encoding="utf-8")
    assert generated_test(repo).returncode == 0


def test_the_root_readme_shows_the_default_answers_real_picture(tmp_path, capsys):
    repo = bake(tmp_path)
    assert main(["graph", str(repo), "--detail", "components"]) == 0
    components = capsys.readouterr().out
    assert main(["graph", str(repo)]) == 0
    compact = capsys.readouterr().out.splitlines()
    section = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split(
        "### A picture of the stack")[1]
    assert f"```mermaid\n{components}```" in section
    excerpt = section.split("```text\n")[1].split("```")[0].splitlines()
    assert excerpt and all(line in compact for line in excerpt)
