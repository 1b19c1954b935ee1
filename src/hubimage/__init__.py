"""hubimage: build, check, push and roll out a custom JupyterHub user image."""

__version__ = "0.1.0"
