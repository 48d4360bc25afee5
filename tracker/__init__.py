"""The Sefton Partnership plan tracker: the core, importable without Streamlit."""

__version__ = "0.1.0"  # keep in step with pyproject.toml: a new version rebuilds every database
