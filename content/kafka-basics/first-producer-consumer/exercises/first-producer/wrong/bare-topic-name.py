# Writes to "messages" instead of topic("messages"): that name is outside the learner's namespace, the broker refuses it, and the learner's own topic stays empty (the checkpoint says: "holds 0 messages").
from kafka import KafkaAdminClient, KafkaProducer
from tributary import connection, topic

admin = KafkaAdminClient(client_id="first-producer", **connection)
if topic("messages") not in admin.list_topics():
    admin.create_topics({topic("messages"): {"num_partitions": 1}}, wait_for_metadata=True)
admin.close()

producer = KafkaProducer(client_id="first-producer", key_serializer=str.encode, value_serializer=str.encode, max_block_ms=5000, **connection)
for i in range(1, 11):
    producer.send("messages", key=str(i), value=f"message {i}")
producer.flush()
producer.close()
print("Sent the messages.")
