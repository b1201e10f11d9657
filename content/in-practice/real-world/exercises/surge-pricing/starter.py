import json
import math
import time
from datetime import datetime, timezone

from kafka import KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

REQUESTS = topic("trip-requests")
SURGE = topic("surge-prices")
WINDOW_MS = 10_000

# Done for you: 60 trip requests over 20 seconds of event time, a minute ago, busiest downtown. Keyed by area.
# Every run starts from a clean slate: the course makes both topics anew.
producer = KafkaProducer(client_id="surge-pricing", key_serializer=str.encode, value_serializer=str.encode, **connection)
start = int(time.time() * 1000) // WINDOW_MS * WINDOW_MS - 60_000
areas = ["downtown", "downtown", "downtown", "airport", "airport", "harbour"]
requests = [{"area": areas[i % len(areas)], "at": start + i * 20_000 // 60} for i in range(60)]
for request in requests:
    producer.send(REQUESTS, key=request["area"], value=json.dumps(request), timestamp_ms=request["at"])
producer.flush()
print(f"generated {len(requests)} trip requests")

# Your stream processor: count requests per area and 10-second window (by event time), then price each window.
counts = {}
consumer = KafkaConsumer(
    REQUESTS, group_id=group("surge-pricer"), auto_offset_reset="earliest", consumer_timeout_ms=10_000, client_id="surge-pricing", **connection
)
for handled, message in enumerate(consumer, start=1):
    request = json.loads(message.value)
    # TODO: find the start of the request's 10-second window (round request["at"] down to WINDOW_MS)
    # and add one to counts under the key (request["area"], window_start).
    if handled == len(requests):
        break
consumer.close()


# Done for you: one price per area and window, 1.0 up to 5 requests, then 0.25 more for every 3 requests beyond.
def multiplier(n):
    return 1.0 if n <= 5 else 1 + 0.25 * math.ceil((n - 5) / 3)


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


prices = [{"area": area, "window": iso(window_start), "requests": n, "multiplier": multiplier(n)} for (area, window_start), n in counts.items()]
for price in prices:
    producer.send(SURGE, key=price["area"], value=json.dumps(price))
producer.flush()
producer.close()
for p in prices:
    print(f"{p['window']} {p['area']:<9} {p['requests']:>3} requests → ×{p['multiplier']:.2f}")
