import signal
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

ORDERS = topic("orders")

# The source: five orders go into Kafka, once.
admin = KafkaAdminClient(client_id="two-targets", **connection)
if ORDERS not in admin.list_topics():
    admin.create_topics({ORDERS: {"num_partitions": 1}}, wait_for_metadata=True)
admin.close()
producer = KafkaProducer(client_id="two-targets", key_serializer=str.encode, value_serializer=str.encode, **connection)
orders = [(f"order-{i}", item) for i, item in enumerate(["book", "lamp", "kettle", "chair", "plant"], start=1)]
sent = [producer.send(ORDERS, key=key, value=item) for key, item in orders]
producer.flush()
producer.close()
print(f"source: wrote {len(orders)} orders")
# Where the topic ends now: one past the last order's offset. Each target reads up to here, however far
# its group had read before.
end = sent[-1].get().offset + 1

# Stop sends SIGTERM: leave the group cleanly, so the next run does not wait for this one's session to expire.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def target(group_name):
    """One target: a consumer in its own group reads every order it has not read yet, then leaves."""
    consumer = KafkaConsumer(ORDERS, group_id=group(group_name), auto_offset_reset="earliest", enable_auto_commit=False, **connection)
    try:
        for message in consumer:
            print(f"{group_name}: {message.key.decode()} {message.value.decode()}")
            if message.offset + 1 >= end:
                break  # caught up
        consumer.commit()  # records how far this group has read
    finally:
        consumer.close()


target("billing")
target("shipping")
print("Both targets read every order.")
