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
# TODO: send ten messages, from key "1", value "message 1" to key "10", value "message 10":
#       producer.send(MESSAGES, key=..., value=...)
# TODO: flush and close the producer, so every message has reached Kafka before the program ends.
print("Nothing sent yet: fill in the TODOs.")
producer.close()
