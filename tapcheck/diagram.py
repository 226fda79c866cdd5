"""Draw the stack: components, the resources under each, and the references between them, from a synth record.

``tapcheck graph [PATH] [--stack NAME] [--format mermaid|dot] [--detail compact|full|components] [--output FILE]
[--update-readme FILE]``.

The picture is the program's own, not a guess from the source: synth runs the program under mocks, the way the
Pulumi language host runs it, and records each resource's parent
(https://www.pulumi.com/docs/iac/concepts/resources/options/parent/) and, per input, the resources whose outputs
that input uses (``RegisterResourceRequest.propertyDependencies`` in pulumi/pulumi ``proto/pulumi/resource.proto``;
https://www.pulumi.com/docs/iac/concepts/inputs-outputs/). So:

- a **component** (https://www.pulumi.com/docs/iac/concepts/components/) is a subgraph, nested as its parents are;
  a component with nothing drawn inside (a multi-language component the mocks could not expand, say) is a node;
- a **resource** is a node in the subgraph of its nearest component ancestor, labelled with its name and its type
  as Python writes it (``aws.ec2.Subnet``);
- an **edge** goes from a resource to each resource its inputs reference (subnet -> VPC, service -> target group,
  function -> role and key), labelled with the input's name unless that only repeats the target's type
  (``vpcId`` to a VPC, ``role`` to a role); a ``depends_on`` without a reference is a dashed edge;
- **providers** are left out (every resource has one); explicit providers are drawn, with a dashed ``provider``
  edge from each resource using them, only when a package has several (resources split across regions or
  accounts), which is when the picture must say which resource goes where.

Detail levels keep big stacks readable. ``compact`` (the default, and the README's) folds resources that only
configure one other resource (S3 bucket settings, IAM role policies and attachments, route table associations,
security group rules, secret versions, queue policies, KMS aliases, Lambda permissions: :data:`FOLDED`) into that
resource: their references become the owner's, labelled with the folded type (a bucket -> its KMS key,
``bucketServerSideEncryptionConfiguration``). ``full`` draws every resource; ``components`` draws one node per
component, with the number of resources in it and the references between components.

Output is deterministic: nodes, subgraphs and edges are sorted, ids are the name plus a hash of the URN (so adding
a resource changes no other line), and labels are escaped for each format.

``--update-readme FILE`` writes the Mermaid diagram between ``<!-- tapcheck graph: begin -->`` and
``<!-- tapcheck graph: end -->`` in FILE (GitHub renders Mermaid blocks:
https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("mermaid", "dot")
DETAILS = ("compact", "full", "components")
BEGIN = "<!-- tapcheck graph: begin -->"
END = "<!-- tapcheck graph: end -->"

# Resources that only configure one other resource, each with the input naming that resource (the pulumi-aws
# argument: https://www.pulumi.com/registry/packages/aws/api-docs/). In ``compact`` they fold into it.
FOLDED: dict[str, str] = {
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "bucket",
    "aws:s3/bucketLogging:BucketLogging": "bucket",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "bucket",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "bucket",
    "aws:s3/bucketNotification:BucketNotification": "bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket",
    "aws:iam/rolePolicy:RolePolicy": "role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "role",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "subnetId",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "securityGroupId",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "securityGroupId",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "securityGroupId",
    "aws:secretsmanager/secretVersion:SecretVersion": "secretId",
    "aws:sqs/queuePolicy:QueuePolicy": "queueUrl",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "queueUrl",
    "aws:sns/topicPolicy:TopicPolicy": "arn",
    "aws:kms/alias:Alias": "targetKeyId",
    "aws:lambda/permission:Permission": "function",
}
_PROVIDER = "pulumi:providers:"
_DEPENDS_ON = "dependsOn"


class DiagramError(Exception):
    """The diagram cannot be drawn or written; ``exit_code`` is the CLI's: 1 when the program failed or could not
    be run, 2 for bad usage (no Pulumi project at the path, a file without the markers)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Box:
    """A component: ``key`` is its URN, ``parent`` the URN of the component drawn around it (None at the top)."""

    key: str
    name: str
    type: str
    parent: str | None
    unexpanded: bool = False
    resources: int = 0  # resources drawn as this box (``components`` detail)


