"""The rule catalog as data: one row per rule, like ruff's rule table.

Rule ids are a stable public interface: never renumber; retire a rule by setting ``retired=True``. New rules take
the next free id of their group's range:

- TAP001-TAP019: pulumi (Pulumi would fail: project files, layout, program, outputs)
- TAP020-TAP039: aws (AWS would reject or misbehave) and the house rules that grew up beside them (TAP021,
  TAP027-TAP029); TAP031 and up for new aws rules
- TAP040-TAP049: tests
- TAP050-TAP069: security (deploys, with a gap); warnings in the catalog, errors in generated repos
- TAP090-TAP099: the checker's own comments (suppressions)

``error`` fails the check (exit 1); ``warning`` is printed and fails only with ``--strict``. ``source`` names the
public page a rule rests on. ``why``, ``example`` (code that triggers the rule), ``fix`` and ``fixed`` (that code
corrected) are what ``tapcheck rule TAPxxx`` prints and ``docs/rules/TAPxxx.md`` shows; a test requires them for
every rule, so a row added without them fails that test, not the import.
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
SUPPRESSIONS = "suppressions"  # `# tapcheck: ignore[...]` comments that silence nothing or name no rule
GROUPS = (PULUMI, AWS, SECURITY, HOUSE, TESTS, SUPPRESSIONS)
#: Groups a project gets unless its settings say otherwise (house rules are opt-in).
DEFAULT_GROUPS = (PULUMI, AWS, SECURITY, TESTS, SUPPRESSIONS)

#: Where each rule's page lives: ``DOCS_URL + "TAP020.md"``. The pages are generated from this catalog into the
#: template repository's ``docs/rules/`` (``scripts/write_rule_docs.py``); SARIF's ``helpUri`` points here, so a
#: fork that publishes its own pages changes this one constant.
DOCS_URL = "https://github.com/org/tap-template/blob/main/docs/rules/"


@dataclass(frozen=True)
class Rule:
    """One catalog row: the stable ``id`` and a kebab-case ``name`` (both accepted by ``tapcheck rule``), what is
    wrong (``title``, one line), why it matters, how to fix it, the public page it rests on (``source``), code that
    triggers it (``example``) and that code fixed (``fixed``)."""

    id: str
    group: str
    severity: str
    title: str
    why: str
    fix: str
    source: str = ""
    example: str = ""
    fixed: str = ""
    name: str = ""
    retired: bool = False

    @property
    def url(self) -> str:
        """The rule's documentation page (see :data:`DOCS_URL`)."""
        return f"{DOCS_URL}{self.id}.md"


