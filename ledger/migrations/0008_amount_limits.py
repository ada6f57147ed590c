import django.core.validators
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0007_import_submit'),
        ('villages', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalledgerline',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(Decimal('10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。')], verbose_name='金额（元）'),
        ),
        migrations.AlterField(
            model_name='ledgerline',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(Decimal('10000000000.00'), message='金额过大：“%(show_value)s”元超过单行上限 100亿元。')], verbose_name='金额（元）'),
        ),
        migrations.AddConstraint(
            model_name='ledgerline',
            constraint=models.CheckConstraint(condition=models.Q(('amount__lte', Decimal('10000000000.00'))), name='ledger_line_amount_max'),
        ),
        migrations.AddConstraint(
            model_name='ledgeryear',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('total_income__gte', Decimal('-10000000000000.00')), ('total_income__lte', Decimal('10000000000000.00'))), models.Q(('operating_income__gte', Decimal('-10000000000000.00')), ('operating_income__lte', Decimal('10000000000000.00'))), models.Q(('investment_income__gte', Decimal('-10000000000000.00')), ('investment_income__lte', Decimal('10000000000000.00'))), models.Q(('subsidy_income__gte', Decimal('-10000000000000.00')), ('subsidy_income__lte', Decimal('10000000000000.00'))), models.Q(('total_expense__gte', Decimal('-10000000000000.00')), ('total_expense__lte', Decimal('10000000000000.00'))), models.Q(('operating_profit__gte', Decimal('-10000000000000.00')), ('operating_profit__lte', Decimal('10000000000000.00'))), models.Q(('net_income__gte', Decimal('-10000000000000.00')), ('net_income__lte', Decimal('10000000000000.00')))), name='ledger_year_figures_max'),
        ),
    ]
