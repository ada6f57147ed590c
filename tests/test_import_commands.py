"""`import_ledger` and `export_ledger`, as scripts use them: exit codes, messages, files."""

import csv
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ledger.models import ImportBatch, LedgerLine, LedgerYear
from villages.models import Town
from villages.selectors import TownNotFound, town_by_code_or_name

from .factories import make_ledger_year, make_town
from .importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "八桥镇2023.xlsx"
    path.write_bytes(xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES))
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_ledger_summarises_and_a_second_run_changes_nothing(world, ledger_file):
    out, _ = run("import_ledger", str(ledger_file), "--town", "八桥镇")
    assert "新建 2 个村年度" in out and ImportBatch.objects.count() == 1
    out, _ = run("import_ledger", str(ledger_file), "--town", world["baqiao"].code)
    assert "不变 2 个" in out and "没有任何改变" in out


def test_import_ledger_submit_flag_submits_what_it_writes(world, ledger_file):
    run("import_ledger", str(ledger_file), "--town", "八桥镇")
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}
    LedgerYear.objects.all().delete()
    run("import_ledger", str(ledger_file), "--town", "八桥镇", "--submit")
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"submitted"}


def test_import_ledger_dry_run_writes_nothing(world, ledger_file):
    out, _ = run("import_ledger", str(ledger_file), "--dry-run")
    assert "将新建 2 个村年度" in out
    assert not LedgerYear.objects.exists() and not ImportBatch.objects.exists()


def test_import_ledger_lists_every_problem_and_fails(world, tmp_path):
    rows = messy_wide_rows()
    rows[4][2], rows[5][1] = "abc", "不存在村"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(("收益分配", rows), merges=MESSY_WIDE_MERGES))
    err = io.StringIO()
    with pytest.raises(CommandError, match="发现 2 个问题"):
        call_command("import_ledger", str(path), stdout=io.StringIO(), stderr=err)
    assert "第 5 行" in err.getvalue() and "第 6 行" in err.getvalue() and "不存在村" in err.getvalue()
    assert not LedgerYear.objects.exists()


def test_import_ledger_unknown_town_and_missing_file_fail(world, ledger_file):
    with pytest.raises(CommandError, match="找不到乡镇"):
        run("import_ledger", str(ledger_file), "--town", "不存在镇")
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_ledger", str(ledger_file) + ".missing")


def test_import_ledger_exit_code_is_nonzero_on_problems(tmp_path):
    # Through a real process, as scripts call it (the suite's database is not visible there, so any
    # file fails: what matters is the exit code and the message on stderr).
    path = tmp_path / "junk.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    result = subprocess.run([sys.executable, "manage.py", "import_ledger", str(path), "--dry-run"],
                            capture_output=True, text=True, env={"DJANGO_SETTINGS_MODULE": "config.settings.test",
                                                                 "PATH": "/usr/bin:/bin",
                                                                 "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db")})
    assert result.returncode != 0
    assert "未写入任何数据" in result.stderr


def test_export_ledger_csv_long_layout_with_two_decimals(world, tmp_path):
    make_ledger_year(world["villages"]["长胜村"], 2023, {("contract_remittance", "商铺出租"): "500000",
                                                        "operating_revenue": "1234.5"})
    make_ledger_year(world["villages"]["新坝村"], 2022, {"operating_revenue": "1"})
    path = tmp_path / "out.csv"
    out, _ = run("export_ledger", "--output", str(path), "--year", "2023", "--town", "八桥镇")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    assert rows[0] == ["区划代码", "乡镇", "村", "年度", "科目", "项目", "金额(元)", "备注"]
    assert rows[1:] == [["321182103201", "八桥镇", "长胜村", "2023", "经营收入", "", "1234.50", ""],
                        ["321182103201", "八桥镇", "长胜村", "2023", "发包及上交收入", "商铺出租", "500000.00", ""]]
    assert "1 个村年度" in out


