#!/usr/bin/env python3
"""What a run looked like from one half-second to the next: webhooks/s and the share answered in over 50 ms (from
the server's own histogram: `sufra_http_request_duration_seconds{route="webhook"}`, the webhook's time at its
connection, or on builds without it `sufra_webhook_duration_seconds`, the handler's), next to the machine's steal and
idle shares (from /proc/stat). Used by webhooks.sh (TIMELINE=1) to tell a slow build from a slow machine.

    timeline.py sample --metrics http://127.0.0.1:48090/metrics --out timeline.tsv   # until SIGTERM
    timeline.py summary timeline.tsv                                                 # one line
"""
import argparse
import re
import signal
import sys
import time
import urllib.request

# The webhook's time at its connection where the build exports it, else the handler's own timer (older builds).
EDGE_BUCKET = re.compile(r'^sufra_http_request_duration_seconds_bucket\{route="webhook",le="0\.05"\} (\S+)$', re.M)
EDGE_COUNT = re.compile(r'^sufra_http_request_duration_seconds_count\{route="webhook"\} (\S+)$', re.M)
BUCKET = re.compile(r'^sufra_webhook_duration_seconds_bucket\{le="0\.05"\} (\S+)$', re.M)
COUNT = re.compile(r"^sufra_webhook_duration_seconds_count (\S+)$", re.M)
STEAL_HEAVY = 5.0  # percent of the machine's CPU time


def machine():
    """(busy, steal, idle) ticks summed over every CPU since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq, steal, idle + iowait


def webhooks(url):
    """(webhooks answered, of which within 50 ms, which timer) so far, from the server's histograms."""
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    for count_pattern, bucket_pattern, timer in ((EDGE_COUNT, EDGE_BUCKET, "connection"), (COUNT, BUCKET, "handler")):
        count, within = count_pattern.search(text), bucket_pattern.search(text)
        if count and within:
            return float(count.group(1)), float(within.group(1)), timer
    raise ValueError("no webhook duration histogram at " + url)


def sample(arguments):
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(arguments.out, "w") as out:
        start = previous_at = time.monotonic()
        previous = webhooks(arguments.metrics), machine()
        out.write(f"# timer: {previous[0][2]}\n")
        out.write("seconds\twebhooks_per_s\tover_50ms_pct\tsteal_pct\tidle_pct\n")
        while not stopping:
            time.sleep(arguments.interval)
            try:
                current = webhooks(arguments.metrics), machine()
            except (OSError, ValueError):
                break  # the server stopped
            now = time.monotonic()
            (count, within, _), cpu = current
            (count0, within0, _), cpu0 = previous
            answered = count - count0
            busy, steal, idle = (after - before for after, before in zip(cpu, cpu0))
            total = max(busy + steal + idle, 1)
            over = 100 * (answered - (within - within0)) / answered if answered else 0.0
            out.write(
                f"{now - start:.1f}\t{answered / (now - previous_at):.0f}\t{over:.1f}\t"
                f"{100 * steal / total:.1f}\t{100 * idle / total:.1f}\n")
            out.flush()
            previous, previous_at = current, now


def summary(arguments):
    rows = []
    with open(arguments.file) as timeline:
        timer = next(timeline).removeprefix("# timer:").strip()
        next(timeline)
        for line in timeline:
            seconds, rate, over, steal, idle = (float(value) for value in line.split("\t"))
            rows.append((rate, over, steal))
    if not rows:
        print("timeline: no interval recorded")
        return

    def share_over(selected):
        answered = sum(rate for rate, _, _ in selected)
        return sum(rate * over for rate, over, _ in selected) / answered if answered else 0.0

    heavy = [row for row in rows if row[2] >= STEAL_HEAVY]
    light = [row for row in rows if row[2] < STEAL_HEAVY]
    print(
        f"timeline ({timer} timer): {len(rows)} intervals, {share_over(rows):.1f} % of webhooks over 50 ms; "
        f"{len(heavy)} intervals with steal ≥ {STEAL_HEAVY:.0f} %: {share_over(heavy):.1f} % over 50 ms, "
        f"{sum(r for r, _, _ in heavy) / max(len(heavy), 1):.0f}/s; "
        f"the other {len(light)}: {share_over(light):.1f} % over 50 ms, "
        f"{sum(r for r, _, _ in light) / max(len(light), 1):.0f}/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sampling = commands.add_parser("sample", help="record intervals until SIGTERM")
    sampling.add_argument("--metrics", required=True, help="the server's /metrics URL")
    sampling.add_argument("--out", required=True, help="the TSV to write")
    sampling.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    summarising = commands.add_parser("summary", help="one line about a recorded timeline")
    summarising.add_argument("file")
    arguments = parser.parse_args()
    try:
        (sample if arguments.command == "sample" else summary)(arguments)
    except (OSError, ValueError) as error:
        print(f"timeline.py: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
