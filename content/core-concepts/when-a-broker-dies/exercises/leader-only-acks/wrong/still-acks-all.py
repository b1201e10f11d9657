# Keeps asking every in-sync copy (acks="all"), as the previous exercise did: while one broker runs, Kafka refuses, and acknowledges nothing.
# The checkpoint says: refused
import json
import logging
import os
import signal
import time

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from tributary import connection, topic

PAYMENTS = topic("fast-payments")
LEDGER = topic("fast-ledger")

# ─── Your part: the producer, and how it sends one payment. ───


def create_producer():
    """The producer. Here a quick answer matters more than a payment surviving a broker's death."""
    # acks="all": Kafka answers once every in-sync copy has the payment, and refuses while fewer than
    # min.insync.replicas (2 here) are in sync. Idempotent: the producer numbers its records, and sends a refused
    # payment again by itself, numbered as before, so Kafka writes it once. delivery_timeout_ms: it keeps doing so
    # for 10 minutes; a producer that gives up on a payment starts over under a new number, and a payment sent again
    # after that could be written twice. request_timeout_ms: the leader answers within 5 s, instead of holding a
    # payment 30 s for a follower that died.
    return KafkaProducer(
        acks="all",
        enable_idempotence=True,
        delivery_timeout_ms=600_000,
        request_timeout_ms=5_000,
        client_id="payments",
        **connection,
    )


def send_payment(producer, payment):
    """Sends one payment, and returns where Kafka wrote it once Kafka has acknowledged it."""
    sent = producer.send(PAYMENTS, **record_of(payment))
    while True:
        try:
            return sent.get(timeout=5)
        except KafkaTimeoutError:
            # Refused, not lost: the producer is sending it again. Keep waiting, unless the producer gave up.
            if sent.is_done:
                raise
            print(f"… no answer for payment {payment['payment']} yet: your producer keeps sending it.", flush=True)


# ─── Done for you from here on: the payments, the ledger of what Kafka answered, and the end. ───


def payment_of(n):
    """Payment n, of 10 to 99 EUR."""
    return {"payment": n, "amount": 10 + (n * 37) % 90}


def record_of(payment):
    """The key and value a payment is sent with."""
    return {"key": f"payment-{payment['payment']}".encode(), "value": json.dumps(payment).encode()}


def now_ms():
    return int(time.time() * 1000)


def describe(error):
    """An error in a line: its name and what it says (kafka-python's errors name themselves)."""
    name, text = type(error).__name__, str(error)
    return (text if text.startswith(name) else f"{name}: {text}")[:240]


# The ledger: what Kafka told the producer about each payment, written to `fast-ledger` at the end. The
# checkpoint compares it with `fast-payments`, as a Jepsen checker compares what a database acknowledged with what
# it holds. Every send is watched, so the ledger tells the truth whatever send_payment does.
ledger = {
    "startedAt": now_ms(),
    "endedAt": 0,
    "ended": "",  # "ran its time" (two minutes), "stopped" (SIGTERM), or "gave up"
    "acks": None,  # the acks the producer's sends asked for: -1 (all), 1 (the leader alone) or 0 (none)
    "sent": 0,  # the highest payment the program handed to the producer
    "acknowledged": [],
    "refused": [],  # the same payment refused for the same reason counts once, "times" over
    "gaveUp": None,
}
unanswered = {}  # payment → when it was sent, oldest first: the producer sends a partition's records in order
# A refusal the producer retries by itself is printed once it has lasted this long: a moment's refusal is no news.
SAY_REFUSED_AFTER_MS = 12_000
said_refused = set()


def note_refusal(payment, error, quietly=False):
    """Notes a refusal of `payment`, and prints it unless `quietly`; a refusal like the one before it only counts."""
    at = now_ms()
    last = ledger["refused"][-1] if ledger["refused"] else None
    if last and last["payment"] == payment and last["error"] == error:
        last["times"] += 1
        last["lastAt"] = at
        return
    ledger["refused"].append({"payment": payment, "error": error, "at": at, "lastAt": at, "times": 1})
    if not quietly:
        print(f"✗ Kafka refused payment {payment}: {error}", flush=True)


