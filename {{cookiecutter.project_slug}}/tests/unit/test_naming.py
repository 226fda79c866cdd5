"""Resource names follow one pattern and stay within AWS limits."""

import pytest
from tapcheck.limits import AUTONAME_SUFFIX, NAME_LIMITS

from lib import naming
from lib.naming import AUTO_NAME_SUFFIX, LOAD_BALANCER, Naming

# The program keeps its own limits (it must deploy without the checker); the checker's table, kept equal to
# botocore's service models where they carry a limit, is the one truth both must agree with.
LIMITS_BY_TYPE = {
    "LOAD_BALANCER": "aws:lb/loadBalancer:LoadBalancer",
    "TARGET_GROUP": "aws:lb/targetGroup:TargetGroup",
    "ELASTICACHE_REPLICATION_GROUP": "aws:elasticache/replicationGroup:ReplicationGroup",
    "S3_BUCKET": "aws:s3/bucket:Bucket",
    "RDS_IDENTIFIER": "aws:rds/cluster:Cluster",
    "IAM_ROLE": "aws:iam/role:Role",
    "LAMBDA_FUNCTION": "aws:lambda/function:Function",
}


@pytest.mark.parametrize(("constant", "token"), sorted(LIMITS_BY_TYPE.items()))
def test_name_limits_are_the_checkers(constant, token):
    assert getattr(naming, constant) == NAME_LIMITS[token].max_len


def test_auto_name_suffix_is_the_checkers():
    assert AUTO_NAME_SUFFIX == AUTONAME_SUFFIX


def test_names_join_prefix_role_and_suffix():
    assert Naming("tap", "dev").name("vpc") == "tap-vpc-dev"


def test_longest_prefix_and_suffix_fit_a_load_balancer_name():
    naming = Naming("a" * 8, "b" * 10)
    assert len(naming.name("alb", limit=LOAD_BALANCER)) + AUTO_NAME_SUFFIX <= LOAD_BALANCER


def test_a_name_beyond_its_limit_is_refused():
    with pytest.raises(ValueError, match="AWS allows 24 here"):
        Naming("a" * 8, "b" * 10).name("toolong", limit=LOAD_BALANCER)


@pytest.mark.parametrize("suffix", ["", "Dev", "pr-1", "a" * 11])
def test_invalid_suffixes_are_refused(suffix):
    with pytest.raises(ValueError, match="environmentSuffix"):
        Naming("tap", suffix)


@pytest.mark.parametrize("prefix", ["", "1tap", "Tap", "a" * 9])
def test_invalid_prefixes_are_refused(prefix):
    with pytest.raises(ValueError, match="namePrefix"):
        Naming(prefix, "dev")
