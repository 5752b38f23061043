"""Greetings and weather notes are not sent to customers who opted out, and tell how to opt out;
the text to an advisor whose complaint is reopened."""

from django.db import migrations

KINDS = ["care_greeting", "care_weather"]
HOW = "回TD退订"


REOPENED = {
    "kind": "complaint_reopened",
    "name": "投诉重新打开（员工）",
    "body": "【投诉】{number} 客户{customer}的投诉已重新打开，请在{time}前再次响应并签收。",
    "placeholders": ["number", "customer", "time"],
    "sample": {"number": "CP202611260001", "customer": "张先生", "time": "10:30"},
    "is_urgent": True,
}


def apply(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    SmsTemplate.objects.get_or_create(kind=REOPENED["kind"], defaults=REOPENED)
    for template in SmsTemplate.objects.filter(kind__in=KINDS):
        template.honours_opt_out = True
        if HOW not in template.body:
            template.body = f"{template.body} {HOW}"
        template.save()


class Migration(migrations.Migration):
    dependencies = [
        ("customer_care", "0004_working_hours_help"),
        ("dealership", "0012_sms_template_opt_out"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
