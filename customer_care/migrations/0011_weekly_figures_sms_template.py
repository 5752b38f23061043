from django.db import migrations

# IN05: each advisor's own figures of last week, texted on Monday morning.
TEMPLATES = [
    {
        "kind": "weekly_figures",
        "name": "上周业绩（顾问）",
        "body": (
            "{name}，您上周（{week}）结算{orders}单，产值{output}；客户评价：{ratings}；表扬{praises}次，投诉{complaints}起。"
        ),
        "placeholders": ["name", "week", "orders", "output", "ratings", "praises", "complaints"],
        "sample": {
            "name": "王芳",
            "week": "11月23日—11月29日",
            "orders": "42",
            "output": "¥38,640.00",
            "ratings": "非常满意30，满意8，良好2，一般1，差0，未评1",
            "praises": "3",
            "complaints": "1",
        },
    },
]


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)


class Migration(migrations.Migration):
    dependencies = [
        ("customer_care", "0010_ledger_append_only_and_rates"),
        ("dealership", "0011_customer_sms_opt_out"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
