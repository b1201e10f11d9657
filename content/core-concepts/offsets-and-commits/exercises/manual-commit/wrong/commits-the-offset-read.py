# Commits the offset of the payment it booked, not the next one to read.
# The checkpoint says: message.offset + 1
import json
import signal
import sys

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from tributary import connection, topic, group

PAYMENTS = topic("payments")
BOOKINGS = topic("bookings")


def handle_payment(consumer, message):
    """Your part: what the bookkeeping service does with each payment. Auto-commit is off."""
    book(message)
    partition = TopicPartition(message.topic, message.partition)
    consumer.commit({partition: OffsetAndMetadata(message.offset, "", -1)})


# ─── Done for you from here on: the payments, the booking, and a crash. ───

PAYMENT_COUNT = 20
_service = {"consumer": None, "crashed": False, "restarted": False}


class ServiceCrash(Exception):
    """The bookkeeping service died: it handles nothing more."""


def book(message):
    """Books a payment: writes it to `bookings` with the offset Kafka had stored as committed when the booking began."""
    payment = message.key.decode()
    # Asks Kafka, not this program: consumer.commit() returns once Kafka has stored the offset.
    committed_when_booked = _service["consumer"].committed(TopicPartition(message.topic, message.partition))
    if payment == "payment-7" and not _service["crashed"]:
        _service["crashed"] = True
        print(f"💥 The service crashed while booking {payment}.")
        raise ServiceCrash()
    booking = {
        "payment": payment,
        "amount": int(message.value.decode()),
        "offset": message.offset,
        "committedWhenBooked": committed_when_booked,
        "restarted": _service["restarted"],
    }
    producer.send(BOOKINGS, key=payment, value=json.dumps(booking)).get(timeout=10)
    shown = "none" if committed_when_booked is None else committed_when_booked
    print(f"booked {payment} (offset {message.offset}): {booking['amount']} EUR; the group's committed offset was {shown}")


def run_service():
    """One life of the bookkeeping service: a consumer in group bookkeeping that handles payments until the last one, or a crash."""
    consumer = KafkaConsumer(
        group_id=group("bookkeeping"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=10_000,  # a service with nothing left to read stops after 10 s
        client_id="manual-commit",
        **connection,
    )
    _service["consumer"] = consumer
    consumer.subscribe([PAYMENTS])
    try:
        for message in consumer:
            try:
                handle_payment(consumer, message)
            except ServiceCrash:
                return
            if message.offset + 1 >= PAYMENT_COUNT:
                return
    finally:
        consumer.close(autocommit=False)


# Stop sends SIGTERM: leave the group cleanly (the consumer closes as the program exits).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

# Twenty payments arrive. Every run starts from a clean slate: fresh topics, no committed offsets.
producer = KafkaProducer(client_id="manual-commit", key_serializer=str.encode, value_serializer=str.encode, **connection)
for i in range(1, PAYMENT_COUNT + 1):
    producer.send(PAYMENTS, key=f"payment-{i}", value=str(i * 5))
producer.flush()

run_service()
if _service["crashed"]:
    # Started again, the service resumes at the group's committed offset (the first payment when none is committed).
    _service["restarted"] = True
    print("The service starts again, at the group's committed offset.")
    run_service()
producer.close()
