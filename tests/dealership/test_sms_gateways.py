"""The gateways behind SMS_BACKEND, the HTTP one against a real local HTTP server."""

import socket

import pytest

from dealership import sms_gateways
from dealership.sms_gateways import GatewayRejected, GatewayUnavailable, GatewayUncertain, HttpGateway
from tests.fake_gateway import FakeGateway


@pytest.fixture
def fake_gateway(settings):
    with FakeGateway() as gateway:
        for name, value in gateway.settings().items():
            setattr(settings, name, value)
        settings.SMS_HTTP_TIMEOUT_S = 0.5
        yield gateway


def test_http_gateway_sends_with_the_api_key_and_can_be_asked_later(fake_gateway):
    http = HttpGateway()

    receipt = http.send(out_id="sms-1", mobile="13812345678", body="【售后服务】您好")
    known = http.query(out_id="sms-1")
    unknown = http.query(out_id="sms-2")

    assert receipt.gateway_message_id == "gw-sms-1"
    assert fake_gateway.bodies["sms-1"] == "【售后服务】您好"
    assert known.gateway_message_id == "gw-sms-1"
    assert unknown is None


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (503, GatewayUnavailable),
        (500, GatewayUnavailable),
        (429, GatewayUnavailable),
        (400, GatewayRejected),
        (403, GatewayRejected),
    ],
)
def test_http_gateway_5xx_is_retryable_and_4xx_is_final(fake_gateway, status, error):
    fake_gateway.script = [status]

    with pytest.raises(error):
        HttpGateway().send(out_id="sms-1", mobile="13812345678", body="x")

    assert fake_gateway.sends["sms-1"] == 0


def test_http_gateway_timeout_after_sending_is_uncertain(fake_gateway):
    fake_gateway.hang_s = 1.0

    with pytest.raises(GatewayUncertain):
        HttpGateway().send(out_id="sms-1", mobile="13812345678", body="x")

    assert fake_gateway.sends["sms-1"] == 1  # it did arrive: only a query can tell


def test_http_gateway_refused_connection_is_retryable(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{closed_port}/send"
    settings.SMS_HTTP_QUERY_URL = ""

    with pytest.raises(GatewayUnavailable):
        HttpGateway().send(out_id="sms-1", mobile="13812345678", body="x")


def test_http_gateway_with_a_wrong_key_is_refused(fake_gateway, settings):
    settings.SMS_HTTP_API_KEY = "wrong"

    with pytest.raises(GatewayRejected):
        HttpGateway().send(out_id="sms-1", mobile="13812345678", body="x")


def test_file_gateway_appends_json_lines_and_answers_queries(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "sent.jsonl")
    settings.SMS_BACKEND = "file"
    gateway = sms_gateways.get_gateway()

    gateway.send(out_id="sms-7", mobile="13812345678", body="您好")
    with open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as file:
        file.write('{"out_id": "sms-8", "mob')  # a line cut short by a killed process

    assert gateway.query(out_id="sms-7").gateway_message_id == "sms-7"
    assert gateway.query(out_id="sms-8") is None


def test_console_gateway_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "console"

    sms_gateways.get_gateway().send(out_id="sms-3", mobile="13812345678", body="【售后服务】测试")

    assert "13812345678: 【售后服务】测试" in capsys.readouterr().out
