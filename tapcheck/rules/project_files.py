"""Rules on Pulumi.yaml, stack files and the scripts around them: TAP001, TAP002, TAP004-TAP008.

Messages quote Pulumi's own wording (``sdk/go/common/workspace/project.go`` and ``loaders.go`` in
https://github.com/pulumi/pulumi), so a reader can search for them.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog import WARNING
from ..findings import Finding, finding
from ..project import UNREADABLE, Project, read_text
from .base import Context

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
CONFIG_KEY_RE = re.compile(r"^[^:\s]+:(?:config:)?[^:\s]+$")
KNOWN_NAMESPACES = frozenset({
    "aws", "awsx", "random", "pulumi", "tls", "kubernetes", "docker", "docker-build", "gcp", "azure",
    "azure-native", "azuread", "cloudflare", "github", "command", "std", "eks", "archive", "time", "null", "http",
    "local", "external", "datadog", "newrelic", "vault", "postgresql", "mysql", "mongodbatlas", "snowflake",
    "okta", "auth0", "digitalocean", "fastly", "tailscale", "aws-native", "esc", "synced-folder", "cloudinit",
})
# Pulumi.yaml's top-level attributes (https://www.pulumi.com/docs/iac/concepts/projects/project-file/): a key
# that is one of them is never a misspelled `name`.
PROJECT_ATTRIBUTES = frozenset({"name", "runtime", "description", "main", "stackConfigDir", "config", "backend",
                                "options", "template", "plugins", "author", "license", "website", "packages"})
DECL_ATTRS = ("type", "items", "description", "secret", "default", "value")
CONFIG_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}
SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey", "passphrase", "credential",
                          "credentials", "psk"})
# Secrets named by two words whose parts alone are not secret: tunnel1_preshared_key, tlsPrivateKey, authToken.
SECRET_COMPOUNDS = ("password", "apikey", "sharedkey", "privatekey", "secretkey", "signingkey", "authtoken",
                    "accesstoken", "clientsecret")
# A key ending in one of these names something about a secret, not the secret itself (secretArn, tokenTtl), or
# where it is kept (api_key_file, ssh_private_key_path): the file is read at deploy time, its path is no secret.
NOT_SECRET_TAILS = frozenset({"arn", "arns", "name", "names", "id", "ids", "enabled", "length", "ttl", "rotation",
                              "days", "version", "prefix", "path", "paths", "count", "strategy", "mode", "type",
                              "policy", "kms", "provider", "manager", "required", "url", "uri", "file", "files",
                              "filename", "filepath", "dir", "directory", "folder", "location"})
# A value that is a file path (absolute, home-relative, ./ or ../, a Windows drive, or a file name with the
# extension of a key, certificate or credentials file) rather than the secret itself.
FILE_PATH_RE = re.compile(r"^(?:~|\.{1,2})?[/\\](?!/)\S*$|^[A-Za-z]:[/\\]\S*$"
                          r"|^[\w.-]+(?:/[\w.-]+)*\.(?:json|pem|key|crt|cer|der|p12|pfx|jks|pub|ppk|txt|ya?ml|env|ini|"
                          r"cfg|conf|toml|kubeconfig)$", re.IGNORECASE)
SCRIPT_NAMES = frozenset({"Pipfile", "Makefile", "makefile", "GNUmakefile", "pyproject.toml", "package.json",
                          "tox.ini", "justfile", "Justfile", "Taskfile.yml", "Jenkinsfile", ".gitlab-ci.yml",
                          "buildspec.yml", "azure-pipelines.yml", "setup.cfg", "Dockerfile"})
STACK_REF_RE = re.compile(
    r"(?:stack\s+(?:select|init|rm|output|export|import|history|tag\s+\w+)\b(?:\s+--?[\w-]+(?:=\S+)?)*\s+"
    r"|--stack(?:=|\s+)|\s-s(?:=|\s+)?)[\"']?(?P<ref>[^\s\"'|;&)`=]+)")
# `pulumi` as a command word (also `~/.pulumi/bin/pulumi`, `pulumi.exe`, a Makefile's `$(PULUMI)`), and where its
# command line ends.
PULUMI_COMMAND_RE = re.compile(r"(?:^|(?<=[\s\"'`(;&|/=]))(?:pulumi(?:\.exe)?|\$[({]?PULUMI[)}]?)(?=[\s\"',]|$)")
COMMAND_END_RE = re.compile(r"&&|\|\||[;|`\n]|\$\(")
AUTOMATION_PROJECT_RE = re.compile(r"project_name\s*=\s*[\"']([^\"']+)[\"']")


def words(key: str) -> list[str]:
    """``dbMasterPassword`` / ``db_master-password`` -> ["db", "master", "password"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key.rsplit(":", maxsplit=1)[-1])
    return [w.lower() for w in re.split(r"[\s_.\-]+", spaced) if w]


