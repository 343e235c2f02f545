"""Daily Papers: a static site generator for daily research-paper listings."""

__version__ = "0.1.0"