@dataclass
class Node:
    """A resource or provider drawn as a node inside ``box`` (a component's URN, None at the top)."""

    key: str
    name: str
    type: str
    box: str | None
    provider: bool = False


@dataclass
class Edge:
    """References from one drawn item to another: the input names worth showing; dashed for ``depends_on``."""

    labels: set[str] = field(default_factory=set)
    dashed: bool = True


@dataclass
class Diagram:
    """What is drawn: ``boxes`` and ``nodes`` by URN, ``edges`` by (from URN, to URN)."""

    title: str
    boxes: dict[str, Box]
    nodes: dict[str, Node]
    edges: dict[tuple[str, str], Edge]
    resources: int
    folded: int = 0


# ----- the model ----------------------------------------------------------------------------------------------
def _member(type_token: str) -> str:
    """``aws:s3/bucketPolicy:BucketPolicy`` -> ``bucketPolicy``: the type's own name, as its module path writes it."""
    middle = type_token.split(":")[1] if type_token.count(":") >= 2 else type_token
    return middle.rsplit("/", 1)[-1]


def display_type(type_token: str) -> str:
    """A type token as Python code names the class: ``aws:ec2/subnet:Subnet`` -> ``aws.ec2.Subnet``,
    ``random:index/randomPassword:RandomPassword`` -> ``random.RandomPassword``; component tokens, which have no
    module path (``tap:network:Network``), stay as they are."""
    parts = type_token.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return type_token
    module = parts[1].split("/", 1)[0]
    return f"{parts[0]}.{parts[2]}" if module == "index" else f"{parts[0]}.{module}.{parts[2]}"


def _worth_showing(input_name: str, target_type: str) -> bool:
    """False when the input's name only repeats the target's type: ``vpcId`` -> Vpc, ``role`` -> Role."""
    stem = re.sub(r"(Ids?|Arns?|Names?|Urls?)$", "", input_name).lower()
    return stem != target_type.rsplit(":", 1)[-1].lower()


def build(record: dict[str, Any], detail: str = "compact") -> Diagram:
    """The diagram of a synth record (``tapcheck --synth-out``'s shape) at one of :data:`DETAILS`.

    Raises ValueError for an unknown detail level."""
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    resources = {r["urn"]: r for r in record.get("resources") or []}
    providers = {urn for urn, r in resources.items() if r["type"].startswith(_PROVIDER)}
    components = {urn for urn, r in resources.items() if not r.get("custom", True) and urn not in providers}
    count = len(resources.keys() - components - providers)
    diagram = Diagram(f"stack '{record.get('stack')}' of {record.get('project')}", {}, {}, {}, count)
    _place(diagram, resources, components, providers, {u.get("urn") for u in record.get("unexpanded") or []})
    # Where each recorded resource is drawn: itself, the resource it configures (compact) or its component.
    drawn = {key: key for key in [*diagram.nodes, *diagram.boxes]}
    folded = _fold(diagram, resources) if detail == "compact" else {}
    drawn |= folded
    if detail == "components":
        drawn |= _collapse(diagram)
    _connect(diagram, resources, drawn, folded, labels=detail != "components")
    return diagram


def _place(diagram: Diagram, resources: dict[str, dict[str, Any]], components: set[str], providers: set[str],
           unexpanded: set[str]) -> None:
    """Every component as a box and every other resource (and the providers worth showing) as a node, each in
    its nearest component ancestor (a resource may be parented to a custom resource)."""

    def box_of(urn: str) -> str | None:
        parent, seen = resources[urn].get("parent"), set()
        while parent in resources and parent not in seen:
            if parent in components:
                return parent
            seen.add(parent)
            parent = resources[parent].get("parent")
        return None

    shown = _shown_providers(resources, providers)
    for urn, r in resources.items():
        if urn in components:
            diagram.boxes[urn] = Box(urn, r["name"], r["type"], box_of(urn), urn in unexpanded)
        elif urn not in providers or urn in shown:
            diagram.nodes[urn] = Node(urn, r["name"], r["type"], box_of(urn), provider=urn in providers)