def plain_secret(key: Any, value: Any) -> bool:
    """A non-empty plain string under a key that names a secret, and not a file path (``credentials:
    /home/ci/gcp.json`` says where the secret is kept, not what it is)."""
    return isinstance(key, str) and isinstance(value, str) and bool(value) and looks_secret(key) \
        and not FILE_PATH_RE.match(value.strip())


def looks_secret(key: str) -> bool:
    """Names a secret (``dbPassword``, ``api_token``) rather than something about one (``secretArn``)."""
    parts = words(key)
    if not parts or parts[-1] in NOT_SECRET_TAILS:
        return False
    joined = "".join(parts)
    return any(w in SECRET_WORDS for w in parts) or any(c in joined for c in SECRET_COMPOUNDS)


def _plain_nested_secrets(value: Any, path: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Paths inside structured config (``app:db: {password: x}``) whose key names a secret and whose value is a
    plain string; ``secure:`` values may sit at any depth (https://www.pulumi.com/docs/iac/concepts/config/)."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for part, item in items:
        if is_secure(item):
            continue
        if plain_secret(part, item):
            found.append((*path, part))
        else:
            found += _plain_nested_secrets(item, (*path, part))
    return found


def is_secure(value: Any) -> bool:
    """``{secure: v1:...}``."""
    return isinstance(value, dict) and set(value) == {"secure"}


# ----- TAP001 -------------------------------------------------------------------------------------------------
def tap001(ctx: Context) -> list[Finding]:
    """Pulumi.yaml missing, not YAML, bad name, runtime not python."""
    p = ctx.project
    pf = p.project_file_rel
    if p.project_file is None:
        return [finding("TAP001", "Pulumi.yaml", 1, "no Pulumi.yaml in the project folder: no Pulumi command can "
                                                   "run here")]
    keep = "keep `name: <project>` and `runtime: python` as top-level keys"
    if p.load_error is not None:
        if p.load_error.message == UNREADABLE:
            return [finding("TAP001", pf, 1, f"{pf} is not UTF-8 text: Pulumi cannot read it",
                            f"Save {pf} as UTF-8 text ({keep}).")]
        return [finding("TAP001", pf, p.load_error.line, f"{pf} is not valid YAML: {p.load_error.message}",
                        f"Fix the YAML syntax at line {p.load_error.line} of {pf} (indentation, quoting, a missing "
                        f"`:`), and {keep}.")]
    if not isinstance(p.doc.data if p.doc else None, dict):
        return [finding("TAP001", pf, 1, f"{pf} must be a YAML mapping with `name` and `runtime`",
                        f"Rewrite {pf} as a mapping: {keep}, each on a line of its own.")]
    out: list[Finding] = []
    data = p.data
    raw_name = data.get("name")
    if "name" not in data:
        close = difflib.get_close_matches("name", [str(k) for k in data if k not in PROJECT_ATTRIBUTES], n=1,
                                          cutoff=0.5)
        extra = f"; found '{close[0]}' instead" if close else ""
        fix = f"Rename `{close[0]}:` to `name:` in {pf}." if close else \
            f"Add `name: <project>` to {pf} (letters, digits, `-`, `_` and `.`, at most 100 characters)."
        out.append(finding("TAP001", pf, p.doc.line(close[0]) if close else 1,
                           f"project is missing a 'name' attribute{extra}", fix))
    elif not isinstance(raw_name, str) or not raw_name.strip():
        out.append(finding("TAP001", pf, p.doc.line("name"), "project is missing a non-empty string 'name' attribute",
                           f"Set `name:` in {pf} to the project's name, e.g. `name: {p.root.name or 'app'}`."))
    else:
        line = p.doc.line("name")
        rename = (f"in {pf}, and the `{raw_name}:` prefix of config keys in the stack files (Pulumi reads "
                  "`<project>:<key>`)")
        if len(raw_name) > 100:
            out.append(finding("TAP001", pf, line, "project names are limited to 100 characters",
                               f"Shorten the project name to 100 characters or fewer {rename}."))
        elif not NAME_RE.match(raw_name):
            valid = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw_name).strip("-") or "app"
            out.append(finding("TAP001", pf, line, f"project name '{raw_name}': project names may only contain "
                                                   "alphanumerics, hyphens, underscores, and periods",
                               f"Rename the project to a valid name such as `{valid}` {rename}."))
        if raw_name.lower() == "pulumi" or raw_name.lower().startswith("pulumi."):
            out.append(finding("TAP001", pf, line, "project name must not be `Pulumi` and must not start with the "
                                                   "prefix `Pulumi.` to avoid collision with standard libraries",
                               f"Rename the project (e.g. `{raw_name.replace('.', '-')}-infra`) {rename}."))
        elif raw_name in _namespaces(p):
            package = "pulumi_" + raw_name.replace("-", "_")
            out.append(finding(
                "TAP001", pf, line,
                f"project name '{raw_name}' is the config namespace of the `{raw_name}` provider ({package}): the "
                f"project's config keys become `{raw_name}:<key>`, which that provider reads as its own settings, "
                "and provider settings in the stack files read as project config",
                f"Rename the project (e.g. `{raw_name}-infra`) in Pulumi.yaml and in the stack files' config keys "
                "and stack references."))
    runtime = p.runtime_name
    if "runtime" not in data:
        out.append(finding("TAP001", pf, 1, "project is missing a 'runtime' attribute",
                           "Add `runtime: python` (or `runtime: {name: python, options: {...}}`)."))
    elif runtime != "python":
        out.append(finding("TAP001", pf, p.doc.line("runtime"),
                           f"runtime is {runtime!r}, not 'python': the Python language host will not run this project",
                           "Set `runtime: python`."))
    if isinstance(data.get("config"), str) and "stackConfigDir" in data:
        out.append(finding("TAP001", pf, p.doc.line("config"), "Should not use both config and stackConfigDir to "
                                                               "define the stack directory. Use only stackConfigDir "
                                                               "instead.",
                           f"Remove `config: {data['config']}` from {pf} and keep `stackConfigDir`."))
    return out


# ----- TAP002 -------------------------------------------------------------------------------------------------
def tap002(ctx: Context) -> list[Finding]:
    """The entry point the host would run does not exist (pulumi/pulumi ``getPwdMain``, pulumi-language-python-exec)."""
    p = ctx.project
    if p.project_file is None or p.load_error is not None:
        return []
    error = p.layout.error
    if error is None:
        return []
    line = p.doc.line("main") if p.doc and p.main else 1
    if p.main is None:
        fix = "Create `__main__.py` at the project root (the program Pulumi runs when `main` is not set)."
    elif p.layout.is_dir and (p.root / p.main).is_dir():
        fix = (f"Create `{p.main.rstrip('/')}/__main__.py`, or better: remove `main` and put `__main__.py` at the "
               "project root so `lib.*` imports resolve.")
    else:
        fix = f"Create `{p.main}` or point `main` at the existing entry point (or remove `main` and use a root " \
              "`__main__.py`)."
    driver = automation_program(p)
    if driver is not None:
        # `pulumi up` here fails, but nobody runs it: the Automation API program runs an inline program or
        # another folder's project, so this Pulumi.yaml is most likely a leftover. Say so, as a warning.
        return [finding(
            "TAP002", p.project_file_rel, line,
            f"{error}: this folder has no program Pulumi can run, so `pulumi up` here fails; {driver} drives "
            f"Pulumi through the Automation API, which runs an inline program or another folder's project, so this "
            f"{p.project_file_rel} looks unused by it",
            f"Delete {p.project_file_rel} if nothing runs `pulumi` in this folder; if {driver} runs this folder as "
            "a local program (`work_dir` / `workDir` pointing here), create the entry point.",
            severity=WARNING)]
    return [finding("TAP002", p.project_file_rel, line, error, fix)]


# The Automation API in Python, Node.js and Go (https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/).
AUTOMATION_RE = re.compile(r"\bpulumi\.automation\b|\bfrom\s+pulumi\s+import\s+[^\n]*\bautomation\b"
                           r"|@pulumi/pulumi/(?:x/)?automation|github\.com/pulumi/pulumi/sdk/v\d+/go/auto\b")
AUTOMATION_SUFFIXES = frozenset({".py", ".ts", ".js", ".mjs", ".cjs", ".go"})


def automation_program(p: Project) -> str | None:
    """The first project file (project-relative) that uses the Pulumi Automation API, or None."""
    for path in p.files:
        if path.suffix in AUTOMATION_SUFFIXES and (text := read_text(path)) and AUTOMATION_RE.search(text):
            return p.rel(path)
    return None


# ----- TAP004 -------------------------------------------------------------------------------------------------
def _namespaces(p: Project) -> set[str]:
    known = set(KNOWN_NAMESPACES)
    for src in p.sources():
        for match in re.finditer(r"^\s*(?:import|from)\s+pulumi_(\w+)", src.text, re.MULTILINE):
            known.add(match.group(1).replace("_", "-"))
    return known


def _script_files(p: Project) -> list[Path]:
    out = []
    for path in p.files:
        rel = p.rel(path)
        in_ci_folder = rel.startswith((".github/workflows/", ".circleci/", "scripts/", "bin/", ".ci/"))
        if path.name in SCRIPT_NAMES or path.suffix in (".sh", ".bash", ".mk", ".ps1") or (
                in_ci_folder and path.suffix in (".yml", ".yaml", ".py", "", ".sh", ".cmd")):
            out.append(path)
    return out


def _pulumi_arguments(text: str) -> Iterator[tuple[int, str]]:
    """(line number, arguments) of every ``pulumi`` command in a script, workflow or task file: the text after the
    word ``pulumi`` up to the end of that command (``&&``, ``;``, a pipe, the line's end unless it is continued with
    ``\\``). Only these carry a stack reference: ``-s`` is pytest's "no capture" and other tools' flags, but
    ``pulumi -s``/``--stack`` names a stack (https://www.pulumi.com/docs/iac/cli/commands/pulumi_up/)."""
    continued = False
    for lineno, line in enumerate(text.splitlines(), 1):
        starts = ([0] if continued else []) + [m.end() for m in PULUMI_COMMAND_RE.finditer(line)]
        continued = False
        for start in starts:
            args = COMMAND_END_RE.split(line[start:], maxsplit=1)[0]
            yield lineno, args
            # a command that runs to a trailing backslash goes on on the next line
            continued = start + len(args) == len(line) and args.rstrip().endswith("\\")


def tap004(ctx: Context) -> list[Finding]:
    """Stack references and Automation API project names that name another project (errors), and config keys
    in another namespace: an error when the program reads that key under the project's name (a renamed
    project's leftover: `require` fails), a warning when nothing reads the key (Pulumi ignores it). Keys of
    namespaces the program reads itself (``pulumi.Config("ns")``) and of providers it imports are not reported."""
    p = ctx.project
    name = p.name
    if name is None:
        return []
    out: list[Finding] = []
    for path in _script_files(p):
        text = read_text(path)
        if text is None:
            continue
        rel = p.rel(path)
        for lineno, args in _pulumi_arguments(text):
            if "stack" in args or "-s" in args:
                for match in STACK_REF_RE.finditer(args):
                    parts = match.group("ref").split("/")
                    if len(parts) == 3 and parts[1] and not re.search(r"[$%{<]", parts[1]) and parts[1] != name:
                        out.append(finding(
                            "TAP004", rel, lineno,
                            f"stack reference '{match.group('ref')}' names project '{parts[1]}' but Pulumi.yaml "
                            f"names '{name}': Pulumi stops with \"provided project name \"{parts[1]}\" doesn't match "
                            "Pulumi.yaml\"",
                            f"Use '{parts[0]}/{name}/{parts[2]}', or rename the project in Pulumi.yaml."))
        for lineno, line in enumerate(text.splitlines(), 1):
            if path.suffix == ".py" and "automation" in text:
                for match in AUTOMATION_PROJECT_RE.finditer(line):
                    if match.group(1) != name:
                        out.append(finding("TAP004", rel, lineno,
                                           f"Automation API project_name '{match.group(1)}' differs from the "
                                           f"Pulumi.yaml name '{name}'",
                                           f"Use project_name=\"{name}\" (read it from Pulumi.yaml)."))
    reads = config_reads(p)
    if reads.namespaces is None:
        return out  # a Config(<expression>) may read any namespace: a key in one cannot be called unread
    providers = _namespaces(p)
    files: list[tuple[str, dict[str, Any], Any]] = []
    for stack in p.stacks.values():
        if stack.doc is not None:
            files.append((p.rel(stack.path), stack.config, lambda k, d=stack.doc: d.line("config", k)))
    if p.doc is not None:
        files.append((p.project_file_rel, p.config_block, lambda k, d=p.doc: d.line("config", k)))
    for rel, config, line_of in files:
        project_keys = {str(k).rsplit(":", maxsplit=1)[-1] for k in config if p.is_project_key(str(k))}
        for key in config:
            if not isinstance(key, str) or ":" not in key or not CONFIG_KEY_RE.match(key):
                continue  # unparsable keys are TAP007's
            namespace, bare = key.split(":")[0], key.split(":")[-1]
            if namespace == name or namespace in providers or namespace in reads.namespaces:
                continue
            if reads.project_keys is not None and bare in reads.project_keys and bare not in project_keys:
                out.append(finding(
                    "TAP004", rel, line_of(key),
                    f"config key '{key}' is namespaced '{namespace}', but the program reads '{bare}' from the "
                    f"project namespace '{name}' (pulumi.Config()): it never sees this value (a `require` fails "
                    f"with Missing required configuration variable '{name}:{bare}')",
                    f"Rename the key to '{name}:{bare}' (or write it bare: '{bare}')."))
            elif _close(namespace, name):
                out.append(finding(
                    "TAP004", rel, line_of(key),
                    f"config key '{key}' is namespaced '{namespace}', close to the project name '{name}' but not "
                    f"it: nothing reads it (a leftover of a project rename?)",
                    f"Rename the key to '{name}:{bare}' if the program should read it, or delete it.",
                    severity=WARNING))
            else:
                out.append(finding(
                    "TAP004", rel, line_of(key),
                    f"config key '{key}' is in namespace '{namespace}', which no pulumi.Config(...) of this program "
                    f"reads and no provider it imports owns: Pulumi ignores it",
                    f"Delete the key if nothing needs it; if the program should read it, use "
                    f"pulumi.Config(\"{namespace}\") or rename it to '{name}:{bare}'.",
                    severity=WARNING))
    return out


def _close(namespace: str, name: str) -> bool:
    """``my-app`` vs ``myapp``, ``TapStack`` vs ``tap-stack``: spelled like the project name."""
    plain = [re.sub(r"[-_.]", "", s).lower() for s in (namespace, name)]
    return difflib.SequenceMatcher(None, *plain).ratio() >= 0.8


@dataclass(frozen=True)
class ConfigReads:
    """What the program reads through ``pulumi.Config``: ``namespaces`` passed to ``Config("<ns>")`` other than the
    project's, and ``project_keys``, the keys read from the project namespace (``Config().require("k")``). Either is
    None when one read is not a literal (``Config(name)``, ``cfg.get(key)``): then it may be anything."""

    namespaces: frozenset[str] | None
    project_keys: frozenset[str] | None


_CONFIG_GETTER = re.compile(r"^(?:get|require)(?:_[a-z_]+)?$")


def _config_namespace(node: ast.AST) -> tuple[bool, str | None]:
    """``(is a pulumi.Config(...) call, namespace)``; namespace "" for the project's, None when not a literal."""
    if not isinstance(node, ast.Call):
        return False, None
    func = node.func
    if not ((isinstance(func, ast.Name) and func.id == "Config") or (
            isinstance(func, ast.Attribute) and func.attr == "Config" and isinstance(func.value, (ast.Name,
                                                                                               ast.Attribute))
            and (getattr(func.value, "id", None) == "pulumi" or getattr(func.value, "attr", None) == "config"))):
        return False, None
    arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
    if arg is None or (isinstance(arg, ast.Constant) and arg.value is None):
        return True, ""
    return True, arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _target_name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def config_reads(p: Project) -> ConfigReads:
    """Scan every project file for ``pulumi.Config(...)`` and the ``get*``/``require*`` calls on the project's
    Config (https://www.pulumi.com/docs/iac/concepts/config/#code): a Config bound to a name or attribute
    (``config = pulumi.Config()``, ``self.cfg = Config()``) counts wherever that name is used."""
    namespaces: set[str] | None = set()
    project_vars: set[str] = set()
    for src in p.sources():
        for node in src.nodes:
            is_config, namespace = _config_namespace(node)
            if is_config:
                if namespace is None:
                    namespaces = None
                elif namespace not in ("", p.name) and namespaces is not None:
                    namespaces.add(namespace)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                is_config, namespace = _config_namespace(node.value)
                if is_config and namespace in ("", p.name):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    project_vars.update(t for t in map(_target_name, targets) if t)
    keys: set[str] | None = set()
    for src in p.sources():
        for node in src.nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and _CONFIG_GETTER.match(node.func.attr)):
                continue
            receiver = node.func.value
            is_config, namespace = _config_namespace(receiver)
            if not ((is_config and namespace in ("", p.name)) or _target_name(receiver) in project_vars):
                continue
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if keys is not None:
                    keys.add(arg.value)
            else:
                keys = None
    return ConfigReads(frozenset(namespaces) if namespaces is not None else None,
                       frozenset(keys) if keys is not None else None)


