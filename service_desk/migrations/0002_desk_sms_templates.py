from django.db import migrations

TEMPLATES = [
    {
        "kind": "appointment_reminder",
        "name": "预约提醒",
        "body": "尊敬的{customer}，您预约了{time}到店为爱车{plate}办理维修保养，预约牌号{card}。如需改期请回电告知，期待您的光临。",
        "placeholders": ["customer", "time", "plate", "card"],
        "sample": {"customer": "张先生", "time": "11月28日 09:30", "plate": "豫P12345", "card": "G003"},
    },
    {
        "kind": "order_confirm_link",
        "name": "维修项目确认",
        "body": "尊敬的{customer}，您的爱车{plate}本次维修项目合计{total}，请点击链接查看并确认：{link}",
        "placeholders": ["customer", "plate", "total", "link"],
        "sample": {"customer": "张先生", "plate": "豫P12345", "total": "¥1,280.00",
                   "link": "https://service.example.cn/o/abc/"},
        "is_urgent": True,
    },
    {
        "kind": "order_overrun",
        "name": "完工时间延后",
        "body": "尊敬的{customer}，非常抱歉，您的爱车{plate}因{reason}需要延长维修时间，预计{time}完工，给您带来不便敬请谅解。",
        "placeholders": ["customer", "plate", "reason", "time"],
        "sample": {"customer": "张先生", "plate": "豫P12345", "reason": "等待配件", "time": "11月28日 16:00"},
    },
    {
        "kind": "order_ready",
        "name": "完工提车",
        "body": "尊敬的{customer}，您的爱车{plate}已完工并通过质检，欢迎来店提车。",
        "placeholders": ["customer", "plate"],
        "sample": {"customer": "张先生", "plate": "豫P12345"},
    },
    {
        "kind": "first_service_reminder",
        "name": "新车首保提醒",
        "body": "尊敬的{customer}，您的新车{plate}首次保养将在{date}前或行驶{km}公里时到期，欢迎预约到店。",
        "placeholders": ["customer", "plate", "date", "km"],
        "sample": {"customer": "张先生", "plate": "豫P12345", "date": "5月20日", "km": "5000"},
    },
    {
        "kind": "daily_report",
        "name": "前台日报",
        "body": "{date}前台日报：{summary}",
        "placeholders": ["date", "summary"],
        "sample": {"date": "11月26日", "summary": "结算32单，产值¥28,640.00；保养14单¥6,230.00，小修9单¥8,120.00"},
    },
]


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    DeskPolicy = apps.get_model("service_desk", "DeskPolicy")
    DeskPolicy.objects.get_or_create(pk=1)
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)


class Migration(migrations.Migration):
    dependencies = [
        ("service_desk", "0001_desk_orders_and_records"),
        ("dealership", "0004_core_sms_templates"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
