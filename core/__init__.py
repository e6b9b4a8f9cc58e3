"""Serverless routing lab: load-test data -> labels -> honest models -> simulation -> deployment.

This package never imports streamlit; the dashboard in pages/ is a thin view over it.
"""

__version__ = "0.1.0"
