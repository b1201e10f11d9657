# Turns automatic commits off and never commits: the group reads everything but Kafka never learns how far.
# The checkpoint says: consumer.commit()
import signal
import sys

from kafka import KafkaConsumer
from tributary import connection, topic, group

consumer = KafkaConsumer(
    topic("messages"),
    group_id=group("message-readers"),
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    client_id="first-consumer",
    **connection,
)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    for message in consumer:
        print(f"{message.key.decode()}: {message.value.decode()}")
finally:
    consumer.close()
