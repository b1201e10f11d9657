# Reads without a group_id: the messages are printed, but no group commits how far it read.
# The checkpoint says: No consumer has joined group `message-readers`
import signal
import sys

from kafka import KafkaConsumer
from tributary import connection, topic

consumer = KafkaConsumer(topic("messages"), auto_offset_reset="earliest", client_id="first-consumer", **connection)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    for message in consumer:
        print(f"{message.key.decode()}: {message.value.decode()}")
finally:
    consumer.close()
