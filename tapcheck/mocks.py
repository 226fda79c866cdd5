"""Pulumi mocks that answer like AWS, for unit tests and for the checker's synth.

Why: ``pulumi.runtime.Mocks`` returns nothing by default, so programs that read ``bucket.arn``, call
``aws.get_availability_zones()`` or take ``aws.rds.get_engine_version().version`` see ``None`` and fail or
pass for the wrong reason (https://www.pulumi.com/docs/iac/concepts/testing/unit/). These mocks answer with
deterministic, plausible values of the types the SDKs declare:

- every output a provider computes gets a value of its declared type, for every resource type of the installed
  SDKs (``tapcheck.shapes`` reads the declarations; ``tapcheck.arns`` gives ARNs, ids and URLs their real
  formats);
- inputs echoed back are converted to the output's declared type (an IAM policy passed as a dict comes back as
  its JSON text, as pulumi-aws returns it);
- every data source returns its declared result type, echoing the arguments it was given, for every installed
  provider SDK; pulumi-std's pure functions (``join``, ``split``, ``concat``, ...) are computed
  (``tapcheck.std_functions``);
- ``pulumi-random`` results honour length and character-class arguments;
- a read resource (``aws.ec2.Vpc.get(name, id)``) has every declared property, and the id asked for;
- maps whose keys AWS chooses (AppSync ``uris``, a CloudFormation stack's ``outputs``) answer any key the program
  asks for with a plausible value (``AnyKeyMap``): those keys are not knowable offline, and a real deployment would
  have them, so the program must not fail on them;
- a ``pulumi.StackReference``'s outputs are unknown, as a preview shows a value no one can know yet: another
  stack's outputs are neither in this program nor in the account's API, so no value would be the truth, and code
  applied to them does not run (``unknown``).

A gap in these mocks degrades to a plainer value; it never raises into the program.

Importable with only ``pulumi`` installed: provider SDKs are only read when the program imported them.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import random
import string
import sys
import typing
import uuid
from typing import Any, ClassVar

import pulumi
import pulumi.runtime.mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, resource_pb2

from . import arns, shapes, std_functions
from .engines import default_version, parameter_group_family

ACCOUNT_ID = arns.ACCOUNT_ID
DEFAULT_REGION = "us-east-1"

# Pulumi's wire format for a secret value: ``{SIG_KEY: SECRET_SIG, "value": v}``. The mock monitor turns it into a
# secret Output (pulumi SDK ``pulumi/runtime/rpc.py``: ``_special_sig_key`` / ``_special_secret_sig``).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# A resource reference on the wire: ``{SIG_KEY: RESOURCE_SIG, "urn": ..., "id": ...}``; the SDK rebuilds the resource
# object from it and reads its state with the ``pulumi:pulumi:getResource`` invoke (``rpc.deserialize_resource``).
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_GET_RESOURCE = "pulumi:pulumi:getResource"

_ZONE_PREFIX = {
    "us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2", "eu-west-1": "euw1",
    "eu-west-2": "euw2", "eu-central-1": "euc1", "ap-southeast-1": "apse1", "ap-southeast-2": "apse2",
    "ap-northeast-1": "apne1", "ca-central-1": "cac1", "sa-east-1": "sae1", "ap-south-1": "aps1",
}

_SECRET_RESULT_TYPES = ("random:index/randomPassword:RandomPassword",)
# terraform-provider-random's default special characters (random_string / random_password `override_special`):
# https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/string
_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


def secret(value: Any) -> dict[str, Any]:
    """Wrap a value the way the engine marks secrets, so ``Output.is_secret()`` is True in the program."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def suffix(name: str, length: int = 7) -> str:
    """Deterministic stand-in for Pulumi's random auto-name suffix (``<name>-<7 chars>``)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:length]


def random_result(name: str, length: int = 24) -> str:
    """Deterministic value for a ``random`` provider result; the checker recognises it as generated."""
    return "Rnd" + hashlib.sha256(("random:" + name).encode("utf-8")).hexdigest()[: max(length - 3, 8)]


def _region(args_region: Any = None) -> str:
    """The region asked for, else the stack's ``aws:region``, else us-east-1."""
    if isinstance(args_region, str) and args_region:
        return args_region
    return pulumi.runtime.get_config("aws:region") or DEFAULT_REGION


def _flag(state: dict[str, Any], key: str) -> bool:
    """A boolean input that defaults to true (``upper``, ``lower``, ``numeric``, ``special``)."""
    value = state.get(key)
    return True if value is None else bool(value)


