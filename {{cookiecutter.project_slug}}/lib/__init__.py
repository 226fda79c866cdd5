"""Infrastructure library: settings, naming, tags, the stack component and its parts."""
