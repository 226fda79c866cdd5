import pulumi
import pulumi_aws as aws

# MySQL 5.7 is in RDS Extended Support: RDS still creates it (with Extended Support charges).
db = aws.rds.Instance("legacy-db", engine="mysql", engine_version="5.7", instance_class="db.t3.micro",
                      allocated_storage=20, username="admin", manage_master_user_password=True,
                      storage_encrypted=True, skip_final_snapshot=True)
pulumi.export("endpoint", db.endpoint)
pulumi.export("stack", pulumi.get_stack())