def random_string(seed: str, state: dict[str, Any]) -> str:
    """A deterministic ``RandomString``/``RandomPassword`` result that honours the resource's arguments.

    ``length`` (default 16 here), ``upper``/``lower``/``numeric`` (and the deprecated ``number``)/``special`` pick
    the character classes, ``overrideSpecial`` the special characters, ``minUpper``/``minLower``/``minNumeric``/
    ``minSpecial`` the least count of each, as terraform-provider-random does.
    """
    classes = {"Upper": (_flag(state, "upper"), string.ascii_uppercase),
               "Lower": (_flag(state, "lower"), string.ascii_lowercase),
               "Numeric": (_flag(state, "numeric") and _flag(state, "number"), string.digits),
               "Special": (_flag(state, "special"), str(state.get("overrideSpecial") or _DEFAULT_SPECIAL))}
    rng = random.Random(seed)  # seeded from text: the same on every run and interpreter
    chars: list[str] = []
    for label, (used, alphabet) in classes.items():
        if used and alphabet:
            chars += [rng.choice(alphabet) for _ in range(int(state.get(f"min{label}") or 0))]
    pool = "".join(alphabet for used, alphabet in classes.values() if used) or string.ascii_lowercase
    length = int(state.get("length") or 16)
    chars += [rng.choice(pool) for _ in range(max(length - len(chars), 0))]
    rng.shuffle(chars)
    return "".join(chars)


_PLURAL = ("ids", "arns", "names", "urls", "ips", "cidrs", "blocks", "zones", "subnets", "groups", "endpoints",
           "domains", "hosts", "servers", "addresses", "records", "keys", "roles", "users", "buckets", "queues")


def _enum_text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _awsx_vpc_lengths(inputs: dict[str, Any]) -> dict[str, int]:
    """How many subnets, NAT gateways and so on an ``awsx.ec2.Vpc`` with these inputs (engine names) creates.

    From the pulumi-awsx SDK's documentation of ``Vpc``: the subnets of every spec are created in each availability
    zone (``availabilityZoneNames``, else ``numberOfAvailabilityZones``, else the first 3 zones of the region); the
    specs default to one public and one private subnet; NAT gateways default to one per zone when public and
    private subnets are both specified, else none (``natGateways.strategy``: ``None``, ``Single``, ``OnePerAz``).
    Components of the same VPC per zone (route tables and associations) follow the subnets.
    """
    names = inputs.get("availabilityZoneNames")
    zones = len(names) if isinstance(names, list) and names else int(inputs.get("numberOfAvailabilityZones") or 3)
    specs = inputs.get("subnetSpecs")
    kinds = ([_enum_text(spec.get("type")) for spec in specs if isinstance(spec, dict)]
             if isinstance(specs, list) and specs else ["Public", "Private"])
    kinds = [kind for kind in kinds if kind != "Unused"]
    per_kind = {kind: zones * kinds.count(kind) for kind in ("Public", "Private", "Isolated")}
    nat = inputs.get("natGateways")
    strategy = _enum_text(nat.get("strategy")) if isinstance(nat, dict) else ""
    if not strategy:
        strategy = "OnePerAz" if per_kind["Public"] and per_kind["Private"] else "None"
    gateways = {"None": 0, "Single": 1}.get(strategy, zones)
    subnets = zones * len(kinds)
    return {"subnets": subnets, "publicSubnets": per_kind["Public"], "publicSubnetIds": per_kind["Public"],
            "privateSubnets": per_kind["Private"], "privateSubnetIds": per_kind["Private"],
            "isolatedSubnets": per_kind["Isolated"], "isolatedSubnetIds": per_kind["Isolated"],
            "subnetLayout": len(kinds), "natGateways": gateways, "eips": gateways, "routeTables": subnets,
            "routeTableAssociations": subnets}


#: Component type -> the lengths of its list outputs that follow from its inputs, so that a program indexing them as
#: the component's documentation promises (``vpc.subnets[5]`` with three zones and two specs) finds the item.
_COMPONENT_LIST_LENGTHS: dict[str, typing.Callable[[dict[str, Any]], dict[str, int]]] = {
    "awsx:ec2:Vpc": _awsx_vpc_lengths,
}


