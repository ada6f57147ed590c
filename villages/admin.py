from django.contrib import admin
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from .models import (
    County,
    Enterprise,
    PartyOrganization,
    PartyOrganizationMembership,
    Town,
    UserRole,
    Village,
)


class CountyResource(resources.ModelResource):
    class Meta:
        model = County
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "province", "city"]


class TownResource(resources.ModelResource):
    class Meta:
        model = Town
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "county"]


class VillageResource(resources.ModelResource):
    class Meta:
        model = Village
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        import_id_fields = ["code"]
        fields = ["code", "name", "town"]


class EnterpriseResource(resources.ModelResource):
    class Meta:
        model = Enterprise
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        fields = ["id", "name", "kind", "credit_code", "county", "town", "village", "industry", "note"]


class PartyOrganizationResource(resources.ModelResource):
    class Meta:
        model = PartyOrganization
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        fields = ["id", "name", "kind", "county", "town", "industry", "note"]


@admin.register(County)
class CountyAdmin(ImportExportModelAdmin):
    resource_classes = [CountyResource]
    list_display = ["code", "name", "city", "province"]
    search_fields = ["code", "name"]
    list_filter = ["province"]


@admin.register(Town)
class TownAdmin(ImportExportModelAdmin):
    resource_classes = [TownResource]
    list_display = ["code", "name", "county"]
    search_fields = ["code", "name"]
    list_filter = ["county"]
    list_select_related = ["county"]


@admin.register(Village)
class VillageAdmin(ImportExportModelAdmin):
    resource_classes = [VillageResource]
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name", "town__name"]
    list_filter = ["town__county", "town"]
    list_select_related = ["town"]
    autocomplete_fields = ["town"]


class MembershipInline(admin.TabularInline):
    model = PartyOrganizationMembership
    extra = 1
    autocomplete_fields = ["village"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ImportExportModelAdmin):
    resource_classes = [PartyOrganizationResource]
    list_display = ["name", "kind", "county", "town", "industry"]
    search_fields = ["name", "industry"]
    list_filter = ["kind", "county"]
    list_select_related = ["county", "town"]
    inlines = [MembershipInline]


@admin.register(Enterprise)
class EnterpriseAdmin(ImportExportModelAdmin):
    resource_classes = [EnterpriseResource]
    list_display = ["name", "kind", "credit_code", "county", "town", "village"]
    search_fields = ["name", "credit_code"]
    list_filter = ["kind", "county"]
    list_select_related = ["county", "town", "village"]
    autocomplete_fields = ["town", "village"]


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "county", "town"]
    list_filter = ["role", "county"]
    search_fields = ["user__username"]
    list_select_related = ["user", "county", "town"]
