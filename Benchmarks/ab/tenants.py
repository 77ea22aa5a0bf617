#!/usr/bin/env python3
"""Creates benchmark restaurants through Sufra's admin API and writes what sign.py needs to sign their webhooks.

    tenants.py --admin http://127.0.0.1:48090 --count 10 --out tenants.json      # ADMIN_TOKEN from the environment

Each restaurant gets its own WhatsApp number, account SID and auth token, a two-item menu, high inbound limits (the
benchmark measures the webhook path, not the rate limiter) and Arabic or English in turn.
"""

import argparse
import json
import os
import secrets
import sys
import urllib.error
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin", required=True, help="base URL of the server")
    parser.add_argument("--count", type=int, default=10, help="restaurants to create (default 10)")
    parser.add_argument("--out", required=True, help="tenants file to write")
    args = parser.parse_args()
    token = os.environ.get("ADMIN_TOKEN")
    if not token:
        parser.error("ADMIN_TOKEN must be set")
    tenants = []
    for index in range(1, args.count + 1):
        tenant = {"to": f"whatsapp:+1415777{index:04d}", "accountSid": "AC" + secrets.token_hex(16),
                  "token": secrets.token_hex(16)}
        restaurant = {
            "name": f"Bench {index}", "whatsappFrom": tenant["to"], "twilioAccountSid": tenant["accountSid"],
            "twilioAuthToken": tenant["token"], "inboundPerMinute": 100_000, "sendPerMinute": 600,
            "language": "ar" if index % 2 else "en",
            "menu": [
                {"name": {"ar": "فلافل", "en": "Falafel wrap"}, "price": 1250, "available": True},
                {"name": {"ar": "حمص", "en": "Hummus"}, "price": 900, "available": True},
            ],
        }
        request = urllib.request.Request(
            args.admin.rstrip("/") + "/admin/restaurants", json.dumps(restaurant).encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request).close()
        except urllib.error.HTTPError as error:
            print(f"tenants.py: creating restaurant {index} answered {error.code}: {error.read().decode()}",
                  file=sys.stderr)
            return 1
        tenants.append(tenant)
    with open(args.out, "w") as out:
        json.dump(tenants, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