def component_list_lengths(typ: str, inputs: dict[str, Any]) -> dict[str, int]:
    """``{output name: length}`` for the list outputs of component type *typ* whose length its *inputs* (engine
    names) decide; ``{}`` for other types, or when the inputs are not plain values (a gap must not fail a run)."""
    lengths = _COMPONENT_LIST_LENGTHS.get(typ)
    try:
        return lengths(inputs) if lengths else {}
    except (TypeError, ValueError, AttributeError):
        return {}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class AnyKeyMap(dict):  # type: ignore[type-arg]
    """A map whose keys are chosen outside the program (by AWS): any key has a plausible value.

    ``api.uris["GRAPHQL"]`` and ``aws.cloudformation.get_stack(...).outputs["PrivateSubnetId"]`` read keys that only
    the account knows. A missing key gets a value of the map's declared value type, chosen by the key's name
    (``...Id`` an id, ``...Url`` a URL, a plural such as ``..._ids`` a list of two when the type is not declared),
    and is remembered so that every read agrees. ``in`` and iteration see only the keys answered so far.
    """

    # Every string a missing key was answered with since the last ``AwsMocks()``: values the account provides, which
    # the checker must not mistake for values the program fixes itself (``AwsMocks.provided``).
    answered: ClassVar[set[str]] = set()

    def __init__(self, items: dict[str, Any], value_type: Any = None, source: dict[str, str] | None = None) -> None:
        super().__init__(items)
        self.value_type = value_type
        self.source = dict(source or {})

    def __missing__(self, key: str) -> Any:
        value = self._value(str(key))
        self[key] = value
        AnyKeyMap.answered |= strings_in(value)
        return value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        """Like ``self[key]``: every key has a value."""
        return self[key]

    def _value(self, key: str) -> Any:
        token = self.source.get("token", "")
        physical = self.source.get("physical") or "value"
        region = self.source.get("region") or _region()
        prop = _camel(key) if "_" in key else key[:1].lower() + key[1:]

        # A key that says nothing of its value (AppSync's "GRAPHQL") takes the kind of its map ("uris": a URI).
        of_map = self.source.get("map") or ""
        fallback = of_map[:-1] if of_map.endswith("s") else of_map

        def make_str(name: str, index: int) -> str:
            value = arns.string_for(name, token, physical, region, index)
            if fallback and value.endswith(arns.kebab(name)):
                return arns.string_for(fallback, token, physical, region, index)
            return value

        typ = shapes.unwrap(self.value_type) if self.value_type is not None else Any
        if typ is Any or typ is object or typ is None:
            if prop.lower().endswith(_PLURAL):
                return [make_str(prop[:-1], i) for i in range(2)]
            return make_str(prop, 0)
        return shapes.value_for(typ, prop, make_str, source=self.source)