def test_export_ledger_xlsx_round_trips_through_import(world, tmp_path):
    make_ledger_year(world["villages"]["长胜村"], 2023, {("contract_remittance", "商铺出租"): "500000.10"})
    LedgerLine.objects.update(note="六间商铺，三年一签")
    path = tmp_path / "out.xlsx"
    run("export_ledger", "--output", str(path))
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[2]] == ["区划代码", "乡镇", "村", "年度", "科目", "项目", "金额(元)", "备注"]
    LedgerLine.objects.all().delete()
    out, _ = run("import_ledger", str(path))
    assert "修改 1 个" in out
    line = LedgerLine.objects.get()
    assert (line.amount, line.note) == (Decimal("500000.10"), "六间商铺，三年一签")


def test_export_ledger_refuses_unknown_extension(world, tmp_path):
    with pytest.raises(CommandError, match=".csv 或 .xlsx"):
        run("export_ledger", "--output", str(tmp_path / "out.txt"))


def test_full_width_punctuation_in_project_names_and_notes_is_kept(world, tmp_path):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {("contract_remittance", "商铺出租（6间）"): "5"})
    LedgerLine.objects.update(note="三年一签，按季收租")
    path = tmp_path / "out.xlsx"
    run("export_ledger", "--output", str(path))
    out, _ = run("import_ledger", str(path))
    assert "不变 1 个" in out  # the same names and notes: nothing to change
    line = ly.lines.get()
    assert (line.name, line.note) == ("商铺出租（6间）", "三年一签，按季收租")


@pytest.mark.parametrize("text", ["321182103", "321182103000", "八桥镇", " 八桥 ", "八桥镇人民政府", "３２１１８２１０３"])
def test_a_town_is_named_by_code_or_by_name_with_or_without_its_suffix(world, text):
    assert town_by_code_or_name(text) == world["baqiao"]


def test_a_name_several_towns_answer_to_asks_for_the_code(world):
    make_town(world["qinyang"], 201, "八桥乡")
    with pytest.raises(TownNotFound, match="有多个乡镇名为“八桥”，请使用乡镇的区划代码"):
        town_by_code_or_name("八桥")
    assert town_by_code_or_name("八桥镇") == world["baqiao"]  # the full name is unambiguous


def test_a_town_outside_the_scope_is_not_found_and_the_message_says_it_may_be_out_of_reach(world):
    scope = Town.objects.filter(county=world["yangzhong"])
    assert town_by_code_or_name("新坝", towns=scope) == world["xinba"]
    with pytest.raises(TownNotFound, match="找不到乡镇“紫陵镇”（或不在您的管辖范围内）"):
        town_by_code_or_name("紫陵镇", towns=scope)
    with pytest.raises(TownNotFound, match="没有代码为 410882105 的乡镇（或不在您的管辖范围内）"):
        town_by_code_or_name("410882105", towns=scope)


def test_export_ledger_takes_the_town_without_its_suffix_and_names_an_unknown_one(world, tmp_path):
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"})
    make_ledger_year(world["villages"]["新坝村"], 2023, {"other_income": "7"})
    out, _ = run("export_ledger", "--output", str(tmp_path / "a.csv"), "--town", "八桥")
    assert "已导出 1 个村年度" in out
    with pytest.raises(CommandError, match="找不到乡镇“不存在”。"):
        run("export_ledger", "--output", str(tmp_path / "b.csv"), "--town", "不存在")


def test_import_ledger_skips_approved_village_years_only_when_asked(world, ledger_file):
    approved = make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    with pytest.raises(CommandError):
        run("import_ledger", str(ledger_file), "--town", "八桥镇")
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"], year=2023).exists()
    out, _ = run("import_ledger", str(ledger_file), "--town", "八桥镇", "--skip-refused")
    assert "跳过：八桥镇长胜村 2023 年的账" in out and "第 5 行" in out
    assert "新建 1 个村年度" in out and "跳过 1 个" in out
    assert LedgerYear.objects.filter(village=world["villages"]["幸福村"], year=2023).exists()
    assert [(line.item.code, line.amount) for line in approved.lines.all()] == [("other_income", Decimal("5.00"))]