# ----- TAP005 -------------------------------------------------------------------------------------------------
def tap005(ctx: Context) -> list[Finding]:
    """Project.Validate on the ``config:`` block, in Pulumi's order and wording (pulumi/pulumi
    sdk/go/common/workspace/project.go)."""
    p = ctx.project
    if p.doc is None or not p.config_block:
        return []
    pf = p.project_file_rel
    out: list[Finding] = []
    for raw_key, decl in p.config_block.items():
        key = str(raw_key)
        line = p.doc.line("config", key)
        if not isinstance(decl, dict):
            continue  # shorthand: {default: v} for project keys, {value: v} for other namespaces
        unknown = [a for a in decl if a not in DECL_ATTRS]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), DECL_ATTRS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            out.append(finding(
                "TAP005", pf, p.doc.line("config", key, unknown[0]),
                f"#/config/{key}: additional property '{unknown[0]}' not allowed{hint} (a bare map is not a valid "
                "shorthand: put map values under `value:` or `default:`)",
                f"Write `{key}: {{value: {{...}}}}` for a map value, or use only {', '.join(DECL_ATTRS)}."))
            continue
        if "default" in decl and "value" in decl:
            out.append(finding("TAP005", pf, line,
                               f"project config '{key}' cannot have both a 'default' and 'value' attribute",
                               "Keep only one of `default` and `value`."))
            continue
        if p.is_project_key(key):
            out += _project_key(p, key, decl, line)
            continue
        if "type" in decl:
            message = f"Configuration key '{key}' is not namespaced by the project and should not define a type"
        elif "default" in decl:
            message = (f"Configuration key '{key}' is not namespaced by the project and should not define a default "
                       "value. Did you mean to use the 'value' attribute instead of 'default'?")
        elif "value" not in decl:
            message = f"Configuration key '{key}' is namespaced and must provide an attribute 'value'"
        else:
            continue
        out.append(finding("TAP005", pf, line, message,
                           f"Write `{key}: <value>` (or `{key}: {{value: <value>}}`) in Pulumi.yaml, or set it per "
                           "stack in Pulumi.<stack>.yaml."))
    return out


