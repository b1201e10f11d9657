# Loads the raw view as it came, instead of transforming it.
# The checkpoint says: still has the field `userAgent`
import json

from kafka import KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

RAW = topic("page-views")
CLEAN = topic("page-views-clean")
COUNTRIES = {"DE": "Germany", "FR": "France", "JP": "Japan", "BR": "Brazil"}

# Done for you: the source writes 20 raw page views, with more fields than the target wants.
# Every run starts afresh: before it, the course empties both topics and forgets the group `etl`,
# so the checkpoint judges this run's work only.
producer = KafkaProducer(client_id="stream-etl", key_serializer=str.encode, value_serializer=str.encode, **connection)
codes = ["DE", "FR", "JP", "BR", "NL"]
views = [
    {
        "user": f"user-{i % 7}",
        "page": ["/", "/pricing", "/docs", "/blog"][i % 4],
        "country": codes[i % len(codes)],
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        "sessionCookie": f"c{i}",
    }
    for i in range(20)
]
for view in views:
    producer.send(RAW, key=view["user"], value=json.dumps(view))
producer.flush()
print(f"source: wrote {len(views)} raw page views")

# The event processor: extract each raw view, transform it, load it into the clean topic.
consumer = KafkaConsumer(RAW, group_id=group("etl"), auto_offset_reset="earliest", client_id="stream-etl", **connection)
processed = 0
for message in consumer:
    raw = json.loads(message.value)
    # A code the table does not know becomes "unknown".
    clean = raw
    producer.send(CLEAN, key=clean["user"], value=json.dumps(clean))
    processed += 1
    if processed == len(views):
        break
producer.flush()  # every clean view is in Kafka before the group commits the raw views it read
consumer.close()  # commits how far the group has read
producer.close()
print(f"processor: wrote {processed} clean page views, e.g. {json.dumps({'user': 'user-0', 'page': '/', 'country': 'Germany'})}")
