"""Every demo role tours every page its menu and main links reach, at 360 px and 1280 px.

On the demo world (`load_demo`, the users of the README), each role logs in once (one browser context
per role) and opens its pages. On every page, at both widths: the answer the role should get (200, or
403/404 where the role must not go), the page no wider than the screen (tables scroll in their own box),
no text cut off by its box or pushed off the screen, no console error and no request leaving the server.
On the phone the menu folds behind a button that opens it with every link on screen. A villager (no
login) reads the public pages down to a village and its poster.

Every problem of every page is collected and reported together, so one run lists them all.
"""

import re

from django.core.management import call_command

from ledger.demo import DEMO_PASSWORD
from ledger.models import ImportBatch
from villages.models import Town, Village

from ..importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx
from .conftest import SCREENSHOTS, WIDTHS

# Text that its box cuts off, or that lies off the screen outside a box that scrolls. Best effort: a
# box that clips (overflow hidden/clip, or an ellipsis) and whose text is wider or taller than it.
CUT_TEXT = """() => {
  const vw = window.innerWidth, found = [];
  const scrolls = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!text || el.closest('.offscreen, [hidden], script, style, svg, noscript')) continue;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || s.display === 'none' || r.width <= 1 || r.height <= 1) continue;
    if (el.tagName === 'OPTION' || el.tagName === 'TEXTAREA') continue;
    const clips = ['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY)
      || s.textOverflow === 'ellipsis';
    const block = s.display !== 'inline' && s.display !== 'contents';
    if (clips && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2)) {
      found.push(`${name(el)} cut off: "${text.slice(0, 40)}"`);
    } else if (block && !clips && !['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${name(el)} text wider than its box (${el.scrollWidth} > ${el.clientWidth}px): "${text.slice(0, 40)}"`);
    } else if ((r.right > vw + 1 || r.left < -1) && !scrolls(el) && s.position !== 'fixed') {
      found.push(`${name(el)} off screen (${Math.round(r.left)}..${Math.round(r.right)}px): "${text.slice(0, 40)}"`);
    }
    if (found.length >= 5) break;
  }
  // A button that a wide table pushes off the screen: allowed to scroll, but a button must be reachable.
  for (const el of document.body.querySelectorAll('button, .button, input[type=submit]')) {
    const r = el.getBoundingClientRect();
    if (found.length < 8 && r.width > 0 && (r.right > vw + 1 || r.left < -1) && !el.closest('.offscreen')) {
      found.push(`button ${name(el)} "${el.textContent.trim().slice(0, 20)}" off screen (${Math.round(r.left)}..${Math.round(r.right)}px)`);
    }
  }
  // A box whose content spills out below it (a squeezed flex or grid cell) draws over what follows.
  for (const el of document.body.querySelectorAll('div, section, article, aside, li, form, fieldset, header, main, nav')) {
    // (The admin's #container is a full-height column by Django's design, with nothing after it, and its
    // .object-tools buttons are padded links in a one-line item, drawn as Django means them.)
    if (found.length >= 8 || el.closest('svg, .js-plotly-plot, .offscreen') || el.id === 'container'
        || el.closest('.object-tools')) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.display === 'inline' || s.overflowY !== 'visible' || el.clientHeight <= 0) continue;
    if (el.scrollHeight > el.clientHeight + 4) {
      found.push(`${name(el.parentElement)} > ${name(el)} content spills out below it (${el.scrollHeight} > ${el.clientHeight}px)`);
    }
  }
  return found;
}"""

# The menu on a phone: hidden behind its button, and every link on screen, one line high, once opened.
MENU_LINKS = """() => [...document.querySelectorAll('.site-nav a, .user-box .link-button')].map(a => {
  const r = a.getBoundingClientRect();
  return {text: a.textContent.trim(), shown: r.width > 0 && r.height > 0 && getComputedStyle(a).visibility !== 'hidden',
          inside: r.left >= -1 && r.right <= window.innerWidth + 1, height: r.height,
          line: parseFloat(getComputedStyle(a).lineHeight) || 24};
})"""

RESOURCE_STATUS = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


