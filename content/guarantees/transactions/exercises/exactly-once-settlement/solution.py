import json
import signal
import sys

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from tributary import connection, group, topic, transactional_id

PAYMENTS = topic("fx-payments")
SETTLED = topic("settled-payments")

# ─── Your part: the processor's producer, and what it does with each batch of payments. ───


def create_producer():
    """The processor's producer. A restarted processor must finish, or undo, what the crashed one left half done."""
    # One fixed transactional id: init_transactions() fences the crashed processor's producer, and Kafka aborts the
    # transaction it left open.
    producer = KafkaProducer(transactional_id=transactional_id("settler"), client_id="settlement", **connection)
    producer.init_transactions()
    return producer


def settle_batch(producer, consumer, messages):
    """Settles a batch of payments: each one in euros to `settled-payments`, and the batch marked as read, all or nothing."""
    producer.begin_transaction()
    try:
        for message in messages:
            producer.send(SETTLED, **settle(message))
        # The offsets go in the same transaction: the group moves on only if the settled payments are committed too.
        last = messages[-1]
        offsets = {TopicPartition(last.topic, last.partition): OffsetAndMetadata(last.offset + 1, "", -1)}
        producer.send_offsets_to_transaction(offsets, consumer.group_metadata())
        producer.commit_transaction()
    except Exception:
        producer.abort_transaction()
        raise


# ─── Done for you from here on: the payments, the processor, two crashes, and a reader. ───

PAYMENT_COUNT = 12
BATCH_SIZE = 4
CRASH_WHILE_SETTLING = "payment-7"
LAST_PAYMENT = f"payment-{PAYMENT_COUNT}"
TO_EUR = {"EUR": 1, "USD": 0.92, "GBP": 1.17}

# Stop sends SIGTERM: leave cleanly (the clients close as the program exits).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

# Twelve payments arrive, in three currencies. Every run starts from a clean slate: fresh topics, no committed offsets.
desk = KafkaProducer(client_id="settlement-desk", **connection)
for i in range(PAYMENT_COUNT):
    payment = {"payment": f"payment-{i + 1}", "amount": (i + 1) * 10, "currency": ["USD", "GBP", "EUR"][i % 3]}
    desk.send(PAYMENTS, key=payment["payment"].encode(), value=json.dumps(payment).encode())
desk.flush()

# The processor crashes twice, once a run each, and a supervisor starts it again each time:
# - the first processor dies while settling payment-7, after it sent payment-5 and payment-6 of that batch;
# - a later one dies the moment Kafka confirms the transaction that holds payment-12, before your function returns.
# A crashed processor does nothing more: it never finishes, commits or aborts what it was doing (a crash is no
# Exception a program catches). Each processor's life goes to `settlement-log` for the checkpoint: its producer's
# transactional id, where it began, how it ended.
crashes = {"while_settling": False, "after_last_commit": False}
current = {}


class ProcessorCrash(BaseException):
    """The processor died: it does nothing more."""


def crash(how):
    current["life"]["crashed"] = how
    print(f"💥 Processor {current['life']['life']} crashed {how}.", flush=True)
    raise ProcessorCrash()


def settle(message):
    """Settles one payment in euros: the key and value your processor sends for it."""
    payment = json.loads(message.value)
    if payment["payment"] == CRASH_WHILE_SETTLING and not crashes["while_settling"]:
        crashes["while_settling"] = True
        crash(f"while settling {CRASH_WHILE_SETTLING}")
    if payment["payment"] == LAST_PAYMENT:
        current["settled_last"] = True
    eur = round(payment["amount"] * TO_EUR[payment["currency"]], 2)
    value = {"payment": payment["payment"], "eur": eur, "settledBy": current["life"]["life"]}
    return {"key": payment["payment"].encode(), "value": json.dumps(value).encode()}


