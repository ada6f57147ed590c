"""Journey (2) of issue 6, in a real browser: staff upload the messy yearly table a town sent, read the
preview, confirm, watch the background import finish, and find the imported figures in the village
ranking. A broken file shows every problem at once.

Every file counts as large here (IMPORT_BACKGROUND_MIN_KB = 0) and tasks go to the database queue, so
the pages take the background path of real use: a progress bar polled by `import_progress.js`, while the
test runs `manage.py db_worker --batch` in place of the worker process.
"""

import json
import signal

import pytest
from django.core.management import call_command

from ledger.models import ImportBatch, LedgerYear

from .. import factories
from ..importfiles import MESSY_WIDE_MERGES, xlsx

STATUS_URL = "**/ledger/imports/*/status/"


def messy_table(village_rows) -> bytes:
    """八桥镇's 2023 table as towns type it: title, unit line, 收入/支出 merged over two header rows,
    numbers typed as text with thousands separators, a 合计 row and a 填表人 footer."""
    rows = [
        ["八桥镇2023年度村级集体经济收益分配情况表", None, None, None, None, None, None, None],
        ["单位：万元", None, None, None, None, None, None, None],
        ["序号", "村名", "收入", None, None, "支出", "总收入", "本年收益"],
        [None, None, "经营收入", "发包及上交收入", "补助收入", "管理费", None, None],
        *village_rows,
        [None, "合计", "1,200.50", "30", "1,010.00", "25.25", "2,240.50", "2,215.25"],
        ["填表人：张三", None, None, "审核人：李四", None, None, None, "2024年1月15日"],
    ]
    return xlsx(("收益分配", rows), merges=MESSY_WIDE_MERGES)


GOOD_ROWS = [
    [1, "长胜", "1,120.50", "30", "1,000.00", "20.00", "2,150.50", "2,130.50"],
    [2, "幸福村", "80", None, "10", "5.25", "90", "84.75"],
]


@pytest.fixture
def background_imports(settings):
    settings.IMPORT_BACKGROUND_MIN_KB = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def watch_status(page) -> list[dict]:
    """Every status answer the page's script receives, read at the route (the page reloads at once)."""
    answers = []

    def through(route):
        response = route.fetch()
        answers.append(json.loads(response.text()))
        route.fulfill(response=response)

    page.route(STATUS_URL, through)
    return answers