def strings_in(value: Any) -> set[str]:
    """Every string inside ``value`` (dict values, list items, nested), e.g. ``{"a": ["x", {"b": "y"}]}`` ->
    ``{"x", "y"}``."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(strings_in(v) for v in value))
    return set()


def _map_value_type(typ: Any) -> Any:
    args = typing.get_args(shapes.unwrap(typ)) if typ is not None else ()
    return args[1] if len(args) == 2 else None


def unknown(source: dict[str, str]) -> dict[str, Any]:
    """An answer that reaches the program as an unknown value, the way a preview shows an output no one knows yet.

    On the wire the engine marks such a value with ``pulumi.runtime.rpc.UNKNOWN``, but outside a preview the SDK reads
    that mark as None (``deserialize_property`` in pulumi/pulumi ``sdk/python/lib/pulumi/runtime/rpc.py``), and a
    ``None`` would run the program's callbacks on a value it never gets. This mark instead becomes the SDK's own
    ``pulumi.UNKNOWN`` (``install_any_key_maps``), so the Output holding it is not known and ``apply`` skips its
    callback, as in a preview (``_OutputData.__post_init__`` and ``Output.apply`` in
    ``sdk/python/lib/pulumi/output.py``): ``int(ref.get_output("az_count"))`` inside an ``apply`` does not run on a
    made-up value. ``source`` says where the value would come from (kept in the synth record)."""
    return {shapes.UNKNOWN_KEY: dict(source)}


def install_any_key_maps() -> None:
    """Make the SDK hand the program an ``AnyKeyMap`` where the mocks marked a map with ``shapes.ANY_KEY``, and the
    SDK's unknown value where they answered ``unknown(...)``.

    The SDK rebuilds every value it receives from the engine as plain dicts in
    ``pulumi.runtime.rpc.translate_output_properties`` (resource outputs and data-source results alike); this wraps
    that function once per process. Idempotent.
    """
    original = rpc.translate_output_properties
    if getattr(original, "_tapcheck_any_key", False):
        return

    def translate_output_properties(output: Any, output_transformer: Any, typ: Any = None, *args: Any,
                                    **kwargs: Any) -> Any:
        if isinstance(output, dict) and shapes.UNKNOWN_KEY in output:
            return pulumi.UNKNOWN
        if isinstance(output, dict) and shapes.ANY_KEY in output:
            source = output[shapes.ANY_KEY]
            items = {k: v for k, v in output.items() if k != shapes.ANY_KEY}
            translated = original(items, output_transformer, typ, *args, **kwargs)
            return AnyKeyMap(translated if isinstance(translated, dict) else items, _map_value_type(typ),
                             source if isinstance(source, dict) else None)
        return original(output, output_transformer, typ, *args, **kwargs)

    translate_output_properties._tapcheck_any_key = True  # type: ignore[attr-defined]
    rpc.translate_output_properties = translate_output_properties


class MockMonitor(pulumi.runtime.mocks.MockMonitor):
    """The SDK's mock monitor, passing resource references the way the engine passes them to pulumi-aws.

    A program may pass a resource where its id is expected (``aws.lambda_.Permission(function=fn)``). The engine
    hands such a reference to a provider that does not take references (pulumi-aws and other bridged Terraform
    providers) as the resource's id (https://www.pulumi.com/docs/iac/concepts/resources/). The SDK's own mock
    monitor instead rebuilds the resource object while deserializing the inputs, on the gRPC worker thread: that
    schedules the rebuilt resource's lookup on the worker's event loop, and the program's loop later fails, on
    some runs only, with "got Future ... attached to a different loop". Not advertising the resource-references
    feature makes the SDK send the id (the URN for components), which is both faithful and deterministic.

    Use: ``pulumi.runtime.set_mocks(mocks, project=..., stack=..., monitor=MockMonitor(mocks))``.
    """

    _REFERENCES = resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES

    def GetDeploymentInfo(self, request: Any) -> Any:  # pylint: disable=invalid-name  # gRPC method name
        """The SDK mock monitor's features, less resource references."""
        info = super().GetDeploymentInfo(request)
        return resource_pb2.DeploymentInfo(
            supportedFeatures=[f for f in info.supportedFeatures if f != self._REFERENCES])

    def Invoke(self, request: Any) -> Any:  # pylint: disable=invalid-name  # gRPC method name
        """``pulumi:pulumi:getResource`` also knows the resources a component's outputs refer to (``AwsMocks``)."""
        if request.tok == _GET_RESOURCE:
            urn = request.args.fields["urn"].string_value if "urn" in request.args.fields else ""
            known = getattr(self.mocks, "references", {}).get(urn)
            if known is not None and urn not in self.resources:
                self.resources[urn] = pulumi.runtime.mocks.MockMonitor.ResourceRegistration(
                    urn, known["id"], known["state"])
        return super().Invoke(request)

    def Call(self, request: Any) -> Any:  # pylint: disable=invalid-name  # gRPC method name
        """A method of a multi-language component (eks ``Cluster.get_kubeconfig``): the SDK sends it to the engine
        as a ``ResourceCallRequest``, which the SDK's mock monitor does not answer. The answer is
        ``AwsMocks.method_call`` (a value of the method's declared result type)."""
        args = pulumi.runtime.rpc.deserialize_properties(request.args)
        answer = getattr(self.mocks, "method_call", lambda token, args: {})(request.tok, args)
        ret_proto = pulumi.runtime.mocks._sync_await(  # pylint: disable=protected-access  # as the SDK's Invoke
            pulumi.runtime.rpc.serialize_properties(answer, {}))
        return provider_pb2.CallResponse(**{"return": ret_proto})

    def SupportsFeature(self, request: Any) -> Any:  # pylint: disable=invalid-name  # gRPC method name
        """Older SDKs probe features one by one: answer no for resource references."""
        answer = super().SupportsFeature(request)
        if request.id == "resourceReferences":
            return type("SupportsFeatureResponse", (object,), {"hasSupport": False})
        return answer


