#!/usr/bin/env python3
"""Writes fresh signed Twilio WhatsApp webhooks for `wrk` to replay (Benchmarks/ab/replay.lua).

    sign.py --tenants tenants.json --public-url https://sufra.bench.example --count 100000 --out requests.tsv

`tenants.json` is a list of {"to": "whatsapp:+1...", "accountSid": "AC...", "token": "<auth token>"}
(tenants.py writes it while creating the restaurants). Each output line is `<X-Twilio-Signature>\t<form body>`;
the signature covers `<public-url>/whatsapp/webhook` and the parameters exactly as Twilio signs them
(docs/twilio.md).

Customers are spread evenly over the restaurants and each writes to one restaurant only. They take turns: every
run of `--customers` consecutive lines holds each customer once, in a shuffled order, so concurrent requests seldom
belong to one conversation (as at a real restaurant, where one customer types one message at a time). Every
MessageSid is unique, so nothing is a duplicate unless a run wraps around its file.
"""

import argparse
import base64
import hashlib
import hmac
import json
import random
import sys
import urllib.parse

# What customers type, in turn: greetings, menu picks, confirmations, questions (Arabic first, English too).
BODIES = ["مرحبا", "1", "2", "نعم", "hello", "menu", "1", "yes", "كم السعر؟", "شكرا"]
PROFILE_NAMES = ["Amina", "Omar", "Layla", "Youssef", "Sara", "Karim"]


def signature(token: str, url: str, params: dict) -> str:
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", required=True, help="JSON list of {to, accountSid, token}")
    parser.add_argument("--public-url", required=True, help="PUBLIC_URL of the server under test")
    parser.add_argument("--count", type=int, default=100_000, help="requests to write (default 100000)")
    parser.add_argument("--customers", type=int, default=1000, help="distinct customers (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="output file")
    args = parser.parse_args()
    if args.count < 1 or args.customers < 1:
        parser.error("--count and --customers must be positive")
    tenants = json.load(open(args.tenants))
    if not tenants:
        parser.error("the tenants file lists no restaurant")
    url = args.public_url.rstrip("/") + "/whatsapp/webhook"
    rng = random.Random(args.seed)
    sid_prefix = "SM%08x" % rng.getrandbits(32)
    turn: list[int] = []
    said = [0] * args.customers
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(f"# {args.count} signed webhooks, {args.customers} customers, {len(tenants)} restaurants, {url}\n")
        for index in range(args.count):
            if not turn:
                turn = list(range(args.customers))
                rng.shuffle(turn)
            customer = turn.pop()
            tenant = tenants[customer % len(tenants)]
            number = f"+2010{customer:08d}"
            sid = f"{sid_prefix}{index:024x}"
            params = {
                "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": tenant["accountSid"],
                "From": "whatsapp:" + number, "To": tenant["to"], "Body": BODIES[said[customer] % len(BODIES)],
                "NumMedia": "0", "ProfileName": PROFILE_NAMES[customer % len(PROFILE_NAMES)],
                "WaId": number[1:], "ApiVersion": "2010-04-01",
            }
            said[customer] += 1
            body = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
            out.write(signature(tenant["token"], url, params) + "\t" + body + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
