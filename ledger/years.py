"""Years of the accounts: the range the application keeps, and reading a year from what people type.

One reader for every place a year comes in (a page's ?year=, a form field, a cell of an uploaded
ledger), so "2023", " 2023 ", "２０２３", 2023.0 (Excel's number) and "2023年度" all mean 2023
everywhere, and anything else means no year.
"""

import re
import unicodedata

MIN_YEAR = 2000
MAX_YEAR = 2100

# Four digits, optionally followed by 年 or 年度, with spaces around ("2023", "2023年度").
_YEAR_TEXT = re.compile(r"\s*(\d{4})\s*(?:年度?)?\s*")


def parse_year(value: object) -> int | None:
    """The year `value` names if it is a whole year from MIN_YEAR to MAX_YEAR, else None.

    Accepts an int, a whole float (how spreadsheets hand over 2023) or text of four digits with an
    optional 年/年度; full-width digits count. Blank, "abc", "2023.5", "20234" and 1999 give None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        year = int(value)
    elif isinstance(value, str):
        match = _YEAR_TEXT.fullmatch(unicodedata.normalize("NFKC", value))
        if match is None:
            return None
        year = int(match.group(1))
    else:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None
