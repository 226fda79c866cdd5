"""Cost-allocation tags, applied to every taggable resource through the AWS provider's default tags."""

from lib.settings import Settings


def cost_allocation_tags(settings: Settings) -> dict[str, str]:
    """The tags every taggable resource of the stack carries."""
    return {
        "Project": settings.project,
        "Stack": settings.stack,
        "Environment": settings.naming.suffix,
        "Owner": settings.owner,
        "CostCenter": settings.cost_center,
        "ManagedBy": "pulumi",
    }
