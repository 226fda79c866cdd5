"""Checker tests: fixture repos and reported cases hold their own (sometimes deliberately broken) tests; never
collect them."""

collect_ignore_glob = ["fixtures/*", "cases/*"]
