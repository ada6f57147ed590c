"""A cell's value as the text that the parser and the place matcher compare."""

import unicodedata

from ..text import clean_text as clean_free_text
from ..text import strip_controls


def clean_text(value) -> str:
    """NFKC-normalised and trimmed (full-width digits and letters become ASCII), control characters
    dropped; 12.0 reads as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", strip_controls(str(value))).strip()


def stored_text(value) -> str:
    """Free text to keep (项目 names, notes): as written, without control characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_free_text(value)
