"""The pure functions of the ``std`` provider (pulumi-std), computed as the provider computes them.

pulumi-std serves Terraform's built-in functions (``join``, ``split``, ``concat``, ``format``, ``cidrsubnet``, ...) as
provider functions (https://www.pulumi.com/registry/packages/std/); programs converted from Terraform call them for
plain string and list work, then iterate or split ``.result``. Their results follow from their arguments alone, so
the mocks compute them here (semantics: https://developer.hashicorp.com/terraform/language/functions); functions
that are not pure (``timestamp``, ``uuid``, ``bcrypt``, ``rsadecrypt``) are left to the declared result type.

``result(function, args)`` takes the function's name (the token's last part, ``join``) and its arguments as the
engine passes them (numbers are floats); it returns the ``{"result": ...}`` answer, or None when the function is not
one of these or its arguments do not fit (the mocks then answer from the declared type).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import ipaddress
import itertools
import json
import math
import os
import re
import urllib.parse
from collections.abc import Callable
from typing import Any


def _format(spec: str, args: list[Any]) -> str:
    """Terraform's ``format``: Go verbs ``%s %d %f %q %v %%`` (flags and widths kept as Python's ``%``)."""
    values = iter(args)

    def verb(match: re.Match[str]) -> str:
        flags, kind = match.group(1), match.group(2)
        if kind == "%":
            return "%"
        value = next(values)
        if kind == "q":
            return json.dumps(str(value))
        if kind == "d":
            return ("%" + flags + "d") % int(value)
        if kind in "feg":
            return ("%" + flags + kind) % float(value)
        text = json.dumps(value) if isinstance(value, (list, dict)) else _text(value)
        return ("%" + flags + "s") % text

    return re.sub(r"%([-+ 0#]*\d*(?:\.\d+)?)([sdqvfeg%])", verb, spec)


def _text(value: Any) -> str:
    """A value as Terraform's ``tostring`` writes it (whole numbers without ``.0``, booleans lower-case)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _whole(value: Any) -> Any:
    """Numbers arrive as floats (protobuf); whole ones are written as integers, as Terraform writes them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def _number(value: Any) -> float:
    return float(value)


def _cidrsubnet(prefix: str, newbits: Any, netnum: Any) -> str:
    network = ipaddress.ip_network(prefix, strict=False)
    subnets = network.subnets(prefixlen_diff=int(newbits))
    return str(next(itertools.islice(subnets, int(netnum), None)))


def _cidrsubnets(prefix: str, newbits: list[Any]) -> list[str]:
    network = ipaddress.ip_network(prefix, strict=False)
    out, start = [], int(network.network_address)
    for bits in newbits:
        size = network.max_prefixlen - network.prefixlen - int(bits)
        start = (start + (1 << size) - 1) >> size << size  # next aligned block
        out.append(str(ipaddress.ip_network((start, network.prefixlen + int(bits)))))
        start += 1 << size
    return out


def _read(path: str, mode: str = "r") -> Any:
    with open(os.path.expanduser(path), mode) as handle:  # pylint: disable=unspecified-encoding  # text or bytes
        return handle.read()


def _digest(name: str, data: bytes, encode: Callable[[Any], str] = lambda d: d.hexdigest()) -> str:
    return encode(hashlib.new(name, data))


def _b64(digest: Any) -> str:
    return base64.b64encode(digest.digest()).decode()


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out += _flatten(item) if isinstance(item, list) else [item]
    return out


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


#: function name -> how it computes ``result`` from its arguments (engine names).
FUNCTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "abs": lambda a: abs(_number(a["input"])),
    "abspath": lambda a: os.path.abspath(a["input"]),
    "alltrue": lambda a: all(a["input"]),
    "anytrue": lambda a: any(a["input"]),
    "base64decode": lambda a: base64.b64decode(a["input"]).decode(),
    "base64encode": lambda a: base64.b64encode(str(a["input"]).encode()).decode(),
    "base64gzip": lambda a: base64.b64encode(gzip.compress(str(a["input"]).encode(), mtime=0)).decode(),
    "base64sha256": lambda a: _digest("sha256", str(a["input"]).encode(), _b64),
    "base64sha512": lambda a: _digest("sha512", str(a["input"]).encode(), _b64),
    "basename": lambda a: os.path.basename(a["input"]),
    "ceil": lambda a: float(math.ceil(_number(a["input"]))),
    "chomp": lambda a: re.sub(r"(\r\n|\n|\r)+$", "", a["input"]),
    "chunklist": lambda a: [a["input"][i:i + int(a["size"])] for i in range(0, len(a["input"]), int(a["size"]) or 1)],
    "cidrhost": lambda a: str(ipaddress.ip_network(a["input"], strict=False)[int(a["host"])]),
    "cidrnetmask": lambda a: str(ipaddress.ip_network(a["input"], strict=False).netmask),
    "cidrsubnet": lambda a: _cidrsubnet(a["input"], a["newbits"], a["netnum"]),
    "cidrsubnets": lambda a: _cidrsubnets(a["input"], a["newbits"]),
    "coalesce": lambda a: next(v for v in a["input"] if v not in (None, "")),
    "coalescelist": lambda a: next(v for v in a["input"] if v),
    "compact": lambda a: [v for v in a["input"] if v not in (None, "")],
    "concat": lambda a: [item for part in a["input"] for item in (part or [])],
    "contains": lambda a: a["element"] in a["input"],
    "dirname": lambda a: os.path.dirname(a["input"]),
    "distinct": lambda a: _distinct(a["input"]),
    "element": lambda a: a["input"][int(a["index"]) % len(a["input"])],
    "endswith": lambda a: str(a["input"]).endswith(a["suffix"]),
    "file": lambda a: _read(a["input"]),
    "filebase64": lambda a: base64.b64encode(_read(a["input"], "rb")).decode(),
    "filebase64sha256": lambda a: _digest("sha256", _read(a["input"], "rb"), _b64),
    "filebase64sha512": lambda a: _digest("sha512", _read(a["input"], "rb"), _b64),
    "fileexists": lambda a: os.path.isfile(os.path.expanduser(a["input"])),
    "filemd5": lambda a: _digest("md5", _read(a["input"], "rb")),
    "filesha1": lambda a: _digest("sha1", _read(a["input"], "rb")),
    "filesha256": lambda a: _digest("sha256", _read(a["input"], "rb")),
    "filesha512": lambda a: _digest("sha512", _read(a["input"], "rb")),
    "flatten": lambda a: _flatten(a["input"]),
    "floor": lambda a: float(math.floor(_number(a["input"]))),
    "format": lambda a: _format(a["input"], list(a.get("args") or [])),
    "formatlist": lambda a: [_format(a["input"], [v[i] if isinstance(v, list) else v for v in a.get("args") or []])
                             for i in range(max([len(v) for v in a.get("args") or [] if isinstance(v, list)] or [1]))],
    "indent": lambda a: a["input"].replace("\n", "\n" + " " * int(a["spaces"])),
    "index": lambda a: float(a["input"].index(a["element"])),
    "join": lambda a: str(a.get("separator") or "").join(_text(v) for v in a["input"]),
    "jsondecode": lambda a: json.loads(a["input"]),
    "jsonencode": lambda a: json.dumps(_whole(a["input"]), separators=(",", ":")),
    "keys": lambda a: sorted(a["input"]),
    "length": lambda a: float(len(a["input"])),
    "log": lambda a: math.log(_number(a["input"]), _number(a["base"])),
    "lookup": lambda a: a["map"].get(a["key"], a.get("default")),
    "lower": lambda a: str(a["input"]).lower(),
    "map": lambda a: dict(zip(a["args"][::2], a["args"][1::2], strict=True)),
    "max": lambda a: max(_number(v) for v in a["input"]),
    "md5": lambda a: _digest("md5", str(a["input"]).encode()),
    "merge": lambda a: {k: v for part in a["input"] for k, v in (part or {}).items()},
    "min": lambda a: min(_number(v) for v in a["input"]),
    "parseint": lambda a: float(int(str(a["input"]), int(a.get("base") or 10))),
    "pathexpand": lambda a: os.path.expanduser(a["input"]),
    "pow": lambda a: _number(a["base"]) ** _number(a["exponent"]),
    "range": lambda a: [float(v) for v in range(int(a.get("start") or 0), int(a["limit"]), int(a.get("step") or 1))],
    "regex": lambda a: re.search(a["pattern"], a["string"]).group(0),  # type: ignore[union-attr]
    "regexall": lambda a: [m.group(0) for m in re.finditer(a["pattern"], a["string"])],
    "replace": lambda a: str(a["text"]).replace(a["search"], a["replace"]),
    "reverse": lambda a: list(reversed(a["input"])),
    "setintersection": lambda a: sorted(set.intersection(*(set(v) for v in a["input"]))) if a["input"] else [],
    "sha1": lambda a: _digest("sha1", str(a["input"]).encode()),
    "sha256": lambda a: _digest("sha256", str(a["input"]).encode()),
    "sha512": lambda a: _digest("sha512", str(a["input"]).encode()),
    "signum": lambda a: float((_number(a["input"]) > 0) - (_number(a["input"]) < 0)),
    "slice": lambda a: a["list"][int(a["from"]):int(a["to"])],
    "sort": lambda a: sorted(_text(v) for v in a["input"]),
    "split": lambda a: str(a["text"]).split(a["separator"]) if a["text"] else [],
    "startswith": lambda a: str(a["input"]).startswith(a["prefix"]),
    "strrev": lambda a: str(a["input"])[::-1],
    "substr": lambda a: str(a["input"])[int(a["offset"]):][:int(a["length"])] if int(a["length"]) >= 0
    else str(a["input"])[int(a["offset"]):],
    "sum": lambda a: float(sum(_number(v) for v in a["input"])),
    "title": lambda a: re.sub(r"\b\w", lambda m: m.group(0).upper(), str(a["input"])),
    "tobool": lambda a: a["input"] if isinstance(a["input"], bool) else {"true": True, "false": False}[a["input"]],
    "tolist": lambda a: list(a["input"]),
    "tonumber": lambda a: _number(a["input"]),
    "toset": lambda a: sorted(set(a["input"]), key=_text),
    "tostring": lambda a: _text(a["input"]),
    "transpose": lambda a: {v: sorted(k for k, vs in a["input"].items() if v in vs)
                            for v in sorted({v for vs in a["input"].values() for v in vs})},
    "trim": lambda a: str(a["input"]).strip(a["cutset"]),
    "trimprefix": lambda a: str(a["input"]).removeprefix(a["prefix"]),
    "trimspace": lambda a: str(a["input"]).strip(),
    "trimsuffix": lambda a: str(a["input"]).removesuffix(a["suffix"]),
    "upper": lambda a: str(a["input"]).upper(),
    "urlencode": lambda a: urllib.parse.quote(str(a["input"]), safe=""),
    "values": lambda a: [a["input"][k] for k in sorted(a["input"])],
    "zipmap": lambda a: dict(zip(a["keys"], a["values"], strict=True)),
}


def result(function: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """``{"result": value}`` of pulumi-std's ``function`` for ``args``; None when it is not computed here or the
    arguments do not fit it (a missing file, a bad CIDR): the mocks then answer from the declared result type."""
    compute = FUNCTIONS.get(function)
    if compute is None:
        return None
    try:
        return {"result": compute(args)}
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OSError, StopIteration, ArithmeticError):
        return None
