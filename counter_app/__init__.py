"""counter-app: offline counter interpretation for Japanese ward offices."""

__version__ = "0.1.0"
