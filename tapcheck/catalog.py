"""The rule catalog as data: one row per rule, like ruff's rule table.

Rule ids are a stable public interface: never renumber; retire a rule by setting ``retired=True``.
``error`` fails the check (exit 1); ``warning`` is printed and fails only with ``--strict``.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# Rule groups, usable as selectors (``--select security``). Each says whose failure a finding predicts.
PULUMI = "pulumi"  # Pulumi would fail: project and stack files, entry point, imports, exports, the program itself
AWS = "aws"  # AWS would reject the request: names, values, versions, ordering
SECURITY = "security"  # deploys, but leaves a security gap
HOUSE = "house"  # this template's conventions (stack export, cost tags, flow logs, ...): on in generated repos
TESTS = "tests"  # the repo's own tests prove nothing or read outputs that do not exist
GROUPS = (PULUMI, AWS, SECURITY, HOUSE, TESTS)
#: Groups a project gets unless its settings say otherwise (house rules are opt-in).
DEFAULT_GROUPS = (PULUMI, AWS, SECURITY, TESTS)


@dataclass(frozen=True)
class Rule:
    """One catalog row: what is wrong, why it matters, and how to fix it."""

    id: str
    group: str
    severity: str
    title: str
    why: str
    fix: str
    source: str = ""
    example: str = ""
    retired: bool = False


_ROWS: tuple[Rule, ...] = (
    Rule("TAP001", PULUMI, ERROR, "Pulumi.yaml is missing, unreadable, or its name/runtime is invalid",
         "Every Pulumi command loads Pulumi.yaml first; an invalid project name is rejected when stacks are "
         "created.",
         "Create Pulumi.yaml with `name:` matching ^[A-Za-z0-9_.-]{1,100}$ (not `pulumi`/`pulumi.*`) and "
         "`runtime: python`.", "facts 2.3",
         example='name: TAP Stack   # space: not a valid project name'),
    Rule("TAP002", PULUMI, ERROR, "the entry point Pulumi runs does not exist",
         "`main` must name an existing file or a folder holding `__main__.py`; without `main` the project root "
         "must hold `__main__.py`.",
         "Create the entry point, or point `main` at the file that builds the stack.", "seeds 001, 004; facts 1.1",
         example='main: tap.py       # tap.py does not exist'),
    Rule("TAP003", PULUMI, ERROR, "the layout breaks local imports under the language host",
         "The language host starts the program as a file: only a folder `main` (or no `main`) puts the program "
         "folder on sys.path; a file `main` puts no project folder there at all.",
         "Drop `main` from Pulumi.yaml and keep `__main__.py` at the project root, so `lib.*` imports resolve.",
         "seeds 000, 001, 002, 004; facts 1.3",
         example='main: tap.py  +  tap.py: from lib.tap_stack import TapStack'),
    Rule("TAP004", PULUMI, ERROR, "scripts or stack files name another project than Pulumi.yaml",
         "`pulumi stack select org/<project>/<stack>` fails with \"provided project name doesn't match "
         "Pulumi.yaml\"; `<oldname>:key` config is silently ignored.",
         "Use the Pulumi.yaml `name` in every stack reference and config key.", "seeds 000, 003; facts 3.3, 3.5",
         example='deploy = "pulumi up --stack ${ORG}/TapStack/dev"   # Pulumi.yaml says name: pulumi-infra'),
    Rule("TAP005", PULUMI, ERROR, "the Pulumi.yaml `config:` block is rejected by Pulumi",
         "Pulumi validates the config block on every command; a provider key with `default`/`type` or without "
         "`value` blocks all commands.",
         "Give other-namespace keys (e.g. `aws:region`) a `value:` (or the shorthand `aws:region: us-east-1`), "
         "never `default`/`type`.", "seed 001; facts 2.4",
         example='config: {aws:region: {default: us-east-1}}'),
    Rule("TAP006", PULUMI, ERROR, "runtime options only work on one machine or are unknown",
         "An absolute or home-relative `virtualenv` exists only on the author's machine; an unknown `toolchain` "
         "is rejected by the language host.",
         "Use a project-relative `virtualenv` (e.g. `.venv`) and `toolchain: pip|poetry|uv`.", "seed 004; facts 1.4",
         example='runtime: {name: python, options: {virtualenv: /home/me/venv}}'),
    Rule("TAP007", PULUMI, ERROR,
         "a stack file has an invalid key, lacks `aws:region`, or holds a secret in plain text",
         "Stack files are committed: plain-text secrets leak, bad keys stop the CLI, and AWS resources need a "
         "region.",
         "Use `pulumi config set --secret KEY`, `<namespace>:<name>` keys and set `aws:region`.", "seed 001; facts 3",
         example='config: {app:dbPassword: ChangeMe123!}'),
    Rule("TAP008", PULUMI, ERROR, "declared config without a default is missing from a stack file",
         "`pulumi up` stops with \"Stack '<stack>' is missing configuration value '<key>'\".",
         "Set the key in every stack file, or give it a `default` in Pulumi.yaml.", "facts 2.4",
         example='config: {dbName: {type: string}}   # and Pulumi.dev.yaml does not set dbName'),
    Rule("TAP009", PULUMI, ERROR, "a Python file does not compile",
         "Pulumi and pytest import a module only when something uses it, so a file that does not compile fails "
         "later, at deploy or in another branch, instead of now.",
         "Fix the syntax error at the reported line (`python -m py_compile FILE` shows it).", "post-generation check",
         example='def handler(event, context:\n    return event'),
    Rule("TAP010", PULUMI, ERROR, "the program fails when run the way Pulumi runs it",
         "The program is run with the language host's working folder, sys.path and stack config, against mocks; "
         "a failure here is a failed `pulumi up`.",
         "Fix the error shown; run `python -m tapcheck .` again.", "seeds 001, 002, 004",
         example='aws.apigateway.Deployment("d", rest_api=api.id, stage_name="prod")   # removed in pulumi-aws v7'),
    Rule("TAP011", PULUMI, ERROR, "the entry point exports nothing at module level",
         "`register_outputs` inside a component does not create stack outputs; only `pulumi.export` in the "
         "program does.",
         "Add `pulumi.export(...)` calls at module level in the entry point.", "seeds 000, 002",
         example='TapStack("TapStack")   # and no pulumi.export(...) anywhere in tap.py'),
    Rule("TAP012", HOUSE, ERROR, "the required `stack` export is missing",
         "Integration tests and CI find the deployed stack through the `stack` output.",
         "Add `pulumi.export(\"stack\", pulumi.get_stack())` to the entry point.", "seed 001",
         example='pulumi.export("environment_suffix", suffix)   # but no pulumi.export("stack", ...)'),
    Rule("TAP013", TESTS, ERROR, "integration tests read an output the program never exports",
         "The test fails against every deployment with a KeyError.",
         "Export the key from the entry point, or fix the key name in the test.", "seed 001",
         example='outputs["public_subnet_ids"]   # in tests/integration, never exported'),
    Rule("TAP014", PULUMI, ERROR, "a list or map output is turned into a string",
         "Consumers receive `'[\"a\",\"b\"]'` instead of a list and must parse it back.",
         "Export the list or map itself; read outputs with `pulumi stack output --json`.", "seed 001; facts 4",
         example='pulumi.export("subnet_ids", pulumi.Output.json_dumps(ids))'),
    Rule("TAP015", PULUMI, ERROR, "two resources share a type and name",
         "The engine rejects duplicate URNs (mocks do not).",
         "Give each resource a unique logical name, e.g. with a suffix.", "facts 5.8",
         example='aws.sqs.Queue("jobs") twice (e.g. in a helper called twice)'),
    Rule("TAP020", SECURITY, ERROR, "a literal string reaches a password or secret input",
         "The secret lives in the repo and in the state in plain form.",
         "Use `pulumi_random.RandomPassword(...).result`, a secret config value (`config.require_secret`), or "
         "`manage_master_user_password=True`.", "seed 003",
         example='aws.rds.Cluster(..., master_password="ChangeMe123!")'),
    Rule("TAP021", HOUSE, ERROR, "a VPC has no flow log",
         "Without flow logs there is no network audit trail (PCI-DSS 10.x).",
         "Add `aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type=\"ALL\", log_destination=...)`.", "seed 003",
         example='aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")   # no aws.ec2.FlowLog(vpc_id=vpc.id)'),
    Rule("TAP022", PULUMI, ERROR, "an asset or archive path does not exist",
         "Paths resolve against the folder Pulumi runs the program in (`main`'s folder), not the repo root.",
         "Make the path relative to the program folder, or build it from `Path(__file__).parent`.", "seed 004",
         example='pulumi.FileArchive("./lib/lambda")   # with main: lib/, this is lib/lib/lambda'),
    Rule("TAP023", AWS, ERROR, "a database engine version is not valid for its engine",
         "RDS rejects versions it no longer offers (\"Cannot find version 15.3 for aurora-postgresql\").",
         "Use a listed version, or look it up with `aws.rds.get_engine_version(engine=..., "
         "preferred_versions=[...])`.", "seed 003",
         example='aws.rds.Cluster(..., engine="aurora-postgresql", engine_version="15.3")'),
    Rule("TAP024", PULUMI, ERROR, "an unknown property name inside a nested input",
         "Mocks accept any dict key; the provider rejects it at preview (\"Invalid or unknown key\").",
         "Use the property names of the SDK's typed `*Args` class, or the `*Args` class itself.", "seed 004",
         example='aws.wafv2.WebAcl(..., visibility_config={"cloud_watch_metrics_enabled": True, ...})'),
    Rule("TAP025", AWS, ERROR, "an API Gateway stage is named by string without depending on the Stage",
         "Usage plans, WAF associations and base-path mappings fail with \"API Stage not found\" when created "
         "before the stage.",
         "Pass `stage.stage_name` / `stage.arn` (an Output of the Stage) or add `depends_on=[stage]`.", "seed 004",
         example='aws.apigateway.UsagePlan("p", api_stages=[{"api_id": api.id, "stage": "prod"}])'),
    Rule("TAP026", AWS, ERROR, "a physical name breaks AWS limits for its type",
         "AWS rejects the name at create time; auto-naming adds 8 characters (`-` + 7) to the logical name.",
         "Shorten the logical name or pass an explicit name within the limit.", "facts 8",
         example='aws.lb.LoadBalancer("payment-processing-public-alb")   # 29 + 8 > 32'),
    Rule("TAP027", HOUSE, WARNING, "a placeholder container image is hard-coded",
         "`nginx:latest` deploys something other than the application and `:latest` is not reproducible.",
         "Read the image from config (`config.require(\"containerImage\")`) and pin a tag or digest.", "seed 003",
         example='json.dumps([{"name": "app", "image": "nginx:latest"}])'),
    Rule("TAP028", HOUSE, WARNING, "a non-production stack cannot be destroyed cleanly",
         "Deletion protection, retain-on-delete, required final snapshots and non-empty buckets make "
         "`pulumi destroy` fail or leave resources behind.",
         "Derive these settings from the stack: enable them only for production stacks.", "seed 001",
         example='aws.rds.Cluster(..., deletion_protection=True)   # on stack dev'),
    Rule("TAP029", HOUSE, WARNING, "a taggable resource lacks the cost-allocation tags",
         "Untagged resources cannot be attributed to an owner or a cost centre.",
         "Set the tags through the provider's `default_tags` or on the resource.", "seed 003",
         example='aws.s3.Bucket("logs", tags={"Project": "x"})   # no Owner / CostCenter'),
    Rule("TAP030", AWS, ERROR, "subnet CIDRs overlap or fall outside their VPC",
         "EC2 rejects the subnet at create time (InvalidSubnet.Range / InvalidSubnet.Conflict).",
         "Carve subnets from the VPC CIDR without overlap (e.g. `ipaddress.ip_network(vpc).subnets(...)`).",
         "seed 003",
         example='subnets 10.0.0.0/24 and 10.0.0.128/25 in one VPC'),
    Rule("TAP040", TESTS, ERROR, "placeholder tests",
         "A test file without tests, or a test without an assertion, passes while proving nothing.",
         "Write tests that assert on resource inputs or outputs (see `@pulumi.runtime.test`).", "seed 002",
         example='def test_stack():\n    TapStack("t")   # no assertion'),
    Rule("TAP041", PULUMI, WARNING, "an import hack hides a broken layout",
         "`sys.path` edits, try/except import fallbacks and PYTHONPATH in scripts make tests pass while "
         "`pulumi up` fails.",
         "Fix the layout instead (entry point `__main__.py` at the project root) and remove the hack.",
         "seeds 000, 001, 002",
         example='sys.path.insert(0, os.path.dirname(__file__))'),
)

#: id -> Rule, in catalog order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _ROWS}