def _project_key(p: Project, key: str, decl: dict[str, Any], line: int) -> list[Finding]:
    pf = p.project_file_rel
    typ = decl.get("type")
    if typ is None:
        return []
    if typ not in CONFIG_TYPES:
        return [finding("TAP005", pf, line, f"#/config/{key}/type: value must be one of 'string', 'integer', "
                                            f"'boolean', 'array', 'object' (got {typ!r})",
                        "Use one of string, integer, boolean, array, object.")]
    if typ == "array" and "items" not in decl:
        return [finding("TAP005", pf, line, f"The configuration key '{key}' declares an array but does not specify "
                                            "the underlying type via the 'items' attribute",
                        "Add `items: {type: string}` (or the element type).")]
    if "default" in decl and not _type_ok(typ, decl["default"]):
        return [finding("TAP005", pf, line, f"The default value specified for configuration key '{key}' is not of "
                                            f"the expected type '{typ}'",
                        f"Give `default` a {typ} value, or change `type`.")]
    return []


def _type_ok(typ: str, value: Any) -> bool:
    """Pulumi's stack-time coercions: whole floats and Atoi strings are integers; "true"/"false" booleans."""
    if typ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value) is not None
    if typ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if typ == "string":
        return not isinstance(value, (dict, list))
    return isinstance(value, CONFIG_TYPES[typ])