def _fold(diagram: Diagram, resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Take each :data:`FOLDED` resource whose owner input references a drawn resource out of the nodes;
    returns {folded URN: owner URN}. One whose owner is not a reference (an imported bucket's name) stays."""
    folded = {}
    for urn, r in sorted(resources.items()):
        owners = (r.get("property_dependencies") or {}).get(FOLDED.get(r["type"], ""), [])
        owner = next((o for o in owners if o in diagram.nodes and resources[o]["type"] not in FOLDED), None)
        if owner is not None:
            folded[urn] = owner
            del diagram.nodes[urn]
    diagram.folded = len(folded)
    return folded


def _collapse(diagram: Diagram) -> dict[str, str]:
    """Replace the nodes inside components by a count on each component; returns {resource URN: component URN}."""
    collapsed = {}
    for urn, node in list(diagram.nodes.items()):
        if node.box is not None:
            diagram.boxes[node.box].resources += 1
            collapsed[urn] = node.box
            del diagram.nodes[urn]
    return collapsed


def _connect(diagram: Diagram, resources: dict[str, dict[str, Any]], drawn: dict[str, str],
             folded: dict[str, str], *, labels: bool) -> None:
    """An edge per reference between drawn items: solid for an input's reference (labelled when ``labels`` and
    the name says more than the target's type; a folded resource's by its type), dashed for ``depends_on`` and
    for the providers shown. None joins an item and a component around it."""
    around = {key: _ancestors(diagram.boxes, key) for key in diagram.boxes}
    around |= {key: _ancestors(diagram.boxes, node.box) for key, node in diagram.nodes.items()}

    def add(source: str, target: str | None, label: str | None, *, dashed: bool) -> None:
        if target is None or target == source or target in around[source] or source in around[target]:
            return
        edge = diagram.edges.setdefault((source, target), Edge())
        edge.dashed = edge.dashed and dashed
        if label:
            edge.labels.add(label)

    providers = {key for key, node in diagram.nodes.items() if node.provider}
    for urn, r in sorted(resources.items()):
        source = drawn.get(urn)
        if source is None:
            continue
        references = r.get("property_dependencies") or {}
        for input_name, targets in sorted(references.items()):
            for target in targets:
                label = _member(r["type"]) if urn in folded else input_name
                if urn not in folded and not _worth_showing(input_name, resources.get(target, {}).get("type", "")):
                    label = None
                add(source, drawn.get(target), label if labels else None, dashed=False)
        referenced = {target for targets in references.values() for target in targets}
        for target in set(r.get("dependencies") or []) - referenced:
            add(source, drawn.get(target), None, dashed=True)
        provider = (r.get("provider") or "").rsplit("::", 1)[0]
        if provider in providers and source == urn:
            add(source, provider, "provider", dashed=True)


def _shown_providers(resources: dict[str, dict[str, Any]], providers: set[str]) -> set[str]:
    """Explicit providers of packages that have several: the ones whose choice the picture must show."""
    explicit = [urn for urn in providers if not resources[urn]["name"].startswith("default")]
    packages: dict[str, list[str]] = {}
    for urn in explicit:
        packages.setdefault(resources[urn]["type"], []).append(urn)
    return {urn for urns in packages.values() if len(urns) > 1 for urn in urns}


def _ancestors(boxes: dict[str, Box], key: str | None) -> set[str]:
    found = set()
    while key in boxes and key not in found:
        found.add(key)
        key = boxes[key].parent
    return found


# ----- rendering ----------------------------------------------------------------------------------------------
def _ident(prefix: str, name: str, key: str) -> str:
    """A stable id: the name's letters and digits, then 8 hex digits of the URN's SHA-1 (unique per URN)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:40]
    return f"{prefix}{slug}_{hashlib.sha1(key.encode()).hexdigest()[:8]}"


class _Layout:
    """The drawing order: ids, the children of each box (None = the top), which boxes are subgraphs."""

    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.ids = {key: _ident("c_", box.name, key) for key, box in diagram.boxes.items()}
        self.ids |= {key: _ident("p_" if node.provider else "r_", node.name, key)
                     for key, node in diagram.nodes.items()}
        self.child_boxes: dict[str | None, list[str]] = {}
        self.child_nodes: dict[str | None, list[str]] = {}
        for key, box in diagram.boxes.items():
            self.child_boxes.setdefault(box.parent, []).append(key)
        for key, node in diagram.nodes.items():
            self.child_nodes.setdefault(node.box, []).append(key)
        for children in (*self.child_boxes.values(), *self.child_nodes.values()):
            children.sort(key=self.ids.__getitem__)
        # A component holding something is a subgraph; one holding nothing drawn is a node.
        self.subgraphs = {key for key in diagram.boxes if self.child_nodes.get(key) or self.child_boxes.get(key)}

    def anchor(self, key: str) -> str:
        """A node inside subgraph ``key`` (DOT draws edges between nodes; ``lhead``/``ltail`` clip to the box)."""
        if self.child_nodes.get(key):
            return self.ids[self.child_nodes[key][0]]
        child = self.child_boxes[key][0]
        return self.anchor(child) if child in self.subgraphs else self.ids[child]

    def edges(self) -> list[tuple[str, str, Edge]]:
        """(from key, to key, edge), sorted by the ids."""
        return sorted(((s, t, e) for (s, t), e in self.diagram.edges.items()),
                      key=lambda item: (self.ids[item[0]], self.ids[item[1]]))

    def lines(self, key: str) -> list[str]:
        """A box's or node's label, one item per line."""
        box = self.diagram.boxes.get(key)
        if box is not None:
            extra = [f"{box.resources} resource{'s' if box.resources != 1 else ''}"] if box.resources else []
            return [box.name, box.type + (" (not expanded under mocks)" if box.unexpanded else ""), *extra]
        node = self.diagram.nodes[key]
        return [node.name, display_type(node.type)]

    def header(self) -> str:
        """The comment line each format starts with: the stack, how many resources, how many folded."""
        d = self.diagram
        folded = f", {d.folded} folded into the resources they configure" if d.folded else ""
        return f"tapcheck graph: {d.title}, {d.resources} resources{folded}"


_MERMAID_ESCAPES = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;", "&": "#38;", "|": "#124;", "`": "#96;",
                    "\\": "#92;"}


def _mermaid_text(text: str) -> str:
    """Mermaid's entity codes for every character with a meaning in labels or Markdown fences; no newlines."""
    text = " ".join(text.split())
    return "".join(_MERMAID_ESCAPES.get(char, char) for char in text)


def render_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid flowchart (https://mermaid.js.org/syntax/flowchart.html), newline-terminated."""
    layout = _Layout(diagram)
    out = ["flowchart LR", f"  %% {_mermaid_text(layout.header())}"]

    def label(key: str) -> str:
        return '"' + "<br/>".join(_mermaid_text(line) for line in layout.lines(key)) + '"'

    def draw(parent: str | None, depth: int) -> None:
        pad = "  " * depth
        for key in layout.child_nodes.get(parent, []):
            shape = "{{%s}}" if diagram.nodes[key].provider else "[%s]"
            out.append(f"{pad}{layout.ids[key]}{shape % label(key)}")
        for key in layout.child_boxes.get(parent, []):
            if key in layout.subgraphs:
                out.append(f"{pad}subgraph {layout.ids[key]}[{label(key)}]")
                draw(key, depth + 1)
                out.append(f"{pad}end")
            else:
                out.append(f"{pad}{layout.ids[key]}[[{label(key)}]]")

    draw(None, 1)
    for source, target, edge in layout.edges():
        arrow = "-.->" if edge.dashed else "-->"
        text = f"|{_mermaid_text(', '.join(sorted(edge.labels)))}|" if edge.labels else ""
        out.append(f"  {layout.ids[source]} {arrow}{text} {layout.ids[target]}")
    return "\n".join(out) + "\n"


def _dot_text(text: str) -> str:
    """A DOT double-quoted string (https://graphviz.org/doc/info/lang.html): backslash and quote escaped."""
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(diagram: Diagram) -> str:
    """The diagram as Graphviz DOT: components as ``cluster_`` subgraphs; newline-terminated."""
    layout = _Layout(diagram)
    out = [f"// {layout.header()}", "digraph stack {",
           '  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=11];',
           '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']

    def label(key: str) -> str:
        return '"' + "\\n".join(_dot_text(line)[1:-1] for line in layout.lines(key)) + '"'

    def draw(parent: str | None, depth: int) -> None:
        pad = "  " * depth
        for key in layout.child_nodes.get(parent, []):
            shape = ", shape=hexagon" if diagram.nodes[key].provider else ""
            out.append(f'{pad}"{layout.ids[key]}" [label={label(key)}{shape}];')
        for key in layout.child_boxes.get(parent, []):
            if key in layout.subgraphs:
                out.append(f'{pad}subgraph "cluster_{layout.ids[key]}" {{')
                out.append(f"{pad}  label={label(key)};")
                draw(key, depth + 1)
                out.append(f"{pad}}}")
            else:
                out.append(f'{pad}"{layout.ids[key]}" [label={label(key)}, shape=component];')

    draw(None, 1)
    for source, target, edge in layout.edges():
        attributes = []
        ends = []
        for key, clip in ((source, "ltail"), (target, "lhead")):
            if key in layout.subgraphs:
                attributes.append(f'{clip}="cluster_{layout.ids[key]}"')
                ends.append(layout.anchor(key))
            else:
                ends.append(layout.ids[key])
        if edge.labels:
            attributes.append(f"label={_dot_text(', '.join(sorted(edge.labels)))}")
        if edge.dashed:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        out.append(f'  "{ends[0]}" -> "{ends[1]}"{suffix};')
    out.append("}")
    return "\n".join(out) + "\n"


RENDERERS = {"mermaid": render_mermaid, "dot": render_dot}


def render(record: dict[str, Any], fmt: str = "mermaid", detail: str = "compact") -> str:
    """A synth record drawn in one of :data:`FORMATS` at one of :data:`DETAILS`. Raises ValueError for others."""
    if fmt not in RENDERERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return RENDERERS[fmt](build(record, detail))


# ----- README -------------------------------------------------------------------------------------------------
def _block(text: str) -> str:
    """What lies between the markers; raises DiagramError unless each appears once, begin first."""
    begin, end = text.count(BEGIN), text.count(END)
    if begin != 1 or end != 1 or text.index(BEGIN) > text.index(END):
        raise DiagramError(f"the file needs one line {BEGIN} and, after it, one line {END}: the diagram goes "
                           f"between them (found {begin} begin and {end} end markers)", exit_code=2)
    return text.split(BEGIN)[1].split(END, maxsplit=1)[0]


def is_drawn(text: str) -> bool:
    """Whether ``text`` (a Markdown file) holds a Mermaid block between the markers (a new repo's README holds a
    line saying it is not drawn yet). Raises DiagramError unless each marker appears once, begin first."""
    return "```mermaid" in _block(text)


def readme_with_diagram(text: str, mermaid: str) -> str:
    """``text`` (a Markdown file) with what lies between :data:`BEGIN` and :data:`END` replaced by a Mermaid block
    of ``mermaid``. Raises DiagramError unless each marker appears once, begin first."""
    _block(text)
    head, rest = text.split(BEGIN)
    return f"{head}{BEGIN}\n```mermaid\n{mermaid}```\n{END}{rest.split(END)[1]}"


def write_diagram(readme: str | Path, mermaid: str) -> bool:
    """Write ``mermaid`` into the file ``readme`` between the markers, keeping the file's line endings (a Windows
    checkout's CRLF); True when the file changed. Raises DiagramError for a file without the markers."""
    path = Path(readme)
    raw = path.read_bytes().decode("utf-8")
    text = raw.replace("\r\n", "\n")
    updated = readme_with_diagram(text, mermaid)
    if updated == text:
        return False
    path.write_bytes(updated.replace("\n", "\r\n" if "\r\n" in raw else "\n").encode("utf-8"))
    return True


def update_readme(path: str | Path, readme: str | Path, *, stack: str | None = None, python: str | None = None,
                  timeout: float = 120.0, detail: str = "compact") -> bool:
    """Synth the project at ``path`` (``stack``: default ``dev``, else the first stack file) and write its Mermaid
    diagram into the file ``readme`` between the markers; True when the file changed.

    Raises DiagramError when the file lacks the markers (checked before the program runs) or the program cannot be
    drawn (the message says why), ProjectError for an unreadable folder."""
    _block(Path(readme).read_bytes().decode("utf-8"))
    record = synth_record(path, stack=stack, python=python, timeout=timeout)
    return write_diagram(readme, render(record, "mermaid", detail))


def synth_record(path: str | Path, *, stack: str | None = None, python: str | None = None,
                 timeout: float = 120.0) -> dict[str, Any]:
    """The synth record of one stack of the project at ``path``; raises DiagramError when the program failed or
    could not run (a partial picture would be wrong), ProjectError for an unreadable folder."""
    from .project import Project  # noqa: PLC0415 - the renderers work without the checker's YAML reader
    from .synth import run_synth  # noqa: PLC0415

    project = Project(Path(path), stack)
    if project.project_file is None:
        raise DiagramError(f"{path}: no Pulumi.yaml here; give the folder of one Pulumi project", exit_code=2)
    result = run_synth(project, stack=project.stack_name, timeout=timeout, python=python)
    if result.skipped or result.record is None:
        raise DiagramError(f"the program was not run: {result.skipped or '; '.join(result.notes)}")
    if result.findings:
        found = result.findings[0]
        raise DiagramError(f"the program failed under mocks: {found.path}:{found.line}: {found.message}")
    return result.record


# ----- command ------------------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``tapcheck graph``'s options."""
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="the Pulumi project's folder")
    parser.add_argument("--stack", help="stack whose config to use (default: dev, else the first stack file)")
    parser.add_argument("--format", choices=FORMATS, default="mermaid", help="output format (default mermaid)")
    parser.add_argument("--detail", choices=DETAILS, default="compact",
                        help="compact (default): fold resources that only configure another into it; full: every "
                             "resource; components: one node per component")
    parser.add_argument("--output", metavar="FILE", help="write the diagram here instead of to stdout")
    parser.add_argument("--update-readme", metavar="FILE",
                        help=f"write the Mermaid diagram into FILE between the lines {BEGIN} and {END}")
    parser.add_argument("--python", metavar="INTERPRETER", help="interpreter to run the program with")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time limit for the program run (default 120)")


def run(args: argparse.Namespace) -> int:
    """Draw the stack; 0 when drawn, 1 when the program could not be run, 2 on bad usage or a file without
    markers."""
    from .project import ProjectError  # noqa: PLC0415

    if args.timeout <= 0:
        print("tapcheck graph: error: --timeout must be positive", file=sys.stderr)
        return 2
    from .cli import interpreter_problem, output_problem  # noqa: PLC0415 - cli imports this module lazily

    readme = args.update_readme and not Path(args.update_readme).is_file() and f"no such file: {args.update_readme}"
    for problem in (output_problem(args.output), interpreter_problem(args.python), readme):
        if problem:
            print(f"tapcheck graph: error: {problem}", file=sys.stderr)
            return 2
    if args.update_readme and args.format != "mermaid":
        print("tapcheck graph: error: --update-readme writes Mermaid; drop --format dot", file=sys.stderr)
        return 2
    try:
        if args.update_readme:
            changed = update_readme(args.path, args.update_readme, stack=args.stack, python=args.python,
                                    timeout=args.timeout, detail=args.detail)
            print(f"{args.update_readme}: diagram {'updated' if changed else 'already up to date'}")
            return 0
        text = render(synth_record(args.path, stack=args.stack, python=args.python, timeout=args.timeout),
                      args.format, args.detail)
    except ProjectError as exc:
        print(f"tapcheck graph: error: {exc}", file=sys.stderr)
        return 2
    except DiagramError as exc:
        print(f"tapcheck graph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader left; exit quietly (Python docs, "Note on SIGPIPE")
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