class Tour:
    """One role's visit (one browser context); the problems of every page, by page and width."""

    def __init__(self, trip, role: str, problems: list[str]):
        self.trip, self.page, self.role, self.problems = trip, trip.page, role, problems

    def problem(self, label: str, width: str, what: str) -> None:
        self.problems.append(f"[{self.role}] {label} @{WIDTHS.get(width, width)}px: {what}")

    def visit(self, path: str, label: str, status: int = 200) -> bool:
        """Open a page and check it at both widths; True when it answered as the role should."""
        trip, page = self.trip, self.page
        errors_before, outside_before = len(trip.console_errors), len(trip.outside_requests)
        response = page.goto(trip.base_url + path)
        page.wait_for_load_state("networkidle")
        got = response.status if response else None
        if got != status:
            self.problem(label, "both", f"{path} answered {got}, expected {status}")
        self.check(label)
        # The browser logs the expected 403/404 of the page itself as a console error: that one is wanted.
        errors = [e for e in trip.console_errors[errors_before:]
                  if not (status != 200 and (m := RESOURCE_STATUS.search(e)) and int(m[1]) == status)]
        del trip.console_errors[errors_before:]
        for error in errors:
            self.problem(label, "both", f"console error: {error[:200]}")
        for url in trip.outside_requests[outside_before:]:
            self.problem(label, "both", f"request left the server: {url}")
        del trip.outside_requests[outside_before:]
        return got == status

    def check(self, label: str) -> None:
        trip, page = self.trip, self.page
        trip.step += 1
        slug = re.sub(r"[^\w-]+", "-", label)
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(60)  # charts redraw on resize
            # JPEG: tall tables encode far faster than as PNG, and keep the tour short.
            page.screenshot(path=str(SCREENSHOTS / trip.name / f"{trip.step:02d}-{slug}-{width_name}.jpg"),
                            full_page=True, type="jpeg", quality=60)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                self.problem(label, width_name, f"page is {overflow}px wider than the screen")
            for cut in page.evaluate(CUT_TEXT):
                self.problem(label, width_name, cut)
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    def check_phone_menu(self, label: str) -> None:
        page = self.page
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
        button = page.locator(".menu-button")
        first_link = page.locator(".site-nav a").first
        if not button.is_visible() or first_link.is_visible():
            self.problem(label, "phone", "the menu does not fold behind its button")
        else:
            button.click()
            links = page.evaluate(MENU_LINKS)
            for link in links:
                if not link["shown"] or not link["inside"]:
                    self.problem(label, "phone", f"menu entry {link['text']} not on screen once the menu is open")
                elif link["height"] > 1.5 * link["line"] + 24:
                    self.problem(label, "phone", f"menu entry {link['text']} wraps ({link['height']}px high)")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                self.problem(label, "phone", f"open menu makes the page {overflow}px too wide")
            button.click()
            if first_link.is_visible():
                self.problem(label, "phone", "the menu does not close again")
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    def follow_issue_buttons(self) -> None:
        """The publishing buttons of the issues page lead to pages that answer (not to a 404)."""
        page = self.page
        for selector in ["main a.button", "main form.params button"]:
            for i in range(page.locator(selector).count()):
                button = page.locator(selector).nth(i)
                text = button.inner_text().strip()
                errors_before = len(self.trip.console_errors)
                with page.expect_navigation() as navigation:
                    button.click()
                page.wait_for_load_state("networkidle")
                if navigation.value is None or navigation.value.status != 200:
                    self.problem("issues", "desktop", f"button {text} leads to {navigation.value and navigation.value.status}")
                    # (the browser's own log line for that answer is the same problem)
                    self.trip.console_errors[errors_before:] = [
                        e for e in self.trip.console_errors[errors_before:] if not RESOURCE_STATUS.search(e)]
                page.go_back()
                page.wait_for_load_state("networkidle")

    def menu(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".site-nav a").all_inner_texts()]


def login(tour: Tour, username: str) -> None:
    page = tour.page
    tour.trip.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        tour.problem("login", "desktop", f"{username} could not log in with the demo password")


