"""Free text as it is kept: what people paste from Word, web pages and old systems carries control
characters (\\x01, \\x0b from Word's line breaks, \\x7f) that no one can see and that make every xlsx
export holding them fail (openpyxl refuses them). They are taken out on the way in (forms, admin,
imports) and again on the way out (ledger.spreadsheets), so no stored text can block an export.
"""

import re
import unicodedata

# C0 controls except \t \n \r, DEL, and the C1 controls; plus the noncharacters XML cannot hold.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Word's vertical tab (manual line break) and form feed stand for a line break; the rest for nothing.
_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def strip_controls(value: str) -> str:
    """`value` without control characters; line breaks that Word wrote as \\x0b or \\x0c become \\n."""
    return _CONTROL_RE.sub(lambda match: _BREAKS.get(match.group(), ""), value)


def clean_text(value) -> str:
    """Text to keep: control characters stripped (tabs and line breaks kept), \\r\\n made \\n, composed
    to NFC (the same characters typed on two systems compare equal), outer spaces trimmed.

    NFC, not NFKC: full-width punctuation people write in Chinese (，（）) stays as written.
    """
    if value is None:
        return ""
    text = strip_controls(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()
