"""The whole statement (issue #11): the distribution half, 其中 lines, losses, the new figures.

- LineItem: form_code, may_be_negative, part_of, definition_changed; the new kinds.
- LedgerYear: 净收益, 年初未分配收益, 可分配收益, 各项分配, 年末未分配收益; 本年收益 becomes
  本年收益（收益总额） (pre-tax in both systems); years from 2005 only; 总收入/经营性收入 may be negative.
- LedgerLine: the CHECK amount ≥ 0 is replaced by the per-item trigger of `ledger.line_sign`.
- The reference data again (the new items and metrics), then every village-year's figures from its lines.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def refuse_years_before_2005(apps, schema_editor):
    from ledger.systems import PRE_SYSTEM_MESSAGE

    LedgerYear = apps.get_model("ledger", "LedgerYear")
    early = list(LedgerYear.objects.filter(year__lt=2005).values_list("village__name", "year")[:20])
    if early:
        names = "、".join(f"{name} {year} 年" for name, year in early)
        raise RuntimeError(f"{PRE_SYSTEM_MESSAGE}请先删除或更正这些村年度账再迁移：{names}")


def install_sign_trigger(apps, schema_editor):
    from ledger import line_sign

    line_sign.install(schema_editor)


def uninstall_sign_trigger(apps, schema_editor):
    from ledger import line_sign

    line_sign.uninstall(schema_editor)


def sync_reference_data(apps, schema_editor):
    from ledger.systems import sync_reference_data

    sync_reference_data(apps)


def recompute_figures(apps, schema_editor):
    """Every village-year's figures from its lines and the new definitions: one UPDATE per figure
    (本年收益 of 2024+ years changes meaning here; the new figures get their values)."""
    LedgerYear = apps.get_model("ledger", "LedgerYear")
    LedgerLine = apps.get_model("ledger", "LedgerLine")
    Metric = apps.get_model("ledger", "Metric")
    money = DecimalField(max_digits=16, decimal_places=2)
    figures = {f.name for f in LedgerYear._meta.get_fields()}
    for code in Metric.objects.values_list("code", flat=True):
        if code not in figures:
            continue
        signed = (LedgerLine.objects.filter(ledger_year=OuterRef("pk"), item__metric_terms__metric__code=code)
                  .order_by().values("ledger_year")
                  .annotate(total=Sum(ExpressionWrapper(F("amount") * F("item__metric_terms__sign"), output_field=money)))
                  .values("total"))
        LedgerYear.objects.update(**{code: Coalesce(Subquery(signed, output_field=money), Value(0), output_field=money)})


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_protect_sources_batch_progress_at'),
        ('villages', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_years_before_2005, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='ledgerline',
            name='ledger_line_amount_gte_0',
        ),
        migrations.RemoveConstraint(
            model_name='ledgerline',
            name='ledger_line_amount_max',
        ),
        migrations.RemoveConstraint(
            model_name='ledgeryear',
            name='ledger_year_range',
        ),
        migrations.RemoveConstraint(
            model_name='ledgeryear',
            name='ledger_year_income_gte_0',
        ),
        migrations.RemoveConstraint(
            model_name='ledgeryear',
            name='ledger_year_figures_max',
        ),
        migrations.AddField(
            model_name='historicalledgeryear',
            name='closing_undistributed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='年末未分配收益（元）'),
        ),
        migrations.AddField(
            model_name='historicalledgeryear',
            name='distributable',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='可分配收益（元）'),
        ),
        migrations.AddField(
            model_name='historicalledgeryear',
            name='distributions',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='各项分配（元）'),
        ),
        migrations.AddField(
            model_name='historicalledgeryear',
            name='net_profit',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='净收益（元）'),
        ),
        migrations.AddField(
            model_name='historicalledgeryear',
            name='opening_undistributed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='年初未分配收益（元）'),
        ),
        migrations.AddField(
            model_name='ledgeryear',
            name='closing_undistributed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='年末未分配收益（元）'),
        ),
        migrations.AddField(
            model_name='ledgeryear',
            name='distributable',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='可分配收益（元）'),
        ),
        migrations.AddField(
            model_name='ledgeryear',
            name='distributions',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='各项分配（元）'),
        ),
        migrations.AddField(
            model_name='ledgeryear',
            name='net_profit',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='净收益（元）'),
        ),
        migrations.AddField(
            model_name='ledgeryear',
            name='opening_undistributed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='年初未分配收益（元）'),
        ),
        migrations.AddField(
            model_name='lineitem',
            name='definition_changed',
            field=models.BooleanField(default=False, verbose_name='口径已变'),
        ),
        migrations.AddField(
            model_name='lineitem',
            name='form_code',
            field=models.PositiveSmallIntegerField(blank=True, help_text='全国农村集体经济收益分配统计表的代码（有则填）', null=True, verbose_name='统计表代码'),
        ),
        migrations.AddField(
            model_name='lineitem',
            name='may_be_negative',
            field=models.BooleanField(default=False, verbose_name='可为负数'),
        ),
        migrations.AddField(
            model_name='lineitem',
            name='part_of',
            field=models.ForeignKey(blank=True, db_index=False, help_text='“其中”行所属的科目；其中行不计入任何合计', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='parts', to='ledger.lineitem', verbose_name='所属科目'),
        ),
        migrations.AlterField(
            model_name='historicalledgerline',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('-10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。'), django.core.validators.MaxValueValidator(Decimal('10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。')], verbose_name='金额（元）'),
        ),
        migrations.AlterField(
            model_name='historicalledgeryear',
            name='net_income',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='本年收益（收益总额）（元）'),
        ),
        migrations.AlterField(
            model_name='historicalledgeryear',
            name='year',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2005), django.core.validators.MaxValueValidator(2100)], verbose_name='年度'),
        ),
        migrations.AlterField(
            model_name='ledgerline',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('-10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。'), django.core.validators.MaxValueValidator(Decimal('10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。')], verbose_name='金额（元）'),
        ),
        migrations.AlterField(
            model_name='ledgeryear',
            name='net_income',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name='本年收益（收益总额）（元）'),
        ),
        migrations.AlterField(
            model_name='ledgeryear',
            name='year',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2005), django.core.validators.MaxValueValidator(2100)], verbose_name='年度'),
        ),
        migrations.AlterField(
            model_name='lineitem',
            name='kind',
            field=models.CharField(choices=[('income', '收入'), ('expense', '支出'), ('memo', '其中项'), ('carried', '结转'), ('distribution', '分配')], max_length=12, verbose_name='类别'),
        ),
        migrations.AddConstraint(
            model_name='ledgerline',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gte', Decimal('-10000000000.00')), ('amount__lte', Decimal('10000000000.00'))), name='ledger_line_amount_max'),
        ),
        migrations.AddConstraint(
            model_name='ledgeryear',
            constraint=models.CheckConstraint(condition=models.Q(('year__gte', 2005), ('year__lte', 2100)), name='ledger_year_range'),
        ),
        migrations.AddConstraint(
            model_name='ledgeryear',
            constraint=models.CheckConstraint(condition=models.Q(('subsidy_income__gte', 0), ('total_expense__gte', 0)), name='ledger_year_sums_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='ledgeryear',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('total_income__gte', Decimal('-10000000000000.00')), ('total_income__lte', Decimal('10000000000000.00'))), models.Q(('operating_income__gte', Decimal('-10000000000000.00')), ('operating_income__lte', Decimal('10000000000000.00'))), models.Q(('investment_income__gte', Decimal('-10000000000000.00')), ('investment_income__lte', Decimal('10000000000000.00'))), models.Q(('subsidy_income__gte', Decimal('-10000000000000.00')), ('subsidy_income__lte', Decimal('10000000000000.00'))), models.Q(('total_expense__gte', Decimal('-10000000000000.00')), ('total_expense__lte', Decimal('10000000000000.00'))), models.Q(('operating_profit__gte', Decimal('-10000000000000.00')), ('operating_profit__lte', Decimal('10000000000000.00'))), models.Q(('net_income__gte', Decimal('-10000000000000.00')), ('net_income__lte', Decimal('10000000000000.00'))), models.Q(('net_profit__gte', Decimal('-10000000000000.00')), ('net_profit__lte', Decimal('10000000000000.00'))), models.Q(('opening_undistributed__gte', Decimal('-10000000000000.00')), ('opening_undistributed__lte', Decimal('10000000000000.00'))), models.Q(('distributable__gte', Decimal('-10000000000000.00')), ('distributable__lte', Decimal('10000000000000.00'))), models.Q(('distributions__gte', Decimal('-10000000000000.00')), ('distributions__lte', Decimal('10000000000000.00'))), models.Q(('closing_undistributed__gte', Decimal('-10000000000000.00')), ('closing_undistributed__lte', Decimal('10000000000000.00')))), name='ledger_year_figures_max'),
        ),
        migrations.RunPython(install_sign_trigger, uninstall_sign_trigger),
        migrations.RunPython(sync_reference_data, migrations.RunPython.noop),
        migrations.RunPython(recompute_figures, migrations.RunPython.noop),
    ]
