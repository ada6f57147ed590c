"""Upload limits, through the upload page as staff use it: size, rows, and the type read from the bytes,
never from the file name. (The reader's own cases — zip bombs, truncated files, formulas without
values — are in test_import_parsing.py.)"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.models import ImportBatch, LedgerYear

from .importfiles import xlsx

# The start of a Windows program: "MZ", the DOS stub, and the zero padding before the PE header.
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + \
    b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
LONG_ROWS = [["村名", "年度", "科目", "项目", "金额(万元)"], ["长胜村", 2023, "经营收入", "厂房租金", "1,234.5"]]


@pytest.fixture
def staff_client(client, people):
    client.force_login(people["dave"])
    return client


def upload(client, name: str, data: bytes):
    return client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile(name, data)}, follow=True)


def test_file_over_the_size_limit_is_refused_and_not_kept(staff_client, world, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    response = upload(staff_client, "八桥镇2023.csv", b"a,b\r\n" * (1024 * 1024 // 5 + 1))
    assert "文件超过 1 MB 的上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_file_with_more_rows_than_the_limit_is_refused_whole(staff_client, world, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [LONG_ROWS[0], *[["长胜村", 2023, "经营收入", f"项目{n}", "1"] for n in range(10)]]
    response = upload(staff_client, "八桥镇2023.xlsx", xlsx(("明细", rows)))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    assert "文件共有 11 行，超过单次导入 5 行的上限" in response.content.decode()
    assert not LedgerYear.objects.exists()


def test_csv_text_under_an_xlsx_name_is_read_as_csv(staff_client, world):
    text = "村名,年度,科目,项目,金额(万元)\r\n长胜村,2023,经营收入,厂房租金,\"1,234.5\"\r\n"
    upload(staff_client, "八桥镇2023.xlsx", text.encode("gbk"))
    batch = ImportBatch.objects.get()
    assert (batch.file_format, batch.status) == ("csv", ImportBatch.Status.READY), batch.errors
    assert batch.preview[0]["total_income"] == "12345000.00"


def test_xlsx_under_a_csv_name_is_read_as_xlsx(staff_client, world):
    upload(staff_client, "八桥镇2023.csv", xlsx(("明细", LONG_ROWS)))
    batch = ImportBatch.objects.get()
    assert (batch.file_format, batch.status) == ("xlsx", ImportBatch.Status.READY), batch.errors


@pytest.mark.parametrize("name, data, reason", [
    ("八桥镇2023.xlsx", WINDOWS_EXE, "无法识别的文件格式"),
    ("八桥镇2023.exe", WINDOWS_EXE, "无法识别的文件格式"),
    ("八桥镇2023.csv", PNG, "无法识别的文件格式"),
    ("八桥镇2023.xlsx", None, "不是 Excel 工作簿"),  # a zip holding a program
])
def test_programs_images_and_other_archives_are_refused_whatever_their_name(staff_client, world, name, data,
                                                                            reason):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("setup.exe", WINDOWS_EXE)
        data = buffer.getvalue()
    response = upload(staff_client, name, data)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    assert reason in response.content.decode()
    assert not LedgerYear.objects.exists()


def test_upload_form_offers_only_spreadsheet_types(staff_client, world):
    page = staff_client.get(reverse("ledger:import_list")).content.decode()
    assert 'accept=".xlsx,.xls,.ods,.csv"' in page
