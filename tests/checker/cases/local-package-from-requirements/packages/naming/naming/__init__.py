"""Naming helpers shared by several stacks."""


def queue_name(app: str) -> str:
    return f"{app}-jobs"
