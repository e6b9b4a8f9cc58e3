"""SHAP values for every model in the zoo, as tidy frames and plotly-ready pieces.

`explain(pipeline, frame)` explains many rows (sampled, cached); `explain_request` one
request or a what-if; `core.explain.figures` turns results into plotly figures.
"""

from core.explain.api import DEFAULT_SAMPLE, clear_cache, explain, explain_request, explain_row
from core.explain.result import Explanation, RequestExplanation
from core.explain.whatif import Field, filter_rows, whatif_fields, whatif_request

__all__ = ["DEFAULT_SAMPLE", "Explanation", "Field", "RequestExplanation", "clear_cache",
           "explain", "explain_request", "explain_row", "filter_rows", "whatif_fields",
           "whatif_request"]
