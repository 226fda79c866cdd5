"""Resource names follow one pattern and stay within AWS limits."""

import pytest

from lib.naming import AUTO_NAME_SUFFIX, LOAD_BALANCER, Naming


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
