"""Elasticsearch side of the pipeline: templates, pure document builders, bulk writer."""
