"""Pulumi program: read the stack's settings, build the stack, export its outputs.

Pulumi runs this file from the project root (Pulumi.yaml has no `main:`), with the root on sys.path,
so `lib` is imported here exactly as the unit tests import it.
"""

import pulumi

from lib.settings import Settings
from lib.tap_stack import TapStack

settings = Settings.load()
stack = TapStack(settings.naming.name("stack"), settings)

# Module-level exports are what `pulumi stack output`, stack references and the integration tests see;
# outputs registered inside a component are not. The names are listed once, in TapStack.outputs.
pulumi.export("stack", pulumi.get_stack())
for output_name, value in stack.outputs.items():
    pulumi.export(output_name, value)