# ----- TAP006 -------------------------------------------------------------------------------------------------
def tap006(ctx: Context) -> list[Finding]:
    """Runtime options that only work on the author's machine, or that the host rejects (pulumi/pulumi
    sdk/python/toolchain)."""
    p = ctx.project
    if p.doc is None:
        return []
    pf = p.project_file_rel
    options = p.runtime_options
    out: list[Finding] = []
    if "virtualenv" in options:
        venv = options["virtualenv"]
        line = p.doc.line("runtime", "options", "virtualenv")
        if not isinstance(venv, str):
            out.append(finding("TAP006", pf, line, "virtualenv option must be a string"))
        elif venv.startswith("~"):
            out.append(finding("TAP006", pf, line, f"`virtualenv: {venv}` is relative to one user's home folder; "
                                                   "it does not exist on CI or another machine"))
        elif Path(venv).is_absolute() or re.match(r"^[A-Za-z]:[\\/]", venv):
            out.append(finding("TAP006", pf, line, f"`virtualenv: {venv}` is an absolute path: it exists only on "
                                                   "one machine (the host resolves relative paths against the "
                                                   "project root)"))
    if "toolchain" in options:
        toolchain = options["toolchain"]
        line = p.doc.line("runtime", "options", "toolchain")
        if not isinstance(toolchain, str):
            out.append(finding("TAP006", pf, line, "toolchain option must be a string"))
        elif toolchain not in ("pip", "poetry", "uv"):
            out.append(finding("TAP006", pf, line, f"unsupported toolchain option: {toolchain}",
                               "Use `toolchain: pip`, `poetry` or `uv`."))
        elif toolchain == "uv":
            out += _uv_project(ctx, line)
    if "typechecker" in options and options["typechecker"] not in ("mypy", "pyright"):
        out.append(finding("TAP006", pf, p.doc.line("runtime", "options", "typechecker"),
                           f"unsupported typechecker option: {options['typechecker']}",
                           "Use `typechecker: mypy` or `pyright`, or remove the option."))
    return out


