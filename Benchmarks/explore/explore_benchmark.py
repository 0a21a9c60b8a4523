#!/usr/bin/env python3
"""`latent explore` under load, and its page's redraw time, measured on this machine.

Starts `latent explore MODEL --data SPEC --port 0` and measures, against 127.0.0.1 only:

1. decode requests with `hey` (Debian's `hey`): 1 000 from one client (unloaded latency), then ROUNDS rounds of REQUESTS requests from
   CONCURRENCY concurrent clients, each request a different code (hey repeats one URL, so each
   round uses its own); p50, p90 and p99 latency and requests per second per round;
2. the server's resident memory (VmRSS) after start and after each round: flat if nothing grows
   with the requests served;
3. the page in headless Chromium (DevTools protocol over a pipe): after loading, PANS drags and
   ZOOMS wheel turns over the scatter, the page's own redraw times (`latentExplorer.drawTimes`,
   performance.now() around draw()), median and 95th percentile, and the frame rate they allow.

Usage (after `swift build -c release`):
    apt-get install -y hey chromium
    Benchmarks/explore/explore_benchmark.py --model vae20.safetensors --data fm70k.npy --labels fm70k-labels.npy

Prints one JSON object. Every loop is bounded in count and time; traffic goes to 127.0.0.1 only.
"""
import argparse
import base64
import fcntl
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def run_hey(url, requests, concurrency):
    output = subprocess.run(["hey", "-n", str(requests), "-c", str(concurrency), "-t", "60", url],
                            capture_output=True, text=True, timeout=600, check=True).stdout
    def seconds(percent):
        match = re.search(rf"{percent}% in ([0-9.]+) secs", output)
        return float(match.group(1)) if match else None
    statuses = dict((int(code), int(count)) for code, count in re.findall(r"\[(\d+)\]\s+(\d+) responses", output))
    errors = re.search(r"Error distribution:(.*)", output, re.S)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),
        "p50_ms": 1000 * seconds(50), "p90_ms": 1000 * seconds(90), "p99_ms": 1000 * seconds(99),
        "statuses": statuses, "errors": errors.group(1).strip() if errors else "",
    }


