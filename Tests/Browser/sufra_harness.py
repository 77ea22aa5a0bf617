"""Runs a real `sufra dev` (server, sender and sandbox Twilio on one port) on a throwaway database, and plays
customers who write to the demo restaurant with webhooks signed as Twilio signs them."""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_NUMBER = "whatsapp:+14155238886"
DEMO_ACCOUNT = "AC00000000000000000000000000000de0"


def _services_env() -> dict:
    """DATABASE_URL / REDIS_URL of the local services (scripts/services start prints them)."""
    output = subprocess.run([str(ROOT / "scripts/services"), "start"], check=True, capture_output=True, text=True)
    env = {}
    for line in output.stdout.splitlines():
        match = re.match(r"export (\w+)=(.*)", line.strip())
        if match:
            env[match.group(1)] = match.group(2)
    return env


def _psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sufra:
    """One `sufra dev` process on its own database and port."""

    def __init__(self):
        services = _services_env()
        server_url = services["TEST_DATABASE_URL"]
        self.admin_db_url = server_url
        self.db_name = "t_browser_" + uuid.uuid4().hex[:12]
        _psql(server_url, f"CREATE DATABASE {self.db_name}")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.master_key = base64.b64encode(secrets.token_bytes(32)).decode()
        self.admin_token = secrets.token_hex(16)
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": server_url.rsplit("/", 1)[0] + "/" + self.db_name,
            "REDIS_URL": services["REDIS_URL"], "MASTER_KEY": self.master_key,
            "JWT_SECRET": secrets.token_hex(32), "ADMIN_TOKEN": self.admin_token, "HOST": "127.0.0.1",
            "PORT": str(self.port), "LOG_LEVEL": "warning", "RATE_GLOBAL_PER_MIN": "100000",
            "RATE_CUSTOMER_PER_MIN": "1000",
            # Three dashboards per restaurant: one test fills the restaurant with two raw sockets beside its page.
            "DASHBOARD_SOCKETS_PER_RESTAURANT": "3",
        })
        binary = os.environ.get("SUFRA_BINARY", str(ROOT / ".build/debug/sufra"))
        self.log = open(ROOT / ".build/browser-test-server.log", "w")
        self.process = subprocess.Popen([binary, "dev"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True)
        banner = self._read_banner()
        self.restaurant_id = re.search(r"staff login\s+restaurant (\S+)", banner).group(1)
        credentials = re.search(r"email (\S+)\s+password (\S+)", banner)
        self.staff_email, self.staff_password = credentials.group(1), credentials.group(2)
        key = self.master_key.encode()
        self.auth_token = hmac.new(key, b"sufra-dev-demo-token", hashlib.sha256).hexdigest()[:32]
        self._wait_healthy()

    def _read_banner(self) -> str:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("sufra dev exited early; see .build/browser-test-server.log")
            lines.append(line)
            if "password" in line:
                return "".join(lines)
        raise RuntimeError("no banner from sufra dev")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("sufra never became healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        _psql(self.admin_db_url, f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")

    def dashboard_sockets(self) -> int:
        """Dashboard WebSockets the server holds now (its `sufra_websocket_connections` gauge)."""
        with urllib.request.urlopen(f"{self.base}/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("sufra_websocket_connections "):
                    return int(float(line.split()[1]))
        raise AssertionError("no sufra_websocket_connections on /metrics")

    def wait_for_dashboard_sockets(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.dashboard_sockets() != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} dashboard sockets, the server holds {self.dashboard_sockets()}")
            time.sleep(0.05)

    def sandbox_messages(self, to: str) -> list:
        query = urllib.parse.urlencode({"to": to})
        with urllib.request.urlopen(f"{self.base}/sandbox/messages?{query}", timeout=5) as response:
            return json.load(response)


def twilio_signature(auth_token: str, url: str, params: dict) -> str:
    """Twilio's request signature: HMAC-SHA1 over the URL and the sorted parameters, base64."""
    data = url + "".join(key + params[key] for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class Customer:
    """A WhatsApp customer of the demo restaurant."""

    def __init__(self, sufra: Sufra, number: str, name: str):
        self.sufra = sufra
        self.number = number if number.startswith("whatsapp:") else "whatsapp:" + number
        self.name = name

    def send(self, body: str = "", **extra: str) -> None:
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": DEMO_ACCOUNT, "From": self.number,
            "To": DEMO_NUMBER, "Body": body, "NumMedia": "0", "ProfileName": self.name,
            "WaId": self.number.removeprefix("whatsapp:+"), **extra,
        }
        url = self.sufra.base + "/whatsapp/webhook"
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": twilio_signature(self.sufra.auth_token, url, params)})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.status

    def replies(self) -> list:
        return [message.get("body") or message.get("contentSid") for message in self.sufra.sandbox_messages(self.number)]

    def say(self, body: str = "", expect_reply: bool = True, **extra: str) -> list:
        """Sends a message; returns the replies that reach the sandbox after it (waits for at least one)."""
        before = len(self.replies())
        self.send(body, **extra)
        if not expect_reply:
            return []
        return self.wait_for_replies(before + 1)[before:]

    def wait_for_replies(self, count: int, timeout: float = 15) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = self.replies()
            if len(replies) >= count:
                # Give a second reply of the same step (e.g. thanks + promo) a moment to land.
                time.sleep(0.3)
                return self.replies()
            time.sleep(0.1)
        raise AssertionError(f"{self.number}: expected {count} replies, got {self.replies()}")

    def order_delivery(self, items: str = "1 x2") -> list:
        """Hello → new order → delivery → a pin → items → done → confirm."""
        self.say("hello")
        self.say("1")
        self.say("1")
        self.say("", Latitude="24.7136", Longitude="46.6753", Address="Olaya St, Riyadh")
        self.say(items)
        self.say("done")
        return self.say("1")

    def order_pickup(self, items: str = "2") -> list:
        self.say("hello")
        self.say("1")
        self.say("2")
        self.say(items)
        self.say("done")
        return self.say("1")


def launch_browser(playwright):
    """Debian's Chromium (Playwright cannot download its own browser here); audio allowed without a gesture."""
    return playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--disable-dev-shm-usage"])


def log_in(page, sufra: Sufra, live: bool = True) -> None:
    page.goto(sufra.base + "/dashboard")
    page.fill("#login-restaurant", sufra.restaurant_id)
    page.fill("#login-email", sufra.staff_email)
    page.fill("#login-password", sufra.staff_password)
    page.click("#login-submit")
    page.wait_for_selector("#app-view:not([hidden])")
    if live:
        page.wait_for_selector("#live-status[data-state='live']")
