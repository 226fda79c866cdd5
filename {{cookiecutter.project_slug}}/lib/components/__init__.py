"""One ComponentResource per part of the stack, each with a typed args dataclass."""
