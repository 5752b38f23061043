from django.db import migrations

TEMPLATES = [
    {
        "kind": "test",
        "name": "测试短信",
        "body": "尊敬的{customer}，这是一条测试短信（{time}），收到无需回复。",
        "placeholders": ["customer", "time"],
        "sample": {"customer": "张先生", "time": "11月27日 10:00"},
        "is_urgent": True,
    },
    {
        "kind": "notice",
        "name": "服务通知",
        "body": "尊敬的{customer}，{text}",
        "placeholders": ["customer", "text"],
        "sample": {"customer": "张先生", "text": "您的爱车豫P12345已完成保养，下次保养约在5000公里后，祝您用车愉快。"},
        "is_urgent": False,
    },
]


def create(apps, schema_editor):
    SmsPolicy = apps.get_model("dealership", "SmsPolicy")
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    SmsPolicy.objects.get_or_create(pk=1)
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)


class Migration(migrations.Migration):
    dependencies = [("dealership", "0003_sms_outbox")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
