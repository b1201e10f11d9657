# Flags a member at 10 messages (>=), though only more than 10 is spam.
# The checkpoint says: `busy-member` was flagged
import json
import time
from datetime import datetime, timezone

from kafka import KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

INTERACTIONS = topic("interactions")
SIGNALS = topic("spam-signals")
LIMIT = 10
WINDOW_MS = 60_000

# Done for you: five members chat normally; one is busy (ten messages in a minute, the most allowed); a fan sends
# eight messages and likes six posts within a minute; one writes twelve messages over two minutes; and two blast
# messages at strangers. Every run starts from a clean slate: the course makes both topics anew.
producer = KafkaProducer(client_id="spam-signals", key_serializer=str.encode, value_serializer=str.encode, **connection)
now = int(time.time() * 1000)
events = [
    *({"member": f"member-{i % 5}", "action": "like" if i % 3 else "message", "to": f"member-{(i + 1) % 5}", "at": now + i * 4000} for i in range(15)),
    *({"member": "fan-member", "action": "message" if i % 7 < 4 else "like", "to": f"member-{i % 5}", "at": now + i * 3000} for i in range(14)),
    *({"member": "spammer-a", "action": "message", "to": f"stranger-{i}", "at": now + i * 2000} for i in range(14)),
    *({"member": "spammer-b", "action": "message", "to": f"stranger-{i}", "at": now + i * 3000} for i in range(12)),
    *({"member": "busy-member", "action": "message", "to": f"member-{i % 5}", "at": now + i * 5000} for i in range(10)),
    *({"member": "slow-member", "action": "message", "to": f"member-{i % 5}", "at": now + i * 10_000} for i in range(12)),
]
for event in events:
    producer.send(INTERACTIONS, key=event["member"], value=json.dumps(event))
producer.flush()
print(f"generated {len(events)} interactions")

# Your stream processor: per member, the times of their recent messages; flag a member once past the limit.
recent = {}
flagged = set()
consumer = KafkaConsumer(
    INTERACTIONS, group_id=group("spam-watch"), auto_offset_reset="earliest", consumer_timeout_ms=10_000, client_id="spam-signals", **connection
)
for handled, message in enumerate(consumer, start=1):
    event = json.loads(message.value)
    if event["action"] == "message":
        times = [t for t in recent.get(event["member"], []) if t > event["at"] - WINDOW_MS]
        times.append(event["at"])
        recent[event["member"]] = times
        if len(times) >= LIMIT and event["member"] not in flagged:
            flagged.add(event["member"])
            at = datetime.fromtimestamp(event["at"] / 1000, timezone.utc).isoformat()
            signal = {"member": event["member"], "messagesInLastMinute": len(times), "at": at}
            producer.send(SIGNALS, key=event["member"], value=json.dumps(signal))
            print(f"spam signal: {event['member']} sent {len(times)} messages within a minute")
    if handled == len(events):
        break
consumer.close()
producer.flush()
producer.close()
print(f"{len(flagged)} member(s) flagged.")
