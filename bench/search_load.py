#!/usr/bin/env python3
"""Times GET /api/v1/submissions?q=... from CONNECTIONS keep-alive connections.

    search_load.py BASE TOKEN REQUESTS CONNECTIONS QUERY [QUERY ...]

Prints one line per query: requests, errors, p50, p99 and max in ms. Every
request goes to 127.0.0.1; the loop is bounded by REQUESTS.
"""
import http.client
import statistics
import sys
import threading
import time
import urllib.parse


def run(base, token, requests, connections, query):
    url = urllib.parse.urlsplit(base)
    path = "/api/v1/submissions?" + urllib.parse.urlencode({"q": query})
    timings, errors = [], []
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"authorization": f"Bearer {token}"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = str(error)
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200:
                    timings.append(elapsed)
                else:
                    errors.append(status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    timings.sort()
    if not timings:
        print(f"q={query!r}: no successful request; errors {errors[:5]}")
        return
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"q={query!r}: {len(timings)} ok, {len(errors)} errors, "
        f"p50 {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms, max {timings[-1]:.1f} ms"
    )


def main():
    base, token, requests, connections = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for query in sys.argv[5:]:
        run(base, token, min(requests, 10_000), min(connections, 64), query)


if __name__ == "__main__":
    main()