def watched(producer):
    """The producer, with every send of a payment, answered or refused, noted in the ledger."""
    send = producer.send
    acks = producer.config["acks"]
    ledger["acks"] = -1 if acks == "all" else acks

    def send_and_note(topic_name, value=None, key=None, **rest):
        future = send(topic_name, value=value, key=key, **rest)
        payment = json.loads(value)["payment"]
        ledger["sent"] = max(ledger["sent"], payment)
        unanswered[payment] = now_ms()

        def acknowledged(written):
            unanswered.pop(payment, None)
            ledger["acknowledged"].append(
                {"payment": payment, "partition": written.partition, "offset": written.offset, "at": now_ms()}
            )

        def refused(error):
            unanswered.pop(payment, None)
            note_refusal(payment, describe(error))

        future.add_callback(acknowledged)
        future.add_errback(refused)
        return future

    producer.send = send_and_note
    return producer


class RefusalsInLog(logging.Handler):
    """kafka-python logs each refusal it retries; those for too few copies in sync go into the ledger as they happen.
    Its other log lines are the connection errors of the brokers you stop: the program says what matters."""

    def emit(self, record):
        message = record.getMessage()
        for name in ("NotEnoughReplicasError", "NotEnoughReplicasAfterAppendError"):
            oldest = list(unanswered.items())[:1]  # copied at once: the main thread adds sends meanwhile
            if f": {name}" not in message or not oldest:
                continue
            payment, sent_at = oldest[0]
            note_refusal(payment, f"{name} (your producer retries it)", quietly=True)
            waited = now_ms() - sent_at
            if waited >= SAY_REFUSED_AFTER_MS and payment not in said_refused:
                said_refused.add(payment)
                print(f"✗ Kafka refused payment {payment}: {name}, for {waited // 1000} s now; your producer keeps sending it.", flush=True)


kafka_log = logging.getLogger("kafka")
kafka_log.addHandler(RefusalsInLog(logging.WARNING))
kafka_log.propagate = False


class Stopped(BaseException):
    """Stop was pressed (SIGTERM): the ledger is written at once, even mid-send."""


def stop(*_):
    raise Stopped()


def end(why):
    """Writes the ledger as one record and ends the program at once."""
    ledger["endedAt"] = now_ms()
    ledger["ended"] = why
    try:
        ledger_writer.send(LEDGER, value=json.dumps(ledger).encode()).get(timeout=5)
    except Exception as error:  # noqa: BLE001 — the learner is told, and the run ends with an error
        print(f"✗ The ledger could not be written: {describe(error)}", flush=True)
        os._exit(1)
    refusals = sum(r["times"] for r in ledger["refused"])
    print(f"The ledger is written: {len(ledger['acknowledged'])} payments acknowledged, {refusals} refusals. Press Check.", flush=True)
    # At once: closing the producer would wait for payments Kafka still refuses, and the ledger already says what
    # Kafka answered.
    os._exit(0)


# The ledger goes out with acks=1: the leader alone takes it, so it is written even while one broker runs.
ledger_writer = KafkaProducer(acks=1, client_id="payments-ledger", **connection)
signal.signal(signal.SIGTERM, stop)
try:
    producer = watched(create_producer())
except Exception as error:  # noqa: BLE001 — a producer kafka-python refuses to make ends the run, noted in the ledger
    ledger["gaveUp"] = {"payment": 1, "error": describe(error), "at": now_ms()}
    print(f"✗ The producer could not be made: {describe(error)}", flush=True)
    producer = None

RUN_FOR_S = 120
print(
    "A payment every 200 ms for two minutes. In the lab panel, stop the broker that leads fast-payments 0,"
    " then a second one; start both again half a minute later.",
    flush=True,
)
try:
    n = 0
    while producer and now_ms() < ledger["startedAt"] + RUN_FOR_S * 1000:
        n += 1
        try:
            written = send_payment(producer, payment_of(n))
        except Exception as error:  # noqa: BLE001 — what stopped the sending goes into the ledger
            ledger["gaveUp"] = {"payment": n, "error": describe(error), "at": now_ms()}
            print(f"✗ send_payment gave up on payment {n}: {describe(error)}", flush=True)
            break
        if written:
            print(f"✓ payment {n} → fast-payments {written.partition} @ offset {written.offset}", flush=True)
        time.sleep(0.2)
    end("gave up" if ledger["gaveUp"] else "ran its time")
except Stopped:
    end("stopped")
