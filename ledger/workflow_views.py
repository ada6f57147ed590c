"""The workflow pages: a village-year's steps (提交, 撤回, 审核通过, 退回, 重新打开), a town's bulk steps
(全部提交, 全部审核通过), deleting an open village-year, and the reviewer's 待审核 queue.

Nothing that changes many village-years, or deletes one, happens on one click: the first POST (or a
GET) shows a page that says what will change, and only its own confirming POST does it. With the
page script the same confirmation opens as a dialog on the page. Writes go through `ledger.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from villages.access import get_town_for_user, has_role

from . import access, review, selectors, services
from .forms import ReasonForm
from .models import LedgerYear, LedgerYearEvent
from .years import parse_year

Action = LedgerYearEvent.Action

# What a step did, as a sentence about the village-year.
DONE = {
    Action.SUBMIT: _("%(village)s %(year)s 年账目已提交审核。"),
    Action.WITHDRAW: _("%(village)s %(year)s 年账目已撤回，可以继续修改后再提交。"),
    Action.APPROVE: _("%(village)s %(year)s 年账目已审核通过并锁定。"),
    Action.REJECT: _("%(village)s %(year)s 年账目已退回修改，填报人会在页面顶部看到退回原因。"),
    Action.REOPEN: _("%(village)s %(year)s 年账目已重新打开，可以修改。"),
}
BULK_DONE = {
    Action.SUBMIT: _("%(town)s %(year)s 年 %(n)s 个村的账目已提交审核：%(names)s。"),
    Action.APPROVE: _("%(town)s %(year)s 年 %(n)s 个村的账目已审核通过并锁定：%(names)s。"),
}
BULK_TITLES = {Action.SUBMIT: _("全部提交"), Action.APPROVE: _("全部审核通过")}


def village_year_url(village_id: int, year: int) -> str:
    return reverse("ledger:village_year", kwargs={"village_pk": village_id, "year": year})


def _town_url(town_id: int, year: int, name: str = "ledger:town_villages") -> str:
    return f"{reverse(name, kwargs={'pk': town_id})}?{urlencode({'year': year})}"


@login_required
@require_POST
def town_transition(request, pk: int):
    """全部提交 (cadres) / 全部审核通过 (reviewers) for the town's village-years of one year: a
    confirmation page listing them, then (with `confirmed`) the step for exactly the years listed."""
    town = get_town_for_user(request.user, pk=pk)
    action = request.POST.get("action", "")
    year = parse_year(request.POST.get("year"))
    if action not in services.BULK_ACTIONS or year is None:
        return HttpResponseBadRequest(_("未知的操作或年度。"))
    if not access.may_take_step(request.user, action):
        raise PermissionDenied(_("您的角色不能执行此操作。"))
    back = _town_url(town.pk, year)
    if not request.POST.get("confirmed"):
        candidates = review.bulk_candidates(town, year, action)
        if not candidates:
            messages.info(request, _("%(town)s %(year)s 年没有可以%(action)s的村年度账。") % {
                "town": town.name, "year": year, "action": Action(action).label})
            return redirect(back)
        return render(request, "ledger/town_transition_confirm.html", {
            "town": town, "year": year, "action": action, "title": BULK_TITLES[action], "candidates": candidates,
            "back": back})
    ids = [int(value) for value in request.POST.getlist("ledger_year") if value.isdigit()]
    moved = services.town_year_transition(town=town, year=year, action=action, actor=request.user,
                                          ledger_year_ids=ids)
    names = {ly.pk: ly for ly in LedgerYear.objects.filter(pk__in=[ly.pk for ly in moved])
             .select_related("village").order_by("village__code")}
    if moved:
        messages.success(request, BULK_DONE[action] % {
            "town": town.name, "year": year, "n": len(moved),
            "names": "、".join(ly.village.name for ly in names.values())})
    if len(moved) < len(ids):
        messages.warning(request, _("另有 %(n)s 个村年度账在确认期间状态已变化，未做处理，请刷新后查看。") % {
            "n": len(ids) - len(moved)})
    return redirect(back)


@login_required
@require_POST
def village_year_transition(request, village_pk: int, year: int):
    ledger_year = access.get_ledger_year_for_user(request.user, village_id=village_pk, year=year)
    action = request.POST.get("action", "")
    if action not in access.TRANSITION_CHECKS:
        return HttpResponseBadRequest(_("未知的操作。"))
    if not access.may_take_step(request.user, action):
        raise PermissionDenied(_("您的角色不能执行此操作。"))
    village = ledger_year.village
    names = {"village": village.name, "year": year}
    url = village_year_url(village.pk, year)
    if not access.TRANSITION_CHECKS[action](request.user, ledger_year):
        messages.error(request, _("%(village)s %(year)s 年账目当前状态为“%(status)s”，不能%(action)s。") % {
            **names, "status": ledger_year.get_status_display(), "action": Action(action).label})
        return redirect(url)
    if action == Action.SUBMIT and not ledger_year.lines.exists():
        messages.error(request, _("%(village)s %(year)s 年账目尚未填写任何金额，不能提交。") % names)
        return redirect(url)
    reason = request.POST.get("reason", "")
    if action in services.REASON_REQUIRED:
        reason_form = ReasonForm(request.POST)
        if not reason_form.is_valid():
            for error in reason_form.errors["reason"]:
                messages.error(request, error)
            return redirect(url)
        reason = reason_form.cleaned_data["reason"]
    try:
        services.ledger_year_transition(ledger_year=ledger_year, action=action, actor=request.user, reason=reason)
    except services.LedgerError as exc:
        messages.error(request, str(exc))
        return redirect(url)
    messages.success(request, DONE[action] % names)
    if request.POST.get("next") == "queue" and action in (Action.APPROVE, Action.REJECT):
        following = review.queue_place(village, year).next_village_id
        if following is not None:
            return redirect(village_year_url(following, year))
        messages.info(request, _("%(town)s %(year)s 年的待审核账目已全部处理完。") % {
            "town": village.town.name, "year": year})
        return redirect(_town_url(village.town_id, year, "ledger:review_queue"))
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def village_year_delete(request, village_pk: int, year: int):
    """Delete an open village-year: a page saying what goes (its lines, its figures), then the POST
    with `confirmed` deletes it through `services.ledger_year_delete` (history kept)."""
    ledger_year = access.get_ledger_year_for_user(request.user, village_id=village_pk, year=year)
    village = ledger_year.village
    names = {"village": village.name, "year": year}
    if not access.can_delete_ledger_year(request.user, ledger_year):
        if not has_role(request.user, *access.ENTRY_ROLES):
            raise PermissionDenied(_("您的角色不能删除台账。"))
        messages.error(request, _("%(village)s %(year)s 年账目当前状态为“%(status)s”，不能删除；"
                                  "已提交的请先撤回，已审核的请先由审核人重新打开。") % {
            **names, "status": ledger_year.get_status_display()})
        return redirect(village_year_url(village.pk, year))
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.ledger_year_delete(ledger_year=ledger_year, actor=request.user,
                                        reason=_("在填报页面删除村年度账"))
        except services.LedgerError as exc:
            messages.error(request, str(exc))
            return redirect(village_year_url(village.pk, year))
        messages.success(request, _("%(village)s %(year)s 年账目已删除，修改记录仍保留。") % names)
        return redirect(_town_url(village.town_id, year))
    return render(request, "ledger/village_year_delete.html", {
        "village": village, "year": year, "ledger_year": ledger_year, "line_count": ledger_year.lines.count(),
        "back": village_year_url(village.pk, year)})


@login_required
def review_queue(request, pk: int):
    """待审核: the town's submitted village-years of the year, in the village list's order."""
    town = get_town_for_user(request.user, pk=pk)
    year = parse_year(request.GET.get("year"))
    year = selectors.default_year([town.pk]) if year is None else year
    queue = review.review_queue(town, year)
    can_approve = access.may_take_step(request.user, Action.APPROVE)
    return render(request, "ledger/review_queue.html", {
        "town": town, "year": year, "queue": queue, "can_approve": can_approve,
        "first_url": village_year_url(queue[0].village_id, year) if queue else None,
        "bulk": can_approve and bool(queue)})