class Browser:
    """Chromium over --remote-debugging-pipe: commands on fd 3, answers on fd 4, NUL-separated."""

    def __init__(self, width=1280, height=1000):
        self.to_browser_read, self.to_browser_write = os.pipe()
        self.from_browser_read, self.from_browser_write = os.pipe()
        self.profile = tempfile.mkdtemp()
        # High-numbered copies first, so that dup2 onto 3 and 4 in the child cannot clobber them.
        child_in = fcntl.fcntl(self.to_browser_read, fcntl.F_DUPFD, 100)
        child_out = fcntl.fcntl(self.from_browser_write, fcntl.F_DUPFD, 100)
        def child():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)
        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1", "about:blank"],
            preexec_fn=child, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for descriptor in (self.to_browser_read, self.from_browser_write, child_in, child_out):
            os.close(descriptor)
        self.buffer = b""
        self.next_id = 1
        self.session = None
        target = self.command("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime"):
            self.command(f"{domain}.enable", {})
        self.command("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def command(self, method, params, timeout=60):
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        wanted = self.next_id
        self.next_id += 1
        os.write(self.to_browser_write, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == wanted:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
            chunk = os.read(self.from_browser_read, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed")
            self.buffer += chunk
        raise RuntimeError(f"no answer to {method}")

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def mouse(self, kind, x, y, **extra):
        self.command("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, **extra})

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def page_redraws(url, pans, zooms, screenshot):
    browser = Browser()
    try:
        browser.command("Page.navigate", {"url": url})
        deadline = time.time() + 60
        while not browser.evaluate("Boolean(window.latentExplorer && latentExplorer.ready)"):
            if time.time() > deadline:
                raise RuntimeError("the page did not get ready")
            time.sleep(0.1)
        points = browser.evaluate("latentExplorer.points")
        browser.evaluate("latentExplorer.drawTimes.length")  # the first draws (load, fit) are counted too
        start = len(browser.evaluate("latentExplorer.drawTimes"))
        for k in range(zooms):
            browser.mouse("mouseWheel", 480, 400, deltaX=0, deltaY=-60 if k < zooms // 2 else 60)
            browser.evaluate("new Promise(r => requestAnimationFrame(() => r(0)))")
        for k in range(pans):
            browser.mouse("mousePressed", 480, 400, button="left", buttons=1, clickCount=1)
            for step in range(1, 6):
                browser.mouse("mouseMoved", 480 + 8 * step * (1 if k % 2 == 0 else -1), 400, button="left", buttons=1)
                browser.evaluate("new Promise(r => requestAnimationFrame(() => r(0)))")
            browser.mouse("mouseReleased", 520 if k % 2 == 0 else 440, 400, button="left", buttons=0, clickCount=1)
        times = browser.evaluate("latentExplorer.drawTimes")[start:]
        if screenshot:
            # A picture of the page at work: the view refitted, a click decoded, a path drawn, a point hovered.
            browser.evaluate("document.getElementById('reset').click()")
            browser.evaluate("new Promise(r => requestAnimationFrame(() => r(0)))")
            browser.mouse("mousePressed", 300, 250, button="left", buttons=1, clickCount=1)
            browser.mouse("mouseReleased", 300, 250, button="left", buttons=0, clickCount=1)
            browser.mouse("mousePressed", 200, 600, button="left", buttons=1, clickCount=1, modifiers=8)
            for step in range(1, 21):
                browser.mouse("mouseMoved", 200 + 25 * step, 600 - 22 * step + 4 * (step - 10) ** 2 // 5, button="left", buttons=1, modifiers=8)
            browser.mouse("mouseReleased", 700, 160, button="left", buttons=0, clickCount=1, modifiers=8)
            x, y = browser.evaluate("latentExplorer.screenPoint(4321)")
            browser.mouse("mouseMoved", x, y)
            deadline = time.time() + 30
            while not browser.evaluate("Array.from(document.images).filter(i => i.offsetParent).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll('#strip-images img').length > 0"):
                if time.time() > deadline:
                    raise RuntimeError("the page's images did not load")
                time.sleep(0.1)
            png = browser.command("Page.captureScreenshot", {"format": "png"})["data"]
            with open(screenshot, "wb") as file:
                file.write(base64.b64decode(png))
        ordered = sorted(times)
        return {"points": points, "redraws": len(times), "median_ms": statistics.median(times),
                "p95_ms": ordered[int(0.95 * (len(ordered) - 1))], "frames_per_second_at_median": 1000 / statistics.median(times)}
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latent", default=".build/release/latent")
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--labels", help="a labels file for --data")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pans", type=int, default=20)
    parser.add_argument("--zooms", type=int, default=40)
    parser.add_argument("--screenshot", help="write the page after the pans and zooms as a PNG here")
    arguments = parser.parse_args()

    labels = ["--labels", arguments.labels] if arguments.labels else []
    server = subprocess.Popen([arguments.latent, "explore", arguments.model, "--data", arguments.data, "--port", "0", "--json", "--quiet"] + labels,
                              stdout=subprocess.PIPE, text=True)
    try:
        listening = json.loads(server.stdout.readline())
        url = listening["url"]
        code_size = listening["code_size"]
        result = {"url": url, "samples": listening["samples"], "shown": listening["shown"], "code_size": code_size,
                  "concurrency": arguments.concurrency, "requests_per_round": arguments.requests,
                  "rss_kib": {"started": rss_kib(server.pid)}}
        # Unloaded: one client, one request at a time.
        z = ",".join("0.1" for _ in range(code_size))
        result["one_client"] = run_hey(f"{url}api/decode?z={z}", 1000, 1)
        rounds = []
        for round_index in range(arguments.rounds):
            z = ",".join(f"{0.1 * ((round_index + j) % 7) - 0.3:.3f}" for j in range(code_size))
            measured = run_hey(f"{url}api/decode?z={z}", arguments.requests, arguments.concurrency)
            measured["rss_kib_after"] = rss_kib(server.pid)
            rounds.append(measured)
        result["rounds"] = rounds
        result["page"] = page_redraws(url, arguments.pans, arguments.zooms, arguments.screenshot)
        result["rss_kib"]["after_page"] = rss_kib(server.pid)
        print(json.dumps(result, indent=2))
    finally:
        server.send_signal(2)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
