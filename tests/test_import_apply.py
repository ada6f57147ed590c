"""Writing imports: all-or-nothing, idempotent, history pointing at the batch, locked years, undo."""

from decimal import Decimal

import pytest

from ledger import services
from ledger.importing import services as imports
from ledger.models import ImportBatch, LedgerLine, LedgerYear, LedgerYearEvent

from .factories import item_for_year, make_ledger_year
from .importfiles import MESSY_WIDE_MERGES, csv_bytes, messy_wide_rows, xlsx


def messy_file(year=2023):
    return xlsx(("收益分配", messy_wide_rows(year)), merges=MESSY_WIDE_MERGES)


def run(data, **kwargs):
    return imports.import_ledger_file(data=data, filename="八桥镇.xlsx", **kwargs)


def test_import_writes_lines_figures_history_and_events(world, people):
    check, batch = run(messy_file(), actor=people["dave"])
    assert batch.status == ImportBatch.Status.APPLIED and batch.years_created == 2
    ly = LedgerYear.objects.get(village=world["villages"]["长胜村"], year=2023)
    assert ly.total_income == Decimal("11505000.00")  # 1150.5 万元, as the file's 总收入 column says
    assert ly.net_income == Decimal("11305000.00")
    history = LedgerLine.history.filter(ledger_year_id=ly.pk)
    assert history.count() == 4
    assert {(h.history_source, h.history_batch_id, h.history_user_id) for h in history} == {
        ("import", batch.pk, people["dave"].pk)}
    assert list(ly.events.values_list("action", flat=True)) == ["create", "import"]


def test_same_file_again_changes_nothing_and_says_so(world):
    run(messy_file())
    version = LedgerYear.objects.get(village=world["villages"]["长胜村"], year=2023).version
    history = LedgerLine.history.count()
    check, batch = run(messy_file())
    assert check.plan.count("unchanged") == 2 and check.plan.count("changed") == 0
    assert batch.years_unchanged == 2
    assert LedgerYear.objects.get(village=world["villages"]["长胜村"], year=2023).version == version
    assert LedgerLine.history.count() == history


def test_file_replaces_covered_village_years_and_leaves_others_alone(world):
    changsheng = world["villages"]["长胜村"]
    make_ledger_year(changsheng, 2023, {"other_income": "5", ("operating_revenue", "旧项目"): "7"})
    other = make_ledger_year(world["villages"]["八桥村"], 2023, {"other_income": "9"})
    check, batch = run(messy_file())
    assert batch.years_changed == 1 and batch.years_created == 1
    codes = set(LedgerLine.objects.filter(ledger_year__village=changsheng).values_list("item__code", "name"))
    assert codes == {("operating_revenue", ""), ("contract_remittance", ""), ("subsidy_income", ""),
                     ("admin_expense", "")}
    assert LedgerLine.objects.filter(ledger_year=other).count() == 1


def test_a_bad_row_rejects_the_whole_file_and_writes_nothing(world):
    rows = messy_wide_rows()
    rows[5][2] = "八十"
    check, batch = run(xlsx(("收益分配", rows), merges=MESSY_WIDE_MERGES))
    assert batch is None and check.problems
    assert LedgerYear.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_approved_village_years_are_refused_not_overwritten(world, people):
    locked = make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    check, batch = run(messy_file())
    assert batch is None
    assert any("已审核锁定" in p.reason for p in check.problems)
    assert LedgerLine.objects.get(ledger_year=locked).amount == Decimal("5.00")
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()


def test_year_approved_between_preview_and_confirm_is_refused_at_apply(world, people):
    batch = imports.import_batch_create(data=messy_file(), filename="a.xlsx", actor=people["dave"])
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY
    make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"}, status="approved")
    imports.import_batch_apply(batch=batch, actor=people["dave"])
    assert batch.status == ImportBatch.Status.INVALID
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()