_ROWS: tuple[Rule, ...] = (
    Rule("TAP001", PULUMI, ERROR, "Pulumi.yaml is missing, unreadable, or its name/runtime is invalid",
         "Every Pulumi command loads Pulumi.yaml first; an invalid project name is rejected when stacks are "
         "created.",
         "Create Pulumi.yaml with `name:` matching ^[A-Za-z0-9_.-]{1,100}$ (not `pulumi`/`pulumi.*`) and "
         "`runtime: python`.", "https://www.pulumi.com/docs/iac/concepts/projects/project-file/",
         example='name: TAP Stack   # space: not a valid project name',
         fixed="name: tap-stack\n"
               "runtime: python",
         name="invalid-project-file"),
    Rule("TAP002", PULUMI, ERROR, "the entry point Pulumi runs does not exist",
         "`main` must name an existing file or a folder holding `__main__.py`; without `main` the project root "
         "must hold `__main__.py`.",
         "Create the entry point, or point `main` at the file that builds the stack.", "https://www.pulumi.com/docs/iac/concepts/projects/project-file/",
         example='main: tap.py       # tap.py does not exist',
         fixed="# no `main:`: Pulumi runs __main__.py at the project root",
         name="missing-entry-point"),
    Rule("TAP003", PULUMI, ERROR, "the layout breaks local imports under the language host",
         "The language host starts the program as a file: only a folder `main` (or no `main`) puts the program "
         "folder on sys.path; a file `main` puts no project folder there at all. When synth runs the program "
         "and it fails with the predicted import error, the failure is reported once, as TAP010 with this "
         "explanation and fix; when the run completes, the claim is dropped.",
         "Drop `main` from Pulumi.yaml and keep `__main__.py` at the project root, so `lib.*` imports resolve.",
         "https://www.pulumi.com/docs/iac/languages-sdks/python/",
         example='main: tap.py  +  tap.py: from lib.tap_stack import TapStack',
         fixed="# Pulumi.yaml without `main:`, and __main__.py at the root:\n"
               "from lib.tap_stack import TapStack",
         name="layout-breaks-imports"),
    Rule("TAP004", PULUMI, ERROR, "scripts or stack files name another project than Pulumi.yaml",
         "`pulumi stack select org/<project>/<stack>` fails with \"provided project name doesn't match "
         "Pulumi.yaml\"; `<oldname>:key` config is silently ignored.",
         "Use the Pulumi.yaml `name` in every stack reference and config key.", "https://www.pulumi.com/docs/iac/concepts/stacks/",
         example='deploy = "pulumi up --stack ${ORG}/TapStack/dev"   # Pulumi.yaml says name: pulumi-infra',
         fixed='deploy = "pulumi up --stack ${ORG}/pulumi-infra/dev"',
         name="wrong-project-name"),
    Rule("TAP005", PULUMI, ERROR, "the Pulumi.yaml `config:` block is rejected by Pulumi",
         "Pulumi validates the config block on every command; a provider key with `default`/`type` or without "
         "`value` blocks all commands.",
         "Give other-namespace keys (e.g. `aws:region`) a `value:` (or the shorthand `aws:region: us-east-1`), "
         "never `default`/`type`.", "https://www.pulumi.com/docs/iac/concepts/projects/project-file/",
         example='config: {aws:region: {default: us-east-1}}',
         fixed="config:\n"
               "  aws:region:\n"
               "    value: us-east-1",
         name="invalid-config-block"),
    Rule("TAP006", PULUMI, ERROR, "runtime options only work on one machine or are unknown",
         "An absolute or home-relative `virtualenv` exists only on the author's machine; an unknown `toolchain` "
         "is rejected by the language host; with `toolchain: uv` the host runs `uv sync` on the nearest "
         "pyproject.toml (the project folder or a parent), which fails when that file has no [project] table.",
         "Use a project-relative `virtualenv` (e.g. `.venv`) and `toolchain: pip|poetry|uv`.", "https://www.pulumi.com/docs/iac/languages-sdks/python/",
         example='runtime: {name: python, options: {virtualenv: /home/me/venv}}',
         fixed="runtime:\n"
               "  name: python\n"
               "  options: {toolchain: pip, virtualenv: .venv}",
         name="unportable-runtime-options"),
    Rule("TAP007", PULUMI, ERROR,
         "a stack file has an invalid key, lacks `aws:region`, or holds a secret in plain text",
         "Stack files are committed: plain-text secrets leak, bad keys stop the CLI, and AWS resources need a "
         "region. A secret-named key that says where the secret is kept (`*_file`, `*_path`) or holds a file path "
         "is not a plain-text secret.",
         "Use `pulumi config set --secret KEY`, `<namespace>:<name>` keys and set `aws:region`.", "https://www.pulumi.com/docs/iac/concepts/secrets/",
         example='config: {app:dbPassword: ChangeMe123!}',
         fixed="pulumi config set --secret dbPassword   # stored as `secure: v1:...`",
         name="invalid-stack-file"),
    Rule("TAP008", PULUMI, ERROR, "declared config without a default is missing from a stack file",
         "`pulumi up` stops with \"Stack '<stack>' is missing configuration value '<key>'\".",
         "Set the key in every stack file, or give it a `default` in Pulumi.yaml.", "https://www.pulumi.com/docs/iac/concepts/config/",
         example='config: {dbName: {type: string}}   # and Pulumi.dev.yaml does not set dbName',
         fixed="config: {dbName: {type: string, default: app}}",
         name="missing-stack-config"),
    Rule("TAP009", PULUMI, ERROR, "a Python file does not compile",
         "Pulumi and pytest import a module only when something uses it, so a file that does not compile fails "
         "later, at deploy or in another branch, instead of now.",
         "Fix the syntax error at the reported line (`python -m py_compile FILE` shows it).", "https://docs.python.org/3/library/py_compile.html",
         example='def handler(event, context:\n    return event',
         fixed="def handler(event, context):\n"
               "    return event",
         name="syntax-error"),
    Rule("TAP010", PULUMI, ERROR, "the program fails when run the way Pulumi runs it",
         "The program is run with the language host's working folder, sys.path and stack config, against mocks; "
         "a failure here is a failed `pulumi up`.",
         "Fix the error shown; run `python -m tapcheck .` again.", "https://www.pulumi.com/docs/iac/guides/testing/unit/",
         example='aws.apigateway.Deployment("d", rest_api=api.id, stage_name="prod")   # removed in pulumi-aws v7',
         fixed='deployment = aws.apigateway.Deployment("d", rest_api=api.id)\n'
               'aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")',
         name="program-fails"),
    Rule("TAP011", PULUMI, ERROR, "tests or scripts read stack outputs the program never creates",
         "`register_outputs` inside a component does not create stack outputs; only `pulumi.export` does (in the "
         "entry point or any module it imports, outside `apply` callbacks). With no outputs, `pulumi stack output` "
         "is empty and everything that reads it fails.",
         "Add `pulumi.export(\"name\", value)` for every output the tests and scripts read.",
         "https://www.pulumi.com/docs/iac/concepts/stacks/#outputs",
         example='TapStack("TapStack")   # no pulumi.export(...), and tests/integration reads outputs["vpc_id"]',
         fixed='stack = TapStack("TapStack")\n'
               'pulumi.export("vpc_id", stack.vpc_id)',
         name="missing-stack-outputs"),
    Rule("TAP012", HOUSE, ERROR, "the required `stack` export is missing",
         "Integration tests and CI find the deployed stack through the `stack` output.",
         "Add `pulumi.export(\"stack\", pulumi.get_stack())` to the entry point.",
         "https://www.pulumi.com/docs/iac/concepts/stacks/#outputs",
         example='pulumi.export("environment_suffix", suffix)   # but no pulumi.export("stack", ...)',
         fixed='pulumi.export("stack", pulumi.get_stack())',
         name="missing-stack-export"),
    Rule("TAP013", TESTS, ERROR, "integration tests read an output the program never exports",
         "The test fails against every deployment with a KeyError.",
         "Export the key from the entry point, or fix the key name in the test.",
         "https://www.pulumi.com/docs/iac/concepts/stacks/#outputs",
         example='outputs["public_subnet_ids"]   # in tests/integration, never exported',
         fixed='pulumi.export("public_subnet_ids", [s.id for s in public_subnets])',
         name="test-reads-missing-output"),
    Rule("TAP014", PULUMI, ERROR, "a list or map output is turned into a string",
         "Consumers receive `'[\"a\",\"b\"]'` instead of a list and must parse it back.",
         "Export the list or map itself; read outputs with `pulumi stack output --json`.", "https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_output/",
         example='pulumi.export("subnet_ids", pulumi.Output.json_dumps(ids))',
         fixed='pulumi.export("subnet_ids", ids)',
         name="stringified-output"),
    Rule("TAP015", PULUMI, ERROR, "two resources share a type and name",
         "The engine rejects duplicate URNs (mocks do not).",
         "Give each resource a unique logical name, e.g. with a suffix.", "https://www.pulumi.com/docs/iac/concepts/resources/names/",
         example='aws.sqs.Queue("jobs") twice (e.g. in a helper called twice)',
         fixed="for i in range(2):\n"
               '    aws.sqs.Queue(f"jobs-{i}")',
         name="duplicate-urn"),
    Rule("TAP016", PULUMI, ERROR, "an Output is rendered into a Python string",
         "An f-string, `str()`, `.format` or `+` on an Output gives the SDK's text \"Calling __str__ on an "
         "Output[T] is not supported\", and that text, not the ARN or name, reaches AWS (a policy with that "
         "Resource is rejected as malformed).",
         "Build the string from the Output: `pulumi.Output.concat(bucket.arn, \"/*\")`, "
         "`pulumi.Output.format(\"{0}/*\", bucket.arn)` or `bucket.arn.apply(lambda arn: f\"{arn}/*\")`.",
         "https://www.pulumi.com/docs/iac/concepts/inputs-outputs/apply/#outputs-and-strings",
         example='"Resource": f"{bucket.arn}/*"',
         fixed='"Resource": pulumi.Output.concat(bucket.arn, "/*")',
         name="output-in-string"),
    Rule("TAP017", PULUMI, ERROR, "pulumi.export is called inside an apply callback",
         "Stack outputs are registered when the program finishes; an export made from a callback is dropped (and "
         "the callback does not run in preview while the value is unknown), so the output never appears.",
         "Export the Output itself at the top level: `pulumi.export(\"url\", bucket.bucket.apply(lambda n: "
         "f\"s3://{n}\"))`.",
         "https://www.pulumi.com/docs/iac/concepts/inputs-outputs/apply/",
         example='bucket.bucket.apply(lambda name: pulumi.export("bucket_url", f"s3://{name}"))',
         fixed='pulumi.export("bucket_url", bucket.bucket.apply(lambda name: f"s3://{name}"))',
         name="export-inside-apply"),
    Rule("TAP020", SECURITY, WARNING, "a value the program fixes itself reaches a password or secret input",
         "A literal (or a value computed from literals or Python's `random`) lives in the repository or changes on "
         "every run, and is stored in the state; a CloudFormation dynamic reference (`{{resolve:...}}`) is not "
         "resolved by Pulumi, so AWS receives the reference text itself.",
         "Use `pulumi_random.RandomPassword(...).result`, a secret config value (`config.require_secret`), or "
         "`manage_master_user_password=True`.", "https://www.pulumi.com/docs/iac/concepts/secrets/",
         example='aws.rds.Cluster(..., master_password="ChangeMe123!")',
         fixed="aws.rds.Cluster(..., manage_master_user_password=True)",
         name="fixed-secret-value"),
    Rule("TAP021", HOUSE, ERROR, "a VPC has no flow log",
         "Without flow logs there is no network audit trail (PCI-DSS 10.x).",
         "Add `aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type=\"ALL\", log_destination=...)`.",
         "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
         example='aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")   # no aws.ec2.FlowLog(vpc_id=vpc.id)',
         fixed='aws.ec2.FlowLog("vpc-flow-log", vpc_id=vpc.id, traffic_type="ALL", log_destination=log_group.arn,\n'
               "                 iam_role_arn=flow_log_role.arn)",
         name="vpc-without-flow-log"),
    Rule("TAP022", PULUMI, ERROR, "an asset or archive path does not exist",
         "Paths resolve against the folder Pulumi runs the program in (`main`'s folder), not the repo root.",
         "Make the path relative to the program folder, or build it from `Path(__file__).parent`.",
         "https://www.pulumi.com/docs/iac/concepts/assets-archives/",
         example='pulumi.FileArchive("./lib/lambda")   # with main: lib/, this is lib/lib/lambda',
         fixed='pulumi.FileArchive(str(Path(__file__).parent / "lambda"))',
         name="missing-asset-path"),
    Rule("TAP023", AWS, ERROR, "a database engine version RDS no longer offers",
         "RDS rejects versions it has retired (\"Cannot find version 15.3 for aurora-postgresql\"), and majors past "
         "standard support when the program opts out of RDS Extended Support. Versions newer than the checker's "
         "dated table are only noted; majors in Extended Support are TAP034.",
         "Use an offered version, or look it up with `aws.rds.get_engine_version(engine=..., "
         "preferred_versions=[...])`.",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBEngineVersions.html",
         example='aws.rds.Cluster(..., engine="aurora-postgresql", engine_version="15.3")',
         fixed='aws.rds.Cluster(..., engine="aurora-postgresql", engine_version="16.6")',
         name="retired-engine-version"),
    Rule("TAP024", PULUMI, ERROR, "an unknown property name inside a nested input",
         "Mocks accept any dict key; the provider rejects it at preview (\"Invalid or unknown key\"). Keys are "
         "checked as the program registered them, against the SDK's wire names (an IAM policy document's "
         "`Version`/`Statement`).",
         "Use the property names of the SDK's typed `*Args` class, or the `*Args` class itself.",
         "https://www.pulumi.com/docs/iac/languages-sdks/python/#inputs-and-outputs",
         example='aws.wafv2.WebAcl(..., visibility_config={"cloud_watch_metrics_enabled": True, ...})',
         fixed='aws.wafv2.WebAcl(..., visibility_config={"cloudwatch_metrics_enabled": True, ...})',
         name="unknown-nested-property"),
    Rule("TAP025", AWS, ERROR, "an API Gateway stage is named by string without depending on the Stage",
         "Usage plans, WAF associations and base-path mappings fail with \"API Stage not found\" when created "
         "before the stage.",
         "Pass `stage.stage_name` / `stage.arn` (an Output of the Stage) or add `depends_on=[stage]`.",
         "https://www.pulumi.com/docs/iac/concepts/options/dependson/",
         example='aws.apigateway.UsagePlan("p", api_stages=[{"api_id": api.id, "stage": "prod"}])',
         fixed='aws.apigateway.UsagePlan("p", api_stages=[{"api_id": api.id, "stage": stage.stage_name}])',
         name="stage-named-by-string"),
    Rule("TAP026", AWS, ERROR, "a physical name breaks AWS limits for its type",
         "AWS rejects the name at create time; auto-naming adds 8 characters (`-` + 7) to the logical name "
         "(lower-cased for S3 buckets).",
         "Shorten the logical name or pass an explicit name within the limit.",
         "https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming",
         example='aws.lb.LoadBalancer("payment-processing-public-alb")   # 29 + 8 > 32',
         fixed='aws.lb.LoadBalancer("pay-public-alb")   # 14 + 8 <= 32',
         name="physical-name-too-long"),
    Rule("TAP027", HOUSE, WARNING, "a placeholder container image is hard-coded",
         "`nginx:latest` deploys something other than the application and `:latest` is not reproducible. Images "
         "built from another resource's output (an ECR repository URL) are the program's own.",
         "Read the image from config (`config.require(\"containerImage\")`) and pin a tag or digest.",
         "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-considerations.html",
         example='json.dumps([{"name": "app", "image": "nginx:latest"}])',
         fixed='json.dumps([{"name": "app", "image": config.require("containerImage")}])   # e.g. app:1.4.2',
         name="placeholder-image"),
    Rule("TAP028", HOUSE, WARNING, "a non-production stack cannot be destroyed cleanly",
         "Deletion protection, retain-on-delete, required final snapshots and buckets that others write to make "
         "`pulumi destroy` fail or leave resources behind (objects the program manages are deleted first).",
         "Derive these settings from the stack: enable them only for production stacks.",
         "https://www.pulumi.com/docs/iac/concepts/options/retainondelete/",
         example='aws.rds.Cluster(..., deletion_protection=True)   # on stack dev',
         fixed='aws.rds.Cluster(..., deletion_protection=pulumi.get_stack() in ("prod", "production"))',
         name="undestroyable-stack"),
    Rule("TAP029", HOUSE, WARNING, "a resource whose tags are cost-allocation tags lacks the required ones",
         "Untagged resources cannot be attributed to an owner or a cost centre. S3 object tags and IAM tags are "
         "not cost-allocation tags and are not asked for.",
         "Set the tags through the provider's `default_tags` or on the resource.",
         "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html",
         example='aws.s3.Bucket("logs", tags={"Project": "x"})   # no Owner / CostCenter',
         fixed='aws.Provider("aws", default_tags={"tags": {"Project": "x", "Owner": "team", "CostCenter": "42"}})',
         name="missing-cost-tags"),
    Rule("TAP030", AWS, ERROR, "subnet CIDRs overlap or fall outside their VPC",
         "EC2 rejects the subnet at create time (InvalidSubnet.Range / InvalidSubnet.Conflict).",
         "Carve subnets from the VPC CIDR without overlap (e.g. `ipaddress.ip_network(vpc).subnets(...)`).",
         "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",
         example='subnets 10.0.0.0/24 and 10.0.0.128/25 in one VPC',
         fixed="subnets 10.0.0.0/24 and 10.0.1.0/24 in VPC 10.0.0.0/16",
         name="invalid-subnet-cidr"),
    Rule("TAP031", AWS, ERROR, "an API Gateway deployment does not wait for every method and integration",
         "A Deployment snapshots the REST API when it is created: created before a Method or Integration it "
         "fails with \"No integration defined for method\" or misses the route.",
         "Pass every Method and Integration in `depends_on` and set `triggers` to a hash of their ids.",
         "https://www.pulumi.com/registry/packages/aws/api-docs/apigateway/deployment/",
         example='aws.apigateway.Deployment("d", rest_api=api.id, opts=ResourceOptions(depends_on=[get_method]))'
                 '   # post_method, its integration not waited for',
         fixed='aws.apigateway.Deployment("d", rest_api=api.id,\n'
               "    opts=ResourceOptions(depends_on=[get_method, get_integration, post_method, post_integration]))",
         name="deployment-races-methods"),
    Rule("TAP032", AWS, ERROR, "a value AWS does not accept for an enumerated input",
         "AWS rejects log retention days outside its list (InvalidParameterException) and Lambda runtimes that "
         "are unknown or deprecated (no new functions on them).",
         "Use a value from the service's list (botocore's service model, the AWS API reference).",
         "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
         example='aws.cloudwatch.LogGroup("app", retention_in_days=10)   # 7 or 14, not 10',
         fixed='aws.cloudwatch.LogGroup("app", retention_in_days=14)',
         name="invalid-enum-value"),
    Rule("TAP033", AWS, WARNING, "an API Gateway deployment has no redeployment trigger",
         "Without `triggers` Pulumi never replaces the Deployment, so later changes to methods and integrations "
         "are not deployed: the stage keeps serving the first snapshot.",
         "Set `triggers={\"redeployment\": ...}` to a hash of the methods' and integrations' ids (or of the "
         "OpenAPI body).",
         "https://www.pulumi.com/registry/packages/aws/api-docs/apigateway/deployment/",
         example='aws.apigateway.Deployment("d", rest_api=api.id, opts=ResourceOptions(depends_on=routes))'
                 '   # no triggers',
         fixed='aws.apigateway.Deployment("d", rest_api=api.id, triggers={"redeployment": routes_hash},\n'
               "    opts=ResourceOptions(depends_on=routes))",
         name="deployment-without-triggers"),
    Rule("TAP034", AWS, WARNING, "a database engine major version past RDS standard support",
         "RDS still creates a major past its end of standard support, but enrolls the database in RDS Extended "
         "Support and charges for it per vCPU-hour (ACU-hour on Aurora Serverless) until Extended Support ends and "
         "RDS upgrades the major itself.",
         "Move to a major version in standard support, or keep the old one knowingly and budget for Extended "
         "Support.",
         "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html",
         example='aws.rds.Instance(..., engine="mysql", engine_version="5.7")',
         fixed='aws.rds.Instance(..., engine="mysql", engine_version="8.0")',
         name="extended-support-engine"),
    Rule("TAP040", TESTS, WARNING, "placeholder tests",
         "A test file without tests, or a test without an assertion, passes while proving nothing. A warning, not "
         "an error: it does not stop a deployment, it hides the next failure (`--strict` fails on it).",
         "Write tests that assert on resource inputs or outputs (see `@pulumi.runtime.test`).",
         "https://docs.pytest.org/en/stable/how-to/assert.html",
         example='def test_stack():\n    TapStack("t")   # no assertion',
         fixed="def test_bucket_is_private():\n"
               '    assert bucket_acl(stack) == "private"',
         name="placeholder-tests"),
    Rule("TAP041", PULUMI, WARNING, "an import hack hides a broken layout",
         "`sys.path` edits, try/except import fallbacks and PYTHONPATH in scripts make tests pass while "
         "`pulumi up` fails.",
         "Fix the layout instead (entry point `__main__.py` at the project root) and remove the hack.",
         "https://www.pulumi.com/docs/iac/languages-sdks/python/",
         example='sys.path.insert(0, os.path.dirname(__file__))',
         fixed="# Pulumi.yaml without `main:`; __main__.py at the root imports `lib.*` directly",
         name="import-hack"),
    Rule("TAP042", TESTS, ERROR, "unit tests assert inside apply without @pulumi.runtime.test",
         "Without the decorator the test returns before the apply callback runs, so its assertions never fail "
         "the test. An apply counts as waited for when the test, or a function around the apply, runs under "
         "`pulumi.runtime.test` (under any imported name, e.g. `from pulumi.runtime import test as pulumi_test`), "
         "or when its Output is passed to such a function: the decorator awaits the returned Output and every "
         "outstanding apply.",
         "Decorate the test with `@pulumi.runtime.test` and return the Output of the apply.",
         "https://www.pulumi.com/docs/iac/guides/testing/unit/",
         example='def test_tags():\n    bucket.tags.apply(lambda t: assert_owner(t))   # no @pulumi.runtime.test',
         fixed="@pulumi.runtime.test\n"
               "def test_tags():\n"
               "    return bucket.tags.apply(lambda t: assert_owner(t))",
         name="apply-assert-without-runtime-test"),
    Rule("TAP050", SECURITY, WARNING, "ingress from the whole internet to administration or database ports",
         "A security group rule that admits 0.0.0.0/0 or ::/0 to SSH, RDP, a database port or every port exposes "
         "the service to scans and brute force from anywhere.",
         "Admit only known CIDRs or another security group (`source_security_group_id`), or reach hosts through "
         "SSM Session Manager instead of SSH.",
         "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
         example='ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]',
         fixed='ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.20.0.0/16"]}]',
         name="open-admin-ingress"),
    Rule("TAP051", SECURITY, WARNING, "database, volume or file-system storage is not encrypted",
         "Data at rest is unencrypted, and RDS cannot encrypt an existing instance in place (it needs a snapshot "
         "copy and a restore).",
         "Set `storage_encrypted=True` (RDS, DocumentDB, Neptune), `encrypted=True` (EFS, EBS, Redshift), "
         "optionally with `kms_key_id`.",
         "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
         example='aws.rds.Instance(..., storage_encrypted=False)',
         fixed="aws.rds.Instance(..., storage_encrypted=True, kms_key_id=key.arn)",
         name="unencrypted-storage"),
    Rule("TAP052", SECURITY, WARNING, "a database is publicly accessible",
         "`publicly_accessible=True` gives the database a public address; only its security group stands "
         "between it and the internet.",
         "Keep `publicly_accessible=False` and reach the database from inside the VPC (a bastion, SSM, a VPN).",
         "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
         example='aws.rds.Instance(..., publicly_accessible=True)',
         fixed="aws.rds.Instance(..., publicly_accessible=False, db_subnet_group_name=private_subnets.name)",
         name="public-database"),
    Rule("TAP053", SECURITY, WARNING, "an S3 bucket is made public",
         "Turning the bucket's public access block off and granting `\"*\"` in a policy or a public ACL exposes "
         "every object to anyone.",
         "Keep all four public-access-block settings on; serve public content through CloudFront with origin "
         "access control.",
         "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
         example='BucketPublicAccessBlock(block_public_policy=False) + BucketPolicy(Principal "*")',
         fixed="BucketPublicAccessBlock(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,\n"
               "                        restrict_public_buckets=True)",
         name="public-bucket"),
    Rule("TAP054", SECURITY, WARNING, "a plain-text secret in a container definition or Lambda environment",
         "Environment values are shown to anyone who can describe the task definition or function, and are kept "
         "in the state in plain text.",
         "Use the container definition's `secrets` (`valueFrom` a Secrets Manager or SSM ARN) or read the secret "
         "at run time in the function.",
         "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
         example='{"name": "DB_PASSWORD", "value": "hunter2"}   # in container_definitions',
         fixed="{\"name\": \"DB_PASSWORD\", \"valueFrom\": secret.arn}   # in the container definition's `secrets`",
         name="plaintext-env-secret"),
    Rule("TAP055", SECURITY, WARNING, "a secure config value is read as plain text",
         "`config.get`/`config.require` on a `secure:` key returns a plain string: what is built from it is not "
         "marked secret, so exports and inputs store it unencrypted in the state.",
         "Read it with `config.require_secret(...)` / `config.get_secret(...)`.",
         "https://www.pulumi.com/docs/iac/concepts/secrets/#using-secrets-in-code",
         example='pulumi.export("db_password", config.require("dbPassword"))',
         fixed='pulumi.export("db_password", config.require_secret("dbPassword"))',
         name="secure-config-read-as-plain"),
    Rule("TAP056", SECURITY, WARNING, "a policy names an IAM action that does not exist",
         "IAM accepts an identity policy naming an unknown service prefix or action (a typo, a retired name) and "
         "grants nothing for it, so the permission the code meant to give or deny is missing; a service that "
         "validates its resource policies (S3) rejects the deploy instead.",
         "Use the action's name from the Service Authorization Reference (`s3:GetObject`, not `s3:GetObjects`).",
         "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
         example='{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": bucket_arn + "/*"}',
         fixed='{"Effect": "Allow", "Action": "s3:GetObject", "Resource": bucket_arn + "/*"}',
         name="unknown-iam-action"),
    Rule("TAP057", SECURITY, WARNING, "a policy puts an action on resources it does not apply to",
         "Each action is authorized against certain resource types (`s3:GetObject` on objects, not the bucket; "
         "list actions only on `\"*\"`); on other ARNs the statement grants nothing for it.",
         "Name the resource type the action applies to (`arn:aws:s3:::bucket/*` for object actions), or `\"*\"` "
         "for actions without resource-level permissions.",
         "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
         example='{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket"}   # objects are bucket/*',
         fixed='{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}',
         name="iam-action-on-wrong-resource"),
    Rule("TAP058", SECURITY, WARNING, "a policy grants every action, or write actions on every resource",
         "`\"*\"` or `service:*` allows actions nobody reviewed, including ones AWS adds later; write actions on "
         "`\"*\"` reach every resource of the account, not only the stack's.",
         "List the actions the code calls and scope them to the ARNs of the resources the stack created.",
         "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
         example='{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}',
         fixed='{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": bucket_arn + "/*"}',
         name="iam-wildcard-grant"),
    Rule("TAP060", SECURITY, WARNING, "a resource violates a policy of a Pulumi policy pack",
         "A policy pack (CrossGuard) given with `--policy-pack` or `[tool.tapcheck] policy-packs` was run on the "
         "program's resources, as `pulumi preview --policy-pack` runs it: a mandatory violation would stop the "
         "deployment, an advisory one is printed. The finding is an error for a mandatory policy, a warning for "
         "an advisory one.",
         "Change the resource at the line shown so that it meets the policy (the message quotes it), or change the "
         "policy's enforcement level in the pack's config if the policy is wrong for this stack.",
         "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
         example='aws.s3.Bucket("logs")   # the pack requires a server-side encryption configuration',
         fixed='bucket = aws.s3.Bucket("logs")\n'
               'aws.s3.BucketServerSideEncryptionConfiguration("logs", bucket=bucket.id, rules=[...])',
         name="policy-pack-violation"),
    Rule("TAP090", SUPPRESSIONS, WARNING, "a suppression comment silences nothing or names no rule",
         "A `# tapcheck: ignore[...]` left behind after the code was fixed (or naming a rule that does not exist) "
         "would silently hide the next real finding on that line. Reported only when the program ran to the end "
         "under mocks, so every rule saw the whole program (like ruff's unused-noqa, RUF100).",
         "Delete the comment, or the ids in it that no longer match a finding on its line.",
         "https://docs.astral.sh/ruff/rules/unused-noqa/",
         example='bucket = aws.s3.Bucket("logs")  # tapcheck: ignore[TAP053] -- public website',
         fixed='bucket = aws.s3.Bucket("logs")',
         name="unused-suppression"),
    Rule("TAP091", HOUSE, WARNING, "a suppression comment gives no reason",
         "A suppression without a reason cannot be reviewed: nobody can tell a deliberate exception from a "
         "silenced bug. Suppressions still work without one; this house rule (on in generated repos, failing "
         "`--strict`) asks for the reason after ` -- `.",
         "Write why after the rule ids: `# tapcheck: ignore[TAP020] -- <reason>`.",
         "https://docs.astral.sh/ruff/linter/#error-suppression",
         example='master_password=legacy_password,  # tapcheck: ignore[TAP020]',
         fixed='master_password=legacy_password,  # tapcheck: ignore[TAP020] -- imported database, rotated '
               'outside Pulumi',
         name="suppression-without-reason"),
    Rule("TAP035", AWS, WARNING, "a task or function without internet egress needs an image or API no endpoint serves",
         "In subnets without a NAT route, AWS is reached only through VPC endpoints: a task whose image is on ECR "
         "Public or Docker Hub never starts, and calls to a service without an endpoint (SQS, X-Ray, ...) time out, "
         "while `pulumi up` reports success.",
         "Pull images from this region's private ECR (an ECR pull-through cache serves ECR Public) and add an "
         "interface endpoint per service the workload calls (S3 and DynamoDB: gateway endpoints), or route the "
         "subnets through NAT.",
         "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
         example='ecs.Service(network_configuration={"subnets": private})  # image public.ecr.aws/..., no NAT',
         fixed='image = cache_image  # this region\'s ECR (a pull-through cache of ECR Public), ecr/s3/logs endpoints',
         name="unreachable-without-egress"),
)

#: id -> Rule, in catalog order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _ROWS}
