# Copies the first target and forgets to rename its group: billing reads twice (waiting for orders that never come) and shipping reads nothing.
# The checkpoint says: group `shipping`
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
for key, item in orders:
    producer.send(ORDERS, key=key, value=item)
producer.flush()
producer.close()
print(f"source: wrote {len(orders)} orders")


def target(group_name, count):
    """One target: a consumer in its own group reads `count` new orders, then leaves."""
    consumer = KafkaConsumer(ORDERS, group_id=group(group_name), auto_offset_reset="earliest", enable_auto_commit=False, **connection)
    seen = 0
    for message in consumer:
        print(f"{group_name}: {message.key.decode()} {message.value.decode()}")
        seen += 1
        if seen == count:
            break
    consumer.commit()  # records how far this group has read
    consumer.close()


target("billing", len(orders))
target("billing", len(orders))  # copied from the line above
print("Both targets read every order.")
