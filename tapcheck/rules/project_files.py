"""Rules on Pulumi.yaml, stack files and the scripts around them: TAP001, TAP002, TAP004-TAP008.

Messages quote Pulumi's own wording where facts sections 2-3 give it, so a reader can search for them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from ..findings import Finding, finding
from ..project import Project, read_text
from .base import Context

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
CONFIG_KEY_RE = re.compile(r"^[^:\s]+:(?:config:)?[^:\s]+$")
KNOWN_NAMESPACES = frozenset({
    "aws", "awsx", "random", "pulumi", "tls", "kubernetes", "docker", "docker-build", "gcp", "azure",
    "azure-native", "azuread", "cloudflare", "github", "command", "std", "eks", "archive", "time", "null", "http",
    "local", "external", "datadog", "newrelic", "vault", "postgresql", "mysql", "mongodbatlas", "snowflake",
    "okta", "auth0", "digitalocean", "fastly", "tailscale", "aws-native", "esc", "synced-folder", "cloudinit",
})
DECL_ATTRS = ("type", "items", "description", "secret", "default", "value")
CONFIG_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}
SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey", "passphrase", "credential",
                          "credentials"})
# A key ending in one of these names something about a secret, not the secret itself (secretArn, tokenTtl).
NOT_SECRET_TAILS = frozenset({"arn", "arns", "name", "names", "id", "ids", "enabled", "length", "ttl", "rotation",
                              "days", "version", "prefix", "path", "count", "strategy", "mode", "type", "policy",
                              "kms", "provider", "manager", "required", "url", "uri"})
SCRIPT_NAMES = frozenset({"Pipfile", "Makefile", "makefile", "GNUmakefile", "pyproject.toml", "package.json",
                          "tox.ini", "justfile", "Justfile", "Taskfile.yml", "Jenkinsfile", ".gitlab-ci.yml",
                          "buildspec.yml", "azure-pipelines.yml", "setup.cfg", "Dockerfile"})
STACK_REF_RE = re.compile(
    r"(?:stack\s+(?:select|init|rm|output|export|import|history|tag\s+\w+)\b(?:\s+--?[\w-]+(?:=\S+)?)*\s+"
    r"|--stack(?:=|\s+)|\s-s\s+)[\"']?(?P<ref>[^\s\"'|;&)`]+)")
AUTOMATION_PROJECT_RE = re.compile(r"project_name\s*=\s*[\"']([^\"']+)[\"']")


def words(key: str) -> list[str]:
    """``dbMasterPassword`` / ``db_master-password`` -> ["db", "master", "password"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key.rsplit(":", maxsplit=1)[-1])
    return [w.lower() for w in re.split(r"[\s_.\-]+", spaced) if w]


def looks_secret(key: str) -> bool:
    """Names a secret (``dbPassword``, ``api_token``) rather than something about one (``secretArn``)."""
    parts = words(key)
    if not parts or parts[-1] in NOT_SECRET_TAILS:
        return False
    joined = "".join(parts)
    return any(w in SECRET_WORDS for w in parts) or "password" in joined or "apikey" in joined


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
    if p.load_error is not None:
        return [finding("TAP001", pf, p.load_error.line, f"{pf} is not valid YAML: {p.load_error.message}")]
    if not isinstance(p.doc.data if p.doc else None, dict):
        return [finding("TAP001", pf, 1, f"{pf} must be a YAML mapping with `name` and `runtime`")]
    out: list[Finding] = []
    data = p.data
    raw_name = data.get("name")
    if "name" not in data:
        close = difflib.get_close_matches("name", [str(k) for k in data], n=1, cutoff=0.5)
        extra = f"; found '{close[0]}' instead" if close else ""
        out.append(finding("TAP001", pf, p.doc.line(close[0]) if close else 1,
                           f"project is missing a 'name' attribute{extra}"))
    elif not isinstance(raw_name, str) or not raw_name.strip():
        out.append(finding("TAP001", pf, p.doc.line("name"), "project is missing a non-empty string 'name' attribute"))
    else:
        line = p.doc.line("name")
        if len(raw_name) > 100:
            out.append(finding("TAP001", pf, line, "project names are limited to 100 characters"))
        elif not NAME_RE.match(raw_name):
            out.append(finding("TAP001", pf, line, f"project name '{raw_name}': project names may only contain "
                                                   "alphanumerics, hyphens, underscores, and periods"))
        if raw_name.lower() == "pulumi" or raw_name.lower().startswith("pulumi."):
            out.append(finding("TAP001", pf, line, "project name must not be `Pulumi` and must not start with the "
                                                   "prefix `Pulumi.` to avoid collision with standard libraries"))
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
                                                               "instead."))
    return out


# ----- TAP002 -------------------------------------------------------------------------------------------------
def tap002(ctx: Context) -> list[Finding]:
    """The entry point the host would run does not exist (facts 1.1, 1.2)."""
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
    return [finding("TAP002", p.project_file_rel, line, error, fix)]


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