def _search_up(folder: Path, name: str) -> Path | None:
    """The nearest ``folder/name`` or ``<ancestor>/name``, as the toolchain's ``searchup`` finds it."""
    for base in (folder, *folder.parents):
        if (base / name).is_file():
            return base / name
    return None


def _uv_project(ctx: Context, line: int) -> list[Finding]:
    """``toolchain: uv``: the host looks for uv.lock, then pyproject.toml, in the project folder and then upward
    (a workspace or component repository keeps them in a parent folder), and runs ``uv sync`` there; with neither,
    it runs ``uv init`` and moves requirements.txt into the new pyproject.toml (pulumi/pulumi
    sdk/python/toolchain/uv.go, ``InstallDependencies``; https://www.pulumi.com/docs/iac/languages-sdks/python/).
    ``uv sync`` then fails only when the pyproject.toml it finds has neither a ``[project]`` table nor a
    ``[tool.uv.workspace]`` (https://docs.astral.sh/uv/concepts/projects/workspaces/)."""
    p = ctx.project
    found = _search_up(p.root, "pyproject.toml")
    if found is None:
        if _search_up(p.root, "uv.lock") is None:
            ctx.notes.append(f"TAP006: `toolchain: uv` and no pyproject.toml in {p.project_file_rel}'s folder or "
                             "above: on the first install the language host runs `uv init` here and moves "
                             "requirements.txt into a new pyproject.toml")
        return []
    if found == p.root / "pyproject.toml":
        data, where = p.pyproject, "pyproject.toml"
    else:
        try:
            data = tomllib.loads(found.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = None
        where = os.path.relpath(found, p.root).replace(os.sep, "/")
    if data is None or "project" in data or "workspace" in ((data.get("tool") or {}).get("uv") or {}):
        return []  # an unreadable pyproject.toml stops uv with its own message; not this rule's to guess
    return [finding("TAP006", p.project_file_rel, line,
                    f"`toolchain: uv` but {where}, the nearest pyproject.toml, has no [project] table (nor "
                    "[tool.uv.workspace]): `uv sync`, which the host runs before every program run, fails",
                    f"Add a [project] table listing the dependencies to {where}.")]


# ----- TAP007 / TAP008 ----------------------------------------------------------------------------------------
def _declared(p: Project) -> dict[str, dict[str, Any]]:
    """Project keys declared in Pulumi.yaml, bare key -> declaration."""
    out: dict[str, dict[str, Any]] = {}
    for raw_key, decl in p.config_block.items():
        key = str(raw_key)
        if p.is_project_key(key):
            bare = key.split(":", 1)[1] if ":" in key else key
            out[bare] = decl if isinstance(decl, dict) else {"default": decl}
    return out


def _region_in_project(p: Project) -> bool:
    decl = p.config_block.get("aws:region")
    return decl is not None and (not isinstance(decl, dict) or "value" in decl)


def tap007(ctx: Context) -> list[Finding]:
    """Stack files: parse errors, bad keys, no region, plain-text secrets, declared type/secret mismatches."""
    p = ctx.project
    out: list[Finding] = []
    declared = _declared(p)
    for stack in p.stacks.values():
        rel = p.rel(stack.path)
        if stack.doc is None:
            message = stack.error.message if stack.error else "unreadable"
            out.append(finding("TAP007", rel, stack.error.line if stack.error else 1,
                               f"{rel} is not valid YAML: {message}", "Fix the YAML syntax."))
            continue
        data = stack.doc.data
        if data is not None and not isinstance(data, dict):
            out.append(finding("TAP007", rel, 1, f"{rel} must be a YAML mapping with a `config:` map"))
            continue
        config = stack.config
        for raw_key, value in config.items():
            key = str(raw_key)
            line = stack.doc.line("config", key)
            if ":" in key and not CONFIG_KEY_RE.match(key):
                out.append(finding("TAP007", rel, line,
                                   f"could not parse {key} as a configuration key (configuration keys should be "
                                   "of the form `<namespace>:<name>`)", "Write the key as `<namespace>:<name>`."))
                continue
            bare = key.rsplit(":", maxsplit=1)[-1]
            is_project = p.is_project_key(key)
            decl = declared.get(bare) if is_project else None
            if is_secure(value):
                continue
            if decl and decl.get("secret") is True:
                out.append(finding("TAP007", rel, line, f"Stack '{stack.name}' with configuration key '{bare}' must "
                                                        "be encrypted as it's secret",
                                   f"Run `pulumi config set --secret {bare} <value> --stack {stack.name}`."))
            elif plain_secret(key, value):
                out.append(finding("TAP007", rel, line, f"config key '{key}' looks like a secret but is stored in "
                                                        "plain text in a committed file",
                                   f"Run `pulumi config set --secret {key} <value> --stack {stack.name}` (it "
                                   "writes `secure: v1:...`), or generate the value with pulumi_random."))
            else:
                for path in _plain_nested_secrets(value, ()):
                    dotted = ".".join(str(part) for part in path)
                    out.append(finding(
                        "TAP007", rel, stack.doc.line("config", key, *path),
                        f"config key '{key}' holds '{dotted}', which looks like a secret but is stored in plain "
                        "text in a committed file",
                        f"Run `pulumi config set --secret --path '{key}.{dotted}' <value> --stack {stack.name}` "
                        "(it writes `secure: v1:...` in place)."))
            if decl and decl.get("type") in CONFIG_TYPES and value is not None \
                    and not _type_ok(decl["type"], value):
                out.append(finding("TAP007", rel, line, f"Stack '{stack.name}' with configuration key '{bare}' must "
                                                        f"be of type '{decl['type']}'",
                                   f"Give '{bare}' a {decl['type']} value."))
        if p.uses_aws and "aws:region" not in config and not _region_in_project(p) and stack.environments:
            ctx.notes.append(f"{rel} sets no `aws:region`; the ESC environment(s) it imports "
                             f"({', '.join(stack.environments)}) may (not checked offline)")
        elif p.uses_aws and "aws:region" not in config and not _region_in_project(p):
            out.append(_no_region(stack.name, rel, stack.doc.line("config"), profile=config.get("aws:profile")))
    return out


def _no_region(stack: str, rel: str, line: int, *, profile: Any) -> Finding:
    """A warning, not an error: without `aws:region` the pulumi-aws provider takes the region from AWS_REGION
    (https://www.pulumi.com/registry/packages/aws/installation-configuration/), AWS_DEFAULT_REGION or the
    profile's `region` in the shared config file, as the Terraform AWS provider it bridges does
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#region). It fails only where none is set."""
    profile_source = f"profile '{profile}' (aws:profile)" if isinstance(profile, str) and profile else \
        "profile (AWS_PROFILE, else `default`)"
    return finding(
        "TAP007", rel, line,
        f"stack '{stack}' sets no `aws:region` (and Pulumi.yaml gives none): the pulumi-aws provider must then take "
        f"the region from AWS_REGION, AWS_DEFAULT_REGION or the `region` of the AWS {profile_source} in "
        "~/.aws/config, on every machine and CI job that runs Pulumi; where none is set, `pulumi up` fails",
        f"Add `aws:region: <region>` under `config:` in {rel} (`pulumi config set aws:region <region> --stack "
        f"{stack}`), so the stack deploys to the same region everywhere.",
        severity=WARNING)


def tap008(ctx: Context) -> list[Finding]:
    """Declared project config with no default/value that a stack file does not set (pulumi/pulumi
    pkg/workspace/config.go)."""
    p = ctx.project
    required = [k for k, d in _declared(p).items() if "default" not in d and "value" not in d]
    out: list[Finding] = []
    if not required:
        return out
    for stack in p.stacks.values():
        if stack.doc is None:
            continue
        present = {str(k).rsplit(":", maxsplit=1)[-1] for k in stack.config if p.is_project_key(str(k))}
        missing = [k for k in required if k not in present]
        if not missing:
            continue
        rel = p.rel(stack.path)
        if stack.environments:  # an imported ESC environment may set them: say so, do not claim a failure
            ctx.notes.append(f"{rel} does not set {', '.join(missing)} (declared in Pulumi.yaml without a default); "
                             f"the ESC environment(s) it imports ({', '.join(stack.environments)}) may (not checked "
                             "offline)")
            continue
        if len(missing) == 1:
            message = f"Stack '{stack.name}' is missing configuration value '{missing[0]}'"
        else:
            quoted = [f"'{k}'" for k in missing]
            message = f"Stack '{stack.name}' is missing configuration values {', '.join(quoted[:-1])} and {quoted[-1]}"
        out.append(finding("TAP008", rel, stack.doc.line("config"), message,
                           f"Set {', '.join(missing)} in {rel} (`pulumi config set KEY VALUE --stack {stack.name}`), "
                           "or give each a `default` in Pulumi.yaml."))
    return out


RULES = [tap001, tap002, tap004, tap005, tap006, tap007, tap008]
