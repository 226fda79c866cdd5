"""Rules on the program's and tests' Python code: TAP009, TAP011, TAP013, TAP014, TAP020 and TAP027 (AST
parts), TAP040, TAP042.

The graph module adds the synth parts of TAP014/TAP020/TAP027; findings that meet on one line are merged.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ..findings import Finding, finding
from ..project import Project, PySource, read_text
from ..sdkargs import dotted_parts
from .base import Context
from .project_files import _script_files, looks_secret, words

PLACEHOLDER_IMAGES = frozenset({"nginx", "httpd", "hello-world", "busybox", "alpine", "ubuntu",
                                "amazon/amazon-ecs-sample", "public.ecr.aws/nginx/nginx", "traefik/whoami"})
_ASSERT_CALLS = frozenset({"fail", "raises", "warns", "deprecated_call", "fail_json"})


def dotted(node: ast.AST) -> str:
    """``pulumi.Output.secret`` for an attribute chain, "" for anything else."""
    return ".".join(dotted_parts(node) or [])


def is_export(node: ast.AST) -> bool:
    """``pulumi.export(...)`` or a bare ``export(...)`` imported from pulumi."""
    return isinstance(node, ast.Call) and dotted(node.func) in ("pulumi.export", "export")


def module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Nodes outside function and class bodies (module level, including ``if``/``with``/``try`` blocks)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def program_sources(p: Project) -> list[PySource]:
    """Project sources except tests."""
    return [s for s in p.sources() if not p.is_test_file(s.path) and "tests" not in p.rel(s.path).split("/")[:-1]]


# ----- TAP011 -------------------------------------------------------------------------------------------------
def tap009(ctx: Context) -> list[Finding]:
    """Every project Python file must compile; the parse error's own line and message are reported."""
    p = ctx.project
    out: list[Finding] = []
    for path in p.python_files:
        src = p.source(path)
        if src is None or src.tree is not None:
            continue
        try:
            compile(src.text, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None) or 1
            message = getattr(error, "msg", None) or str(error)
            out.append(finding("TAP009", p.rel(path), line, f"`{p.rel(path)}` does not compile: {message}",
                               "Fix the syntax error at this line (`python -m py_compile` shows it).",
                               column=getattr(error, "offset", None)))
    return out


STACK_OUTPUT_RE = re.compile(r"\bpulumi\s+stack\s+output\b")
_SHELL_COMMENT_RE = re.compile(r"^\s*(?:#|//|rem\s|::)", re.IGNORECASE)


def _call_words(node: ast.Call) -> str:
    """The string literals a call is given (arguments, list items, f-string parts), joined by spaces:
    ``subprocess.run(["pulumi", "stack", "output", "--json"])`` -> "pulumi stack output --json"."""
    parts: list[str] = []
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                parts.append(sub.value)
    return " ".join(parts)


def output_readers(p: Project) -> list[tuple[str, int]]:
    """(path, line) of code that reads this stack's outputs: tests indexing ``outputs[...]``, Python calls that run
    ``pulumi stack output`` or read an Automation API stack's ``outputs()``, and shell scripts, Makefiles and CI
    files running ``pulumi stack output``. Comments and docstrings that mention the command read nothing."""
    found: list[tuple[str, int]] = []
    for src in p.sources():
        if src.tree is None:
            continue
        rel = p.rel(src.path)
        if p.is_test_file(src.path):
            found += [(rel, line) for _key, line in _output_reads(src.tree)]
        for node in src.nodes:
            if isinstance(node, ast.Call) and (
                    STACK_OUTPUT_RE.search(_call_words(node))
                    or (isinstance(node.func, ast.Attribute) and node.func.attr == "outputs" and not node.args)):
                found.append((rel, node.lineno))
    for path in _script_files(p):
        if path.suffix == ".py":
            continue  # read above, as code
        text = read_text(path) or ""
        found += [(p.rel(path), n) for n, line in enumerate(text.splitlines(), 1)
                  if STACK_OUTPUT_RE.search(line) and not _SHELL_COMMENT_RE.match(line)]
    return sorted(set(found))