def test_undo_restores_previous_lines_and_removes_years_the_import_created(world, people):
    changsheng = world["villages"]["长胜村"]
    before = make_ledger_year(changsheng, 2023, {"other_income": "5"})
    check, batch = run(messy_file(), actor=people["dave"])
    imports.import_batch_undo(batch=batch, actor=people["dave"])
    before.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert [(line.item.code, line.amount) for line in before.lines.all()] == [("other_income", Decimal("5.00"))]
    assert before.total_income == Decimal("5.00")
    assert not LedgerYear.objects.filter(village=world["villages"]["幸福村"]).exists()
    assert before.events.filter(action=LedgerYearEvent.Action.UNDO_IMPORT).exists()
    assert LedgerLine.history.filter(history_batch_id=batch.pk, history_type="-").exists()


def test_undo_is_refused_once_a_year_is_approved(world, people):
    check, batch = run(messy_file())
    ly = LedgerYear.objects.get(village=world["villages"]["长胜村"], year=2023)
    services.ledger_year_transition(ledger_year=ly, action="submit")
    services.ledger_year_transition(ledger_year=ly, action="approve")
    with pytest.raises(services.LedgerLocked):
        imports.import_batch_undo(batch=batch)
    assert LedgerLine.objects.filter(ledger_year=ly).count() == 4


def _written(ledger_year):
    """What a write left behind for one village-year: lines, figures and the history of its lines."""
    ledger_year.refresh_from_db()
    lines = sorted(ledger_year.lines.values_list("item__code", "name", "amount", "note"))
    figures = {name: getattr(ledger_year, name) for name in LedgerYear.FIGURES}
    history = sorted(LedgerLine.history.filter(ledger_year_id=ledger_year.pk).values_list(
        "history_type", "item__code", "name", "amount", "note", "history_source", "history_user_id"))
    return lines, figures, history


def test_single_year_form_save_and_import_share_one_path(world, people):
    # 长胜村 2023 is typed on the village-year page; a file then states the same statement for it and
    # for 幸福村 2023: both paths must write the same lines, figures and history (only the source differs).
    changsheng, xingfu = world["villages"]["长胜村"], world["villages"]["幸福村"]
    statement = [("operating_revenue", "", "120500.25", ""), ("contract_remittance", "标准化厂房租金", "300000", "三栋"),
                 ("contract_remittance", "商铺出租", "50000.5", ""), ("subsidy_income", "", "10000", ""),
                 ("admin_expense", "", "20000", "")]
    services.ledger_year_save_statement(
        village=changsheng, year=2023, actor=people["alice"], expected_version=0, reason="年报",
        lines=[services.LineInput(item_id=item_for_year(2023, code).pk, name=name, amount=Decimal(amount), note=note)
               for code, name, amount, note in statement])
    names = {"operating_revenue": "经营收入", "contract_remittance": "发包及上交收入", "subsidy_income": "补助收入",
             "admin_expense": "管理费用"}
    rows = [["年度", "乡镇", "村", "科目", "项目", "金额（元）", "备注"]] + [
        [2023, "八桥镇", village, names[code], name, amount, note]
        for village in ("长胜村", "幸福村") for code, name, amount, note in statement]
    check, batch = imports.import_ledger_file(data=csv_bytes(rows), filename="八桥镇2023.csv", actor=people["alice"])
    assert batch.status == ImportBatch.Status.APPLIED, [str(p) for p in check.problems]
    assert (check.plan.count("unchanged"), check.plan.count("created")) == (1, 1)  # the form's year: nothing to do

    by_form = LedgerYear.objects.get(village=changsheng, year=2023)
    by_file = LedgerYear.objects.get(village=xingfu, year=2023)
    form_lines, form_figures, form_history = _written(by_form)
    file_lines, file_figures, file_history = _written(by_file)
    assert form_lines == file_lines == sorted(
        (code, name, Decimal(amount).quantize(Decimal("0.01")), note) for code, name, amount, note in statement)
    assert form_figures == file_figures and form_figures["operating_income"] == Decimal("470500.75")
    assert {row[5] for row in form_history} == {"form"} and {row[5] for row in file_history} == {"import"}
    assert [row[:5] + row[6:] for row in form_history] == [row[:5] + row[6:] for row in file_history]
    assert len(form_history) == len(statement) and {row[0] for row in form_history} == {"+"}
    assert set(LedgerLine.history.filter(ledger_year_id=by_file.pk).values_list("history_batch_id", flat=True)) == {
        batch.pk}


