"""Greetings and weather notes are not sent to customers who opted out, and tell how to opt out."""

from django.db import migrations

KINDS = ["care_greeting", "care_weather"]
HOW = "回TD退订"


def apply(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
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
