from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.http import Http404
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from . import access
from .models import (
    County,
    Enterprise,
    PartyOrganization,
    PartyOrganizationMembership,
    Town,
    UserRole,
    Village,
)

# Which objects of each model a user may see and pick (the scope helpers of `villages.access`).
SCOPES = {
    County: access.visible_counties,
    Town: access.visible_towns,
    Village: access.visible_villages,
    PartyOrganization: access.visible_party_organizations,
    Enterprise: access.visible_enterprises,
}
# Foreign keys whose only choice in a user's scope is filled in on new forms.
PRESELECTED = (County, Town)


class ScopedAdminMixin:
    """The admin shows and offers only what the user's role covers (a town, a county, everything).

    Town cadres keep their town's party organisations and enterprises here, so lists, change pages,
    autocompletes and foreign-key choices all go through `villages.access`, like the rest of the site.
    `scope_lookup` is the path from this model to the scoped model (`holder` for a share's village).
    """

    scope_model = None
    scope_lookup = "pk"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = SCOPES[self.scope_model or self.model]
        return queryset.filter(**{f"{self.scope_lookup}__in": scope(request.user).values("pk")})

    def _object_in_scope_or_404(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("未找到，或您无权访问。")

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history's view falls back to the history rows of objects it cannot find.
        self._object_in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._object_in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_import_permission(self, request):
        # A file can name any county or town, past the scope above: file imports are for superusers.
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = SCOPES.get(db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = scope(request.user)
            if db_field.related_model in PRESELECTED:
                # A county official has one county (a cadre one town): it is the choice, already made.
                only = list(kwargs["queryset"].values_list("pk", flat=True)[:2])
                if len(only) == 1:
                    kwargs.setdefault("initial", only[0])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class KeptInTownMixin:
    """Records that town users keep stay in their town: for them the town is required and theirs is the
    only choice (the scoped foreign keys above), so nothing they add is county-wide."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        role = access.role_of(request.user)
        if role is not None and role.town_id and "town" in form.base_fields:
            form.base_fields["town"].required = True
            form.base_fields["town"].initial = role.town_id
            if "county" in form.base_fields:
                form.base_fields["county"].initial = role.county_id
        return form


class TrimmedResource(resources.ModelResource):
    """A resource whose file cells lose their surrounding spaces before anything reads them: " 长胜村 "
    is 长胜村 and " 321182103201" finds that village, on new rows and existing ones alike."""

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = value.strip()
        super().before_import_row(row, **kwargs)


class KeepsDivisionMixin:
    """A file row naming an existing town or village (by its code) may not move or rename it.

    A 区划调整 updates the copies that village-years keep of their town and county and records the
    former name, which a plain save through the file would skip: it is done on the object's change
    page (the ledger app routes that save through its relocation services). New divisions and rows
    that change nothing import as before."""

    kept_fields: tuple[str, ...] = ()

    def import_instance(self, instance, row, **kwargs):
        # The values as loaded, before the row sets them (new instances have nothing to keep).
        fields = [instance._meta.get_field(name) for name in self.kept_fields]
        instance._stored_division = {f: getattr(instance, f.attname) for f in fields} if instance.pk else {}
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for field, stored in getattr(instance, "_stored_division", {}).items():
            if getattr(instance, field.attname) != stored:
                errors.setdefault(field.name, []).append(
                    f"{instance._meta.verbose_name} {instance.code} 已存在，文件不能修改其{field.verbose_name}："
                    f"区划调整（改名、改隶属）请在其修改页办理，以便各年度账和原代码记录随之更新。")
        super().validate_instance(instance, errors, validate_unique)


class CountyResource(TrimmedResource):
    class Meta:
        model = County
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "province", "city"]


class TownResource(KeepsDivisionMixin, TrimmedResource):
    kept_fields = ("county", "name")

    class Meta:
        model = Town
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "county"]


class VillageResource(KeepsDivisionMixin, TrimmedResource):
    kept_fields = ("town", "name")

    class Meta:
        model = Village
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "town"]


class EnterpriseResource(TrimmedResource):
    class Meta:
        model = Enterprise
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        fields = ["id", "name", "kind", "credit_code", "county", "town", "village", "industry", "note"]


class PartyOrganizationResource(TrimmedResource):
    class Meta:
        model = PartyOrganization
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        fields = ["id", "name", "kind", "county", "town", "industry", "note"]


@admin.register(County)
class CountyAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [CountyResource]
    list_display = ["code", "name", "city", "province"]
    search_fields = ["code", "name"]
    list_filter = ["province"]


@admin.register(Town)
class TownAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [TownResource]
    list_display = ["code", "name", "county"]
    search_fields = ["code", "name"]
    list_filter = [("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county"]


@admin.register(Village)
class VillageAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [VillageResource]
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name", "town__name"]
    list_filter = [("town__county", admin.RelatedOnlyFieldListFilter), ("town", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["town"]
    autocomplete_fields = ["town"]


class MembershipInline(ScopedAdminMixin, admin.TabularInline):
    model = PartyOrganizationMembership
    scope_model = Village
    scope_lookup = "village"
    extra = 1
    autocomplete_fields = ["village"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(KeptInTownMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [PartyOrganizationResource]
    list_display = ["name", "kind", "county", "town", "industry"]
    search_fields = ["name", "industry"]
    list_filter = ["kind", ("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county", "town"]
    inlines = [MembershipInline]

    def has_change_permission(self, request, obj=None):
        # Town users see the organisations that reach into their town (区域党委 spanning several
        # towns) but change only their own town's.
        role = access.role_of(request.user)
        if obj is not None and role is not None and role.town_id and obj.town_id != role.town_id:
            return False
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission


@admin.register(Enterprise)
class EnterpriseAdmin(KeptInTownMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [EnterpriseResource]
    list_display = ["name", "kind", "credit_code", "county", "town", "village"]
    search_fields = ["name", "credit_code"]
    list_filter = ["kind", ("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county", "town", "village"]
    autocomplete_fields = ["town", "village"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warning = obj.credit_code_warning()
        if warning:
            self.message_user(request, warning, messages.WARNING)


def users_in_scope(user):
    """The accounts an administrator may see and give roles to: those whose role lies in its scope, and
    accounts without a role yet (not superusers). Only a superuser or an administrator without a county
    (the whole system) sees every account."""
    users = get_user_model().objects.all()
    role = access.role_of(user)
    if user.is_superuser or access.user_role_fits_scope(user, county_id=None, town_id=None):
        return users
    if role is None:
        return users.none()
    return users.filter(Q(role__in=access.visible_user_roles(user)) | Q(role__isnull=True), is_superuser=False)


class UserRoleForm(forms.ModelForm):
    class Meta:
        model = UserRole
        fields = ["user", "role", "county", "town"]

    requester = None  # the administrator filling the form (set by UserRoleAdmin.get_form)

    def clean(self):
        data = super().clean()
        county, town = data.get("county"), data.get("town")
        if data.get("user") is not None and data["user"].pk == self.requester.pk:
            self.add_error("user", "不能修改自己的角色，请由上级管理员修改。")
        if town is not None and county is None:
            data["county"] = county = town.county
        if not access.user_role_fits_scope(self.requester, county_id=getattr(county, "pk", None),
                                           town_id=getattr(town, "pk", None)):
            own = access.role_of(self.requester)
            where = own.town if own is not None and own.town_id else getattr(own, "county", None)
            self.add_error("town" if own is not None and own.town_id else "county",
                           f"只能在您的管辖范围（{where}）内分配角色，不能分配更大范围的角色。")
        return data


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    """Roles are kept inside the administrator's own scope: it lists, adds and changes only the roles of
    its county (or town), offers only its own county and towns, cannot make a role wider than its own
    (no county means everywhere), and nobody changes their own role."""

    form = UserRoleForm
    list_display = ["user", "role", "county", "town"]
    list_filter = ["role", ("county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username"]
    list_select_related = ["user", "county", "town"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=access.visible_user_roles(request.user).values("pk"),
                                                    user__in=users_in_scope(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.requester = request.user
        own = access.role_of(request.user)
        if own is not None and not access.user_role_fits_scope(request.user, county_id=None, town_id=None):
            if "county" in form.base_fields:
                form.base_fields["county"].required = True
                form.base_fields["county"].initial = own.county_id
            if own.town_id and "town" in form.base_fields:
                form.base_fields["town"].required = True
                form.base_fields["town"].initial = own.town_id
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_in_scope(request.user).exclude(pk=request.user.pk).order_by("username")
        elif db_field.related_model in SCOPES:
            kwargs["queryset"] = SCOPES[db_field.related_model](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # "删除所选" may include the administrator's own role: that one stays.
        super().delete_queryset(request, queryset.exclude(user=request.user))


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(UserAdmin):
    """Django's user admin, kept to the accounts in the administrator's scope; only a superuser grants
    superuser, staff, groups or permissions (which would widen an account past its role)."""

    PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=users_in_scope(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in self.PRIVILEGE_FIELDS if f not in readonly]
        return readonly
