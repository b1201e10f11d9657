# Sends each message, then sends it again to get its future: every message is sent twice.
# The checkpoint says: twice
from kafka import KafkaAdminClient, KafkaProducer
from tributary import connection, topic

# The course hands your program its brokers and credentials, and a namespace of its own:
# topic("messages") is your topic called messages.
MESSAGES = topic("messages")

# Step 1 (done for you): create the topic `messages` if it does not exist yet.
admin = KafkaAdminClient(client_id="first-producer", **connection)
if MESSAGES in admin.list_topics():
    print("The topic messages already exists.")
else:
    admin.create_topics({MESSAGES: {"num_partitions": 1}}, wait_for_metadata=True)
    print("Created the topic messages.")
admin.close()

# Step 2: send ten messages to `messages`. Kafka stores bytes: the serializers turn text into bytes.
producer = KafkaProducer(client_id="first-producer", key_serializer=str.encode, value_serializer=str.encode, **connection)
for i in range(1, 11):
    producer.send(MESSAGES, key=str(i), value=f"message {i}")
    future = producer.send(MESSAGES, key=str(i), value=f"message {i}")
    sent = future.get(timeout=10)  # waits for the broker to store it
    print(f"Sent message {i} to partition {sent.partition}, offset {sent.offset}.")
producer.flush()
producer.close()
