import pulumi

from lib.tap_stack import create

pulumi.export("bucket", create().bucket)