class AwsMocks(pulumi.runtime.Mocks):
    """Mocks for pulumi-aws v7 programs: deterministic ids, ARNs, endpoints and data-source answers.

    ``new_resource`` returns ``(id, state)``: the inputs converted to their declared output types plus every
    output the provider would compute. ``call`` returns a dict shaped like the data source's declared result.
    Neither raises: a value the mocks cannot build is left out (``None`` in the program). Set ``strict = True``
    (tests of the mocks themselves) to let such gaps raise instead.
    """

    strict = False

    def __init__(self) -> None:
        install_any_key_maps()
        AnyKeyMap.answered = set()
        # Strings data sources answered with that the program did not pass in (see ``provided``).
        self._invoked: set[str] = set()
        # URN -> {"id", "state"} of the resources that components' outputs refer to (``MockMonitor`` serves them).
        self.references: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Return the provider-assigned id and the inputs plus the computed outputs a real deployment would add."""
        try:
            return self._new_resource(args)
        except Exception:  # pylint: disable=broad-exception-caught  # a gap here must not fail a valid program
            if self.strict:
                raise
            return f"{args.name}-id", dict(args.inputs)

    def _new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ = args.typ
        cls = shapes.resource_class(typ)
        declared = shapes.resource_properties(cls) if cls is not None else {}
        state = {k: shapes.conform(v, declared[k].type) if k in declared else v for k, v in args.inputs.items()}
        if typ.startswith("random:"):
            return f"{args.name}-id", self._random_state(typ, args.name, state)
        region = _region(state.get("region"))
        read = bool(args.resource_id)  # Resource.get(name, id) or an import: an existing resource, all of it known
        if typ == "pulumi:pulumi:StackReference":  # another stack's outputs: not knowable offline
            stack = str(state.get("name") or args.resource_id or args.name)
            return stack, {**state, "name": stack, "secretOutputNames": [],
                           "outputs": unknown({"token": typ, "stack": stack})}
        physical = f"{args.name}-{suffix(args.name)}"
        rid = str(args.resource_id) if read else f"{args.name}-id"
        if typ.startswith("aws:"):
            known = cls is None  # an unregistered type: give it the common attributes anyway
            name_key, physical = arns.physical_name(typ, args.name, state)
            if known or name_key in declared:
                state[name_key] = physical
            if known or "name" in declared:
                state.setdefault("name", physical)
            rid = rid if read else arns.resource_id(typ, args.name, physical)
            state.setdefault("id", rid)
            for key, value in arns.computed_strings(typ, args.name, rid=rid, physical=physical, region=region,
                                                           state=state).items():
                state.setdefault(key, value)
            if known or "arn" in declared:  # EC2 ARNs name the resource by its id
                state.setdefault("arn", arns.generic_arn(typ, rid if arns.service_of(typ) == "ec2" else physical,
                                                         region))
            self._add_computed(typ, args.name, state, region, physical)
            if "region" in declared and shapes.unwrap(declared["region"].type) is str:
                state.setdefault("region", region)
            if "tagsAll" in declared and isinstance(state.get("tags"), dict):
                state.setdefault("tagsAll", dict(state["tags"]))

        def make_str(prop: str, index: int) -> str:
            return arns.string_for(prop, typ, physical, region, index)

        source = {"token": typ, "physical": physical, "region": region}
        lengths = component_list_lengths(typ, args.inputs)
        component = cls is not None and not issubclass(cls, pulumi.CustomResource)
        for prop in declared.values():
            # Outputs only the provider sets, everything of a read resource or a component (its provider sets every
            # output), and echoed inputs that do not fit the output's declared type (``conform`` gave None) get the
            # provider's own value.
            if state.get(prop.name) is None and (prop.output_only or read or component or prop.name in args.inputs):
                count = lengths.get(prop.name)
                state[prop.name] = (self._references(typ, args.name, prop, count) if component else None) or \
                    shapes.value_for(prop.type, prop.name, make_str, source=source, count=count)
        return rid, state

    def _references(self, parent_type: str, parent_name: str, prop: shapes.Property, count: int | None = None) -> Any:
        """A component output declared as a resource (awsx ``ApplicationLoadBalancer.load_balancer``: an
        ``aws.lb.LoadBalancer``), or a list of them (``count`` long, else two): references to mock resources of that
        class, which the SDK rebuilds as resource objects with every output (``MockMonitor.Invoke``). None for any
        other output."""
        typ = shapes.unwrap(prop.type)
        many = shapes.is_list(typ)
        item = shapes.unwrap(typing.get_args(typ)[0]) if many and typing.get_args(typ) else typ
        token = getattr(item, "pulumi_type", None) if inspect.isclass(item) else None
        if not (isinstance(token, str) and issubclass(item, pulumi.CustomResource)):
            return None
        refs = []
        for index in range((2 if count is None else count) if many else 1):
            name = f"{parent_name}-{arns.kebab(prop.name)}" + (f"-{index + 1}" if many else "")
            urn = (f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{parent_type}${token}::{name}")
            # AwsMocks' own answer: a subclass's new_resource records a registration, and this is none
            rid, state = AwsMocks._new_resource(self, pulumi.runtime.MockResourceArgs(typ=token, name=name, inputs={}))
            self.references[urn] = {"id": rid, "state": state}
            refs.append({SIG_KEY: RESOURCE_SIG, "urn": urn, "id": rid, "packageVersion": ""})
        return refs if many else (refs[0] if refs else None)

    def method_call(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        """Answer a component method (``eks:index:Cluster/getKubeconfig``) with its declared result type: the
        generated SDK declares it as ``<Class>.<Method>Result`` (``Cluster.GetKubeconfigResult``, an output type).
        Fields are plausible values of their types; ``{}`` (every field None) when the SDK declares none."""
        resource_token, _, method = token.partition("/")
        cls = shapes.resource_class(resource_token)
        result = getattr(cls, f"{method[:1].upper()}{method[1:]}Result", None) if cls is not None and method else None
        if not (inspect.isclass(result) and pulumi._types.is_output_type(result)):  # pylint: disable=protected-access
            return {}
        name = str(args.get("__self__") or resource_token).rsplit("::", 1)[-1]
        region = _region()
        source = {"token": token, "physical": name, "region": region}

        def make_str(prop: str, index: int) -> str:
            return arns.string_for(prop, token, name, region, index)

        return {key: shapes.value_for(typ, key, make_str, source=source)
                for key, typ in shapes.output_fields(result).items()}

    @staticmethod
    def _random_state(typ: str, name: str, state: dict[str, Any]) -> dict[str, Any]:
        seed = arns.digest(typ, name)
        if typ in _SECRET_RESULT_TYPES:
            value = random_string(seed, state)
            state["result"] = secret(value)
            state["bcryptHash"] = secret("$2a$10$" + suffix(value, 53))
        elif typ.endswith("randomString:RandomString"):
            state["result"] = random_string(seed, state)
        elif typ.endswith("randomId:RandomId"):
            raw = bytes.fromhex((seed * 4)[: 2 * int(state.get("byteLength") or 8)])
            prefix = str(state.get("prefix") or "")
            state.update(hex=prefix + raw.hex(), b64Url=prefix + base64.urlsafe_b64encode(raw).decode().rstrip("="),
                         b64Std=prefix + base64.b64encode(raw).decode(), dec=prefix + str(int.from_bytes(raw, "big")))
        elif typ.endswith("randomInteger:RandomInteger"):
            low, high = int(state.get("min") or 0), int(state.get("max") or 0)
            state["result"] = float(low + int(seed[:8], 16) % (max(high - low, 0) + 1))
        elif typ.endswith("randomUuid:RandomUuid"):
            state["result"] = str(uuid.UUID(seed[:32]))
        elif typ.endswith("randomPet:RandomPet"):
            words = ["mock", "pet", "cat", "owl", "fox", "elk"][: int(state.get("length") or 2)]
            pet = str(state.get("separator") or "-").join(words)
            state["id"] = f"{state['prefix']}{state.get('separator') or '-'}{pet}" if state.get("prefix") else pet
        elif typ.endswith("randomShuffle:RandomShuffle"):
            items = list(state.get("inputs") or [])
            random.Random(seed).shuffle(items)
            state["results"] = items[: int(state.get("resultCount") or len(items))]
        elif typ.endswith("randomBytes:RandomBytes"):
            raw = bytes.fromhex((seed * 4)[: 2 * int(state.get("length") or 32)])
            state.update(hex=raw.hex(), base64=secret(base64.b64encode(raw).decode()))
        else:
            state["result"] = random_result(name, int(state.get("length") or 24))
        return state

    @staticmethod
    def _add_computed(typ: str, name: str, state: dict[str, Any], region: str, physical: str) -> None:
        """Computed values that depend on other inputs (engines, ports, load balancer kinds)."""
        if typ == "aws:rds/cluster:Cluster":
            ident = state["clusterIdentifier"]
            state.setdefault("endpoint", f"{ident}.cluster-abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("readerEndpoint", f"{ident}.cluster-ro-abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("port", 5432.0 if "postgres" in str(state.get("engine", "")) else 3306.0)
        elif typ in ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"):
            ident = state["identifier"]
            state.setdefault("address", f"{ident}.abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("port", 3306.0 if "mysql" in str(state.get("engine", "")) else 5432.0)
            state.setdefault("endpoint", f"{state['address']}:{int(state['port'])}")
        elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            state.setdefault("dnsName", f"{physical[:32]}-1234567890.{region}.elb.amazonaws.com")
            state.setdefault("zoneId", "Z35SXDOTRQ7X7K")
            # CloudWatch names load balancers by the ARN's suffix.
            state.setdefault("arnSuffix", state["arn"].split(":loadbalancer/", 1)[-1])
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            state.setdefault("arnSuffix", state["arn"].rsplit(":", 1)[-1])
        elif typ == "aws:lambda/functionUrl:FunctionUrl":
            state.setdefault("functionUrl", f"https://{suffix(name, 32)}.lambda-url.{region}.on.aws/")
            state.setdefault("urlId", suffix(name, 32))
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            ident = state["replicationGroupId"]
            state.setdefault("primaryEndpointAddress", f"master.{ident}.abcdef.{region.replace('-', '')}.cache."
                                                       "amazonaws.com")
            state.setdefault("readerEndpointAddress", f"replica.{ident}.abcdef.cache.amazonaws.com")

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        """Answer a data source with its declared result shape; arguments that name a result field are echoed."""
        inputs = dict(args.args or {})
        try:
            result = self._call(args.token, inputs)
        except Exception:  # pylint: disable=broad-exception-caught  # a gap here must not fail a valid program
            if self.strict:
                raise
            return {}
        self._invoked |= strings_in(result) - strings_in(inputs)
        return result

    @property
    def provided(self) -> set[str]:
        """Strings the program received from outside (data-source results, keys of maps the account fills, stack
        references' outputs) rather than fixed itself: a password read with ``get_secret_version`` is one."""
        return self._invoked | AnyKeyMap.answered

    def _call(self, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
        region = _region(inputs.get("region"))
        result = self._known_call(token, inputs, region)
        cls = shapes.function_result_class(token)
        if cls is None:
            return result
        noun = arns.noun_of(token)
        seed = token + json.dumps(_stable(inputs), sort_keys=True)
        physical = next((v for k in ("name", "bucket", "functionName", "domain", "id") if isinstance(
            v := inputs.get(k), str) and v), f"{noun}-{arns.digest(seed)[:7]}")

        def make_str(prop: str, index: int) -> str:
            if prop in ("id", "ids"):
                return arns.prefixed_id(noun, f"{seed}{index}") or (f"{physical}-{index}" if index else physical)
            return arns.string_for(prop, token, physical, region, index)

        source = {"token": token, "physical": physical, "region": region}
        for key, typ in shapes.output_fields(cls).items():
            if key in result:
                continue
            if inputs.get(key) is not None:
                result[key] = shapes.conform(inputs[key], typ)
            elif key == "region" and shapes.unwrap(typ) is str:
                result[key] = region
            elif key == "tags" and _tag_filters(inputs):  # EC2 `tag:<key>` filters name the tags it has
                result[key] = _tag_filters(inputs)
            else:
                result[key] = shapes.value_for(typ, key, make_str, source=source)
        return result

    def _known_call(self, token: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
        """Answers that depend on the arguments beyond echoing them (AZs, engine versions, policy documents)."""
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            prefix = _ZONE_PREFIX.get(region, region.replace("-", "")[:5])
            return {"names": [f"{region}{z}" for z in "abc"], "zoneIds": [f"{prefix}-az{i}" for i in (1, 2, 3)],
                    "groupNames": [region], "id": region, "state": "available"}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/mock", "userId": "AIDAMOCKUSER",
                    "id": ACCOUNT_ID}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
                    "description": region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
                    "id": "aws"}
        if token == "aws:rds/getEngineVersion:getEngineVersion":
            return self._engine_version(inputs)
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return policy_document(inputs)
        if token == "aws:secretsmanager/getSecretVersion:getSecretVersion":
            return {"secretString": database_secret(str(inputs.get("secretId") or "secret"), region)}
        if token.startswith("std:index:"):  # pulumi-std: pure functions, computed
            return std_functions.result(token.rsplit(":", 1)[-1], inputs) or {}
        if token in ("aws:ecr/getAuthorizationToken:getAuthorizationToken", "aws:ecr/getCredentials:getCredentials"):
            return ecr_authorization(str(inputs.get("registryId") or ACCOUNT_ID), region)
        if token == "aws:ec2/getAmi:getAmi":
            image = f"ami-{suffix(str(inputs.get('nameRegex') or inputs.get('filters') or 'image'), 17)}"
            return {"id": image, "imageId": image, "architecture": "x86_64", "name": "al2023-ami-mock",
                    "rootDeviceName": "/dev/xvda", "owners": inputs.get("owners", ["amazon"])}
        return {}

    @staticmethod
    def _engine_version(inputs: dict[str, Any]) -> dict[str, Any]:
        engine = str(inputs.get("engine") or "aurora-postgresql")
        requested = inputs.get("version") or None
        preferred = inputs.get("preferredVersions") or []
        if not requested and preferred:
            requested = preferred[0]
        version = default_version(engine, requested) or requested or "1.0"
        return {"engine": engine, "version": version, "versionActual": version,
                "parameterGroupFamily": parameter_group_family(engine, version), "status": "available",
                "defaultOnly": bool(inputs.get("defaultOnly")), "validUpgradeTargets": [],
                "supportedModes": ["provisioned", "serverless"] if engine.startswith("aurora") else [],
                "engineDescription": engine, "id": f"{engine}-{version}"}


def _stable(value: Any) -> Any:
    """Plain JSON-able form of call arguments (objects such as resources become their class name), for seeds."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return type(value).__name__


def _tag_filters(inputs: dict[str, Any]) -> dict[str, str]:
    """Tags an EC2-style ``filters`` argument requires (``{"name": "tag:Env", "values": ["prod"]}``)."""
    tags = {}
    for item in inputs.get("filters") or []:
        if isinstance(item, dict) and str(item.get("name", "")).startswith("tag:") and item.get("values"):
            tags[item["name"][4:]] = str(_as_list(item["values"])[0])
    return tags


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def ecr_authorization(registry_id: str, region: str) -> dict[str, Any]:
    """An ECR authorization as AWS returns it (``aws.ecr.get_authorization_token`` / ``get_credentials``): the token
    is base64 of ``AWS:<password>``, the user ``AWS``, the proxy endpoint ``https://<registry>.dkr.ecr.<region>.
    amazonaws.com``, valid 12 hours
    (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html).

    Programs log a docker provider in with ``base64.b64decode(token).decode().split(":")``."""
    password = "eyJwYXlsb2FkIjoi" + hashlib.sha256(f"ecr:{registry_id}:{region}".encode()).hexdigest()
    endpoint = f"https://{registry_id}.dkr.ecr.{region}.amazonaws.com"
    return {"authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(), "userName": "AWS",
            "password": password, "proxyEndpoint": endpoint, "defaultRegistryUrl": endpoint,
            "expiresAt": "2024-01-01T12:00:00Z", "registryId": registry_id, "id": region}


def database_secret(secret_id: str, region: str) -> str:
    """The JSON text of a Secrets Manager secret, in the structure AWS documents for database credentials
    (``username``, ``password``, ``engine``, ``host``, ``port``, ``dbname``; RDS-managed secrets have this form):
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html.

    Programs read stored secrets with ``json.loads(v.secret_string)["password"]``; these keys are the ones they
    read. The value is the same for the same secret id."""
    name = secret_id.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or "secret"
    return json.dumps({"username": "admin", "password": random_string(arns.digest("secret", secret_id), {}),
                       "engine": "postgres", "host": f"{name.lower()}.abcdefghijkl.{region}.rds.amazonaws.com",
                       "port": 5432, "dbname": "app"})


def policy_document(inputs: dict[str, Any]) -> dict[str, Any]:
    """Render ``getPolicyDocument`` statements (camelCase call args) to the IAM JSON AWS would return."""
    statements = []
    for stmt in inputs.get("statements") or []:
        out: dict[str, Any] = {}
        if stmt.get("sid"):
            out["Sid"] = stmt["sid"]
        out["Effect"] = stmt.get("effect") or "Allow"
        for key, field in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"),
                           ("notResources", "NotResource")):
            if stmt.get(key):
                out[field] = _one_or_list(_as_list(stmt[key]))
        for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if stmt.get(key):
                principal: dict[str, Any] = {}
                for p in stmt[key]:
                    principal[p.get("type", "AWS")] = _one_or_list(_as_list(p.get("identifiers")))
                out[field] = principal
        if stmt.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in stmt["conditions"]:
                cond.setdefault(c.get("test", "StringEquals"), {})[c.get("variable", "")] = _one_or_list(
                    _as_list(c.get("values")))
            out["Condition"] = cond
        statements.append(out)
    doc = {"Version": inputs.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=2)
    minified = json.dumps(doc, separators=(",", ":"))
    return {"json": text, "minifiedJson": minified, "id": suffix(minified, 10)}


def skip_engine_stack_traces() -> None:
    """Stop the SDK from computing the stack trace it sends the engine with every resource registration.

    The SDK builds it with ``traceback.extract_stack()`` (every frame's source line read) and a file URI per frame
    (pulumi/pulumi ``sdk/python/lib/pulumi/runtime/resource.py``, ``_get_stack_trace``) for the engine's
    diagnostics. Mocks never read it and the program cannot, so an empty trace (the SDK's own answer when it finds
    no user frame) changes nothing but the time: about a fifth of a large program's run. SDKs without the function
    are left as they are. Used by synth's runner and by :func:`tapcheck.testing.mocks_for`."""
    resource = sys.modules.get("pulumi.runtime.resource")
    stack_trace = getattr(getattr(resource, "source_pb2", None), "StackTrace", None)
    if stack_trace is not None and callable(getattr(resource, "_get_stack_trace", None)):
        resource._get_stack_trace = stack_trace
