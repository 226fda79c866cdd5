"""The checkov checks every generated repo's production stack must pass, or accept in its SECURITY.md with a reason.

checkov (https://www.checkov.io/5.Policy%20Index/terraform.html) reads the Terraform plan `tapcheck export`
writes. The ids are grouped by what they protect; the README lists them. A check that applies to nothing in a bake
(no EFS, no CloudTrail) passes vacuously, so the list can name checks for resources the template does not build yet.
"""

CHECKOV_VERSION = "3.3.30"

CHECKS: dict[str, dict[str, str]] = {
    "encryption at rest": {
        "CKV_AWS_19": "S3 bucket encrypted at rest",
        "CKV_AWS_145": "S3 bucket encrypted with KMS",
        "CKV_AWS_16": "RDS instance encrypted",
        "CKV_AWS_96": "Aurora cluster encrypted",
        "CKV_AWS_327": "RDS cluster encrypted with a customer-managed key",
        "CKV_AWS_158": "CloudWatch log group encrypted with KMS",
        "CKV_AWS_149": "Secrets Manager secret encrypted with a customer-managed key",
        "CKV_AWS_119": "DynamoDB table encrypted with a customer-managed key",
        "CKV_AWS_27": "SQS queue encrypted",
        "CKV2_AWS_73": "SQS queue encrypted with a customer-managed key",
        "CKV_AWS_26": "SNS topic encrypted",
        "CKV_AWS_29": "ElastiCache replication group encrypted at rest",
        "CKV_AWS_191": "ElastiCache replication group encrypted with a customer-managed key",
        "CKV_AWS_7": "KMS key rotation enabled",
        "CKV_AWS_173": "Lambda environment variables encrypted",
        "CKV_AWS_3": "EBS volume encrypted",
    },
    "TLS": {
        "CKV_AWS_30": "ElastiCache replication group encrypted in transit",
        "CKV2_AWS_69": "RDS instance requires encryption in transit",
        "CKV_AWS_103": "load balancer listener uses TLS 1.2 or newer",
        "CKV2_AWS_74": "load balancer uses strong ciphers",
        "CKV_AWS_97": "ECS task definition encrypts EFS volumes in transit",
    },
    "HTTPS listeners": {
        "CKV_AWS_2": "application load balancer listener uses HTTPS",
        "CKV2_AWS_20": "application load balancer redirects HTTP to HTTPS",
    },
    "public access": {
        "CKV2_AWS_6": "S3 bucket has a public access block",
        "CKV_AWS_53": "S3 public access block: block public ACLs",
        "CKV_AWS_54": "S3 public access block: block public policy",
        "CKV_AWS_55": "S3 public access block: ignore public ACLs",
        "CKV_AWS_56": "S3 public access block: restrict public buckets",
        "CKV_AWS_20": "S3 bucket ACL grants no public read",
        "CKV_AWS_57": "S3 bucket ACL grants no public write",
        "CKV2_AWS_65": "S3 bucket ACLs disabled",
        "CKV_AWS_70": "S3 bucket policy allows no action to any principal",
        "CKV_AWS_17": "RDS instance not publicly accessible",
        "CKV_AWS_24": "no security group opens SSH (22) to the world",
        "CKV_AWS_25": "no security group opens RDP (3389) to the world",
        "CKV_AWS_277": "no security group opens every port to the world",
        "CKV_AWS_88": "EC2 instance has no public IP",
        "CKV_AWS_130": "subnets do not assign public IPs by default",
        "CKV_AWS_333": "ECS service assigns no public IP",
        "CKV_AWS_258": "Lambda function URL requires authentication",
        "CKV_AWS_301": "Lambda function not publicly invocable",
        "CKV_AWS_59": "API Gateway methods are not open to anyone",
        "CKV_AWS_168": "SQS queue policy not public",
        "CKV_AWS_387": "SQS queue policy allows no public access through wildcards",
        "CKV_AWS_33": "KMS key policy has no wildcard principal",
    },
    "logging": {
        "CKV2_AWS_11": "VPC flow logs enabled",
        "CKV_AWS_18": "S3 bucket access logging enabled",
        "CKV_AWS_91": "load balancer access logging enabled",
        "CKV_AWS_76": "API Gateway stage access logging enabled",
        "CKV2_AWS_4": "API Gateway stage execution logging level set",
        "CKV2_AWS_31": "WAF web ACL has a logging configuration",
        "CKV_AWS_66": "CloudWatch log group has a retention",
        "CKV_AWS_338": "CloudWatch log group keeps logs for at least a year",
        "CKV_AWS_129": "RDS instance exports its logs",
        "CKV_AWS_324": "RDS cluster exports its logs",
    },
    "WAF": {
        "CKV2_AWS_28": "public application load balancer protected by WAF",
        "CKV2_AWS_29": "public API Gateway stage protected by WAF",
        "CKV_AWS_192": "WAF blocks the Log4j2 message lookup (CVE-2021-44228)",
        "CKV_AWS_175": "WAF web ACL has rules",
    },
    "least privilege": {
        "CKV_AWS_62": "no IAM policy grants full administrative privileges",
        "CKV_AWS_63": "no IAM policy allows \"*\" actions",
        "CKV_AWS_355": "no IAM policy allows \"*\" resources for actions that can be scoped",
        "CKV_AWS_286": "no IAM policy allows privilege escalation",
        "CKV_AWS_287": "no IAM policy allows credentials exposure",
        "CKV_AWS_288": "no IAM policy allows data exfiltration",
        "CKV_AWS_289": "no IAM policy allows permissions management without constraints",
        "CKV_AWS_290": "no IAM policy allows write access without constraints",
        "CKV_AWS_60": "IAM roles can be assumed only by specific services or principals",
        "CKV_AWS_61": "no IAM policy allows assuming roles across all services",
        "CKV2_AWS_40": "no IAM policy allows full IAM privileges",
        "CKV_AWS_274": "no role, user or group uses AdministratorAccess",
        "CKV_AWS_249": "ECS task role differs from the execution role",
    },
}

#: Every agreed id, for `checkov --check`.
CHECK_IDS: list[str] = [check for group in CHECKS.values() for check in group]
