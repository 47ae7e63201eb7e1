"""quayside_greeting: a tiny pure-Python package, shipped as a wheel in
vendor/wheels to show that requirements install offline."""

__version__ = "1.0.0"


def greet(who):
    return f"Hello from the {who} (quayside_greeting {__version__})"
