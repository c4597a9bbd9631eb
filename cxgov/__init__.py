"""cxgov: customer-experience program governance, configured as code."""

__version__ = "0.1.0"
