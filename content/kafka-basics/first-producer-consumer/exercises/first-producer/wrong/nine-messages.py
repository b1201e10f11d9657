# Off by one: range(1, 10) sends nine messages, not ten.
# The checkpoint says: no message "message 10"
from kafka import KafkaAdminClient, KafkaProducer
from tributary import connection, topic

MESSAGES = topic("messages")

admin = KafkaAdminClient(client_id="first-producer", **connection)
if MESSAGES not in admin.list_topics():
    admin.create_topics({MESSAGES: {"num_partitions": 1}}, wait_for_metadata=True)
admin.close()

producer = KafkaProducer(client_id="first-producer", key_serializer=str.encode, value_serializer=str.encode, **connection)
for i in range(1, 10):
    producer.send(MESSAGES, key=str(i), value=f"message {i}")
producer.flush()
producer.close()
print("Sent the messages.")
