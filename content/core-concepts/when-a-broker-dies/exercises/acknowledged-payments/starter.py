import json
import logging
import os
import signal
import time

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from tributary import connection, topic

PAYMENTS = topic("safe-payments")
LEDGER = topic("safe-ledger")

# ─── Your part: the producer, and how it sends one payment. ───


def create_producer():
    """The producer. A payment Kafka acknowledges must survive the death of any one broker."""
    # TODO: Kafka must answer once every in-sync copy has a payment, and a payment sent again must be written once.
    # The producer sends a refused payment again by itself, numbered as before, until delivery_timeout_ms (2 minutes
    # by default): give it longer than an outage may last, such as 10 minutes.
    # (request_timeout_ms: the leader answers within 5 s, a refusal included.)
    return KafkaProducer(request_timeout_ms=5_000, client_id="payments", **connection)


def send_payment(producer, payment):
    """Sends one payment, and returns where Kafka wrote it once Kafka has acknowledged it."""
    # TODO: while fewer copies than min.insync.replicas are in sync, Kafka refuses the payment, and no answer comes:
    # get() raises KafkaTimeoutError. The payment is not lost, and the producer is sending it again: keep waiting
    # (sent.is_done tells whether the producer gave up).
    return producer.send(PAYMENTS, **record_of(payment)).get(timeout=10)


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


# The ledger: what Kafka told the producer about each payment, written to `safe-ledger` at the end. The
# checkpoint compares it with `safe-payments`, as a Jepsen checker compares what a database acknowledged with what
# it holds. Every send is watched, so the ledger tells the truth whatever send_payment does.
ledger = {
    "startedAt": now_ms(),
    "endedAt": 0,
    "ended": "",  # "recovered" (Kafka took payments again after refusing), "stopped" (SIGTERM), or "gave up"
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


def lasting_refusal_ended():
    """When Kafka last refused a payment it refused for 5 s or more, for too few copies in sync: an outage, not the
    moment a leader is elected. None while there was none."""
    spans = {}
    for refusal in ledger["refused"]:
        if "NotEnoughReplicas" not in refusal["error"]:
            continue
        start, stop = spans.get(refusal["payment"], (refusal["at"], refusal["lastAt"]))
        spans[refusal["payment"]] = (min(start, refusal["at"]), max(stop, refusal["lastAt"]))
    lasting = [stop for start, stop in spans.values() if stop - start >= 5000]
    return max(lasting) if lasting else None


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


producer = watched(create_producer())
# The ledger goes out with acks=1: the leader alone takes it, so it is written even while one broker runs.
ledger_writer = KafkaProducer(acks=1, client_id="payments-ledger", **connection)
signal.signal(signal.SIGTERM, stop)

RUN_ON_S = 15
print(
    "A payment every 200 ms. In the lab panel, stop the broker that leads safe-payments 0, then a second one;"
    " start both again once Kafka refuses a payment.",
    flush=True,
)
try:
    n = 0
    end_at = None
    while end_at is None or time.time() < end_at:
        n += 1
        try:
            written = send_payment(producer, payment_of(n))
        except Exception as error:  # noqa: BLE001 — what stopped the sending goes into the ledger
            ledger["gaveUp"] = {"payment": n, "error": describe(error), "at": now_ms()}
            print(f"✗ send_payment gave up on payment {n}: {describe(error)}", flush=True)
            break
        if written:
            print(f"✓ payment {n} → safe-payments {written.partition} @ offset {written.offset}", flush=True)
        # Kafka takes payments again after an outage: a broker is back. Carry on a little, then end.
        outage_ended = lasting_refusal_ended()
        acks = ledger["acknowledged"]
        if end_at is None and outage_ended is not None and acks and acks[-1]["at"] > outage_ended:
            end_at = time.time() + RUN_ON_S
            print(
                f"Kafka takes payments again. The program ends in {RUN_ON_S} s: start the other broker too,"
                " and watch the in-sync replicas grow back.",
                flush=True,
            )
        time.sleep(0.2)
    end("gave up" if ledger["gaveUp"] else "recovered")
except Stopped:
    end("stopped")