def component_outputs(p: Project) -> list[tuple[str, int]]:
    """(path, line) of ``self.register_outputs({...})`` calls with a non-empty dict in the program."""
    found = []
    for src in program_sources(p):
        for node in src.nodes or []:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "register_outputs" and node.args \
                    and isinstance(node.args[0], ast.Dict) and node.args[0].keys:
                found.append((p.rel(src.path), node.lineno))
    return found


def tap011(ctx: Context) -> list[Finding]:
    """The program creates no stack output while tests or scripts read its outputs, or while a component registers
    outputs (the sign of expecting them as stack outputs). ``pulumi.export`` counts wherever it runs at import time
    (the entry point or a module it imports), outside ``apply`` callbacks (TAP017). A program that nobody reads
    outputs from, and that registers none, needs none."""
    p = ctx.project
    entry = p.layout.entry
    src = p.source(entry) if entry else None
    if src is None or src.tree is None:
        return []
    from .program import exports_inside_apply  # noqa: PLC0415 - program imports this module

    dropped = set(exports_inside_apply(p))
    if ctx.synth_ok and ctx.record is not None:
        if any((exp.get("site") or {}).get("path") is None or (exp["site"]["path"], exp["site"]["line"]) not in dropped
               for exp in (ctx.record.get("exports") or {}).values()):
            return []
    elif any(is_export(n) and (p.rel(s.path), n.lineno) not in dropped
             for s in program_sources(p) for n in s.nodes or []):
        return []
    readers = output_readers(p)
    registered = component_outputs(p)
    if readers:
        rpath, rline = readers[0]
        why = f"{rpath}:{rline} reads its outputs"
    elif registered:
        rpath, rline = registered[0]
        why = f"{rpath}:{rline} registers component outputs as if they were stack outputs"
    else:
        return []
    return [finding("TAP011", p.rel(entry), 1,
                    f"the program creates no stack output, but {why}: outputs registered with register_outputs() "
                    "inside a component are not stack outputs, so `pulumi stack output` is empty",
                    "Add `pulumi.export(\"name\", value)` for every output tests and scripts read (in the entry point "
                    "or a module it imports).")]


# ----- TAP013 -------------------------------------------------------------------------------------------------
def static_exports(p: Project) -> set[str] | None:
    """Export names written as literals; None when some export name is computed (then the set is unknown)."""
    from .program import exports_inside_apply  # noqa: PLC0415 - program imports this module

    dropped = set(exports_inside_apply(p))
    names: set[str] = set()
    for src in program_sources(p):
        for node in src.nodes:  # type: ignore[arg-type]
            if is_export(node) and (p.rel(src.path), node.lineno) not in dropped:
                first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"),
                                                            None)
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
                else:
                    return None
    return names


