"""assetqa: asset QA and compliance gate for AI-generated marketing images."""

__version__ = "0.1.0"
