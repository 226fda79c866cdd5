"""The stack: one AWS provider carrying the cost-allocation tags, and every selected component under it."""

import pulumi
import pulumi_aws as aws

{% if cookiecutter.network -%}
from lib.components.network import Network, NetworkArgs
{% endif -%}
from lib.components.security import Security, SecurityArgs
{% if cookiecutter.storage -%}
from lib.components.storage import Storage, StorageArgs
{% endif -%}
from lib.settings import Settings
from lib.tags import cost_allocation_tags


class TapStack(pulumi.ComponentResource):
    """Everything this project deploys into one stack; `outputs` lists what the program exports."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:stack:TapStack", name, None, opts)
        # An explicit provider: every resource gets the region and the cost-allocation tags from one place.
        self.provider = aws.Provider(
            settings.naming.name("aws"),
            region=settings.region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=cost_allocation_tags(settings)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self.security = Security(
            "security",
            SecurityArgs(naming=settings.naming, region=settings.region, production=settings.production),
            opts=child,
        )
        self.outputs: dict[str, pulumi.Input[object]] = {
            "region": settings.region,
            "environment_suffix": settings.naming.suffix,
            **self.security.outputs,
        }
{%- if cookiecutter.network %}

        self.network = Network("network", NetworkArgs.from_settings(settings, self.security.key.arn), opts=child)
        self.outputs.update(self.network.outputs)
{%- endif %}
{%- if cookiecutter.storage %}

        self.storage = Storage(
            "storage",
            StorageArgs(naming=settings.naming, production=settings.production, kms_key_arn=self.security.key.arn),
            opts=child,
        )
        self.outputs.update(self.storage.outputs)
{%- endif %}

        self.register_outputs(self.outputs)
