"""Resource names: stable logical names, physical names that say whose they are, both checked against AWS limits.

Logical names are roles (`vpc`, `db`, `ecs-exec`). Pulumi already puts the project and the stack in every URN
(https://www.pulumi.com/docs/iac/concepts/resources/names/#urns), so changing `namePrefix` or `environmentSuffix`
renames nothing Pulumi tracks and replaces nothing.

Physical names. Every name is `<prefix>-<role>-<suffix>`. The prefix is derived from the project when the repo
is generated and the suffix is the stack's environment, so two repos or two stacks in one account and region
never share a name. Resources AWS requires a name for (an RDS identifier, a KMS alias) get exactly that name
(`auto_named=False`). The others are auto-named by Pulumi following the `pulumi:autonaming` pattern in
Pulumi.yaml, `<prefix>-<role>-<suffix>-<7 random characters>`: the random part lets Pulumi create a
replacement before deleting the original (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming).
A name that AWS limits to N characters may therefore use N - 8 of them before the random part.

Stacks deployed before logical names became roles keep every resource: `former_names` aliases each resource to
the name it had then, `<prefix>-<role>-<suffix>` (https://www.pulumi.com/docs/iac/concepts/options/aliases/).
"""

import re
from dataclasses import dataclass

import pulumi

PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9]{0,7}")
SUFFIX_PATTERN = re.compile(r"[a-z0-9]{1,10}")
AUTO_NAME_SUFFIX = 8

# AWS name limits of the resources this program creates (characters).
LOAD_BALANCER = 32
TARGET_GROUP = 32
ELASTICACHE_REPLICATION_GROUP = 40
S3_BUCKET = 63
RDS_IDENTIFIER = 63
IAM_ROLE = 64
LAMBDA_FUNCTION = 64
DEFAULT_LIMIT = 255

# The type of the component holding the whole stack (lib/tap_stack.py).
STACK_TYPE = "tap:stack:TapStack"


@dataclass(frozen=True)
class Naming:
    """The prefix and environment suffix shared by every physical name of a stack.

    Raises ValueError when either breaks its pattern (PREFIX_PATTERN, SUFFIX_PATTERN).
    """

    prefix: str
    suffix: str

    def __post_init__(self) -> None:
        if not PREFIX_PATTERN.fullmatch(self.prefix):
            raise ValueError(
                f"namePrefix {self.prefix!r} must be a lowercase letter followed by up to 7 lowercase letters or digits"
            )
        if not SUFFIX_PATTERN.fullmatch(self.suffix):
            raise ValueError(f"environmentSuffix {self.suffix!r} must be 1 to 10 lowercase letters or digits")

    def physical(self, role: str) -> str:
        """`<prefix>-<role>-<suffix>`, unchecked: the shape every physical name of the stack shares."""
        return f"{self.prefix}-{role}-{self.suffix}"

    def name(self, role: str, limit: int = DEFAULT_LIMIT, auto_named: bool = True) -> str:
        """The name to give the resource playing `role`, once its physical name is known to fit `limit`.

        Auto-named (the default): the logical name, `role`; Pulumi names the resource
        `<prefix>-<role>-<suffix>-<7 random>`, which must fit `limit`. Otherwise: the physical name
        `<prefix>-<role>-<suffix>` to pass as the resource's name input, which must fit `limit` itself.
        Raises ValueError naming the characters counted and allowed.
        """
        physical = self.physical(role)
        room = limit - AUTO_NAME_SUFFIX if auto_named else limit
        if len(physical) > room:
            raise ValueError(
                f"name {physical!r} has {len(physical)} characters; AWS allows {room} here (limit {limit})"
            )
        return role if auto_named else physical

    def former_names(self, args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        """A resource transformation aliasing the stack and every custom resource to its former logical name.

        Until logical names became roles, the stack component, the provider and every AWS resource were named
        `<prefix>-<role>-<suffix>` (child components were already named by role). The alias lets a stack
        deployed then adopt the new name without replacing anything. Given to TapStack as `transformations`,
        it runs in the program for the stack and each resource under it, so it works the same under unit-test
        mocks and any Pulumi CLI.
        """
        if not isinstance(args.resource, pulumi.CustomResource) and args.type_ != STACK_TYPE:
            return None
        former = pulumi.Alias(name=self.physical(args.name))
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(aliases=[former]))
        )
