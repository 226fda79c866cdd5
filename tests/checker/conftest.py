"""Checker tests: fixture repos hold their own (sometimes deliberately broken) tests; never collect them."""

collect_ignore_glob = ["fixtures/*"]
