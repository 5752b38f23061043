from django.db import migrations

# PT02 rev. 2: a new expected date is told to the order's advisor at once, not only when the old date passes.
TEMPLATES = [
    {
        "kind": "backorder_new_date_advisor",
        "name": "缺件到货日期更新（服务顾问）",
        "body": "{advisor}：客户{customer}订购的{part}（{number}）预计到货日期由{old}改为{expected}，请跟进客户。",
        "placeholders": ["advisor", "customer", "part", "number", "old", "expected"],
        "sample": {
            "advisor": "王芳",
            "customer": "张先生",
            "part": "前减震器（左）",
            "number": "BO202611260001",
            "old": "11-26",
            "expected": "12-03",
        },
    },
]


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)


class Migration(migrations.Migration):
    dependencies = [
        ("parts", "0005_backorder_call_list"),
        ("dealership", "0012_sms_template_opt_out"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
