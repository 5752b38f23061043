"""SMS gateways, chosen by SMS_BACKEND like Django's email backends.

A gateway sends one text and, where it can, answers later whether it has a message we sent
under an id of ours (`out_id`). Chinese SMS gateways are not idempotent: after a timeout the
message may or may not have gone out, so the outbox asks `query` before sending again.

Errors: `GatewayUnavailable` (nothing was sent; try again later), `GatewayRejected` (the gateway
refused this message; trying again will not help), `GatewayUncertain` (it may have been sent).
"""

import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


class GatewayError(Exception):
    pass


class GatewayUnavailable(GatewayError):
    """Nothing was sent: the gateway could not be reached or answered 5xx."""


class GatewayRejected(GatewayError):
    """The gateway refused the message (4xx): bad number, blocked content, no balance."""


class GatewayUncertain(GatewayError):
    """The request may have reached the gateway: a timeout after it was sent."""


@dataclass(frozen=True)
class Receipt:
    gateway_message_id: str
    accepted_at: datetime


class Gateway:
    can_query = False

    def send(self, *, out_id: str, mobile: str, body: str) -> Receipt:
        raise NotImplementedError

    def query(self, *, out_id: str) -> Receipt | None:
        """Return the receipt of a message sent under `out_id`, or None when the gateway never got it."""
        raise NotImplementedError


class ConsoleGateway(Gateway):
    """Prints each message: the embedded default, for a first run and for development."""

    def send(self, *, out_id: str, mobile: str, body: str) -> Receipt:
        sys.stdout.write(f"[SMS {out_id}] → {mobile}: {body}\n")
        sys.stdout.flush()
        return Receipt(gateway_message_id=out_id, accepted_at=timezone.now())


class FileGateway(Gateway):
    """Appends each message as a JSON line to SMS_FILE_PATH; answers queries from that file."""

    can_query = True

    def __init__(self) -> None:
        self.path = Path(settings.SMS_FILE_PATH)

    def send(self, *, out_id: str, mobile: str, body: str) -> Receipt:
        receipt = Receipt(gateway_message_id=out_id, accepted_at=timezone.now())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"out_id": out_id, "mobile": mobile, "body": body, "at": receipt.accepted_at.isoformat()}
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return receipt

    def query(self, *, out_id: str) -> Receipt | None:
        if not self.path.exists():
            return None
        with self.path.open(encoding="utf-8") as file:
            for raw in file:
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue  # a line cut short by a killed process: never acknowledged
                if line.get("out_id") == out_id:
                    return Receipt(gateway_message_id=out_id, accepted_at=datetime.fromisoformat(line["at"]))
        return None


# Messages sent through the locmem gateway, like django.core.mail.outbox; tests clear it.
outbox: list[dict] = []
_outbox_lock = threading.Lock()


class LocmemGateway(Gateway):
    """Keeps messages in `outbox` in this process: for tests."""

    can_query = True

    def send(self, *, out_id: str, mobile: str, body: str) -> Receipt:
        receipt = Receipt(gateway_message_id=out_id, accepted_at=timezone.now())
        with _outbox_lock:
            outbox.append({"out_id": out_id, "mobile": mobile, "body": body, "at": receipt.accepted_at})
        return receipt

    def query(self, *, out_id: str) -> Receipt | None:
        with _outbox_lock:
            for sent in outbox:
                if sent["out_id"] == out_id:
                    return Receipt(gateway_message_id=out_id, accepted_at=sent["at"])
        return None


class HttpGateway(Gateway):
    """A JSON-over-HTTP gateway.

    Send: POST SMS_HTTP_URL {"out_id", "mobile", "text"} with `Authorization: Bearer SMS_HTTP_API_KEY`
    → 200 {"message_id"}. Query: GET SMS_HTTP_QUERY_URL?out_id=... → 200 {"message_id",
    "accepted_at"} or 404 when the gateway never received it. 5xx and refused connections are
    retried later; 4xx is final; a timeout once the request is on its way is uncertain.
    """

    can_query = True

    def __init__(self) -> None:
        self.url = settings.SMS_HTTP_URL
        self.query_url = settings.SMS_HTTP_QUERY_URL
        self.api_key = settings.SMS_HTTP_API_KEY
        self.timeout_s = settings.SMS_HTTP_TIMEOUT_S
        for url in filter(None, (self.url, self.query_url)):
            if not url.startswith(("http://", "https://")):
                raise ImproperlyConfigured(f"SMS gateway URLs must be http(s): {url!r}")
        if not self.url:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL")
        self.can_query = bool(self.query_url)

    def send(self, *, out_id: str, mobile: str, body: str) -> Receipt:
        payload = json.dumps({"out_id": out_id, "mobile": mobile, "text": body}).encode()
        request = urllib.request.Request(self.url, data=payload, method="POST")  # noqa: S310 (http(s) checked)
        answer = self._call(request, sending=True)
        return Receipt(gateway_message_id=str(answer.get("message_id", out_id)), accepted_at=timezone.now())

    def query(self, *, out_id: str) -> Receipt | None:
        url = f"{self.query_url}?{urllib.parse.urlencode({'out_id': out_id})}"
        try:
            answer = self._call(urllib.request.Request(url, method="GET"), sending=False)  # noqa: S310
        except GatewayRejected as rejected:
            if getattr(rejected, "status", None) == 404:
                return None
            raise
        return Receipt(
            gateway_message_id=str(answer.get("message_id", out_id)), accepted_at=_aware(answer.get("accepted_at"))
        )

    def _call(self, request: urllib.request.Request, *, sending: bool) -> dict:
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:200].decode(errors="replace")
            if error.code >= 500 or error.code == 429:
                raise GatewayUnavailable(f"HTTP {error.code}: {detail}") from error
            rejected = GatewayRejected(f"HTTP {error.code}: {detail}")
            rejected.status = error.code
            raise rejected from error
        except urllib.error.URLError as error:
            # urllib wraps failures while connecting and writing the request: not received.
            raise GatewayUnavailable(str(error.reason)) from error
        except OSError as error:
            # Timeouts and resets while waiting for the answer: the request was on its way.
            if sending:
                raise GatewayUncertain(f"no answer: {error!r}") from error
            raise GatewayUnavailable(f"no answer: {error!r}") from error


def _aware(text: str | None) -> datetime:
    """A gateway's timestamp; one without an offset is taken as UTC (the usual gateway convention)."""
    if not text:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return timezone.now()
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


BACKENDS = {
    "console": ConsoleGateway,
    "file": FileGateway,
    "locmem": LocmemGateway,
    "http": HttpGateway,
}


def get_gateway() -> Gateway:
    """Return the gateway SMS_BACKEND names: console, file, locmem, http or a dotted path."""
    name = settings.SMS_BACKEND
    backend = BACKENDS.get(name) or import_string(name)
    return backend()
