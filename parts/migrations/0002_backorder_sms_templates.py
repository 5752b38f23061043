from django.db import migrations

TEMPLATES = [
    {
        "kind": "backorder_delayed",
        "name": "缺件延期（客户）",
        "body": "尊敬的{customer}，您订购的{part}未能按期到货，我们正在催促供应商，到货后将第一时间通知您，给您带来不便敬请谅解。",
        "placeholders": ["customer", "part"],
        "sample": {"customer": "张先生", "part": "前减震器（左）"},
    },
    {
        "kind": "backorder_delayed_advisor",
        "name": "缺件延期（服务顾问）",
        "body": "{advisor}：客户{customer}订购的{part}（{number}）原定{expected}到货，目前仍未到，请跟进并联系客户。",
        "placeholders": ["advisor", "customer", "part", "number", "expected"],
        "sample": {"advisor": "王芳", "customer": "张先生", "part": "前减震器（左）", "number": "BO202611260001",
                   "expected": "11-26"},
    },
    {
        "kind": "backorder_new_date",
        "name": "缺件到货日期更新",
        "body": "尊敬的{customer}，您订购的{part}预计到货日期更新为{expected}，到货后我们会再通知您。",
        "placeholders": ["customer", "part", "expected"],
        "sample": {"customer": "张先生", "part": "前减震器（左）", "expected": "12月03日"},
    },
    {
        "kind": "backorder_arrived",
        "name": "缺件到货（客户）",
        "body": "尊敬的{customer}，您订购的{part}已到货，请您方便时来店安装或领取。",
        "placeholders": ["customer", "part"],
        "sample": {"customer": "张先生", "part": "前减震器（左）"},
    },
    {
        "kind": "backorder_arrived_advisor",
        "name": "缺件到货（服务顾问）",
        "body": "{advisor}：客户{customer}订购的{part}（{number}）已到货，请联系客户预约安装。",
        "placeholders": ["advisor", "customer", "part", "number"],
        "sample": {"advisor": "王芳", "customer": "张先生", "part": "前减震器（左）", "number": "BO202611260001"},
    },
]


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)


class Migration(migrations.Migration):
    dependencies = [
        ("parts", "0001_catalogue_stock_backorders_sales_gifts"),
        ("dealership", "0004_core_sms_templates"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
