"""Hostile text in every free-text field a user can fill is shown as text, never run: pages escape it and
spreadsheet exports neutralise what Excel/WPS would read as a formula.

The texts go in through the same paths users use (the entry service, the workflow, an upload, the
tier settings service, the records the admin keeps); the pages and files are then read as a user
would get them.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from ledger.importing import services
from ledger.models import ImportBatch

from . import hostile_data
from .importfiles import csv_bytes, xlsx

SCRIPT, ATTRIBUTE, FORMULAS, HOSTILE = (hostile_data.SCRIPT, hostile_data.ATTRIBUTE, hostile_data.FORMULAS,
                                       hostile_data.HOSTILE)
RAW_MARKUP = ["<script>alert(1)", "<img src=x onerror"]
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture
def hostile(db):
    return hostile_data.build()


def assert_shown_as_text(response, *texts):
    """The page holds no live markup from the data, and each text appears in its escaped form."""
    assert response.status_code == 200
    html = response.content.decode()
    for raw in RAW_MARKUP:
        assert raw not in html
    for text in texts:
        assert escape(text) in html, f"{text!r} is not shown (escaped) on the page"


def cell_texts(data: bytes) -> list[str]:
    """Every text cell of every sheet; a formula cell fails the test outright."""
    workbook = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def assert_neutralised(texts: list[str], *expected):
    assert not [text for text in texts if text.startswith(FORMULA_START)]
    for text in expected:
        shown = "'" + text if text.startswith(FORMULA_START) else text
        assert shown in texts, f"{text!r} is missing from the file"


# Pages --------------------------------------------------------------------------------------------------

def test_village_year_page_with_its_form_and_history_shows_hostile_text_as_text(client, hostile):
    client.force_login(hostile["cadre"])
    village = hostile["villages"][0]
    draft = client.get(reverse("ledger:village_year", args=[village.pk, 2024]))
    assert_shown_as_text(draft, *HOSTILE)  # village name, 项目 names and notes inside the inputs
    approved = client.get(reverse("ledger:village_year", args=[village.pk, 2023]))
    # Lines, the explanation kept with the change and the reason it was sent back, in the history.
    assert_shown_as_text(approved, SCRIPT, ATTRIBUTE, "=cmd|' /C calc'!A0（变动说明）", SCRIPT + ATTRIBUTE)


def test_town_pages_show_hostile_town_and_village_names_as_text(client, hostile):
    client.force_login(hostile["staff"])
    assert_shown_as_text(client.get(reverse("ledger:town_list") + "?year=2023"), SCRIPT + "镇", ATTRIBUTE)
    assert_shown_as_text(client.get(reverse("ledger:town_villages", args=[hostile["town"].pk])), *HOSTILE)


def test_import_list_preview_and_problems_show_hostile_names_and_cells_as_text(client, hostile):
    client.force_login(hostile["staff"])
    # Matched by code: the page shows the names as stored.
    rows = [["区划代码", "年度", "经营收入"], *[[village.code, 2025, 12] for village in hostile["villages"]]]
    client.post(reverse("ledger:import_upload"), {
        "file": SimpleUploadedFile(ATTRIBUTE + ".xlsx", xlsx(("收益分配", rows))), "town": hostile["town"].pk})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.READY, batch.errors
    preview = client.get(reverse("ledger:import_detail", args=[batch.pk]))
    assert_shown_as_text(preview, ATTRIBUTE + ".xlsx", SCRIPT + "镇", *HOSTILE)

    broken = [["村名", "年度", "经营收入"], [SCRIPT + "新村", 2025, 1], ["+1+1", 2025, ATTRIBUTE]]
    client.post(reverse("ledger:import_upload"), {
        "file": SimpleUploadedFile("=cmd|' calc'!A0.xlsx", xlsx(("表", broken))), "town": hostile["town"].pk})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.INVALID
    problems = client.get(reverse("ledger:import_detail", args=[batch.pk]))
    assert_shown_as_text(problems, SCRIPT + "新村", ATTRIBUTE)
    assert_shown_as_text(client.get(reverse("ledger:import_list")), ATTRIBUTE + ".xlsx", "=cmd|' calc'!A0.xlsx")
    downloaded = client.get(reverse("ledger:import_file", args=[batch.pk]))
    assert "\n" not in downloaded["Content-Disposition"] and downloaded["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("url_name, texts", [
    ("dashboards:overview", [SCRIPT + "镇"]),
    ("dashboards:villages", HOSTILE),
    ("dashboards:towns", [SCRIPT + "镇"]),
    ("dashboards:tiers", [SCRIPT + "镇", SCRIPT, "=cmd|' /C calc'!A0"]),
    ("dashboards:organizations", [SCRIPT + "联合党委", ATTRIBUTE, "=cmd|' /C calc'!A0", "+1+1"]),
])
def test_dashboards_show_hostile_names_and_labels_as_text(client, hostile, url_name, texts):
    client.force_login(hostile["official"])
    assert_shown_as_text(client.get(reverse(url_name), {"year": 2023}), *texts)


def test_village_profile_shows_hostile_names_organisations_and_enterprises_as_text(client, hostile):
    client.force_login(hostile["official"])
    response = client.get(reverse("dashboards:village", args=[hostile["villages"][0].pk]), {"year": 2023})
    assert_shown_as_text(response, SCRIPT, SCRIPT + "联合党委", ATTRIBUTE, ATTRIBUTE + "强村公司")


def test_charts_carry_hostile_names_only_as_escaped_json(client, hostile):
    client.force_login(hostile["official"])
    html = client.get(reverse("dashboards:villages"), {"year": 2023}).content.decode()
    chart = html.split('<script type="application/json"', 1)[1].split("</script>", 1)[0]
    data = chart.split(">", 1)[1]
    assert "\\u003cscript\\u003ealert(1)" in data and "<" not in data and ">" not in data


# Files ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["long", "wide"])
def test_ledger_exports_neutralise_formula_like_names_and_items(client, hostile, layout):
    client.force_login(hostile["staff"])
    response = client.get(reverse("ledger:ledger_export"), {"layout": layout, "year": 2023})
    texts = cell_texts(response.content)
    assert_neutralised(texts, *HOSTILE)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_ledger_command_neutralises_formula_like_text(hostile, tmp_path, suffix):
    output = tmp_path / f"ledger{suffix}"
    call_command("export_ledger", output=str(output), stdout=io.StringIO())
    if suffix == ".xlsx":
        texts = cell_texts(output.read_bytes())
    else:
        texts = [value for row in csv.reader(io.StringIO(output.read_text("utf-8"))) for value in row]
    assert_neutralised(texts, *HOSTILE)


@pytest.mark.parametrize("url_name, params, expected", [
    ("dashboards:villages", {}, HOSTILE),
    ("dashboards:villages", {"sort": "name", "top": "10"}, FORMULAS),
    ("dashboards:towns", {}, [SCRIPT + "镇", "=cmd|' /C calc'!A0占比（%）"]),
    ("dashboards:tiers", {}, [SCRIPT + "镇", SCRIPT, "=cmd|' /C calc'!A0", "@SUM(1)"]),
    ("dashboards:organizations", {}, [SCRIPT + "联合党委", "=cmd|' /C calc'!A0", "+1+1"]),
])
def test_dashboard_table_exports_neutralise_formula_like_text(client, hostile, url_name, params, expected):
    client.force_login(hostile["official"])
    response = client.get(reverse(url_name), {"year": 2023, "export": "xlsx", **params})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_neutralised(cell_texts(response.content), *expected)


def test_village_profile_export_neutralises_formula_like_names(client, hostile):
    client.force_login(hostile["official"])
    village = hostile["villages"][2]  # =cmd|' /C calc'!A0
    response = client.get(reverse("dashboards:village", args=[village.pk]), {"year": 2023, "export": "xlsx"})
    texts = cell_texts(response.content)
    assert not [text for text in texts if text.startswith(FORMULA_START)]
    assert any("=cmd|' /C calc'!A0" in text for text in texts)


def test_import_template_neutralises_formula_like_village_and_town_names(client, hostile):
    client.force_login(hostile["staff"])
    response = client.get(reverse("ledger:import_template"), {"town": hostile["town"].pk, "year": 2025})
    assert_neutralised(cell_texts(response.content), *HOSTILE)


# Files coming back in ------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_exported_file_with_formula_like_names_imports_back_unchanged(hostile, tmp_path, suffix):
    # The quote that neutralises "+1+1" on the way out is not part of the 项目 name on the way back.
    # (The long layout has no 备注 column, so the draft's notes are cleared first.)
    draft = hostile["villages"][0].ledger_years.get(year=2024)
    draft.lines.update(note="")
    output = tmp_path / f"ledger{suffix}"
    call_command("export_ledger", output=str(output), year=2024, stdout=io.StringIO())
    check = services.import_check(data=output.read_bytes())
    assert check.ok, [str(problem) for problem in check.problems]
    assert [row["action"] for row in check.plan.rows] == ["unchanged"]
    assert {name for _, name in next(iter(check.parsed.statements.values()))} == set(HOSTILE)


def test_template_drop_down_names_of_formula_like_villages_import_back(client, hostile):
    client.force_login(hostile["staff"])
    response = client.get(reverse("ledger:import_template"), {"town": hostile["town"].pk, "year": 2025})
    workbook = load_workbook(io.BytesIO(response.content))
    long = workbook["明细（长表）"]
    choices = [row[0] for row in workbook["选项"].iter_rows(values_only=True) if row[0]]
    long.append([choices[2], "经营收入", "+1+1", 12.5, "@SUM(1)"])  # =cmd|' /C calc'!A0, as the drop-down gives it
    buffer = io.BytesIO()
    workbook.save(buffer)
    check = services.import_check(data=buffer.getvalue(), town=hostile["town"])
    assert check.ok, [str(problem) for problem in check.problems]
    assert [(row["village_id"], row["total_income"]) for row in check.plan.rows] == [
        (hostile["villages"][2].pk, "125000.00")]
    assert [(line.name, line.note) for line in next(iter(check.parsed.statements.values())).values()] == [
        ("+1+1", "@SUM(1)")]


# Text typed into the address bar or a search box -----------------------------------------------------------

@pytest.mark.parametrize("url_name", ["dashboards:overview", "dashboards:villages", "dashboards:towns",
                                      "dashboards:tiers", "dashboards:organizations", "ledger:town_list",
                                      "ledger:import_list"])
def test_hostile_query_parameters_are_never_echoed_as_markup(client, hostile, url_name):
    client.force_login(hostile["staff"])
    params = dict.fromkeys(("q", "year", "metric", "tier", "sort", "top", "page", "by", "submitted", "weak", "unit"),
                           SCRIPT + ATTRIBUTE)
    response = client.get(reverse(url_name), params)
    html = response.content.decode()
    assert response.status_code == 200
    for raw in RAW_MARKUP:
        assert raw not in html


def test_search_box_keeps_hostile_text_as_the_typed_value(client, hostile):
    client.force_login(hostile["official"])
    response = client.get(reverse("dashboards:villages"), {"year": 2023, "q": SCRIPT})
    assert_shown_as_text(response, SCRIPT)
    assert f'value="{escape(SCRIPT)}"' in response.content.decode()


def test_login_page_does_not_echo_a_hostile_next_address(client, db):
    html = client.get(reverse("login"), {"next": '"><script>alert(1)</script>'}).content.decode()
    for raw in RAW_MARKUP:
        assert raw not in html


# Control characters (\x01, \x7f, \x0b from Word) ---------------------------------------------------------

@pytest.fixture
def controls(db):
    return hostile_data.build_with_controls()


def assert_readable(texts: list[str], *expected):
    for text in texts:
        assert not any(ch in text for ch in "\x01\x7f\x1f\x08\x0b"), repr(text)
    for text in expected:
        assert any(text in cell for cell in texts), f"{text!r} is missing from the file"


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_ledger_export_with_control_characters_in_names_and_lines_works(client, controls, layout):
    client.force_login(controls["staff"])
    response = client.get(reverse("ledger:ledger_export"), {"layout": layout, "year": 2023})
    assert response.status_code == 200
    texts = cell_texts(response.content)
    assert_readable(texts, "长胜0村", "长胜4村", *(["厂房租金"] if layout == "long" else []))


def test_import_template_with_control_characters_in_town_and_village_names_works(client, controls):
    client.force_login(controls["staff"])
    response = client.get(reverse("ledger:import_template"), {"town": controls["town"].pk, "year": 2025})
    assert response.status_code == 200
    assert_readable(cell_texts(response.content), "长胜1村", "八桥\n镇")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_ledger_command_with_control_characters_writes_the_file(controls, tmp_path, suffix):
    output = tmp_path / f"ledger{suffix}"
    call_command("export_ledger", output=str(output), stdout=io.StringIO(), stderr=io.StringIO())
    if suffix == ".xlsx":
        texts = cell_texts(output.read_bytes())
    else:
        texts = [value for row in csv.reader(io.StringIO(output.read_text("utf-8"))) for value in row]
    assert_readable(texts, "长胜3村", "长\n胜2村", "厂房租金")


def test_dashboard_export_with_control_characters_in_names_works(client, controls):
    client.force_login(controls["official"])
    response = client.get(reverse("dashboards:villages"), {"year": 2023, "export": "xlsx"})
    assert response.status_code == 200
    assert_readable(cell_texts(response.content), "长胜3村")


def test_import_stores_项目_and_备注_without_control_characters(controls):
    rows = [["村名", "年度", "科目", "项目", "金额", "备注"],
            *[[f"长{control}胜{i}村", 2025, "经营收入", f"厂房{control}租金", 100, f"备{control}注"]
              for i, control in enumerate(hostile_data.CONTROLS)]]
    check = services.import_check(data=csv_bytes(rows), town=controls["town"])  # openpyxl cannot write them
    assert check.ok, [str(p) for p in check.problems]
    lines = [line for statement in check.parsed.statements.values() for line in statement.values()]
    assert {line.name for line in lines} == {"厂房租金", "厂房 租金"}  # Word's line break is a space in a 项目
    assert {line.note for line in lines} == {"备注", "备 注"}


@pytest.mark.parametrize("raw, clean", [
    ("长\x01胜村", "长胜村"), ("a\x7fb", "ab"), ("第一行\x0b第二行", "第一行\n第二行"), ("\x00\x1f x \x08", "x"),
    ("tab\tkept\r\nline", "tab\tkept\nline"), ("e\u0301", "é"), ("（全角，）", "（全角，）"), (None, ""), (12, "12"),
])
def test_clean_text_strips_control_characters_and_keeps_what_was_written(raw, clean):
    from ledger.text import clean_text

    assert clean_text(raw) == clean
