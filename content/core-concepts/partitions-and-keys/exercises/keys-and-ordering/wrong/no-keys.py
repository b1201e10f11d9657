# Three partitions, but the events have no keys: a ride's events scatter over the partitions.
# The checkpoint says: have no key
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

RIDES = topic("rides")
PARTITIONS = 3

# Every run starts with no topic `rides`: the program creates it. (Partitions can be added but never removed,
# and adding them moves keys to other partitions: a topic's partitions are chosen when it is created.)
admin = KafkaAdminClient(client_id="keys-and-ordering", **connection)
admin.create_topics({RIDES: {"num_partitions": PARTITIONS}}, wait_for_metadata=True)
admin.close()

# acks="all" waits until every in-sync copy holds the message.
producer = KafkaProducer(client_id="keys-and-ordering", acks="all", **connection)
for step in ["requested", "picked up", "dropped off"]:
    for ride in range(1, 11):
        producer.send(RIDES, value=f"ride-{ride} {step}".encode())
producer.flush()
producer.close()
print("Sent 30 ride events; reading them back to see where they went…")

# Read the whole topic back and note which partition(s) each ride's events are in.
consumer = KafkaConsumer(
    RIDES, group_id=group("rides-audit"), auto_offset_reset="earliest", consumer_timeout_ms=10_000, client_id="keys-and-ordering", **connection
)
partitions_by_key = {}
for seen, message in enumerate(consumer, start=1):
    key = message.key.decode() if message.key is not None else "(no key)"
    partitions_by_key.setdefault(key, set()).add(message.partition)
    if seen == 30:
        break
consumer.close()
for key in sorted(partitions_by_key, key=lambda k: (len(k), k)):
    print(f"key {key}: partition(s) {', '.join(str(p) for p in sorted(partitions_by_key[key]))}")
