"""Ways papers come in: arXiv (`papers new`), the Hugging Face API, a daily page's text.

The settings the command line names are here, so that it need not load an importer (and
its network code) to describe them.
"""

ARXIV_ENDPOINT_ENV = "PAPERS_ARXIV_ENDPOINT"
HF_ENDPOINT_ENV = "PAPERS_HF_ENDPOINT"
HF_DEFAULT_DELAY = 1.0  # seconds between two days fetched, to be polite to the API
