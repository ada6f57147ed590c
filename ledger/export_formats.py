"""django-import-export file formats for the admin's export buttons, with text neutralised like every
other export here (`ledger.spreadsheets.neutralize`): a village or enterprise named "=HYPERLINK(…)"
must not become a formula in the downloaded file. Listed in settings as EXPORT_FORMATS.

The library's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=" (changing the
text and leaving "+", "-", "@"), so it is not used.
"""

from import_export.formats import base_formats

from .spreadsheets import neutralize


def _neutralized(dataset):
    for index, row in enumerate(dataset):
        if any(isinstance(value, str) and neutralize(value) != value for value in row):
            dataset[index] = tuple(neutralize(value) for value in row)
    return dataset


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_neutralized(dataset), **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_neutralized(dataset), **kwargs)
