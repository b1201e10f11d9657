# Sends text where kafka-python wants bytes (no value_serializer), so the first send fails and nothing is stored.
# The checkpoint says: Your latest run ended with an error
from kafka import KafkaAdminClient, KafkaProducer
from tributary import connection, topic

MESSAGES = topic("messages")

admin = KafkaAdminClient(client_id="first-producer", **connection)
if MESSAGES not in admin.list_topics():
    admin.create_topics({MESSAGES: {"num_partitions": 1}}, wait_for_metadata=True)
admin.close()

producer = KafkaProducer(client_id="first-producer", **connection)
for i in range(1, 11):
    producer.send(MESSAGES, key=str(i), value=f"message {i}")
producer.flush()
producer.close()
print("Sent the messages.")
