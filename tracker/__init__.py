"""The Sefton Partnership plan tracker: the core, importable without Streamlit."""
