from datetime import timedelta

from django.db import migrations

TEMPLATES = [
    {
        "kind": "complaint_assigned",
        "name": "投诉转交通知（员工）",
        "body": "【投诉】{number} 客户{customer}的投诉已转交给您，请在{time}前响应并签收。",
        "placeholders": ["number", "customer", "time"],
        "sample": {"number": "CP202611260001", "customer": "张先生", "time": "10:30"},
        "is_urgent": True,
    },
    {
        "kind": "complaint_breach",
        "name": "投诉超时提醒（员工）",
        "body": "【投诉超时】{number} 客户{customer}的投诉“{stage}”已超时，请立即处理。",
        "placeholders": ["number", "customer", "stage"],
        "sample": {"number": "CP202611260001", "customer": "张先生", "stage": "响应"},
        "is_urgent": True,
    },
    {
        "kind": "complaint_breaches",
        "name": "多条投诉超时提醒（员工）",
        "body": "【投诉超时】您有{count}条投诉已超时：{numbers}，请立即处理。",
        "placeholders": ["count", "numbers"],
        "sample": {"count": "3", "numbers": "CP202611260001、CP202611260002、CP202611260003"},
        "is_urgent": True,
    },
    {
        "kind": "complaint_escalated",
        "name": "投诉升级（管理人员）",
        "body": "【投诉升级】{number} 客户{customer}：{summary}，已超时未处理，请督办。",
        "placeholders": ["number", "customer", "summary"],
        "sample": {"number": "CP202611260001", "customer": "张先生", "summary": "保养后发动机舱有异响"},
        "is_urgent": True,
    },
    {
        "kind": "rescue_promised",
        "name": "救援受理",
        "body": "{caller}您好，您的救援请求已受理，救援人员预计{time}前到达，请在安全位置等候，开启双闪。",
        "placeholders": ["caller", "time"],
        "sample": {"caller": "张先生", "time": "14:30"},
        "is_urgent": True,
    },
    {
        "kind": "rescue_late",
        "name": "救援超时（管理人员）",
        "body": "【救援超时】{number} {location} 已超过承诺到达时间，请跟进。",
        "placeholders": ["number", "location"],
        "sample": {"number": "RS202611260001", "location": "川汇区七一路"},
        "is_urgent": True,
    },
    {
        "kind": "care_after_repair",
        "name": "修后关怀",
        "body": "尊敬的{customer}，感谢您光临。您的爱车{plate}本次完成了{work}，如有任何不适请随时致电我们。",
        "placeholders": ["customer", "plate", "work"],
        "sample": {"customer": "张先生", "plate": "豫P12345", "work": "更换机油机滤、四轮定位"},
    },
    {
        "kind": "maintenance_reminder",
        "name": "保养提醒",
        "body": "尊敬的{customer}，您的爱车{plate}预计将于{date}或行驶至{km}公里时需要保养，欢迎提前预约。",
        "placeholders": ["customer", "plate", "date", "km"],
        "sample": {"customer": "张先生", "plate": "豫P12345", "date": "5月20日", "km": "25500"},
    },
    {
        "kind": "care_greeting",
        "name": "节日问候",
        "body": "尊敬的{customer}，{text}",
        "placeholders": ["customer", "text"],
        "sample": {"customer": "张先生", "text": "中秋佳节，祝您和家人团圆美满、出行平安！"},
    },
    {
        "kind": "care_weather",
        "name": "天气提醒",
        "body": "尊敬的{customer}，{text}",
        "placeholders": ["customer", "text"],
        "sample": {"customer": "张先生", "text": "明日有大雪，请减速慢行，注意检查轮胎气压和防冻液。"},
    },
]

ZONES = [
    ("city", "市区", timedelta(minutes=30), 1),
    ("county", "三县", timedelta(hours=1), 2),
    ("province", "省内", timedelta(hours=12), 3),
]


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("dealership", "SmsTemplate")
    for template in TEMPLATES:
        SmsTemplate.objects.get_or_create(kind=template["kind"], defaults=template)
    RescueZone = apps.get_model("customer_care", "RescueZone")
    for code, name, promise, order in ZONES:
        RescueZone.objects.get_or_create(code=code, defaults={"name": name, "promise": promise, "order": order})
    apps.get_model("customer_care", "ComplaintPolicy").objects.get_or_create(pk=1)
    apps.get_model("customer_care", "CarePolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("customer_care", "0001_complaints_rescues_follow_ups"),
        ("dealership", "0011_customer_sms_opt_out"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