def tap004(ctx: Context) -> list[Finding]:
    """Stack references and namespaced config keys that name another project."""
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
        for lineno, line in enumerate(text.splitlines(), 1):
            if "stack" in line:
                for match in STACK_REF_RE.finditer(line):
                    parts = match.group("ref").split("/")
                    if len(parts) == 3 and parts[1] and not re.search(r"[$%{<]", parts[1]) and parts[1] != name:
                        out.append(finding(
                            "TAP004", rel, lineno,
                            f"stack reference '{match.group('ref')}' names project '{parts[1]}' but Pulumi.yaml "
                            f"names '{name}': Pulumi stops with \"provided project name \"{parts[1]}\" doesn't match "
                            "Pulumi.yaml\"",
                            f"Use '{parts[0]}/{name}/{parts[2]}', or rename the project in Pulumi.yaml."))
            if path.suffix == ".py" and "automation" in text:
                for match in AUTOMATION_PROJECT_RE.finditer(line):
                    if match.group(1) != name:
                        out.append(finding("TAP004", rel, lineno,
                                           f"Automation API project_name '{match.group(1)}' differs from the "
                                           f"Pulumi.yaml name '{name}'",
                                           f"Use project_name=\"{name}\" (read it from Pulumi.yaml)."))
    known = _namespaces(p)
    sources: list[tuple[str, dict[str, Any], Any]] = []
    for stack in p.stacks.values():
        if stack.doc is not None:
            sources.append((p.rel(stack.path), stack.config, lambda k, d=stack.doc: d.line("config", k)))
    if p.doc is not None:
        sources.append((p.project_file_rel, p.config_block, lambda k, d=p.doc: d.line("config", k)))
    for rel, config, line_of in sources:
        for key in config:
            if not isinstance(key, str) or ":" not in key or not CONFIG_KEY_RE.match(key):
                continue  # unparsable keys are TAP007's
            namespace = key.split(":")[0]
            if namespace != name and namespace not in known:
                bare = key.split(":")[-1]
                out.append(finding(
                    "TAP004", rel, line_of(key),
                    f"config key '{key}' is namespaced '{namespace}', not the project name '{name}': "
                    f"pulumi.Config() never sees it (Missing required configuration variable '{name}:{bare}')",
                    f"Rename the key to '{name}:{bare}' (or write it bare: '{bare}')."))
    return out


# ----- TAP005 -------------------------------------------------------------------------------------------------
def tap005(ctx: Context) -> list[Finding]:
    """Project.Validate on the ``config:`` block, in Pulumi's order and wording (facts 2.4)."""
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
    """Runtime options that only work on the author's machine, or that the host rejects (facts 1.4)."""
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
        elif toolchain == "uv" and "project" not in (p.pyproject or {}):
            where = "pyproject.toml is missing a [project] section" if p.pyproject is not None else \
                "there is no pyproject.toml"
            out.append(finding("TAP006", pf, line, f"`toolchain: uv` but {where}, which uv requires (the host runs "
                                                   "`uv sync` before every run)",
                               "Add a pyproject.toml with a [project] section listing the dependencies."))
    if "typechecker" in options and options["typechecker"] not in ("mypy", "pyright"):
        out.append(finding("TAP006", pf, p.doc.line("runtime", "options", "typechecker"),
                           f"unsupported typechecker option: {options['typechecker']}",
                           "Use `typechecker: mypy` or `pyright`, or remove the option."))
    return out


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
            elif isinstance(value, str) and value and looks_secret(key):
                out.append(finding("TAP007", rel, line, f"config key '{key}' looks like a secret but is stored in "
                                                        "plain text in a committed file",
                                   f"Run `pulumi config set --secret {key} <value> --stack {stack.name}` (it "
                                   "writes `secure: v1:...`), or generate the value with pulumi_random."))
            if decl and decl.get("type") in CONFIG_TYPES and value is not None \
                    and not _type_ok(decl["type"], value):
                out.append(finding("TAP007", rel, line, f"Stack '{stack.name}' with configuration key '{bare}' must "
                                                        f"be of type '{decl['type']}'",
                                   f"Give '{bare}' a {decl['type']} value."))
        if p.uses_aws and "aws:region" not in config and not _region_in_project(p) and stack.environments:
            ctx.notes.append(f"{rel} sets no `aws:region`; the ESC environment(s) it imports "
                             f"({', '.join(stack.environments)}) may (not checked offline)")
        elif p.uses_aws and "aws:region" not in config and not _region_in_project(p):
            out.append(finding("TAP007", rel, stack.doc.line("config"),
                               f"stack '{stack.name}' sets no `aws:region` (and Pulumi.yaml gives none) while the "
                               "program uses pulumi_aws: the provider cannot choose a region",
                               f"Add `aws:region: us-east-1` (your region) under `config:` in {rel}."))
    return out


def tap008(ctx: Context) -> list[Finding]:
    """Declared project config with no default/value that a stack file does not set (facts 2.4)."""
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
