import pulumi
import pulumi_aws as aws
from naming import queue_name  # installed into the project's virtualenv by requirements.txt (-e ./packages/naming)

aws.sqs.Queue("jobs", name=queue_name("billing"))
pulumi.export("stack", pulumi.get_stack())
