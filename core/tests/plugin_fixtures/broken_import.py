"""A package that cannot even be imported."""

raise ImportError("this package needs a module that is not installed")
