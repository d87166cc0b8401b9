"""A commented scenario template for ``forecast scenario new``."""

from __future__ import annotations

import json
from importlib import resources


def template_text(name: str, *, file_name: str) -> str:
    """The template with its name and file filled in; it passes ``forecast scenario check`` as written."""
    text = resources.files("crimecast.scenarios").joinpath("template.yaml").read_text(encoding="utf-8")
    return text.format(name=json.dumps(name), file=file_name)