def _output_reads(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """``outputs["key"]``, ``self.outputs.get("key")``, ``flat_outputs["key"]`` ..."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and "output" in dotted(node.value).lower():
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and "output" in dotted(node.func.value).lower() and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, node.lineno


def tap013(ctx: Context) -> list[Finding]:
    """Integration tests that read an output key the program never exports."""
    p = ctx.project
    if ctx.synth_ok and ctx.record is not None:
        from .program import exports_inside_apply  # noqa: PLC0415 - program imports this module

        dropped = set(exports_inside_apply(p))  # Pulumi drops these (TAP017), even if the mocks saw them
        exported: set[str] | None = {
            name for name, exp in (ctx.record.get("exports") or {}).items()
            if not exp.get("site") or (exp["site"]["path"], exp["site"]["line"]) not in dropped}
    else:
        exported = static_exports(p)
        if not exported:
            return []
    out: list[Finding] = []
    for src in p.sources():
        rel = p.rel(src.path)
        if "integration" not in rel or not p.is_test_file(src.path):
            continue
        for key, line in _output_reads(src.tree):  # type: ignore[arg-type]
            if key not in exported:
                known = ", ".join(sorted(exported)[:10]) or "none"
                out.append(finding("TAP013", rel, line,
                                   f"the test reads output '{key}' but the program never exports it (exports: {known})",
                                   f"Add `pulumi.export(\"{key}\", ...)` to the entry point, or read an exported key."))
    return out


# ----- TAP014 -------------------------------------------------------------------------------------------------
#: Separators that flatten a list into one string ("a,b"); other joins ("/", ":", "-", "") build one name, path or
#: ARN from parts, which is a string on purpose.
_LIST_SEPARATORS = frozenset({",", ", ", ";", "; ", " ", "\n", "\t", "|"})


def _flattening_join(node: ast.AST) -> str | None:
    """``'<sep>'`` when *node* is ``'<sep>'.join`` with a list separator, else None."""
    if (isinstance(node, ast.Attribute) and node.attr == "join" and isinstance(node.value, ast.Constant)
            and node.value.value in _LIST_SEPARATORS):
        return repr(node.value.value)
    return None


def _stringifies(node: ast.AST) -> str | None:
    """Why ``node`` turns a list/map into a string, or None."""
    if isinstance(node, ast.IfExp):
        return _stringifies(node.body) or _stringifies(node.orelse)
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        if name in ("json.dumps", "pulumi.Output.json_dumps", "Output.json_dumps", "dumps"):
            literal = node.args[0] if node.args else None
            if isinstance(literal, ast.Dict) and any(
                    isinstance(v, ast.Dict) or (isinstance(v, ast.List) and any(isinstance(i, ast.Dict)
                                                                                for i in v.elts))
                    for v in literal.values):
                return None  # a JSON document (kubeconfig, policy) handed on as text
            return f"{name}(...)"
        if name == "str" and node.args and not isinstance(node.args[0], ast.Constant):
            return "str(...)"
        if separator := _flattening_join(node.func):
            return f"{separator}.join(...)"
        if isinstance(node.func, ast.Attribute) and node.func.attr == "apply" and node.args:
            fn = node.args[0]
            if dotted(fn) in ("json.dumps", "str"):
                return f".apply({dotted(fn)})"
            if separator := _flattening_join(fn):
                return f".apply({separator}.join)"
            if isinstance(fn, ast.Lambda):
                inner = _stringifies(fn.body)
                if inner:
                    return f".apply(lambda: {inner})"
    return None


def tap014_static(ctx: Context) -> list[Finding]:
    """Exports whose value is json.dumps/str/join of something, and outputs-flattening scripts writing str()."""
    p = ctx.project
    out: list[Finding] = []
    for src in p.sources():
        rel = p.rel(src.path)
        test = p.is_test_file(src.path)
        assigned = {target.id: n.value for n in src.nodes or [] if isinstance(n, ast.Assign)  # name = <expr>
                    for target in n.targets if isinstance(target, ast.Name)}
        for node in src.nodes:  # type: ignore[arg-type]
            if is_export(node) and not test:
                value = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "value"), None)
                if isinstance(value, ast.Name) and value.id in assigned:  # exported through a variable
                    value = assigned[value.id]
                how = _stringifies(value) if value is not None else None
                if how:
                    out.append(finding("TAP014", rel, node.lineno,
                                       f"export value is {how}: a list or map output becomes a string, and "
                                       "consumers get '[\"a\", \"b\"]' instead of a list",
                                       "Export the list or map itself (pulumi.export(\"ids\", [s.id for s in "
                                       "subnets])); consumers read it with `pulumi stack output --json`."))
            elif isinstance(node, ast.DictComp) and "output" in src.text.lower():
                how = _stringifies(node.value)
                if how and not how.startswith("."):
                    out.append(finding("TAP014", rel, node.lineno,
                                       f"outputs are flattened with {how}: list and map outputs are written as "
                                       "strings", "Keep native JSON types: read `pulumi stack output --json` and "
                                                  "write the values unchanged (json.dump of the whole map)."))
    return out


# ----- TAP020 (AST) -------------------------------------------------------------------------------------------
#: Input names that contain a secret word, lower-cased without separators (``apikeysource``) -> the values their
#: botocore enum lists (HEADER, AUTHORIZER): such a value chooses a setting, it is not a secret. Regenerated by
#: ``scripts/update_aws_facts.py``.
SECRET_NAMED_ENUMS: dict[str, frozenset[str]] = {
    name: frozenset(values) for name, values in json.loads(
        (Path(__file__).resolve().parent.parent / "data" / "aws_enums.json").read_text("utf-8"))[
        "secret_named_enums"].items()}
#: A last word that makes the input a choice about a secret (where it comes from, how it is hashed or sent), not
#: the secret itself: ``api_key_source``, ``password_hashing_algorithm``, ``credential_location``.
SETTING_TAILS = frozenset({"source", "sources", "location", "algorithm", "method", "scheme", "status", "format",
                           "encoding", "scope", "units", "validity", "action", "behavior", "level"})


def secret_input(name: str, value: Any = None) -> bool:
    """True when the input ``name`` (``master_password``, ``secretString``, a dict key) holds a secret value, and
    ``value`` (when given) is not one of the input's own enumerated values. Names that only mention a secret
    (``secret_arn``, ``api_key_source``, ``password_policy``) do not."""
    if not looks_secret(name) or words(name)[-1] in SETTING_TAILS:
        return False
    return not (isinstance(value, str) and value in SECRET_NAMED_ENUMS.get(re.sub(r"[^a-z0-9]", "", name.lower()), ()))


def literal_secret(node: ast.AST | None) -> str | None:
    """The literal when ``node`` is a non-empty string literal or ``Output.secret("literal")``; ARNs (references to
    a secret) and CloudFormation dynamic references (reported by the synth part for what they are) are not."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return None if node.value.startswith(("arn:", "{{resolve:")) else node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values) and node.values:
        return "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    if isinstance(node, ast.Call) and dotted(node.func).endswith("Output.secret") and node.args:
        return literal_secret(node.args[0])
    return None


def _mask(text: str) -> str:
    return text[:2] + "*" * max(len(text) - 2, 3) if len(text) > 4 else "****"


def tap020_static(ctx: Context) -> list[Finding]:
    """Literal strings in password/secret keyword arguments, dict keys, and ``Output.secret("...")``."""
    p = ctx.project
    out: list[Finding] = []
    fix = ("Generate it: `pulumi_random.RandomPassword(\"db-password\", length=32, special=False).result`, or read "
           "it with `pulumi.Config().require_secret(...)`, or use `manage_master_user_password=True`.")
    for src in program_sources(p):
        rel = p.rel(src.path)
        hits: dict[int, tuple[str, str]] = {}
        for node in src.nodes:  # type: ignore[arg-type]
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    value = literal_secret(keyword.value)
                    if keyword.arg and value and secret_input(keyword.arg, value):
                        hits.setdefault(keyword.value.lineno, (f"`{keyword.arg}=`", value))
                if dotted(node.func).endswith("Output.secret") and node.args:
                    value = literal_secret(node.args[0])
                    if value:
                        hits.setdefault(node.lineno, ("a pulumi.Output.secret(...) value", value))
            elif isinstance(node, ast.Dict):
                for key, val in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        value = literal_secret(val)
                        if value and secret_input(key.value, value):
                            hits.setdefault(val.lineno, (f"the '{key.value}' entry", value))
        out += [finding("TAP020", rel, line, f"{what} is the literal string '{_mask(value)}': the secret is stored "
                                             "in the repository and the state", fix)
                for line, (what, value) in sorted(hits.items())]
    return out


# ----- TAP027 (AST) -------------------------------------------------------------------------------------------
def placeholder_image(image: str) -> str | None:
    """Why an image reference is a placeholder (``:latest``, no tag, a sample image), or None."""
    ref = image.strip()
    if not ref or "@sha256:" in ref or "{" in ref:
        return None
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    repo = name.split("/", 1)[1] if name.startswith("docker.io/") else name
    if repo.split(":")[0] in PLACEHOLDER_IMAGES or repo.rsplit("/", 1)[-1] in {"nginx", "httpd", "hello-world"}:
        return f"'{ref}' is a sample image, not the application"
    if not tag:
        return f"'{ref}' has no tag, so it means ':latest'"
    if tag == "latest":
        return f"'{ref}' uses the moving ':latest' tag"
    return None


def tap027_static(ctx: Context) -> list[Finding]:
    """Hard-coded image literals: ``image=``/``image_uri=`` keywords and ``"image":`` dict entries."""
    p = ctx.project
    out: list[Finding] = []
    for src in program_sources(p):
        rel = p.rel(src.path)
        for node in src.nodes:  # type: ignore[arg-type]
            pairs: list[tuple[str, ast.AST]] = []
            if isinstance(node, ast.Call):
                pairs = [(k.arg, k.value) for k in node.keywords if k.arg in ("image", "image_uri")]
            elif isinstance(node, ast.Dict):
                pairs = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and k.value in ("image", "imageUri", "image_uri")]
            for _name, value in pairs:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    why = placeholder_image(value.value)
                    if why:
                        out.append(finding("TAP027", rel, value.lineno, f"hard-coded container image: {why}"))
    return out


# ----- TAP040 -------------------------------------------------------------------------------------------------
def _asserts(node: ast.AST, helpers: dict[str, ast.AST], depth: int = 0) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            return True
        if isinstance(sub, ast.Call):
            name = dotted(sub.func)
            last = name.rsplit(".", 1)[-1]
            if last.startswith(("assert", "check", "verify", "expect")) or last in _ASSERT_CALLS:
                return True
            if depth < 2 and name in helpers and helpers[name] is not node and _asserts(helpers[name], helpers,
                                                                                        depth + 1):
                return True
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Call) and isinstance(sub.value.func,
                                                                                         ast.Attribute) \
                and sub.value.func.attr == "apply":
            return True
    return False


def _tests(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    yield item


def pytest_testpaths(p: Project) -> list[str]:
    """The ``testpaths`` of the project's pytest configuration (pytest.ini, pyproject.toml's
    ``[tool.pytest.ini_options]``, tox.ini or setup.cfg, in pytest's order), as relative POSIX paths; [] when none
    is set (https://docs.pytest.org/en/stable/reference/customize.html)."""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", None), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        path = p.root / name
        if not path.is_file():
            continue
        if section is None:
            options = ((p.pyproject or {}).get("tool") or {}).get("pytest", {}).get("ini_options")
            if options is None:
                continue
            value = options.get("testpaths") or []
            return [PurePosixPath(str(v)).as_posix() for v in ([value] if isinstance(value, str) else value)]
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
        except configparser.Error:
            continue
        if parser.has_section(section) or name == "pytest.ini":  # pytest.ini is the configuration even when empty
            return [PurePosixPath(v).as_posix() for v in parser.get(section, "testpaths", fallback="").split()]
    return []


def is_script(tree: ast.Module) -> bool:
    """The module has an ``if __name__ == "__main__":`` block: it is meant to be run, not collected."""
    return any(isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
               and dotted(node.test.left) == "__name__"
               and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in node.test.comparators)
               for node in tree.body)


def tap040(ctx: Context) -> list[Finding]:
    """Test files with no tests, tests with no assertion, tests that are all commented out. A file counts when
    pytest would collect it: named like a test, under the configured ``testpaths`` when there are any; a file
    without tests that is a script (``__main__`` guard) is a tool named like a test, not a placeholder."""
    p = ctx.project
    out: list[Finding] = []
    commented = re.compile(r"^\s*#\s*(?:async\s+)?def\s+test|^\s*#\s*class\s+Test|^\s*#\s*assert\b", re.MULTILINE)
    testpaths = pytest_testpaths(p)
    for src in p.sources():
        rel = p.rel(src.path)
        if not p.is_test_file(src.path) or src.tree is None or (
                testpaths and not any(rel == t or rel.startswith(f"{t}/") or t in ("", ".") for t in testpaths)):
            continue
        tree = src.tree
        tests = list(_tests(tree))
        if not tests and is_script(tree):
            continue
        if not tests:
            if commented.search(src.text):
                line = next(i for i, text in enumerate(src.lines, 1) if commented.match(text))
                message = "the tests in this file are all commented out: pytest collects nothing and passes"
            else:
                line, message = 1, "test file without any test function: pytest collects nothing from it"
            out.append(finding("TAP040", rel, line, message))
            continue
        helpers: dict[str, ast.AST] = {}
        for node in src.nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test"):
                helpers[node.name] = node
                helpers[f"self.{node.name}"] = node
        scope = _Scope(src.nodes)
        for test in tests:
            if not _asserts(test, helpers) and not _callback_asserts(test, scope):  # TAP042 says why
                out.append(finding("TAP040", rel, test.lineno,
                                   f"`{test.name}` asserts nothing: it passes whatever the code does"))
    return out


# ----- TAP042 -------------------------------------------------------------------------------------------------
# pulumi.runtime.test is defined in pulumi/runtime/mocks.py and re-exported by pulumi.runtime.
_RUNTIME_TEST = frozenset({"pulumi.runtime.test", "pulumi.runtime.mocks.test"})
# Calls that run an awaitable (``output.future()``) to completion before they return (asyncio docs).
_RUNS_TO_COMPLETION = frozenset({"asyncio.run"})


def imported_names(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """Local name -> the dotted name it was imported as, for every absolute import in the file (module level or
    inside functions): ``import pulumi.runtime as rt`` -> {"rt": "pulumi.runtime"}, ``from pulumi.runtime import
    test as t`` -> {"t": "pulumi.runtime.test"}, ``import pulumi.runtime`` -> {"pulumi": "pulumi"}. ``nodes``: the
    file's AST nodes (``Source.nodes``, walked once)."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def qualified(node: ast.AST, imports: dict[str, str]) -> str:
    """The dotted name ``node`` spells, its first part resolved through the file's imports: ``rt.test`` ->
    ``pulumi.runtime.test`` after ``import pulumi.runtime as rt``; "" for anything but a name/attribute chain."""
    parts = dotted_parts(node)
    if not parts:
        return ""
    return ".".join([imports.get(parts[0], parts[0]), *parts[1:]])


def _is_runtime_test(node: ast.AST, imports: dict[str, str]) -> bool:
    """``node`` names pulumi.runtime.test, under whatever name the file imported it."""
    return qualified(node, imports) in _RUNTIME_TEST


def _runtime_tested(nodes: list[ast.AST], imports: dict[str, str]) -> set[str]:
    """Names of the file's functions that run under pulumi.runtime.test: decorated with it (``@rt.test``) or
    wrapped by it (``check = pulumi.runtime.test(check)``)."""
    names = {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and any(_is_runtime_test(d, imports) for d in n.decorator_list)}
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and _is_runtime_test(node.value.func, imports):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _asserts_directly(node: ast.AST, functions: dict[str, ast.AST], depth: int = 0) -> bool:
    """``node`` holds an assert, an assert-like call, or a call of a same-file function that does (one level)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            return True
        if isinstance(sub, ast.Call):
            last = dotted(sub.func).rsplit(".", 1)[-1]
            if last.startswith("assert") or last in _ASSERT_CALLS:
                return True
            if depth == 0 and last in functions and _asserts_directly(functions[last], functions, 1):
                return True
    return False


class _Scope:
    """What one test file says about pulumi.runtime.test: its imports, and the functions that run under it."""

    def __init__(self, nodes: list[ast.AST]) -> None:
        self.imports = imported_names(nodes)
        self.functions = {n.name: n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.tested = _runtime_tested(nodes, self.imports)

    def waits(self, call: ast.Call) -> bool:
        """``call`` runs its arguments' Outputs to completion: it calls a function that runs under
        pulumi.runtime.test (``check(out)``, ``self.check(out)``) or wraps one on the spot (``rt.test(f)()``)."""
        func = call.func
        if isinstance(func, ast.Call) and _is_runtime_test(func.func, self.imports):
            return True
        name = qualified(func, self.imports)
        last = name.rsplit(".", 1)[-1]
        return last in self.tested or name in _RUNS_TO_COMPLETION or last == "run_until_complete"


def _callback_asserts(test: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> list[tuple[int, bool]]:
    """``(line, waited)`` of each ``.apply(callback)`` call in a test whose callback asserts: ``waited`` when
    something runs the callback before the test ends.

    pulumi.runtime.test runs the function it decorates to completion: it awaits the Output the function returns
    and then every outstanding RPC and apply (``run_pulumi_func`` -> ``wait_for_rpcs``, pulumi/runtime/mocks.py
    and stack.py in the Pulumi Python SDK). So an apply is waited for when the test itself runs under it, when
    the apply sits in a nested function that does (however pulumi.runtime.test was imported), when its Output
    is passed, directly or through a local name, to such a function, and when it is awaited or run with
    ``asyncio.run``/``run_until_complete``."""
    applies = [node for node in ast.walk(test) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr == "apply" and node.args]
    if not applies:  # most tests: nothing more to look at
        return []
    waited: set[ast.AST] = set()  # nodes whose applies something waits for
    passed: set[str] = set()  # local names handed to a waiting call
    wrapped = {a.id for node in ast.walk(test) if isinstance(node, ast.Call) and _is_runtime_test(node.func,
                                                                                                 scope.imports)
               for a in node.args if isinstance(a, ast.Name)}  # pulumi.runtime.test(check)
    for node in ast.walk(test):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not test and (
                node.name in wrapped or any(_is_runtime_test(d, scope.imports) for d in node.decorator_list)):
            waited.add(node)
        elif isinstance(node, ast.Await):  # `await out.apply(check).future()` waits for the callback
            waited.add(node.value)
        elif isinstance(node, ast.Call) and scope.waits(node):
            waited.update([*node.args, *(k.value for k in node.keywords)])
            passed |= {n.id for arg in [*node.args, *(k.value for k in node.keywords)]
                       for n in ast.walk(arg) if isinstance(n, ast.Name)}
    for node in ast.walk(test):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(n, ast.Name) and n.id in passed for t in targets for n in ast.walk(t)):
                waited.add(node.value)
    covered = {id(sub) for node in waited for sub in ast.walk(node)}
    everything = any(_is_runtime_test(d, scope.imports) for d in test.decorator_list)
    lines = []
    for node in applies:
        callback = node.args[0]
        body = callback if isinstance(callback, ast.Lambda) \
            else scope.functions.get(dotted(callback).rsplit(".", 1)[-1])
        if body is not None and _asserts_directly(body, scope.functions):
            lines.append((node.lineno, everything or id(node) in covered))
    return lines


def tap042(ctx: Context) -> list[Finding]:
    """Unit tests whose assertions sit in an ``apply`` callback that nothing waits for (no
    ``@pulumi.runtime.test`` on the test, on a nested function holding the apply, or on a function its Output is
    passed to): the test returns before the callback runs, so a failing assertion never fails it
    (https://www.pulumi.com/docs/iac/guides/testing/unit/)."""
    p = ctx.project
    out: list[Finding] = []
    for src in p.sources():
        if not p.is_test_file(src.path) or src.tree is None:
            continue
        scope = _Scope(src.nodes)
        for test in _tests(src.tree):
            out += [finding("TAP042", p.rel(src.path), line,
                            f"`{test.name}` asserts inside an apply callback that nothing waits for: neither the "
                            "test nor a function around the apply is decorated with @pulumi.runtime.test, so the "
                            "test ends before the callback runs and the assertion can never fail it")
                    for line, waited in _callback_asserts(test, scope) if not waited]
    return out


def is_document(value: Any) -> bool:
    """A map with a nested map among its values (a kubeconfig, an IAM policy, a task definition): a document meant
    to be handed on as text, unlike a list of ids or a flat map of values."""
    return isinstance(value, dict) and any(
        isinstance(v, dict) or (isinstance(v, list) and any(isinstance(i, dict) for i in v)) for v in value.values())


def json_container(value: Any) -> bool:
    """True when a string holds a JSON list or flat object (an output that was stringified); JSON documents
    (:func:`is_document`) are written as text on purpose."""
    if not isinstance(value, str) or not value.strip().startswith(("[", "{")):
        return False
    try:
        decoded = json.loads(value)
    except ValueError:
        return False
    return isinstance(decoded, (list, dict)) and not is_document(decoded)


RULES = [tap009, tap011, tap013, tap014_static, tap020_static, tap027_static, tap040, tap042]