def watched(producer):
    """Your producer, watched: the processor dies the moment Kafka confirms the first transaction that holds payment-12."""
    commit = producer.commit_transaction

    def commit_transaction():
        commit()
        current["life"]["transactionsCommitted"] += 1
        if current.get("settled_last") and not crashes["after_last_commit"]:
            crashes["after_last_commit"] = True
            crash(f"the moment Kafka confirmed the transaction that holds {LAST_PAYMENT}")

    producer.commit_transaction = commit_transaction
    return producer


class WatchedConsumer(KafkaConsumer):
    """The processor's consumer: the log counts the commits it makes itself, outside any transaction."""

    def commit(self, *args, **kwargs):
        result = super().commit(*args, **kwargs)
        current["life"]["consumerCommits"] += 1
        return result


def run_processor(number):
    """One life of the processor: it settles payments from the group's committed offset until the last one, or a crash."""
    # A transactional producer's init_transactions() fences the one before it, and waits for that one's last
    # transaction to end.
    producer = watched(create_producer())
    consumer = WatchedConsumer(
        group_id=group("settlement"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=BATCH_SIZE,
        client_id="settlement",
        **connection,
    )
    partition = TopicPartition(PAYMENTS, 0)
    life = {
        "life": number,
        "transactionalId": producer.config.get("transactional_id"),
        "resumedAt": consumer.committed(partition),
        "crashed": None,
        "consumerCommits": 0,
        "transactionsCommitted": 0,
    }
    current.clear()
    current["life"] = life
    shown = "none, so at the first payment" if life["resumedAt"] is None else life["resumedAt"]
    print(f"Processor {number} starts at the group's committed offset: {shown}.", flush=True)
    try:
        if (life["resumedAt"] or 0) >= PAYMENT_COUNT:
            print("Every payment's offset is committed: nothing is left to settle.")
            return life
        consumer.subscribe([PAYMENTS])
        done = False
        while not done:
            for messages in consumer.poll(timeout_ms=1000).values():
                # Four at a time by offset: 0–3, 4–7, 8–11.
                fours = {}
                for message in messages:
                    fours.setdefault(message.offset // BATCH_SIZE, []).append(message)
                for four in fours.values():
                    settle_batch(producer, consumer, four)
                    done = done or four[-1].offset + 1 >= PAYMENT_COUNT
        print(f"Processor {number} settled every payment up to {LAST_PAYMENT}.")
    except ProcessorCrash:
        # A crash after your producer sent what it had: its connections just close, with no commit and no abort.
        producer.flush()
    finally:
        consumer.close(autocommit=False)
        producer.close()
    return life


logger = KafkaProducer(client_id="settlement-desk", **connection)
for number in range(1, 4):
    life = run_processor(number)
    logger.send(topic("settlement-log"), key=f"life-{number}".encode(), value=json.dumps(life).encode()).get(timeout=10)
    if not life["crashed"]:
        break
logger.close()

# `settled-payments` as a read_committed reader sees it: nothing of an aborted or open transaction.
reader = KafkaConsumer(
    group_id=group("settled-audit"),
    auto_offset_reset="earliest",
    isolation_level="read_committed",
    client_id="settled-audit",
    **connection,
)
settled = TopicPartition(SETTLED, 0)
end = reader.end_offsets([settled])[settled]  # for a read_committed reader: where the first open transaction begins
read = []
if end > 0:
    reader.assign([settled])
    reader.seek_to_beginning(settled)
    # A transaction's end marker takes an offset too: the reader is done once its position reaches the end.
    while reader.position(settled) < end:
        for messages in reader.poll(timeout_ms=1000).values():
            read.extend(message.key.decode() for message in messages)
reader.close()
twice = sorted({p for p in read if read.count(p) > 1}, key=lambda p: int(p.split("-")[1]))
print("settled-payments as a read_committed reader sees it:", " ".join(read) or "(empty)")
print(f"{len(set(read))} of {PAYMENT_COUNT} payments settled" + (f"; settled twice: {', '.join(twice)}." if twice else "."))
desk.close()