def upload_town_file(page, year: int) -> None:
    page.set_input_files("input[name=file]", files=[{
        "name": f"八桥镇{year}.xlsx", "buffer": xlsx(("收益分配", messy_wide_rows(year)), merges=MESSY_WIDE_MERGES),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation():
        page.click("button:has-text('上传并预览')")
    page.wait_for_load_state("networkidle")


# What each role reaches: (path, label, expected status). {…} are filled from the demo world.
SHARED = [
    ("/ledger/towns/", "towns", 200),
    ("/ledger/towns/{town}/", "town-villages", 200),
    ("/ledger/villages/{village}/2024/", "village-year-approved", 200),
    ("/dashboards/", "overview", 200),
    ("/dashboards/villages/", "dash-villages", 200),
    ("/dashboards/towns/", "dash-towns", 200),
    ("/dashboards/tiers/", "dash-tiers", 200),
    ("/dashboards/organizations/", "dash-organizations", 200),
    ("/dashboards/village/{village}/", "village-profile", 200),
    ("/dashboards/report/", "report", 200),
    ("/dashboards/report/print/", "report-print", 200),
    ("/dashboards/issues/", "issues", 200),
    ("/dashboards/screen/", "screen", 200),
    ("/admin/", "admin-index", 200),
]
COUNTY_MANAGER = [("/dashboards/issues/new/", "issue-new", 200), ("/dashboards/api-tokens/", "api-tokens", 200),
                  ("/dashboards/tiers/settings/{county}/", "tier-settings", 200), ("/disclosure/", "disclosure", 200)]
NOT_MANAGER = [("/dashboards/issues/new/", "issue-new", 403), ("/dashboards/api-tokens/", "api-tokens", 403),
               ("/dashboards/tiers/settings/{county}/", "tier-settings", 403), ("/disclosure/", "disclosure", 404)]
ROLES = {
    # username: (menu it must show, its own pages)
    "yangzhong_staff": (["首页", "村账填报", "台账导入", "排行与看板", "管理后台"],
                        [("/ledger/imports/", "imports", 200), *SHARED, *NOT_MANAGER]),
    "baqiao_cadre": (["首页", "村账填报", "台账导入", "排行与看板", "管理后台"],
                     [("/ledger/villages/{village}/2025/", "village-year-new", 200), ("/ledger/imports/", "imports", 200),
                      ("/ledger/imports/{batch}/", "import-batch", 200), *SHARED, *NOT_MANAGER]),
    "baqiao_reviewer": (["首页", "村账填报", "排行与看板", "管理后台"],
                        [("/ledger/imports/", "imports", 404), *SHARED, *NOT_MANAGER]),
    "yangzhong_official": (["首页", "村账填报", "排行与看板", "管理后台", "财务公开"],
                           [("/ledger/imports/", "imports", 404), *SHARED, *COUNTY_MANAGER]),
    "admin": (["首页", "村账填报", "台账导入", "排行与看板", "管理后台", "财务公开"],
              [("/ledger/imports/", "imports", 200), ("/ledger/imports/{batch}/", "import-batch", 200), *SHARED,
               ("/dashboards/tiers/settings/{county}/", "tier-settings", 200), ("/disclosure/", "disclosure", 200),
               # An administrator of every county says which one (the issues page's form sends it).
               ("/dashboards/issues/new/?county={county}", "issue-new", 200),
               ("/dashboards/api-tokens/?county={county}", "api-tokens", 200),
               ("/admin/villages/village/", "admin-villages", 200)]),
}


def test_every_role_tours_its_pages_at_phone_and_desktop_width(journey):
    call_command("load_demo", verbosity=0)
    town = Town.objects.get(name="八桥镇")
    village = Village.objects.get(town=town, name="长胜村")
    county = town.county
    places = {"town": town.pk, "village": village.pk, "county": county.pk}
    problems: list[str] = []

    for username, (menu, pages) in ROLES.items():
        tour = Tour(journey(f"role-tour-{username}"), username, problems)
        login(tour, username)
        tour.check(f"home-{username}")
        if tour.menu() != menu:
            tour.problem("home", "desktop", f"menu is {tour.menu()}, expected {menu}")
        tour.check_phone_menu("home")
        for path, label, status in pages:
            if "{batch}" in path:
                batch = ImportBatch.objects.order_by("-pk").first()
                if batch is None:
                    tour.problem(label, "both", "no import batch to open")
                    continue
                path = path.replace("{batch}", str(batch.pk))
            answered = tour.visit(path.format(**places), label, status)
            if answered and label == "issues":
                tour.follow_issue_buttons()
            if answered and status == 200 and label == "imports":
                # The upload form of the list: a town file for next year gives a batch page to read.
                upload_town_file(tour.page, 2025)
                if "/ledger/imports/" not in tour.page.url or tour.page.url.endswith("/imports/"):
                    tour.problem("import-upload", "desktop", f"upload did not open its batch page: {tour.page.url}")
                else:
                    tour.check(f"import-batch-{username}")

    villager = Tour(journey("role-tour-villager"), "villager", problems)
    places = {"county": county.code, "town": town.code, "village": village.code}
    for path, label in [("/public/", "public-index"), ("/public/county/{county}/", "public-county"),
                        ("/public/town/{town}/", "public-town"), ("/public/village/{village}/", "public-village"),
                        ("/public/village/{village}/2024/", "public-village-2024"),
                        ("/public/village/{village}/poster/", "public-poster"),
                        ("/accounts/login/", "login")]:
        villager.visit(path.format(**places), label)
    if villager.page.locator(".menu-button").count():
        villager.problem("login", "phone", "a menu button is shown to someone not logged in")
    villager.visit("/dashboards/", "dashboards-anonymous")  # sends to the login page
    if "/accounts/login/" not in villager.page.url:
        villager.problem("dashboards-anonymous", "desktop", f"not sent to log in: {villager.page.url}")

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