def run_worker(page) -> None:
    """What `db_worker` does in production, once, while the page keeps polling.

    On SQLite the live server shares the test's in-memory connection, so no status request may run
    while the worker writes: wait until a poll has been answered, and hold the next ones at the route
    (Playwright only lets them through during its own calls) until the worker is done.
    """
    with page.expect_response(lambda response: "/status/" in response.url):
        pass
    # The worker installs its own Ctrl-C/TERM handlers and leaves them; pytest's are put back.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, queue_name="*", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def upload(page, name: str, data: bytes) -> None:
    page.set_input_files("input[name=file]", files=[{
        "name": name, "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation():
        page.click("button:has-text('上传并预览')")
    page.wait_for_load_state("networkidle")


def test_staff_imports_a_messy_table_watches_it_finish_and_the_ranking_shows_it(journey, background_imports):
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    changsheng = factories.make_village(town, 201, "长胜村")
    factories.make_village(town, 202, "幸福村")
    factories.make_user("staff", "staff", county=county)

    trip = journey("import-staff")
    page = trip.page
    statuses = watch_status(page)
    trip.login("staff")
    assert page.url.endswith("/ledger/imports/")  # staff land where their work is
    assert "上传台账文件" in page.content()
    trip.shot("import-page")

    # Upload: the file is checked by the worker; meanwhile the page shows a bar at 0 %.
    upload(page, "八桥镇2023年收益分配.xlsx", messy_table(GOOD_ROWS))
    assert page.locator("#import-progress").get_attribute("value") == "0"
    assert page.locator("#import-status").inner_text() == "排队中"
    trip.shot("checking")
    run_worker(page)
    page.wait_for_selector("button:has-text('确认导入')")  # the script reloaded the page when it was done

    # The preview, in 万元: 总收入, 经营性收入 and 本年收益 of each village, nothing written yet.
    preview = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
               for row in page.locator("table.preview tbody tr").all()]
    assert [row[1:3] + row[5:] for row in preview] == [
        ["长胜村", "2023", "2,150.50", "1,150.50", "2,130.50"],
        ["幸福村", "2023", "90.00", "80.00", "84.75"],
    ]
    assert "新建 2 个村年度" in page.content()
    assert not LedgerYear.objects.exists()
    trip.shot("preview")

    with page.expect_navigation():
        page.click("button:has-text('确认导入')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#import-progress").count() == 1  # the write runs in the background too
    trip.shot("applying")
    statuses.clear()
    run_worker(page)
    page.wait_for_selector("button:has-text('撤销这次导入')")
    assert statuses[0]["status"] == "queued"
    assert [statuses[-1][key] for key in ("status", "progress", "finished")] == ["applied", 100, True]
    assert page.locator("#import-status").inner_text() == "已导入"
    assert page.locator("#import-progress").count() == 0
    trip.shot("applied")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED and batch.progress == 100
    assert str(LedgerYear.objects.get(village=changsheng, year=2023).operating_income) == "11505000.00"

    # The upload form submits what it imports (ticked by default): the years await review, and the
    # link on the result page opens the ranking with submitted figures counted.
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"submitted"}
    with page.expect_navigation():
        page.click("#import-ranking")
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=submitted]").is_checked()
    ranking = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
               for row in page.locator("table.league tbody tr").all()]
    assert [(row[0], row[2].split()[0], row[4]) for row in ranking] == [
        ("1", "长胜村", "1,150.50"), ("2", "幸福村", "80.00")]  # 经营性收入, 万元
    # Approved-only (the default) leaves them out until the town's reviewer approves them.
    with page.expect_navigation():
        page.uncheck("input[name=submitted]")  # the filter form submits itself
    page.wait_for_load_state("networkidle")
    assert "长胜村" not in page.locator("table.league").inner_text()
    trip.shot("ranking")


def test_a_broken_file_lists_every_problem_and_writes_nothing(journey, background_imports):
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    factories.make_village(town, 201, "长胜村")
    factories.make_village(town, 202, "幸福村")
    factories.make_user("staff", "staff", county=county)
    broken = [
        [1, "长胜", "12O.5", "30", "1,000.00", "20.00", "1,150.50", "1,130.50"],  # letter O for a zero
        [2, "幸福村", "80", None, "十", "5.25", "90", "84.75"],
        [3, "不存在村", "1", None, None, None, "1", "1"],
    ]

    trip = journey("import-broken")
    page = trip.page
    watch_status(page)
    trip.login("staff")
    upload(page, "八桥镇2023（有错）.xlsx", messy_table(broken))
    run_worker(page)
    page.wait_for_selector("table.errors")
    problems = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
                for row in page.locator("table.errors tbody tr").all()]
    batch = ImportBatch.objects.get()
    assert len(problems) == len(batch.errors) == 3
    assert "发现 3 个问题，整个文件未导入" in page.locator("h2").first.inner_text()
    # Sheet, row and column as Excel shows them, the value as typed, and the reason.
    assert [row[1:4] for row in problems] == [["5", "C（经营收入）", "12O.5"], ["6", "E（补助收入）", "十"],
                                             ["7", "B（村名）", "不存在村"]]
    assert "“12O.5”不是有效的数字" in problems[0][4] and "没有名为“不存在村”的村" in problems[2][4]
    assert page.locator("button:has-text('确认导入')").count() == 0
    assert not LedgerYear.objects.exists()
    trip.shot("problems")