def test_emptying_a_statement_on_the_form_deletes_its_lines_with_history(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2022, {"other_income": "5"})
    changes = services.ledger_year_replace_lines(ledger_year=ly, lines=[], source="form")
    assert changes.deleted and ly.version == 3 and ly.total_income == 0
    assert LedgerLine.history.filter(history_type="-", history_source="form").count() == 1


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly(world):
    name = "厂房\t租金\\二期\n（东）"
    ly = make_ledger_year(world["villages"]["长胜村"], 2022, {("operating_revenue", name): "1.5"})
    line = LedgerLine.objects.get(ledger_year=ly)
    assert line.name == name and line.amount == Decimal("1.50")
    assert LedgerLine.history.get(id=line.pk).name == name


def test_import_with_submit_puts_what_it_wrote_up_for_review_and_undo_puts_drafts_back(world, people):
    changsheng, xingfu = world["villages"]["长胜村"], world["villages"]["幸福村"]
    draft = make_ledger_year(changsheng, 2023, {"other_income": "5"})
    unchanged_elsewhere = make_ledger_year(world["villages"]["八桥村"], 2023, {"other_income": "9"})
    check, batch = run(messy_file(), actor=people["dave"], submit=True)
    assert batch.submit and batch.status == ImportBatch.Status.APPLIED
    draft.refresh_from_db()
    created = LedgerYear.objects.get(village=xingfu, year=2023)
    assert (draft.status, created.status) == ("submitted", "submitted")
    assert draft.submitted_at == batch.applied_at
    assert list(draft.events.values_list("action", "from_status", "to_status", "actor_id")) == [
        ("create", "", "draft", None), ("import", "draft", "draft", people["dave"].pk),
        ("submit", "draft", "submitted", people["dave"].pk)]
    assert LedgerYear.history.filter(id=draft.pk, status="submitted").exists()
    unchanged_elsewhere.refresh_from_db()
    assert unchanged_elsewhere.status == "draft"  # not in the file: not touched

    imports.import_batch_undo(batch=batch, actor=people["dave"])
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.total_income == Decimal("5.00")
    assert draft.events.last().action == LedgerYearEvent.Action.UNDO_IMPORT
    assert not LedgerYear.objects.filter(pk=created.pk).exists()


def test_reimport_with_submit_changes_nothing_when_the_file_is_the_same(world):
    run(messy_file())  # as drafts
    again, batch = run(messy_file(), submit=True)
    assert again.plan.count("unchanged") == 2
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}


def test_submitted_import_counts_in_the_ranking_with_submitted_figures(world, people):
    from dashboards import selectors
    from dashboards.rules import scope_rules

    run(messy_file(), submit=True)
    scope = selectors.Scope(county=world["yangzhong"])
    rules = scope_rules([world["yangzhong"].pk])
    approved, _ = selectors.ranked_villages(scope=scope, year=2023, year_statuses=selectors.APPROVED,
                                            metric="total_income", rules=rules)
    with_submitted, _ = selectors.ranked_villages(scope=scope, year=2023, year_statuses=selectors.statuses(True),
                                                  metric="total_income", rules=rules)
    assert approved == []
    assert [(row.village_id, row.value) for row in with_submitted][:1] == [
        (world["villages"]["长胜村"].pk, Decimal("11505000.00"))]
