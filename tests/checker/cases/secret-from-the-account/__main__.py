import json

import pulumi
import pulumi_aws as aws

# The database password lives in Secrets Manager; the cache token in another stack's outputs. Neither is a value
# the program fixes itself.
credentials = aws.secretsmanager.get_secret_version(secret_id="prod/app/db")
password = json.loads(credentials.secret_string)["password"]
shared = pulumi.StackReference("acme/shared/prod")
db = aws.rds.Instance("db", engine="postgres", engine_version="16.4", instance_class="db.t4g.micro",
                      allocated_storage=20, username="app", password=password, storage_encrypted=True,
                      skip_final_snapshot=True)
cache = aws.elasticache.ReplicationGroup("cache", description="sessions", node_type="cache.t4g.micro",
                                         engine="redis", transit_encryption_enabled=True,
                                         auth_token=shared.require_output("cache_auth_token"))
pulumi.export("endpoint", db.endpoint)
