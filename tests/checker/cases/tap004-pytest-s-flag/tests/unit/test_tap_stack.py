def test_module_imports():
    import lib.tap_stack
    assert hasattr(lib.tap_stack, "create")
